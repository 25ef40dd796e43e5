/**
 * What both naive Bayes classifiers do with their per-class scores. Class probabilities from per-class
 * joint log-likelihoods log P(c) + log P(x | c), row by row:
 * exp(jll − logsumexp(jll)), computed with the row maximum subtracted so nothing overflows (scikit-
 * learn's `predict_proba` for naive Bayes does the same).
 */
import type { Matrix } from '../../core/matrix.js';
import type { ClassifierPredictor } from '../learner.js';

/** Turns `jll` (rows × classes) into probabilities, in place; returns it. */
export function softmaxRowsInPlace(jll: Matrix): Matrix {
  const { rows, cols: k, data } = jll;
  for (let i = 0; i < rows; i++) {
    const start = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, data[start + c] as number);
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp((data[start + c] as number) - max);
      data[start + c] = e;
      sum += e;
    }
    for (let c = 0; c < k; c++) data[start + c] = (data[start + c] as number) / sum;
  }
  return jll;
}

/** Row-major `rows × cols` nested arrays, for serialisation. */
export function toRows(data: Float64Array, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));
}

/** Mean log loss of a classifier (the training and validation loss it reports). */
export function meanLogLoss(model: ClassifierPredictor, X: Matrix, y: ArrayLike<number>): number {
  const p = model.predictProba(X);
  let total = 0;
  for (let i = 0; i < X.rows; i++) total -= Math.log(Math.max(p.data[i * model.nClasses + (y[i] as number)] as number, 1e-300));
  return total / X.rows;
}
