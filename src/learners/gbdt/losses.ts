/**
 * The losses gradient boosting minimises, each as: a baseline (the best constant raw score), the
 * per-row gradient and hessian of the loss with respect to the raw score (what the trees fit), and the
 * mean loss (progress and early stopping).
 *
 * Raw scores are laid out row-major, `raw[i * K + k]` for K outputs: K = 1 for regression and binary
 * (the log-odds of class 1), K = nClasses for multiclass (one score per class, softmax).
 */

export type LossName = 'log_loss' | 'squared_error' | 'absolute_error' | 'huber';

export interface BoostingLoss {
  readonly name: LossName;
  /** Raw-score outputs per row. */
  readonly nOutputs: number;
  /** The constant raw score(s) boosting starts from (length nOutputs). */
  baseline(y: ArrayLike<number>): Float64Array;
  /**
   * Fills the gradient and hessian of every row and output, interleaved in the layout of `raw`:
   * `gradHess[2 * (i * K + k)]` and `gradHess[2 * (i * K + k) + 1]` (what the tree grower reads, without
   * a copy when K = 1).
   */
  gradients(y: ArrayLike<number>, raw: Float64Array, gradHess: Float64Array): void;
  /** Mean loss of raw scores `raw` against `y`. */
  meanLoss(y: ArrayLike<number>, raw: Float64Array): number;
  /**
   * Optional leaf re-fit after a tree is grown (absolute error: the median residual, as scikit-learn);
   * returns the leaf value before shrinkage for the rows `rows` of one leaf.
   */
  leafValue?(y: ArrayLike<number>, raw: Float64Array, rows: Int32Array): number;
  /**
   * Bounds that hold for every row whatever the raw scores, when the loss has them: |gradient| ≤ grad,
   * 0 ≤ hessian ≤ hess. Quantised gradients (./quantize.ts) then scale to them without first scanning
   * every row for the largest values.
   */
  readonly gradientBound?: GradientBound;
}

export interface GradientBound {
  readonly grad: number;
  readonly hess: number;
}

/** Log losses: gradient p − y in (−1, 1), hessian p(1 − p) ≤ 1/4. */
const LOG_LOSS_BOUND: GradientBound = { grad: 1, hess: 0.25 };

const EPS = 1e-15;

/** Binary log loss on the log-odds of class 1. */
export const binaryLogLoss: BoostingLoss = {
  name: 'log_loss',
  nOutputs: 1,
  gradientBound: LOG_LOSS_BOUND,
  baseline(y) {
    let positives = 0;
    for (let i = 0; i < y.length; i++) positives += y[i] as number;
    const p = Math.min(Math.max(positives / y.length, EPS), 1 - EPS);
    return Float64Array.of(Math.log(p / (1 - p)));
  },
  gradients(y, raw, gradHess) {
    for (let i = 0; i < y.length; i++) {
      const p = 1 / (1 + Math.exp(-(raw[i] as number)));
      gradHess[2 * i] = p - (y[i] as number);
      gradHess[2 * i + 1] = p * (1 - p);
    }
  },
  meanLoss(y, raw) {
    let sum = 0;
    for (let i = 0; i < y.length; i++) {
      const r = raw[i] as number;
      // log(1 + e^r) - y·r, computed without overflow for large |r|.
      sum += (r > 0 ? r + Math.log1p(Math.exp(-r)) : Math.log1p(Math.exp(r))) - (y[i] as number) * r;
    }
    return sum / y.length;
  },
};

/** Multinomial log loss on one raw score per class (softmax). */
export function multiclassLogLoss(nClasses: number): BoostingLoss {
  return {
    name: 'log_loss',
    nOutputs: nClasses,
    gradientBound: LOG_LOSS_BOUND,
    baseline(y) {
      const counts = new Float64Array(nClasses);
      for (let i = 0; i < y.length; i++) counts[y[i] as number] = (counts[y[i] as number] as number) + 1;
      return counts.map((c) => Math.log(Math.max(c / y.length, EPS)));
    },
    gradients(y, raw, gradHess) {
      const K = nClasses;
      for (let i = 0; i < y.length; i++) {
        const o = i * K;
        const max = maxOf(raw, o, K);
        let z = 0;
        for (let k = 0; k < K; k++) z += Math.exp((raw[o + k] as number) - max);
        const yi = y[i] as number;
        for (let k = 0; k < K; k++) {
          const p = Math.exp((raw[o + k] as number) - max) / z;
          gradHess[2 * (o + k)] = p - (k === yi ? 1 : 0);
          gradHess[2 * (o + k) + 1] = p * (1 - p);
        }
      }
    },
    meanLoss(y, raw) {
      const K = nClasses;
      let sum = 0;
      for (let i = 0; i < y.length; i++) {
        const o = i * K;
        const max = maxOf(raw, o, K);
        let z = 0;
        for (let k = 0; k < K; k++) z += Math.exp((raw[o + k] as number) - max);
        sum += max + Math.log(z) - (raw[o + (y[i] as number)] as number);
      }
      return sum / y.length;
    },
  };
}

