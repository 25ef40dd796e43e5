/**
 * How a tabular module's rows are divided: the locked-away test part, and the cross-validation folds
 * the search uses on the rest. Both follow the spec's protocol —
 *
 *   split: { group: customer_id }   whole groups on one side (no customer in both training and test)
 *   split: { time: signup_date }    the latest rows are the test; folds train on the past only
 *   otherwise                        stratified by class (classification) or random, seeded
 *
 * so that a model is judged the way it will be used.
 */
import { KilnError } from '../../core/errors.js';
import type { Frame } from '../../core/frame.js';
import { takeValues } from '../../core/matrix.js';
import { groupSplit, randomSplit, stratifiedSplit, timeSplit, type Split } from '../../data/split.js';
import { groupKFold, kFold, stratifiedKFold, timeSeriesSplit } from '../../data/splits/k-fold.js';
import { toEpochMs } from '../../features/datetime-parts.js';
import type { ModuleSpec } from '../spec.js';
import type { TargetEncoding } from './plan-columns.js';

/** The protocol the spec asks for, in words (recorded with the run). */
export function splitProtocol(spec: ModuleSpec): string {
  if (spec.split.group !== undefined) return `grouped by ${spec.split.group}`;
  if (spec.split.time !== undefined) return `ordered by ${spec.split.time}`;
  return spec.split.stratify ? 'stratified' : 'random';
}

/** The held-out test part of `frame`'s rows. */
export function holdoutSplit(frame: Frame, target: TargetEncoding, spec: ModuleSpec): Split {
  const { test: fraction, stratify, group, time } = spec.split;
  const split =
    group !== undefined
      ? groupSplit(groupKeys(frame, group), fraction, spec.seed)
      : time !== undefined
        ? timeSplit(epochTimes(frame, time), fraction)
        : target.task !== 'regression' && stratify
          ? stratifiedSplit(target.classIndex, target.classes.length, fraction, spec.seed)
          : randomSplit(frame.nRows, fraction, spec.seed);
  if (split.train.length < 2 || split.test.length < 1) {
    throw new KilnError('TOO_FEW_ROWS', { what: 'the data', rows: frame.nRows, needed: Math.ceil(3 / Math.min(fraction, 1 - fraction)) });
  }
  return split;
}

/**
 * `k` cross-validation folds over the training part — rows `trainRows` of the whole table `frame` (the
 * group or time column need not be a feature) — following the same protocol as the holdout. Fold
 * positions index into `trainRows`.
 */
export function crossValidationFolds(frame: Frame, trainRows: Int32Array, target: TargetEncoding, k: number, spec: ModuleSpec): Split[] {
  const { group, time } = spec.split;
  if (group !== undefined) {
    const keys = groupKeys(frame, group);
    return groupKFold(Array.from(trainRows, (row) => keys[row] as string | number), k, { seed: spec.seed });
  }
  if (time !== undefined) return timeSeriesSplit(takeValues(epochTimes(frame, time), trainRows), k);
  return target.task === 'regression'
    ? kFold(trainRows.length, k, { seed: spec.seed })
    : stratifiedKFold(takeValues(target.classIndex, trainRows), target.classes.length, k, { seed: spec.seed });
}

function columnOf(frame: Frame, name: string, role: string) {
  const column = frame.get(name);
  if (column === undefined) throw new KilnError('COLUMN_NOT_FOUND', { column: name, columns: frame.names, what: `the split's ${role} column` });
  return column;
}

function groupKeys(frame: Frame, name: string): (string | number)[] {
  return Array.from(columnOf(frame, name, 'group').values as ArrayLike<string | number>);
}

function epochTimes(frame: Frame, name: string): Float64Array {
  return toEpochMs(columnOf(frame, name, 'time'));
}
