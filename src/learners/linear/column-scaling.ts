/**
 * Standardising a linear learner's columns before the fit, and folding the scaling back into the
 * weights after it, so that the predictor needs no scaling step of its own.
 *
 * Why: an L2 penalty treats every weight alike, so it is only fair when the columns share a scale.
 * Kiln's preprocessing standardises numbers but leaves one-hot columns at 0/1, and pairwise products
 * (pairwise-interactions.ts) have scales of their own (a product of two rare categories has a tiny
 * variance, and would be shrunk to nothing). With interactions the linear learners therefore fit on
 * standardised widened columns — scikit-learn's `PolynomialFeatures` → `StandardScaler` → model, which
 * is what the cross-validated evidence in bench/automl/linear_interactions.py measured.
 *
 * Folding: with z_j = (x_j − m_j)/s_j, the score b + Σ w_j z_j equals (b − Σ w_j m_j/s_j) + Σ (w_j/s_j) x_j.
 */
import type { Matrix } from '../../core/matrix.js';
import { scaleOrOne } from '../../core/stats/scale-or-one.js';
import type { LinearWeights } from './linear-scores.js';

export interface ColumnScaling {
  /** Subtracted from each column (zeros when the model has no intercept to absorb it). */
  readonly mean: Float64Array;
  /** Each column is divided by this: its standard deviation, 1 for a constant column. */
  readonly scale: Float64Array;
}

/**
 * Standardises X's columns in place: divided by their standard deviation (population, as
 * scikit-learn's StandardScaler) and, when `centre`, centred on their mean. Without an intercept the
 * columns are not centred, since nothing would absorb the shift. Returns the scaling applied.
 */
export function standardiseInPlace(X: Matrix, centre: boolean): ColumnScaling {
  const { rows: n, cols: d, data: x } = X;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (x[i * d + j] as number);
  for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) / n;
  // two passes (mean, then squared deviations): stable where Σx² − n·m² would cancel
  const variance = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const e = (x[i * d + j] as number) - (mean[j] as number);
      variance[j] = (variance[j] as number) + e * e;
    }
  }
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    // a constant column (e.g. the product of two categories that never occur together) stays as it is
    scale[j] = scaleOrOne(Math.sqrt((variance[j] as number) / n), mean[j] as number);
  }
  const scaling: ColumnScaling = { mean: centre ? mean : new Float64Array(d), scale };
  applyScaling(X, scaling);
  return scaling;
}

/** (x − mean)/scale for every column of X, in place: the scaling of the training columns applied to other rows. */
export function applyScaling(X: Matrix, { mean, scale }: ColumnScaling): void {
  const { rows: n, cols: d, data: x } = X;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = ((x[i * d + j] as number) - (mean[j] as number)) / (scale[j] as number);
  }
}

/** The model fitted on scaled columns, re-expressed on the unscaled columns (same scores). */
export function foldScaling(model: LinearWeights, { mean, scale }: ColumnScaling): LinearWeights {
  const { nFeatures: d, nOutputs: k } = model;
  const weights = new Float64Array(model.weights.length);
  const intercepts = Float64Array.from(model.intercepts);
  for (let r = 0; r < k; r++) {
    for (let j = 0; j < d; j++) {
      const w = (model.weights[r * d + j] as number) / (scale[j] as number);
      weights[r * d + j] = w;
      intercepts[r] = (intercepts[r] as number) - w * (mean[j] as number);
    }
  }
  return { nFeatures: d, nOutputs: k, weights, intercepts };
}
