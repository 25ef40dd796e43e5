/**
 * Training inputs shared by trees and forests: per-row class weights, the float32 column-major copy
 * of X that split finding reads, and the losses reported as progress.
 */
import type { Matrix } from '../../core/matrix.js';

/**
 * Per-class weights: 1 each, or for 'balanced' n / (nClasses · count(class)), as in scikit-learn, so
 * that every class carries the same total weight.
 */
export function classWeights(counts: Float64Array, rows: number, classWeight: 'balanced' | null): Float64Array {
  const weights = new Float64Array(counts.length).fill(1);
  if (classWeight === 'balanced') for (let k = 0; k < counts.length; k++) weights[k] = rows / (counts.length * (counts[k] as number));
  return weights;
}

/** X as float32, column-major (`out[f * rows + i]`): what trees compare, laid out for scanning one feature. */
export function float32Columns(X: Matrix): Float32Array {
  const { rows, cols, data } = X;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let f = 0; f < cols; f++) out[f * rows + i] = data[i * cols + f] as number;
  return out;
}

/** Mean log loss of probabilities `proba` (rows × nClasses) for classes `y`, clipped like scikit-learn. */
export function meanLogLoss(proba: Float64Array, y: ArrayLike<number>, nClasses: number): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const p = proba[i * nClasses + (y[i] as number)] as number;
    sum -= Math.log(Math.min(1 - 1e-15, Math.max(1e-15, p)));
  }
  return sum / Math.max(1, y.length);
}

export function meanSquaredError(prediction: Float64Array, y: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const d = (prediction[i] as number) - (y[i] as number);
    sum += d * d;
  }
  return sum / Math.max(1, y.length);
}
