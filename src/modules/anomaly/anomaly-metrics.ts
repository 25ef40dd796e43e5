/**
 * How well anomaly scores find the known anomalies:
 *   precision@k  of the k highest-scoring rows, the share that are known anomalies, with k = the number
 *                of known anomalies (so a perfect ranking scores 1: the question an analyst with a review
 *                budget of k rows asks);
 *   recall       the share of known anomalies the threshold flags;
 *   precision    the share of flagged rows that are known anomalies;
 *   roc_auc      the chance that a known anomaly scores above a normal row.
 * Ties at the k-th score are broken by row order (stable), which neither favours nor hides anomalies.
 */
import { binaryRocAuc } from '../../evaluate/metrics/classification.js';

export function precisionAtK(known: Uint8Array, scores: Float64Array, k: number): number {
  if (k <= 0) return Number.NaN;
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  let hits = 0;
  for (let r = 0; r < Math.min(k, order.length); r++) hits += known[order[r] as number] as number;
  return hits / k;
}

export interface DetectionMetrics {
  readonly precision_at_k: number;
  readonly recall: number;
  readonly precision: number;
  readonly roc_auc: number;
}

export function detectionMetrics(known: Uint8Array, scores: Float64Array, flagged: ArrayLike<number>): DetectionMetrics {
  const positives = known.reduce((a, b) => a + b, 0);
  let flaggedCount = 0;
  let caught = 0;
  for (let i = 0; i < known.length; i++) {
    if (flagged[i] !== 1) continue;
    flaggedCount++;
    caught += known[i] as number;
  }
  return {
    precision_at_k: precisionAtK(known, scores, positives),
    recall: positives === 0 ? Number.NaN : caught / positives,
    precision: flaggedCount === 0 ? Number.NaN : caught / flaggedCount,
    roc_auc: binaryRocAuc(known, scores),
  };
}

/** numpy's default (linear) percentile, q in [0, 1]: the baseline's threshold at the contamination quantile. */
export function quantile(values: Float64Array, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  const position = q * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (position - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}
