/**
 * The value of deciding at each threshold, from the held-out counts the report keeps per threshold and
 * what each outcome is worth to the person (src/evaluate/business/threshold.ts computes the same on the
 * server from raw probabilities; here the counts are enough, so any payoffs can be tried instantly).
 */
import type { ThresholdCounts } from '../api/types.js';

export interface Payoffs {
  readonly truePositive: number;
  readonly falsePositive: number;
  readonly falseNegative: number;
  readonly trueNegative: number;
}

/** Expected value of deciding at this threshold, per 1,000 cases like the held-out ones. */
export function valuePer1000(row: ThresholdCounts, p: Payoffs): number {
  const n = row.truePositives + row.falsePositives + row.falseNegatives + row.trueNegatives;
  if (n === 0) return 0;
  const value = row.truePositives * p.truePositive + row.falsePositives * p.falsePositive + row.falseNegatives * p.falseNegative + row.trueNegatives * p.trueNegative;
  return (1000 * value) / n;
}

/** The index of the highest value (the lowest threshold among ties, as the server's bestThreshold). */
export function bestThresholdIndex(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}
