/**
 * The penalised logistic loss that logistic regression minimises, with its gradient.
 *
 *   objective(w) = Σ_i s_i · loss_i(w) / Σ_i s_i  +  ½ · λ · ‖coefficients‖²,   λ = 1 / (C · Σ_i s_i)
 *
 * with s_i the weight of row i's class (1, or scikit-learn's 'balanced' class weights) and loss_i the
 * log loss of row i:
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

  /** Σ_i s_i: the weights of all rows. */
  readonly weightTotal: number;

  private readonly penalty: number;
  /** Per-class scores of one row, then their exponentials (multinomial). */
  private readonly scores: Float64Array;
  /** The scores of one block of rows, then their loss derivatives (binary). */
  private readonly blockScores = new Float64Array(BLOCK);
  private readonly blockSlopes = new Float64Array(BLOCK);

  /**
   * `classWeights[c]` is the weight s_i of every row of class c. Weights that depend on the class
   * alone (not on the row) let the binary loss sum its logarithms per class (see binaryLoss).
   */
  constructor(
    private readonly X: Matrix,
    private readonly y: Int32Array,
    private readonly nClasses: number,
    private readonly classWeights: Float64Array,
    C: number,
    private readonly fitIntercept: boolean,
  ) {
    this.nFeatures = X.cols;
    this.nOutputs = nClasses === 2 ? 1 : nClasses;
    this.stride = X.cols + (fitIntercept ? 1 : 0);
    this.size = this.nOutputs * this.stride;
    let total = 0;
    for (let i = 0; i < y.length; i++) total += classWeights[y[i] as number] as number;
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

  /**
   * Σ s_i·loss_i; adds Σ s_i·∂loss_i/∂w into grad (unscaled). The hot loop of binary training, one
   * pass over the rows, eight rows at a time: their eight scores share each load of w, and the
   * gradient takes all eight rows' contributions in one update per coefficient (an eighth of the
   * memory writes). Eight independent sums also keep the CPU's adders busy.
   *
   * The transcendental functions cost about as much as the products, so each row gets only one:
   * e = e^{−|z|} gives σ(z) and softplus(z) = max(z, 0) + log(1 + e) without overflow, and the
   * logarithms are not taken row by row — log(1 + e) of the rows of one class are summed as the log
   * of their product (each factor is in (1, 2], so 512 of them cannot overflow; rounding is that of
   * summing the logarithms). Products are kept per class because the row weight depends only on it.
   */
  private binaryLoss(w: Float64Array, grad: Float64Array): number {
    const { X, y, classWeights, fitIntercept, blockScores: z, blockSlopes: dz } = this;
    const d = this.nFeatures;
    const n = X.rows;
    const x = X.data;
    const intercept = fitIntercept ? (w[d] as number) : 0;
    const weight0 = classWeights[0] as number;
    const weight1 = classWeights[1] as number;
    // L-BFGS starts from w = 0, where every score is the intercept: no products needed.
    const zeroCoefficients = isZero(w, d);
    // Per class: Σ (max(z, 0) − y·z), Σ log(1 + e) of flushed products, the running product.
    let linear0 = 0;
    let linear1 = 0;
    let logs0 = 0;
    let logs1 = 0;
    let product0 = 1;
    let product1 = 1;
    let interceptGrad = 0;
    for (let i0 = 0; i0 < n; i0 += BLOCK) {
      const rows = Math.min(BLOCK, n - i0);
      const r0 = i0 * d;
      if (zeroCoefficients) {
        z.fill(intercept);
      } else if (rows === BLOCK) {
        let z0 = intercept;
        let z1 = intercept;
        let z2 = intercept;
        let z3 = intercept;
        let z4 = intercept;
        let z5 = intercept;
        let z6 = intercept;
        let z7 = intercept;
        for (let j = 0; j < d; j++) {
          const wj = w[j] as number;
          const k = r0 + j;
          z0 += (x[k] as number) * wj;
          z1 += (x[k + d] as number) * wj;
          z2 += (x[k + 2 * d] as number) * wj;
          z3 += (x[k + 3 * d] as number) * wj;
          z4 += (x[k + 4 * d] as number) * wj;
          z5 += (x[k + 5 * d] as number) * wj;
          z6 += (x[k + 6 * d] as number) * wj;
          z7 += (x[k + 7 * d] as number) * wj;
        }
        z[0] = z0;
        z[1] = z1;
        z[2] = z2;
        z[3] = z3;
        z[4] = z4;
        z[5] = z5;
        z[6] = z6;
        z[7] = z7;
      } else {
        for (let r = 0; r < rows; r++) z[r] = intercept + dotUnrolled(x, r0 + r * d, w, 0, d);
      }
      for (let r = 0; r < rows; r++) {
        const zi = z[r] as number;
        const yi = y[i0 + r] as number;
        const e = Math.exp(-Math.abs(zi));
        const inverse = 1 / (1 + e);
        // The class decides which sums a row joins. Multiplying by y (0 or 1) instead of branching on
        // it is exact and avoids a mispredicted branch per row (the classes come in random order).
        const ye = yi * e;
        product1 *= 1 + ye;
        product0 *= 1 + (e - ye);
        const linear = Math.max(zi, 0) - yi * zi;
        linear1 += yi * linear;
        linear0 += linear - yi * linear;
        // ∂loss/∂z = σ(z) − y, weighted by the row's class
        const p = zi >= 0 ? inverse : e * inverse;
        const g = (classWeights[yi] as number) * (p - yi);
        dz[r] = g;
        interceptGrad += g;
      }
      if ((i0 & (PRODUCT_ROWS - 1)) === PRODUCT_ROWS - BLOCK) {
        logs0 += Math.log(product0);
        logs1 += Math.log(product1);
        product0 = 1;
        product1 = 1;
      }
      if (rows === BLOCK) {
        const a0 = dz[0] as number;
        const a1 = dz[1] as number;
        const a2 = dz[2] as number;
        const a3 = dz[3] as number;
        const a4 = dz[4] as number;
        const a5 = dz[5] as number;
        const a6 = dz[6] as number;
        const a7 = dz[7] as number;
        for (let j = 0; j < d; j++) {
          const k = r0 + j;
          grad[j] =
            (grad[j] as number) +
            a0 * (x[k] as number) +
            a1 * (x[k + d] as number) +
            a2 * (x[k + 2 * d] as number) +
            a3 * (x[k + 3 * d] as number) +
            a4 * (x[k + 4 * d] as number) +
            a5 * (x[k + 5 * d] as number) +
            a6 * (x[k + 6 * d] as number) +
            a7 * (x[k + 7 * d] as number);
        }
      } else {
        for (let r = 0; r < rows; r++) axpyUnrolled(dz[r] as number, x, r0 + r * d, grad, 0, d);
      }
    }
    if (fitIntercept) grad[d] = (grad[d] as number) + interceptGrad;
    const loss0 = linear0 + logs0 + Math.log(product0);
    const loss1 = linear1 + logs1 + Math.log(product1);
    this.lastMeanLogLoss = (loss0 + loss1) / n;
    return weight0 * loss0 + weight1 * loss1;
  }

  /**
   * The multinomial loss. Per row: one score per class, the softmax, then the gradient rows; both
   * products handle four classes per pass over the row, so each x value is loaded once per four
   * classes rather than once per class.
   */
  private multinomialLoss(w: Float64Array, grad: Float64Array): number {
    const { X, y, classWeights, fitIntercept, stride, scores } = this;
    const d = this.nFeatures;
    const k = this.nClasses;
    const x = X.data;
    let weighted = 0;
    let plain = 0;
    for (let i = 0; i < X.rows; i++) {
      const rowStart = i * d;
      classScores(x, rowStart, w, stride, d, k, fitIntercept, scores);
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, scores[c] as number);
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
      const s = classWeights[yi] as number;
      weighted += s * loss;
      plain += loss;
      // ∂loss/∂z_c = p_c − [c = y_i]
      const inverseSum = 1 / sumExp;
      for (let c = 0; c < k; c++) scores[c] = s * ((scores[c] as number) * inverseSum - (c === yi ? 1 : 0));
      addClassGradients(x, rowStart, scores, grad, stride, d, k, fitIntercept);
    }
    this.lastMeanLogLoss = plain / X.rows;
    return weighted;
  }
}

