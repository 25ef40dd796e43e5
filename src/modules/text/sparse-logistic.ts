/**
 * Logistic regression on sparse text features: the objective of src/learners/linear/logistic-loss.ts
 * (mean log loss + ‖w‖²/(2·C·n), intercepts unpenalised; sigmoid for two classes, softmax for more —
 * scikit-learn's LogisticRegression with lbfgs), with its loops running over each row's non-zero
 * features only. Minimised by the same L-BFGS; the result is an ordinary `logistic-regression`
 * predictor (built through the learner's own `load`), so its ONNX export and serialisation are the
 * learner's.
 */
import { KilnError } from '../../core/errors.js';
import { minimizeLbfgsAsync } from '../../core/optimize/lbfgs.js';
import { logisticRegression, type LogisticRegressionPredictor } from '../../learners/linear/logistic-regression.js';
import type { FitOptions } from '../../learners/learner.js';
import type { SparseRows } from './sparse-rows.js';

export interface SparseLogisticOptions {
  /** Inverse penalty strength, as in scikit-learn. */
  readonly C: number;
  readonly maxIter?: number;
  /** Stop when no gradient component of the (mean-scaled) objective exceeds this. */
  readonly tol?: number;
}

export async function fitSparseLogistic(
  X: SparseRows,
  y: Int32Array,
  nClasses: number,
  options: SparseLogisticOptions,
  fit: Pick<FitOptions, 'signal' | 'onProgress'> = {},
): Promise<LogisticRegressionPredictor> {
  const d = X.cols;
  const nOutputs = nClasses === 2 ? 1 : nClasses;
  const stride = d + 1;
  const penalty = 1 / (options.C * X.rows);
  const maxIterations = options.maxIter ?? 1000;
  let lastLoss = Number.NaN;

  const evaluate = (w: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    const loss = nOutputs === 1 ? binaryLoss(X, y, w, grad) : multinomialLoss(X, y, nClasses, w, grad);
    lastLoss = loss / X.rows;
    let squaredNorm = 0;
    for (let r = 0; r < nOutputs; r++) {
      for (let j = 0; j < stride; j++) {
        const k = r * stride + j;
        grad[k] = (grad[k] as number) / X.rows;
        if (j < d) {
          squaredNorm += (w[k] as number) ** 2;
          grad[k] = (grad[k] as number) + penalty * (w[k] as number);
        }
      }
    }
    return lastLoss + 0.5 * penalty * squaredNorm;
  };

  const result = await minimizeLbfgsAsync(evaluate, new Float64Array(nOutputs * stride), {
    maxIterations,
    gradientTolerance: options.tol ?? 1e-6,
    ...(fit.signal === undefined ? {} : { signal: fit.signal }),
    onIteration: ({ iteration }) => fit.onProgress?.({ iteration, maxIterations, trainLoss: lastLoss }),
  });
  if (result.stop === 'aborted') throw new KilnError('CANCELLED', { what: 'training' });
  if (!result.x.every(Number.isFinite)) throw new KilnError('TRAINING_FAILED', { reason: `the optimiser ended with non-finite coefficients (${result.stop})` });

  const coef = Array.from({ length: nOutputs }, (_, r) => Array.from(result.x.subarray(r * stride, r * stride + d)));
  const intercept = Array.from({ length: nOutputs }, (_, r) => result.x[r * stride + d] as number);
  return logisticRegression.load({ learner: logisticRegression.name, format: 1, state: { nFeatures: d, nClasses, coef, intercept } });
}

/** Σ_i loss_i for the sigmoid model; adds Σ_i ∂loss_i/∂w into grad (unscaled). */
function binaryLoss(X: SparseRows, y: Int32Array, w: Float64Array, grad: Float64Array): number {
  const d = X.cols;
  const { indptr, indices, values } = X;
  let total = 0;
  for (let i = 0; i < X.rows; i++) {
    const start = indptr[i] as number;
    const end = indptr[i + 1] as number;
    let z = w[d] as number;
    for (let p = start; p < end; p++) z += (values[p] as number) * (w[indices[p] as number] as number);
    const yi = y[i] as number;
    // e^{−|z|} gives softplus(z) = max(z, 0) + log1p(e) and σ(z) without overflow.
    const e = Math.exp(-Math.abs(z));
    total += (z > 0 ? z : 0) + Math.log1p(e) - yi * z;
    const g = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - yi;
    for (let p = start; p < end; p++) {
      const j = indices[p] as number;
      grad[j] = (grad[j] as number) + g * (values[p] as number);
    }
    grad[d] = (grad[d] as number) + g;
  }
  return total;
}

/** Σ_i loss_i for the softmax model (one weight row and intercept per class); adds the gradient. */
function multinomialLoss(X: SparseRows, y: Int32Array, k: number, w: Float64Array, grad: Float64Array): number {
  const d = X.cols;
  const stride = d + 1;
  const { indptr, indices, values } = X;
  const scores = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < X.rows; i++) {
    const start = indptr[i] as number;
    const end = indptr[i + 1] as number;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const w0 = c * stride;
      let z = w[w0 + d] as number;
      for (let p = start; p < end; p++) z += (values[p] as number) * (w[w0 + (indices[p] as number)] as number);
      scores[c] = z;
      if (z > max) max = z;
    }
    const yi = y[i] as number;
    const trueScore = scores[yi] as number;
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp((scores[c] as number) - max);
      scores[c] = e;
      sum += e;
    }
    total += max + Math.log(sum) - trueScore;
    for (let c = 0; c < k; c++) {
      // ∂loss/∂z_c = p_c − [c = y_i]
      const g = (scores[c] as number) / sum - (c === yi ? 1 : 0);
      const w0 = c * stride;
      for (let p = start; p < end; p++) {
        const j = w0 + (indices[p] as number);
        grad[j] = (grad[j] as number) + g * (values[p] as number);
      }
      grad[w0 + d] = (grad[w0 + d] as number) + g;
    }
  }
  return total;
}
