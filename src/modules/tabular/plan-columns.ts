/**
 * Deciding, before anything is fitted, what the model will learn from and what it predicts:
 * which columns become features (and how), which are left out and why, the task, and the classes.
 */
import { KilnError } from '../../core/errors.js';
import type { Frame } from '../../core/frame.js';
import { isMissingCategory } from '../../core/frame.js';
import { closestNames } from '../../data/closest-names.js';
import type { ColumnSchema, SemanticType } from '../../data/infer-schema.js';
import { parseColumnTransform, type ColumnKind } from '../../features/column-transform.js';
import type { ColumnPlan } from '../../features/tabular-preprocessor.js';
import type { TabularTask } from '../manifest.js';
import { requireSpecField, type ModuleSpec } from '../spec.js';

// Moved to the data layer, where `kiln inspect` needs it too; re-exported for existing callers.
export { closestNames } from '../../data/closest-names.js';

export interface ExcludedColumn {
  readonly name: string;
  readonly reason: string;
}

export interface ColumnDecision {
  readonly features: readonly ColumnPlan[];
  readonly excluded: readonly ExcludedColumn[];
}

/** How each semantic type is prepared; identifiers and constants are left out (they only add noise). */
const FEATURE_KIND: Partial<Record<SemanticType, ColumnKind>> = {
  numeric: 'numeric',
  integer: 'numeric',
  boolean: 'boolean',
  categorical: 'categorical',
  datetime: 'datetime',
  text: 'text',
};

export function planColumns(schema: readonly ColumnSchema[], spec: ModuleSpec): ColumnDecision {
  const names = new Set(schema.map((c) => c.name));
  for (const name of [...spec.drop, ...Object.keys(spec.columns), ...Object.keys(spec.transforms)]) {
    if (!names.has(name)) throw new KilnError('COLUMN_NOT_FOUND', { column: name, columns: [...names] });
  }
  const dropped = new Set(spec.drop);
  const features: ColumnPlan[] = [];
  const excluded: ExcludedColumn[] = [];
  for (const c of schema) {
    if (c.name === spec.target) continue;
    if (dropped.has(c.name)) {
      excluded.push({ name: c.name, reason: 'dropped in the spec' });
      continue;
    }
    const type: SemanticType = spec.columns[c.name] ?? c.type;
    const kind = FEATURE_KIND[type];
    if (kind === undefined) {
      excluded.push({ name: c.name, reason: `${type}: ${spec.columns[c.name] ? 'set in the spec' : c.reason}` });
      continue;
    }
    const transform = spec.transforms[c.name];
    features.push({ name: c.name, kind, ...(transform === undefined ? {} : { transform: parseColumnTransform(c.name, kind, transform) }) });
  }
  if (features.length === 0) throw new KilnError('NO_FEATURES', {});
  return { features, excluded };
}

export interface TargetEncoding {
  /** The target column's name. */
  readonly name: string;
  readonly task: TabularTask;
  /** Class labels (classification), in the order of the probability columns. */
  readonly classes: readonly (string | number)[];
  /** Class index per row (classification). */
  readonly classIndex: Int32Array;
  /** The target as numbers (regression). */
  readonly values: Float64Array;
}

/**
 * Infers the task as scikit-learn's peers do (a numeric target with more than 20 distinct values is a
 * regression, otherwise classes) unless the spec names it, and encodes the target.
 */
export function encodeTarget(frame: Frame, spec: ModuleSpec): TargetEncoding {
  const targetName = requireSpecField(spec, 'target');
  const column = frame.get(targetName);
  if (column === undefined) {
    throw new KilnError('TARGET_NOT_FOUND', { target: targetName, columns: frame.names, closest: closestNames(targetName, frame.names) });
  }
  const missing = column.kind === 'numeric'
    ? column.values.filter(Number.isNaN).length
    : column.values.filter(isMissingCategory).length;
  if (missing > 0) throw new KilnError('TARGET_HAS_MISSING', { target: targetName, count: missing });

  const distinct = new Set<string | number>(Array.from(column.values as ArrayLike<string | number>));
  let task: TabularTask;
  if (spec.task === 'binary' || spec.task === 'multiclass' || spec.task === 'regression') task = spec.task;
  else if (spec.task === 'classification' || column.kind === 'categorical') task = distinct.size <= 2 ? 'binary' : 'multiclass';
  else {
    const integers = [...distinct].every((v) => Number.isInteger(v));
    task = integers && distinct.size <= 20 ? (distinct.size <= 2 ? 'binary' : 'multiclass') : 'regression';
  }

  if (task === 'regression') {
    if (column.kind !== 'numeric') {
      throw new KilnError('UNSUPPORTED_TASK', { task: `regression on the text column "${targetName}"`, available: 'binary, multiclass' });
    }
    return { name: targetName, task, classes: [], classIndex: new Int32Array(0), values: column.values };
  }
  const classes = [...distinct].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1));
  if (classes.length < 2) throw new KilnError('SINGLE_CLASS', { target: targetName, value: classes[0] });
  if (task === 'binary' && classes.length > 2) task = 'multiclass';
  const index = new Map(classes.map((c, k) => [c, k]));
  const classIndex = new Int32Array(frame.nRows);
  for (let i = 0; i < frame.nRows; i++) classIndex[i] = index.get(column.values[i] as string | number) as number;
  return { name: targetName, task, classes, classIndex, values: new Float64Array(0) };
}