/** Rows per step of the binary kernel (its eight accumulators are written out by hand). */
const BLOCK = 8;
/** Rows whose factors (1 + e) in (1, 2] are multiplied before one logarithm: 2^512 cannot overflow. */
const PRODUCT_ROWS = 512;

/** True when w[0..d) are all zero. */
function isZero(w: Float64Array, d: number): boolean {
  for (let j = 0; j < d; j++) if (w[j] !== 0) return false;
  return true;
}

/** scores[c] = b_c + x_row·w_c for every class c (w_c at c·stride, its intercept after its d coefficients). */
function classScores(x: Float64Array, rowStart: number, w: Float64Array, stride: number, d: number, k: number, fitIntercept: boolean, scores: Float64Array): void {
  let c = 0;
  for (; c + 4 <= k; c += 4) {
    const w0 = c * stride;
    const w1 = w0 + stride;
    const w2 = w1 + stride;
    const w3 = w2 + stride;
    let z0 = 0;
    let z1 = 0;
    let z2 = 0;
    let z3 = 0;
    for (let j = 0; j < d; j++) {
      const v = x[rowStart + j] as number;
      z0 += v * (w[w0 + j] as number);
      z1 += v * (w[w1 + j] as number);
      z2 += v * (w[w2 + j] as number);
      z3 += v * (w[w3 + j] as number);
    }
    scores[c] = z0 + (fitIntercept ? (w[w0 + d] as number) : 0);
    scores[c + 1] = z1 + (fitIntercept ? (w[w1 + d] as number) : 0);
    scores[c + 2] = z2 + (fitIntercept ? (w[w2 + d] as number) : 0);
    scores[c + 3] = z3 + (fitIntercept ? (w[w3 + d] as number) : 0);
  }
  for (; c < k; c++) scores[c] = dotUnrolled(x, rowStart, w, c * stride, d) + (fitIntercept ? (w[c * stride + d] as number) : 0);
}

