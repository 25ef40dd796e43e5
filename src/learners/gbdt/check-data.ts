/**
 * Gradient boosting's checks on its input. They differ from the shared ones
 * (../check-training-data.ts) in one way: NaN is a missing value that trees route natively (unless the
 * `missing` parameter says "error"), so only ±Infinity is rejected outright.
 */
import { KilnError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';

export type MissingPolicy = 'learn' | 'error';

export function checkFeatures(X: Matrix, missing: MissingPolicy, what = 'the training data'): void {
  if (X.rows === 0) throw new KilnError('DATA_EMPTY', { path: what });
  if (X.cols === 0) throw new KilnError('NO_FEATURES', {});
  const { data, cols } = X;
  for (let k = 0; k < data.length; k++) {
    const v = data[k] as number;
    if (v - v === 0) continue; // finite
    const row = Math.floor(k / cols);
    const column = k % cols;
    if (v !== v) {
      if (missing === 'error') throw new KilnError('MISSING_NOT_ALLOWED', { column, row });
      continue;
    }
    throw new KilnError('FEATURE_NOT_FINITE', { column, row, value: String(v) });
  }
}

export function checkCategoricalFeatures(categorical: readonly number[], nFeatures: number): void {
  const outside = categorical.filter((f) => f >= nFeatures);
  if (outside.length > 0) {
    throw new KilnError('INVALID_PARAMS', {
      what: 'gradient boosting parameters',
      summary: `categoricalFeatures: column index ${outside.join(', ')} is outside 0..${nFeatures - 1}`,
    });
  }
}

export function checkTargetLength(X: Matrix, y: ArrayLike<number>): void {
  if (y.length !== X.rows) throw new KilnError('TARGET_LENGTH_MISMATCH', { rows: X.rows, targets: y.length });
}

/** Class indices in 0..nClasses-1; with `requireAll`, every class present and more than one. */
export function checkClasses(y: ArrayLike<number>, nClasses: number, requireAll: boolean): void {
  if (!Number.isInteger(nClasses) || nClasses < 2) throw new RangeError(`nClasses must be an integer >= 2, got ${nClasses}`);
  const counts = new Float64Array(nClasses);
  for (let i = 0; i < y.length; i++) {
    const c = y[i] as number;
    if (!Number.isInteger(c) || c < 0 || c >= nClasses) throw new KilnError('CLASS_OUT_OF_RANGE', { row: i, value: c, maxClass: nClasses - 1 });
    counts[c] = (counts[c] as number) + 1;
  }
  if (!requireAll) return;
  const present = counts.filter((c) => c > 0).length;
  if (present === 1) throw new KilnError('SINGLE_CLASS', { target: 'y', value: counts.findIndex((c) => c > 0) });
  const missing = counts.findIndex((c) => c === 0);
  if (missing >= 0) throw new KilnError('CLASS_WITHOUT_ROWS', { class: missing, nClasses });
}

export function checkFiniteTargets(y: ArrayLike<number>): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (v - v !== 0) throw new KilnError('TARGET_NOT_FINITE', { row: i, value: String(v) });
  }
}
