/**
 * Imputation statistics, fitted on the training part only. Conventions follow scikit-learn's
 * SimpleImputer: the median of the present values; the most frequent category, ties going to the
 * smallest value in sort order.
 */
import { isMissingCategory } from '../core/frame.js';

/** Median of the non-missing values; 0 when every value is missing (nothing better is known). */
export function fitMedian(values: Float64Array): number {
  const present = values.filter((v) => !Number.isNaN(v)).sort();
  const n = present.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  return n % 2 === 1 ? (present[mid] as number) : ((present[mid - 1] as number) + (present[mid] as number)) / 2;
}

/** Most frequent non-missing category; `null` when every value is missing. */
export function fitMostFrequent(values: readonly (string | null)[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) if (!isMissingCategory(v)) counts.set(v as string, (counts.get(v as string) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== null && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}