/** grad_c += dz[c]·x_row for every class c (and the intercept's += dz[c]), four classes per pass. */
function addClassGradients(x: Float64Array, rowStart: number, dz: Float64Array, grad: Float64Array, stride: number, d: number, k: number, fitIntercept: boolean): void {
  let c = 0;
  for (; c + 4 <= k; c += 4) {
    const g0 = c * stride;
    const g1 = g0 + stride;
    const g2 = g1 + stride;
    const g3 = g2 + stride;
    const a0 = dz[c] as number;
    const a1 = dz[c + 1] as number;
    const a2 = dz[c + 2] as number;
    const a3 = dz[c + 3] as number;
    for (let j = 0; j < d; j++) {
      const v = x[rowStart + j] as number;
      grad[g0 + j] = (grad[g0 + j] as number) + a0 * v;
      grad[g1 + j] = (grad[g1 + j] as number) + a1 * v;
      grad[g2 + j] = (grad[g2 + j] as number) + a2 * v;
      grad[g3 + j] = (grad[g3 + j] as number) + a3 * v;
    }
  }
  for (; c < k; c++) axpyUnrolled(dz[c] as number, x, rowStart, grad, c * stride, d);
  if (fitIntercept) {
    for (let c2 = 0; c2 < k; c2++) grad[c2 * stride + d] = (grad[c2 * stride + d] as number) + (dz[c2] as number);
  }
}

/** Σ_j a[aStart + j]·b[bStart + j], four independent partial sums (the CPU overlaps them). */
function dotUnrolled(a: Float64Array, aStart: number, b: Float64Array, bStart: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 += (a[aStart + j] as number) * (b[bStart + j] as number);
    s1 += (a[aStart + j + 1] as number) * (b[bStart + j + 1] as number);
    s2 += (a[aStart + j + 2] as number) * (b[bStart + j + 2] as number);
    s3 += (a[aStart + j + 3] as number) * (b[bStart + j + 3] as number);
  }
  for (; j < n; j++) s0 += (a[aStart + j] as number) * (b[bStart + j] as number);
  return s0 + s1 + s2 + s3;
}

/** out[outStart + j] += alpha·x[xStart + j] for j < n, unrolled by four. */
function axpyUnrolled(alpha: number, x: Float64Array, xStart: number, out: Float64Array, outStart: number, n: number): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    out[outStart + j] = (out[outStart + j] as number) + alpha * (x[xStart + j] as number);
    out[outStart + j + 1] = (out[outStart + j + 1] as number) + alpha * (x[xStart + j + 1] as number);
    out[outStart + j + 2] = (out[outStart + j + 2] as number) + alpha * (x[xStart + j + 2] as number);
    out[outStart + j + 3] = (out[outStart + j + 3] as number) + alpha * (x[xStart + j + 3] as number);
  }
  for (; j < n; j++) out[outStart + j] = (out[outStart + j] as number) + alpha * (x[xStart + j] as number);
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
