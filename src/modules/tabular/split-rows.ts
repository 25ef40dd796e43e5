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
 * group or time column need not be a feature) — following the same protocol as the holdout, cut
 * `repeats` times (k × repeats folds, one cut after the other). Fold positions index into `trainRows`.
 */
export function crossValidationFolds(frame: Frame, trainRows: Int32Array, target: TargetEncoding, k: number, spec: ModuleSpec, repeats = 1): Split[] {
  const { group, time } = spec.split;
  if (time !== undefined) return timeSeriesSplit(takeValues(epochTimes(frame, time), trainRows), k);
  // each repeat draws its folds with the next seed: the same rows, cut differently
  const seeds = Array.from({ length: repeats }, (_, r) => spec.seed + r);
  if (group !== undefined) {
    const keys = groupKeys(frame, group);
    const trainKeys = Array.from(trainRows, (row) => keys[row] as string | number);
    // group folds are drawn largest group first; only equal-sized groups are ordered by the seed, so two
    // seeds may cut alike: a repeated cut would count the same folds twice and make the noise look smaller
    return distinctCuts(seeds.map((seed) => groupKFold(trainKeys, k, { seed })));
  }
  if (target.task === 'regression') return seeds.flatMap((seed) => kFold(trainRows.length, k, { seed }));
  const classes = takeValues(target.classIndex, trainRows);
  return seeds.flatMap((seed) => stratifiedKFold(classes, target.classes.length, k, { seed }));
}

/** The cuts (each a list of folds) with any cut equal to an earlier one left out. */
function distinctCuts(cuts: readonly Split[][]): Split[] {
  const seen = new Set<string>();
  return cuts.flatMap((cut) => {
    const key = cut.map((fold) => Array.from(fold.test).sort((a, b) => a - b).join(',')).sort().join('|');
    if (seen.has(key)) return [];
    seen.add(key);
    return cut;
  });
}

/** Training rows up to which the search repeats its cross-validation by default. */
export const REPEATED_CROSS_VALIDATION_ROWS = 5_000;

/**
 * How many times the search cuts the training part into k folds. On small data one cut is too noisy
 * to choose by: on Titanic's 712 rows, the validation parts' 143 rows move a fold's AUC by ±0.03, more
 * than the leaders differ. Three cuts average that away (docs/decisions.md) for three times the fits,
 * which are cheap there. Time-ordered folds are the same on every cut, so they are never repeated.
 */
export function crossValidationRepeats(spec: ModuleSpec, trainRows: number): number {
  if (spec.split.time !== undefined) return 1;
  return spec.repeats ?? (trainRows <= REPEATED_CROSS_VALIDATION_ROWS ? 3 : 1);
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
