/** The distinct-value estimate of numeric columns (distinct-sketch.ts) against exact counts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { DistinctSketch } from '../../src/data/profile/distinct-sketch.js';

function estimate(values: readonly number[]): number {
  const sketch = new DistinctSketch();
  for (let at = 0; at < values.length; at += 2048) {
    const chunk = Float64Array.from(values.slice(at, at + 2048));
    sketch.addValues(chunk, chunk.length);
  }
  return sketch.estimate();
}

test('within 3 % of the exact distinct count from 1 to 300,000 distinct values', () => {
  const rng = new Rng(5);
  for (const distinct of [1, 10, 100, 999, 1000, 1001, 5000, 40_000, 300_000]) {
    // Each value about twice, in random order: whole, negative, repeating decimals and random draws.
    const pool = Array.from({ length: distinct }, (_, i) => (i % 4 === 0 ? i : i % 4 === 1 ? -i * 1.25 : i % 4 === 2 ? i / 7 : i + rng.next()));
    const values = Array.from({ length: 2 * distinct }, (_, i) => pool[i < distinct ? i : rng.int(distinct)] as number);
    const exact = new Set(values).size;
    const e = estimate(values);
    assert.ok(Math.abs(e - exact) <= Math.max(0.03 * exact, 0), `${exact} distinct: estimated ${e}`);
  }
});

test('exact for a handful of values; 0 and -0 are one value; missing values (NaN) are not counted', () => {
  assert.equal(estimate([3, 3, 1, 2, 2, 1]), 3);
  assert.equal(estimate([0, -0, 0]), 1);
  assert.equal(estimate([Number.NaN, 5, Number.NaN]), 1);
  assert.equal(estimate([]), 0);
});
