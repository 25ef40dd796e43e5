/**
 * How well one column alone predicts a class target: the accuracy of the rule "predict the most
 * frequent class of this value (or histogram bin)", against always predicting the most frequent class
 * overall, over the rows where both are present. A column that does almost as well as the labels
 * themselves is likely leaking the target (findings.ts).
 */
import type { TargetAssociation } from './profile-types.js';

/** A value (or bin) must hold this many rows on average before "it predicts the class" counts. */
const MIN_ROWS_PER_KEY = 20;

/** `perClass`: for each class, the rows per value (or bin) of the column; only keys with rows. */
export function classAssociation(perClass: ReadonlyMap<string, ReadonlyMap<string, number>>): TargetAssociation | undefined {
  const best = new Map<string, number>();
  let total = 0;
  let majority = 0;
  for (const counts of perClass.values()) {
    let present = 0;
    for (const [key, n] of counts) {
      best.set(key, Math.max(best.get(key) ?? 0, n));
      present += n;
    }
    total += present;
    majority = Math.max(majority, present);
  }
  if (total === 0 || best.size < 2 || best.size > total / MIN_ROWS_PER_KEY) return undefined;
  let correct = 0;
  for (const n of best.values()) correct += n;
  return { measure: 'accuracy', value: correct / total, baseline: Math.min(1, majority / total) };
}
