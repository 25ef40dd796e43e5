/**
 * The numeric pass's fused loop (numeric-accumulator.ts) against a naive reference: each statistic
 * computed the obvious way, from all values at once.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { BINS } from '../../src/data/profile/histogram-bins.js';
import { NumericAccumulator, type NumericAccumulatorOptions, type NumericMeasures } from '../../src/data/profile/numeric-accumulator.js';

/** Feeds `values` in chunks of uneven sizes, as a streamed result would. */
function run(values: readonly number[], options: NumericAccumulatorOptions, classCodes?: readonly number[], target?: readonly number[]): NumericMeasures {
  const a = new NumericAccumulator(options);
  const sizes = [2048, 7, 1000, 1, 333];
  let at = 0;
  for (let k = 0; at < values.length; k++) {
    const length = Math.min(sizes[k % sizes.length] as number, values.length - at);
    const chunk = new Float64Array(2048);
    chunk.set(values.slice(at, at + length));
    const codes = classCodes === undefined ? undefined : Float64Array.from(classCodes.slice(at, at + length));
    const t = target === undefined ? undefined : Float64Array.from(target.slice(at, at + length));
    a.add(chunk, length, codes, t);
    at += length;
  }
  return a.finish();
}

function closeTo(actual: number | null | undefined, expected: number, what: string): void {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

/** Equal-width bins as the profile defines them: min(B − 1, floor((v − min) / width)). */
function naiveBins(xs: readonly number[], min: number, max: number): number[] {
  const width = (max - min) / BINS;
  const counts = new Array<number>(BINS).fill(0);
  for (const v of xs) counts[Math.min(BINS - 1, Math.floor((v - min) / width))]! += 1;
  return counts;
}

describe('numeric accumulator against a naive reference', () => {
  const rng = new Rng(11);
  // 5,000 rows, 8 % missing (NaN), values with two decimals around 40.
  const values = Array.from({ length: 5000 }, () => (rng.next() < 0.08 ? Number.NaN : Math.round((40 + rng.normal() * 12) * 100) / 100));
  const present = values.filter((v) => !Number.isNaN(v));
  const min = Math.min(...present);
  const max = Math.max(...present);
  const missing = values.length - present.length;
  const fences = { low: 10, high: 70 };

  test('count, min, max, mean, std, whole numbers, outliers, histogram', () => {
    const m = run(values, { bounds: { low: min, high: max }, fences, shift: 40, classes: 0, missing });
    assert.equal(m.count, present.length);
    assert.equal(m.min, min);
    assert.equal(m.max, max);
    const mean = present.reduce((s, v) => s + v, 0) / present.length;
    closeTo(m.mean, mean, 'mean');
    closeTo(m.std, Math.sqrt(present.reduce((s, v) => s + (v - mean) ** 2, 0) / (present.length - 1)), 'std');
    assert.equal(m.allIntegers, false);
    assert.equal(m.outliers, present.filter((v) => v < fences.low || v > fences.high).length);
    assert.ok(m.outliers > 0);
    assert.equal(m.boundsExact, true);
    assert.deepEqual(m.histogram?.counts, naiveBins(present, min, max));
    assert.equal(m.histogram?.edges[0], min);
    assert.equal(m.histogram?.edges[BINS], max);
  });

  test('any shift within the range of the values gives the same statistics', () => {
    const a = run(values, { bounds: { low: min, high: max }, fences, shift: min, classes: 0, missing });
    const b = run(values, { bounds: { low: min, high: max }, fences, shift: max, classes: 0, missing });
    closeTo(b.mean, a.mean, 'mean');
    closeTo(b.std, a.std ?? Number.NaN, 'std');
  });

  test('bounds that are not the exact min and max give no histogram (the caller runs again)', () => {
    const m = run(values, { bounds: { low: min - 1, high: max }, fences, shift: 40, classes: 0, missing });
    assert.equal(m.boundsExact, false);
    assert.equal(m.histogram, undefined);
    assert.equal(m.min, min);
    const none = run(values, { fences, shift: 40, classes: 0, missing });
    assert.equal(none.boundsExact, false);
    assert.equal(none.histogram, undefined);
  });

  test('whole numbers over a small range get one bin per value', () => {
    const xs = Array.from({ length: 3000 }, () => 3 + rng.int(7));
    const m = run(xs, { bounds: { low: 3, high: 9 }, fences: null, shift: 6, classes: 0, missing: 0 });
    assert.equal(m.allIntegers, true);
    assert.deepEqual(m.histogram?.edges, [3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(m.histogram?.counts, [3, 4, 5, 6, 7, 8, 9].map((v) => xs.filter((x) => x === v).length));
    assert.equal(m.outliers, 0);
  });

  test('bins per class add up to the histogram; a column without classes ignores class codes', () => {
    const codes = values.map(() => rng.int(3)); // 0: no class, 1 and 2: the classes
    const m = run(values, { bounds: { low: min, high: max }, fences, shift: 40, classes: 2, missing }, codes);
    assert.equal(m.classBins?.length, 3);
    for (const cls of [0, 1, 2]) {
      const ofClass = values.filter((v, i) => !Number.isNaN(v) && codes[i] === cls);
      assert.deepEqual(m.classBins?.[cls], naiveBins(ofClass, min, max));
    }
    // The target column itself is counted without classes, even though the chunk carries codes.
    const own = run(values, { bounds: { low: min, high: max }, fences, shift: 40, classes: 0, missing }, codes);
    assert.deepEqual(own.histogram?.counts, naiveBins(present, min, max));
    assert.equal(own.classBins, undefined);
  });

  test("Pearson's r with a target over the rows where both are present", () => {
    const target = values.map((v, i) => (i % 10 === 0 ? Number.NaN : (Number.isNaN(v) ? 0 : v) * 0.5 + rng.normal() * 5));
    const m = run(values, { fences, shift: 40, classes: 0, missing, targetShift: 20 }, undefined, target);
    const pairs = values.map((v, i) => [v, target[i] as number]).filter(([x, y]) => !Number.isNaN(x) && !Number.isNaN(y)) as [number, number][];
    const mx = pairs.reduce((s, p) => s + p[0], 0) / pairs.length;
    const my = pairs.reduce((s, p) => s + p[1], 0) / pairs.length;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (const [x, y] of pairs) {
      sxy += (x - mx) * (y - my);
      sxx += (x - mx) ** 2;
      syy += (y - my) ** 2;
    }
    closeTo(m.correlation, sxy / Math.sqrt(sxx * syy), 'correlation');
    assert.ok((m.correlation ?? 0) > 0.5);
  });

  test('NaN values in the data (beyond the missing ones) count as present and make max and mean NaN', () => {
    const xs = [1, 2, Number.NaN, 4, Number.NaN]; // one missing row, one NaN value
    const m = run(xs, { bounds: { low: 1, high: 4 }, fences: null, shift: 2, classes: 0, missing: 1 });
    assert.equal(m.count, 4);
    assert.equal(m.min, 1);
    assert.ok(Number.isNaN(m.max) && Number.isNaN(m.mean));
    assert.equal(m.std, null);
    assert.equal(m.histogram, undefined);
    const infinite = run([1, Number.POSITIVE_INFINITY, 3], { fences: null, shift: 0, classes: 0, missing: 0 });
    assert.equal(infinite.max, Number.POSITIVE_INFINITY);
    assert.equal(infinite.std, null);
  });
});
