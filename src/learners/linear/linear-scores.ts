/**
 * The part every linear model shares: scores = X · Wᵀ + b, computed in float64 for `predict*` and as
 * ONNX nodes (MatMul + Add) for export, from the same weights so the two agree.
 *
 * Weights are stored row per output, as scikit-learn's `coef_`: `weights[r * nFeatures + j]` is the
 * weight of feature j in output r (one output for a regressor or a binary classifier, one per class
 * for a multinomial classifier).
 */
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { tensor, type GraphBuilder } from '../../onnx/graph-builder.js';

export interface LinearWeights {
  readonly nFeatures: number;
  readonly nOutputs: number;
  /** nOutputs × nFeatures, row-major. */
  readonly weights: Float64Array;
  /** One per output. */
  readonly intercepts: Float64Array;
}

/** scores[i, r] = intercepts[r] + Σ_j X[i, j] · weights[r, j]; a rows × nOutputs matrix. */
export function linearScores(X: Matrix, model: LinearWeights): Matrix {
  const { nFeatures: d, nOutputs: k, weights, intercepts } = model;
  const out = createMatrix(X.rows, k);
  const x = X.data;
  const scores = out.data;
  for (let i = 0; i < X.rows; i++) {
    const rowStart = i * d;
    for (let r = 0; r < k; r++) {
      const wStart = r * d;
      // Four independent partial sums: the CPU overlaps their multiply-adds.
      let z0 = 0;
      let z1 = 0;
      let z2 = 0;
      let z3 = 0;
      let j = 0;
      for (; j + 4 <= d; j += 4) {
        z0 += (x[rowStart + j] as number) * (weights[wStart + j] as number);
        z1 += (x[rowStart + j + 1] as number) * (weights[wStart + j + 1] as number);
        z2 += (x[rowStart + j + 2] as number) * (weights[wStart + j + 2] as number);
        z3 += (x[rowStart + j + 3] as number) * (weights[wStart + j + 3] as number);
      }
      for (; j < d; j++) z0 += (x[rowStart + j] as number) * (weights[wStart + j] as number);
      scores[i * k + r] = (intercepts[r] as number) + (z0 + z1 + z2 + z3);
    }
  }
  return out;
}

/**
 * Adds MatMul + Add to `g`; returns the name of a [N, nOutputs] score tensor, float — or double when
 * `type` is 'double' (then `features` must be double too: see input-shaping.ts for why).
 */
export function addLinearScores(g: GraphBuilder, features: string, model: LinearWeights, hint: string, type: 'float' | 'double' = 'float'): string {
  const { nFeatures: d, nOutputs: k, weights, intercepts } = model;
  // ONNX multiplies [N, d] by [d, k]: the transpose of the row-per-output layout.
  const transposed = new Float64Array(d * k);
  for (let r = 0; r < k; r++) {
    for (let j = 0; j < d; j++) transposed[j * k + r] = weights[r * d + j] as number;
  }
  const w = g.constant(`${hint}_weights`, tensor[type](type === 'float' ? Float32Array.from(transposed) : transposed, [d, k]));
  const b = g.constant(`${hint}_intercepts`, tensor[type](type === 'float' ? Float32Array.from(intercepts) : intercepts, [k]));
  return g.op('Add', [g.op('MatMul', [features, w], {}, { name: `${hint}_product` }), b], {}, { name: `${hint}_scores` });
}
