import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { adjustedRandIndex } from '../../src/evaluate/metrics/adjusted-rand.js';

// scikit-learn's values: test/fixtures/sklearn/make_segments_fixtures.py
const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/segments-metrics.json', import.meta.url), 'utf8')) as {
  ari: { a: number[]; b: number[]; ari: number }[];
};

/** The Rand index by definition, pair by pair, adjusted with the expectation over permutations (Hubert & Arabie). */
function naiveAri(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  const n = a.length;
  let both = 0;
  let sameA = 0;
  let sameB = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const x = a[i] === a[j];
      const y = b[i] === b[j];
      if (x) sameA++;
      if (y) sameB++;
      if (x && y) both++;
    }
  }
  const pairs = (n * (n - 1)) / 2;
  const expected = (sameA * sameB) / pairs;
  const max = (sameA + sameB) / 2;
  return max === expected ? 1 : (both - expected) / (max - expected);
}

test('adjusted Rand index matches scikit-learn and the pair-by-pair definition', () => {
  for (const c of fx.ari) {
    assert.ok(Math.abs(adjustedRandIndex(c.a, c.b) - c.ari) < 1e-12, `${adjustedRandIndex(c.a, c.b)} vs ${c.ari}`);
    assert.ok(Math.abs(adjustedRandIndex(c.a, c.b) - naiveAri(c.a, c.b)) < 1e-12);
  }
});

test('the same partition under other names scores 1; labels may be text', () => {
  assert.equal(adjustedRandIndex(['x', 'x', 'y', 'y', 'z'], [2, 2, 0, 0, 1]), 1);
  assert.equal(adjustedRandIndex([0, 0, 0], [1, 1, 1]), 1);
  assert.ok(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]) < 0);
  assert.throws(() => adjustedRandIndex([0, 1], [0]), RangeError);
});
