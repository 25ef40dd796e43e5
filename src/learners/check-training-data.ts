/**
 * The checks every learner runs on the numeric data it is given, before any work: a coded error that
 * names the row or column at fault is far more useful than a model full of NaN.
 *
 * These guard the learner's own contract (a finite matrix, targets aligned with rows, class indices in
 * range). Friendlier checks in terms of the user's column names happen earlier, when a table is turned
 * into a Matrix; these are the last line of defence for everyone calling a learner directly.
 */
import { KilnError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';

/** X has rows and columns, and every value is finite. `what` names the data in the error message. */
export function checkFeatures(X: Matrix, what = 'the training data'): void {
  if (X.rows === 0) throw new KilnError('DATA_EMPTY', { path: what });
  if (X.cols === 0) throw new KilnError('NO_FEATURES', {});
  checkFinite(X);
}

/**
 * What a predictor checks before predicting: the column count it was trained on, and finite values
 * (a linear model would otherwise answer NaN without a word). No rows is fine: no predictions.
 */
export function checkPredictionInput(X: Matrix, nFeatures: number, model: string): void {
  checkFeatureCount(X, nFeatures, model);
  checkFinite(X);
}

function checkFeatureCount(X: Matrix, nFeatures: number, model: string): void {
  if (X.cols !== nFeatures) {
    throw new KilnError('INPUT_SHAPE', { input: `features of ${model}`, got: `[${X.rows}, ${X.cols}]`, expected: `[N, ${nFeatures}]` });
  }
}

function checkFinite(X: Matrix): void {
  const { data, cols } = X;
  for (let k = 0; k < data.length; k++) {
    const v = data[k] as number;
    // v - v is 0 for finite numbers and NaN for NaN and ±Infinity: one comparison, no function call.
    if (v - v !== 0) {
      throw new KilnError('FEATURE_NOT_FINITE', { column: k % cols, row: Math.floor(k / cols), value: String(v) });
    }
  }
}

/**
 * Checks a classification training set and returns how many rows each class has.
 * Every class 0..nClasses-1 must occur: a class without rows cannot be learnt (and would drive its
 * unpenalised intercept to -∞).
 */
export function checkClassificationData(X: Matrix, y: ArrayLike<number>, nClasses: number): Float64Array {
  if (!Number.isInteger(nClasses) || nClasses < 1) throw new RangeError(`nClasses must be a positive integer, got ${nClasses}`);
  checkFeatures(X);
  checkTargetLength(X, y);
  const counts = classCounts(y, nClasses);
  const present = counts.filter((c) => c > 0).length;
  if (present === 1) throw new KilnError('SINGLE_CLASS', { target: 'y', value: counts.findIndex((c) => c > 0) });
  const missing = counts.findIndex((c) => c === 0);
  if (missing >= 0) throw new KilnError('CLASS_WITHOUT_ROWS', { class: missing, nClasses });
  return counts;
}

/** Checks a regression training set: finite features and finite targets, one per row. */
export function checkRegressionData(X: Matrix, y: Float64Array): void {
  checkFeatures(X);
  checkTargetLength(X, y);
  checkFiniteTargets(y);
}

/**
 * Checks a held-out set given for validation-loss reporting: the training data's columns, finite
 * values, and targets that are class indices in range (with `nClasses`; absent classes are fine here)
 * or finite numbers (without).
 */
export function checkValidationData(X: Matrix, y: ArrayLike<number>, nFeatures: number, nClasses?: number): void {
  checkFeatures(X, 'the validation data');
  checkFeatureCount(X, nFeatures, 'the validation data');
  checkTargetLength(X, y);
  if (nClasses !== undefined) classCounts(y, nClasses);
  else checkFiniteTargets(y);
}

function checkFiniteTargets(y: ArrayLike<number>): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (v - v !== 0) throw new KilnError('TARGET_NOT_FINITE', { row: i, value: String(v) });
  }
}

function checkTargetLength(X: Matrix, y: ArrayLike<number>): void {
  if (y.length !== X.rows) throw new KilnError('TARGET_LENGTH_MISMATCH', { rows: X.rows, targets: y.length });
}

/** Rows per class; throws CLASS_OUT_OF_RANGE at the first value that is not an index 0..nClasses-1. */
function classCounts(y: ArrayLike<number>, nClasses: number): Float64Array {
  const counts = new Float64Array(nClasses);
  for (let i = 0; i < y.length; i++) {
    const c = y[i] as number;
    if (!Number.isInteger(c) || c < 0 || c >= nClasses) {
      throw new KilnError('CLASS_OUT_OF_RANGE', { row: i, value: c, maxClass: nClasses - 1 });
    }
    counts[c] = (counts[c] as number) + 1;
  }
  return counts;
}
