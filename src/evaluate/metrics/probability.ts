/**
 * Metrics of predicted probabilities beyond ROC AUC: average precision (the area under the
 * precision–recall curve as scikit-learn computes it: a step sum, not a trapezoid), the Brier score,
 * and the calibration curve that the model report draws.
 */
import type { Matrix } from '../../core/matrix.js';
import { oneVsRest } from './classification.js';

/**
 * scikit-learn's `average_precision_score`: Σ (R_n − R_{n−1}) · P_n over distinct thresholds, from the
 * highest score down. NaN when there are no positives.
 */
export function averagePrecision(positive: Uint8Array, scores: Float64Array): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let totalPositives = 0;
  for (let i = 0; i < n; i++) totalPositives += positive[i] as number;
  if (totalPositives === 0) return Number.NaN;
  let tp = 0;
  let fp = 0;
  let prevRecall = 0;
  let ap = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    if (positive[i] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      const recall = tp / totalPositives;
      ap += (recall - prevRecall) * (tp / (tp + fp));
      prevRecall = recall;
    }
  }
  return ap;
}

/** PR AUC: binary → average precision of column 1; multiclass → macro average one-vs-rest. */
export function prAuc(yTrue: Int32Array, proba: Matrix): number {
  return oneVsRest(yTrue, proba, averagePrecision);
}

/** Mean squared difference between P(class 1) and the outcome (binary; scikit-learn's `brier_score_loss`). */
export function brierScore(yTrue: Int32Array, p1: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) sum += ((p1[i] as number) - (yTrue[i] === 1 ? 1 : 0)) ** 2;
  return sum / yTrue.length;
}

export interface CalibrationCurve {
  /** Share of positives in each non-empty bin. */
  readonly fractionPositive: number[];
  /** Mean predicted probability in each non-empty bin. */
  readonly meanPredicted: number[];
  /** Rows in each non-empty bin. */
  readonly counts: number[];
}

/** Uniform-width bins over [0, 1] (scikit-learn's `calibration_curve(strategy='uniform')`). */
export function calibrationCurve(yTrue: Int32Array, p1: Float64Array, nBins = 10): CalibrationCurve {
  // Inner bin edges computed as numpy's linspace does (j × step), so ties at an edge bin identically.
  const step = 1 / nBins;
  const sumTrue = new Float64Array(nBins);
  const sumPred = new Float64Array(nBins);
  const counts = new Float64Array(nBins);
  for (let i = 0; i < yTrue.length; i++) {
    const p = p1[i] as number;
    // scikit-learn: bins = linspace(0, 1, n+1); binids = searchsorted(bins[1:-1], p) (side='left')
    let b = 0;
    while (b < nBins - 1 && p > (b + 1) * step) b++;
    sumTrue[b] = (sumTrue[b] as number) + (yTrue[i] === 1 ? 1 : 0);
    sumPred[b] = (sumPred[b] as number) + p;
    counts[b] = (counts[b] as number) + 1;
  }
  const out: CalibrationCurve = { fractionPositive: [], meanPredicted: [], counts: [] };
  for (let b = 0; b < nBins; b++) {
    const c = counts[b] as number;
    if (c === 0) continue;
    out.fractionPositive.push((sumTrue[b] as number) / c);
    out.meanPredicted.push((sumPred[b] as number) / c);
    out.counts.push(c);
  }
  return out;
}
