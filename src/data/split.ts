/**
 * Seeded train/test splits (holdouts); their k-fold forms are in ./splits/k-fold.ts. A stratified split keeps each class's share the same in both parts,
 * which matters for small or imbalanced data (Titanic has 38% survivors; a random 179-row test part
 * could easily hold 30% or 45%).
 */
import { KilnError } from '../core/errors.js';
import { Rng } from '../core/rng.js';

export interface Split {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/** Test size as scikit-learn computes it: ceil(fraction × n). */
export function testSize(n: number, testFraction: number): number {
  return Math.ceil(testFraction * n);
}

export function randomSplit(n: number, testFraction: number, seed: number): Split {
  const order = new Rng(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const nTest = testSize(n, testFraction);
  return { test: order.slice(0, nTest), train: order.slice(nTest) };
}

/**
 * Stratified split: each class contributes to the test part in proportion to its size, the
 * rounding remainders going to the classes with the largest fractional parts.
 */
export function stratifiedSplit(classes: Int32Array, nClasses: number, testFraction: number, seed: number): Split {
  const rng = new Rng(seed);
  const n = classes.length;
  const nTest = testSize(n, testFraction);
  const members: number[][] = Array.from({ length: nClasses }, () => []);
  for (let i = 0; i < n; i++) members[classes[i] as number]?.push(i);

  const exact = members.map((m) => (m.length * nTest) / n);
  const take = exact.map(Math.floor);
  let remaining = nTest - take.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((e, k) => ({ k, r: e - Math.floor(e) }))
    .sort((a, b) => b.r - a.r || a.k - b.k);
  for (const { k } of byRemainder) {
    if (remaining === 0) break;
    if ((take[k] as number) < (members[k] as number[]).length) {
      take[k] = (take[k] as number) + 1;
      remaining--;
    }
  }

  const test: number[] = [];
  const train: number[] = [];
  members.forEach((m, k) => {
    const shuffled = rng.shuffle([...m]);
    test.push(...shuffled.slice(0, take[k]));
    train.push(...shuffled.slice(take[k]));
  });
  return { train: rng.shuffle(Int32Array.from(train)), test: rng.shuffle(Int32Array.from(test)) };
}

/**
 * Grouped split (scikit-learn's GroupShuffleSplit): whole groups go to one side, so rows of the same
 * patient, customer or session never sit on both sides. The test part takes ceil(fraction × groups)
 * groups, chosen at random; `groups` holds one group id per row (any small integer or string key).
 */
export function groupSplit(groups: ArrayLike<string | number>, testFraction: number, seed: number): Split {
  const ids = distinctInOrder(groups);
  if (ids.length < 2) throw new KilnError('TOO_FEW_GROUPS', { groups: ids.length, needed: 2 });
  const nTestGroups = Math.min(ids.length - 1, Math.max(1, testSize(ids.length, testFraction)));
  const shuffled = new Rng(seed).shuffle([...ids]);
  const testGroups = new Set(shuffled.slice(0, nTestGroups));
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < groups.length; i++) (testGroups.has(groups[i] as string | number) ? test : train).push(i);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

/**
 * Time-ordered holdout: the latest ceil(fraction × n) rows (by `times`, e.g. epoch milliseconds) are
 * the test part, so a model is always judged on a future it has not seen. Ties keep row order; rows
 * with a missing time (NaN) cannot be placed in time and are refused.
 */
export function timeSplit(times: ArrayLike<number>, testFraction: number): Split {
  const order = timeOrder(times);
  const nTest = testSize(order.length, testFraction);
  return { train: order.slice(0, order.length - nTest), test: order.slice(order.length - nTest) };
}

/** Row indices sorted by time (stable: equal times keep their row order). */
export function timeOrder(times: ArrayLike<number>): Int32Array {
  for (let i = 0; i < times.length; i++) {
    if (!Number.isFinite(times[i] as number)) throw new KilnError('TIME_MISSING', { row: i + 1 });
  }
  return Int32Array.from({ length: times.length }, (_, i) => i).sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
}

/** Distinct values in order of first appearance. */
export function distinctInOrder<T>(values: ArrayLike<T>): T[] {
  const seen = new Set<T>();
  for (let i = 0; i < values.length; i++) seen.add(values[i] as T);
  return [...seen];
}
