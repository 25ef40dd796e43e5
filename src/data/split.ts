/**
 * Seeded train/test splits. A stratified split keeps each class's share the same in both parts,
 * which matters for small or imbalanced data (Titanic has 38% survivors; a random 179-row test part
 * could easily hold 30% or 45%).
 */
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
