/**
 * The penalised logistic loss that logistic regression minimises, with its gradient.
 *
 *   objective(w) = Σ_i s_i · loss_i(w) / Σ_i s_i  +  ½ · λ · ‖coefficients‖²,   λ = 1 / (C · Σ_i s_i)
 *
 * with s_i the sample weights (class weights) and loss_i the log loss of row i:
 *   binary (sigmoid):        loss_i = log(1 + e^{z_i}) − y_i·z_i,       z_i = b + x_i·w
 *   multinomial (softmax):   loss_i = log Σ_c e^{z_ic} − z_{i,y_i},     z_ic = b_c + x_i·w_c
 * Intercepts are not penalised. This is scikit-learn's lbfgs objective `C·Σ s_i·loss_i + ½‖w‖²`
 * divided by C·Σ s_i: the same minimiser, on a scale (a mean loss) where one gradient tolerance suits
 * any number of rows.
 *
 * Parameter vector layout, per output r (one for binary, one per class for multinomial):
 *   [w_r0 … w_r(d−1), b_r]   (b_r only when fitting an intercept)
 */
import type { Matrix } from '../../core/matrix.js';
import type { LinearWeights } from './linear-scores.js';

export class LogisticObjective {
  /** 1 for binary (the log-odds of class 1), nClasses for multinomial. */
  readonly nOutputs: number;
  readonly nFeatures: number;
  /** Parameters per output: the coefficients, then the intercept if fitted. */
  readonly stride: number;
  /** Length of the parameter vector. */
  readonly size: number;
  /** Mean unweighted log loss at the point most recently evaluated (for progress reports). */
  lastMeanLogLoss = Number.NaN;

  private readonly penalty: number;
  private readonly weightTotal: number;
  /** Per-class scores of one row, then their exponentials (multinomial). */
  private readonly scores: Float64Array;

  constructor(
    private readonly X: Matrix,
    private readonly y: Int32Array,
    private readonly nClasses: number,
    private readonly sampleWeights: Float64Array,
    C: number,
    private readonly fitIntercept: boolean,
  ) {
    this.nFeatures = X.cols;
    this.nOutputs = nClasses === 2 ? 1 : nClasses;
    this.stride = X.cols + (fitIntercept ? 1 : 0);
    this.size = this.nOutputs * this.stride;
    let total = 0;
    for (let i = 0; i < sampleWeights.length; i++) total += sampleWeights[i] as number;
    this.weightTotal = total;
    this.penalty = 1 / (C * total);
    this.scores = new Float64Array(this.nOutputs);
  }

  /** The objective at `w`, writing its gradient into `grad` (an `Objective` for the optimiser). */
  readonly evaluate = (w: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    const weightedLoss = this.nOutputs === 1 ? this.binaryLoss(w, grad) : this.multinomialLoss(w, grad);
    // Scale the data term to a weighted mean, then add the penalty on coefficients (not intercepts).
    const scale = 1 / this.weightTotal;
    let squaredNorm = 0;
    for (let r = 0; r < this.nOutputs; r++) {
      const start = r * this.stride;
      for (let j = 0; j < this.stride; j++) {
        const k = start + j;
        grad[k] = (grad[k] as number) * scale;
        if (j < this.nFeatures) {
          const wk = w[k] as number;
          squaredNorm += wk * wk;
          grad[k] = (grad[k] as number) + this.penalty * wk;
        }
      }
    }
    return weightedLoss * scale + 0.5 * this.penalty * squaredNorm;
  };

  /** The fitted model in the row-per-output layout predictors use. */
  toWeights(w: Float64Array): LinearWeights {
    const d = this.nFeatures;
    const weights = new Float64Array(this.nOutputs * d);
    const intercepts = new Float64Array(this.nOutputs);
    for (let r = 0; r < this.nOutputs; r++) {
      weights.set(w.subarray(r * this.stride, r * this.stride + d), r * d);
      if (this.fitIntercept) intercepts[r] = w[r * this.stride + d] as number;
    }
    return { nFeatures: d, nOutputs: this.nOutputs, weights, intercepts };
  }

