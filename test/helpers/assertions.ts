/** Assertions shared by the learner and kernel tests. */
import assert from 'node:assert/strict';
import { isKilnError, type ErrorCode } from '../../src/core/errors.js';
import type { Matrix } from '../../src/core/matrix.js';

export const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** For `assert.throws(fn, expectCode('X'))`: the error is a KilnError with that code (and passes `check`). */
export const expectCode = (code: ErrorCode, check: (details: Record<string, unknown>) => void = () => {}) => (err: unknown): boolean => {
  assert.ok(isKilnError(err, code), `expected ${code}, got ${String(err)}`);
  check(err.details);
  return true;
};

/** What a scikit-learn logistic-regression fixture records of one fit. */
export interface SklearnLogisticFit {
  readonly coef: readonly (readonly number[])[];
  readonly intercept: readonly number[];
  readonly proba: readonly (readonly number[])[];
}

/**
 * A fitted logistic regression agrees with scikit-learn's: coefficients and intercepts within
 * `tolerance` of the largest coefficient (some are near 0), probabilities within 1e-5.
 */
export function assertSameLogisticFit(
  model: { coefficients(): { weights: readonly ArrayLike<number>[]; intercepts: ArrayLike<number> }; predictProba(X: Matrix): Matrix },
  X: Matrix,
  fit: SklearnLogisticFit,
  tolerance: number,
): void {
  const { weights, intercepts } = model.coefficients();
  const scale = Math.max(...fit.coef.flat().map(Math.abs));
  const coefDiff = maxAbsDiff(weights.flatMap((w) => Array.from(w)), fit.coef.flat());
  assert.ok(coefDiff / scale <= tolerance, `coefficients differ by ${coefDiff} (scale ${scale})`);
  assert.ok(maxAbsDiff(intercepts, fit.intercept) <= tolerance * Math.max(1, scale));
  const proba = model.predictProba(X);
  assert.ok(maxAbsDiff(proba.data, fit.proba.flat()) <= 1e-5, `probabilities differ by ${maxAbsDiff(proba.data, fit.proba.flat())}`);
}
