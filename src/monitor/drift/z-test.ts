/**
 * Two-proportion z-test for a binary column (Evidently's `z` stat test): the share of one category in the
 * reference against its share in the current data, with the pooled proportion under the null hypothesis.
 */
import { normalSf } from '../../core/stats/distributions.js';
import { sum } from './chi-square.js';

export function proportionsZTest(reference: ReadonlyMap<string, number>, current: ReadonlyMap<string, number>): { statistic: number; pValue: number; category: string } {
  // The category whose share is compared: the first of the reference's, in sorted order (stable).
  const category = [...reference.keys()].sort()[0] ?? [...current.keys()].sort()[0] ?? '';
  const nRef = sum(reference.values());
  const nCur = sum(current.values());
  const pRef = (reference.get(category) ?? 0) / nRef;
  const pCur = (current.get(category) ?? 0) / nCur;
  const pooled = ((reference.get(category) ?? 0) + (current.get(category) ?? 0)) / (nRef + nCur);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / nRef + 1 / nCur));
  if (se === 0) return { statistic: 0, pValue: 1, category };
  const z = (pRef - pCur) / se;
  return { statistic: z, pValue: 2 * normalSf(Math.abs(z)), category };
}