  /** Σ s_i·loss_i; adds Σ s_i·∂loss_i/∂w into grad (unscaled). */
  private binaryLoss(w: Float64Array, grad: Float64Array): number {
    const { X, y, sampleWeights, fitIntercept } = this;
    const d = this.nFeatures;
    const x = X.data;
    const intercept = fitIntercept ? (w[d] as number) : 0;
    let weighted = 0;
    let plain = 0;
    for (let i = 0; i < X.rows; i++) {
      const rowStart = i * d;
      let z = intercept;
      for (let j = 0; j < d; j++) z += (x[rowStart + j] as number) * (w[j] as number);
      const yi = y[i] as number;
      const loss = softplus(z) - yi * z;
      const s = sampleWeights[i] as number;
      weighted += s * loss;
      plain += loss;
      // ∂loss/∂z = σ(z) − y
      const dz = s * (sigmoid(z) - yi);
      for (let j = 0; j < d; j++) grad[j] = (grad[j] as number) + dz * (x[rowStart + j] as number);
      if (fitIntercept) grad[d] = (grad[d] as number) + dz;
    }
    this.lastMeanLogLoss = plain / X.rows;
    return weighted;
  }

  private multinomialLoss(w: Float64Array, grad: Float64Array): number {
    const { X, y, sampleWeights, fitIntercept, stride, scores } = this;
    const d = this.nFeatures;
    const k = this.nClasses;
    const x = X.data;
    let weighted = 0;
    let plain = 0;
    for (let i = 0; i < X.rows; i++) {
      const rowStart = i * d;
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        const start = c * stride;
        let z = fitIntercept ? (w[start + d] as number) : 0;
        for (let j = 0; j < d; j++) z += (x[rowStart + j] as number) * (w[start + j] as number);
        scores[c] = z;
        if (z > max) max = z;
      }
      // log Σ e^{z_c}, shifted by the max so that no exponential overflows. The scores are replaced
      // by their shifted exponentials, reused below for the probabilities.
      const yi = y[i] as number;
      const trueScore = scores[yi] as number;
      let sumExp = 0;
      for (let c = 0; c < k; c++) {
        const e = Math.exp((scores[c] as number) - max);
        scores[c] = e;
        sumExp += e;
      }
      const loss = max + Math.log(sumExp) - trueScore;
      const s = sampleWeights[i] as number;
      weighted += s * loss;
      plain += loss;
      // ∂loss/∂z_c = p_c − [c = y_i]
      for (let c = 0; c < k; c++) {
        const p = (scores[c] as number) / sumExp;
        const dz = s * (p - (c === yi ? 1 : 0));
        const start = c * stride;
        for (let j = 0; j < d; j++) grad[start + j] = (grad[start + j] as number) + dz * (x[rowStart + j] as number);
        if (fitIntercept) grad[start + d] = (grad[start + d] as number) + dz;
      }
    }
    this.lastMeanLogLoss = plain / X.rows;
    return weighted;
  }
}

/**
 * Mean log loss of a fitted model on (X, y): the validation loss of learning curves. Exact (computed
 * from the scores, so no clipping is needed), matching what the objective reports for training data.
 */
export function meanLogLoss(X: Matrix, y: ArrayLike<number>, model: LinearWeights): number {
  const { nFeatures: d, nOutputs: k, weights, intercepts } = model;
  const x = X.data;
  const scores = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < X.rows; i++) {
    const rowStart = i * d;
    let max = -Infinity;
    for (let r = 0; r < k; r++) {
      let z = intercepts[r] as number;
      for (let j = 0; j < d; j++) z += (x[rowStart + j] as number) * (weights[r * d + j] as number);
      scores[r] = z;
      if (z > max) max = z;
    }
    const yi = y[i] as number;
    if (k === 1) {
      const z = scores[0] as number;
      total += softplus(z) - yi * z;
    } else {
      let sumExp = 0;
      for (let c = 0; c < k; c++) sumExp += Math.exp((scores[c] as number) - max);
      total += max + Math.log(sumExp) - (scores[yi] as number);
    }
  }
  return total / X.rows;
}

/** log(1 + e^z) without overflow for large z or loss of precision for very negative z. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** 1 / (1 + e^{−z}) without overflow for either sign of z. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
