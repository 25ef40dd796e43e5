import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { fitMedian, selectKth } from '../../src/features/impute.js';

/** The obvious median: sort, take the middle (or the mean of the two middles). */
function naiveMedian(values: Float64Array): number {
  const present = Array.from(values).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const n = present.length;
  if (n === 0) return 0;
  return n % 2 === 1 ? (present[n >> 1] as number) : ((present[(n >> 1) - 1] as number) + (present[n >> 1] as number)) / 2;
}

test('quickselect median equals the sort-based median, exactly', () => {
  const rng = new Rng(5);
  for (let trial = 0; trial < 300; trial++) {
    const n = rng.int(60);
    const distinct = 1 + rng.int(10);
    const values = Float64Array.from({ length: n }, () => (rng.next() < 0.2 ? Number.NaN : trial % 2 ? rng.int(distinct) : rng.normal()));
    assert.equal(fitMedian(values), naiveMedian(values), `trial ${trial}: ${Array.from(values)}`);
  }
  assert.equal(fitMedian(Float64Array.from([Number.NaN, Number.NaN])), 0);
  const sorted = Float64Array.from({ length: 1001 }, (_, i) => i);
  assert.equal(fitMedian(sorted), 500);
  const a = Float64Array.from([5, 1, 4, 2, 3]);
  assert.equal(selectKth(a, 1), 2);
  assert.ok(Array.from(a.subarray(0, 1)).every((v) => v <= 2) && Array.from(a.subarray(2)).every((v) => v >= 2));
});
