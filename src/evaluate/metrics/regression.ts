/**
 * Regression metrics, computed as scikit-learn computes them (same names, same edge cases).
 */

/** Root mean squared error. */
export function rmse(yTrue: Float64Array, yPred: Float64Array): number {
  checkLength(yTrue, yPred);
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const e = (yTrue[i] as number) - (yPred[i] as number);
    sum += e * e;
  }
  return Math.sqrt(sum / yTrue.length);
}

/** Mean absolute error. */
export function mae(yTrue: Float64Array, yPred: Float64Array): number {
  checkLength(yTrue, yPred);
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) sum += Math.abs((yTrue[i] as number) - (yPred[i] as number));
  return sum / yTrue.length;
}

/**
 * Coefficient of determination: 1 − Σ(y − ŷ)² / Σ(y − ȳ)². 1 is perfect, 0 is no better than
 * predicting the mean, and it can be negative. For a constant y (no variance to explain) it is 1 when
 * every prediction is exact and 0 otherwise, as scikit-learn's `r2_score` (force_finite=True).
 */
export function r2(yTrue: Float64Array, yPred: Float64Array): number {
  checkLength(yTrue, yPred);
  const n = yTrue.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i] as number;
  mean /= n;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const y = yTrue[i] as number;
    const e = y - (yPred[i] as number);
    const d = y - mean;
    residual += e * e;
    total += d * d;
  }
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}

function checkLength(yTrue: Float64Array, yPred: Float64Array): void {
  if (yTrue.length !== yPred.length) throw new RangeError(`${yPred.length} predictions for ${yTrue.length} true values`);
}

/**
 * Mean absolute percentage error as a fraction (scikit-learn's `mean_absolute_percentage_error`):
 * |y − ŷ| / max(|y|, ε) with ε = float64 machine epsilon, so a zero target gives a huge but finite term.
 */
export function mape(yTrue: Float64Array, yPred: Float64Array): number {
  if (yTrue.length !== yPred.length) throw new RangeError(`${yPred.length} predictions for ${yTrue.length} true values`);
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const y = yTrue[i] as number;
    sum += Math.abs(y - (yPred[i] as number)) / Math.max(Math.abs(y), Number.EPSILON);
  }
  return sum / yTrue.length;
}