function maxOf(a: Float64Array, offset: number, n: number): number {
  let m = -Infinity;
  for (let k = 0; k < n; k++) m = Math.max(m, a[offset + k] as number);
  return m;
}

/** Half squared error, ½(raw − y)², scikit-learn's convention (gradient raw − y, hessian 1). */
export const squaredError: BoostingLoss = {
  name: 'squared_error',
  nOutputs: 1,
  baseline(y) {
    let sum = 0;
    for (let i = 0; i < y.length; i++) sum += y[i] as number;
    return Float64Array.of(sum / y.length);
  },
  gradients(y, raw, gradHess) {
    for (let i = 0; i < y.length; i++) {
      gradHess[2 * i] = (raw[i] as number) - (y[i] as number);
      gradHess[2 * i + 1] = 1;
    }
  },
  meanLoss(y, raw) {
    let sum = 0;
    for (let i = 0; i < y.length; i++) {
      const e = (raw[i] as number) - (y[i] as number);
      sum += 0.5 * e * e;
    }
    return sum / y.length;
  },
};

/**
 * Absolute error |raw − y|: trees are grown on the sign of the residual (hessian 1), then each leaf is
 * set to the median residual of its rows (scikit-learn's HistGradientBoosting does the same).
 */
export const absoluteError: BoostingLoss = {
  name: 'absolute_error',
  nOutputs: 1,
  baseline(y) {
    return Float64Array.of(median(Float64Array.from(y)));
  },
  gradients(y, raw, gradHess) {
    for (let i = 0; i < y.length; i++) {
      gradHess[2 * i] = Math.sign((raw[i] as number) - (y[i] as number));
      gradHess[2 * i + 1] = 1;
    }
  },
  meanLoss(y, raw) {
    let sum = 0;
    for (let i = 0; i < y.length; i++) sum += Math.abs((raw[i] as number) - (y[i] as number));
    return sum / y.length;
  },
  leafValue(y, raw, rows) {
    const residuals = new Float64Array(rows.length);
    for (let k = 0; k < rows.length; k++) residuals[k] = (y[rows[k] as number] as number) - (raw[rows[k] as number] as number);
    return median(residuals);
  },
};

/**
 * Huber loss: squared for residuals within δ, absolute beyond, so outliers pull less. δ is re-set every
 * iteration to the `quantile` of the absolute residuals (scikit-learn's GradientBoostingRegressor).
 * The gradient is the residual clipped to ±δ, the hessian 1 (LightGBM's choice: a Newton step on the
 * clipped residuals is their mean).
 */
export function huberLoss(quantile: number): BoostingLoss {
  const deltaOf = (y: ArrayLike<number>, raw: Float64Array): number => {
    const abs = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) abs[i] = Math.abs((raw[i] as number) - (y[i] as number));
    return quantileOf(abs, quantile);
  };
  return {
    name: 'huber',
    nOutputs: 1,
    baseline(y) {
      return Float64Array.of(median(Float64Array.from(y)));
    },
    gradients(y, raw, gradHess) {
      const delta = deltaOf(y, raw);
      for (let i = 0; i < y.length; i++) {
        const r = (raw[i] as number) - (y[i] as number);
        gradHess[2 * i] = Math.abs(r) <= delta ? r : delta * Math.sign(r);
        gradHess[2 * i + 1] = 1;
      }
    },
    meanLoss(y, raw) {
      const delta = deltaOf(y, raw);
      let sum = 0;
      for (let i = 0; i < y.length; i++) {
        const a = Math.abs((raw[i] as number) - (y[i] as number));
        sum += a <= delta ? 0.5 * a * a : delta * (a - 0.5 * delta);
      }
      return sum / y.length;
    },
  };
}

/** The median of `values` (reordered in place). */
export function median(values: Float64Array): number {
  return quantileOf(values, 0.5);
}

/** The q-quantile of `values` with linear interpolation (numpy's default); sorts `values` in place. */
function quantileOf(values: Float64Array, q: number): number {
  if (values.length === 0) return 0;
  values.sort();
  const pos = q * (values.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, values.length - 1);
  return (values[lo] as number) + (pos - lo) * ((values[hi] as number) - (values[lo] as number));
}
