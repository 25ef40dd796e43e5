/**
 * `kiln inspect`'s statistics, computed in DuckDB, against a naive JavaScript reference on small data.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { inspectSource } from '../../src/data/profile/inspect.js';
import type { ColumnProfile } from '../../src/data/profile/profile-types.js';
import { csvText, tempDir, writeFixture } from './data-fixtures.js';

const dir = tempDir('kiln-profile-');

function column(columns: readonly ColumnProfile[], name: string): ColumnProfile {
  const c = columns.find((x) => x.name === name);
  assert.ok(c, `column ${name}`);
  return c;
}

/** Sample standard deviation. */
function std(xs: readonly number[]): number {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
}

/** The reservoir quantile below 8,192 values: the sorted value at floor(q·(n − 1)). */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))] as number;
}

describe('profile statistics against a naive reference', () => {
  const rng = new Rng(7);
  const n = 500;
  const x: (number | null)[] = [];
  const g: (string | null)[] = [];
  const k: number[] = [];
  for (let i = 0; i < n; i++) {
    x.push(rng.next() < 0.1 ? null : Math.round(rng.normal() * 1000) / 100);
    g.push(rng.next() < 0.05 ? null : ['red', 'green', 'blue', 'amber'][rng.int(4)] as string);
    k.push(rng.int(6));
  }
  // Three exact copies of row 0 (and chance repeats among rows with x missing) are duplicate rows.
  const rows: unknown[][] = Array.from({ length: n }, (_, i) => [x[i], g[i], k[i]]);
  rows.push(rows[0] as unknown[], rows[0] as unknown[], rows[0] as unknown[]);
  const path = writeFixture(dir, 'stats.csv', csvText(['x', 'g', 'k'], rows));
  const present = rows.map((r) => r[0]).filter((v): v is number => typeof v === 'number');
  const sorted = [...present].sort((a, b) => a - b);

  test('counts, missing, min/max/mean/std, quantiles', async () => {
    const r = await inspectSource(path);
    assert.equal(r.rows, n + 3);
    const c = column(r.columns, 'x');
    assert.equal(c.count, present.length);
    assert.equal(c.missing, n + 3 - present.length);
    const s = c.numeric;
    assert.ok(s);
    assert.equal(s.min, sorted[0]);
    assert.equal(s.max, sorted[sorted.length - 1]);
    assert.ok(Math.abs(s.mean - present.reduce((a, b) => a + b, 0) / present.length) < 1e-9);
    assert.ok(Math.abs((s.std ?? 0) - std(present)) < 1e-9);
    assert.equal(s.quantiles.p01, quantile(sorted, 0.01));
    assert.equal(s.quantiles.p25, quantile(sorted, 0.25));
    assert.equal(s.quantiles.p50, quantile(sorted, 0.5));
    assert.equal(s.quantiles.p75, quantile(sorted, 0.75));
    assert.equal(s.quantiles.p99, quantile(sorted, 0.99));
    const seen = new Set<string>();
    let duplicates = 0;
    for (const row of rows) {
      const key = JSON.stringify(row);
      if (seen.has(key)) duplicates++;
      seen.add(key);
    }
    assert.ok(duplicates >= 3);
    assert.equal(r.duplicateRows, duplicates);
  });

  test('histogram bins, outliers against the fences', async () => {
    const r = await inspectSource(path);
    const c = column(r.columns, 'x');
    const h = c.histogram;
    assert.ok(h && c.numeric);
    const min = sorted[0] as number;
    const max = sorted[sorted.length - 1] as number;
    const bins = h.counts.length;
    const width = (max - min) / bins;
    const expected = new Array<number>(bins).fill(0);
    for (const v of present) expected[Math.min(bins - 1, Math.floor((v - min) / width))]! += 1;
    assert.deepEqual(h.counts, expected);
    assert.equal(h.edges[0], min);
    assert.equal(h.edges[bins], max);
    const fences = c.numeric.outlierFences;
    assert.ok(fences);
    assert.equal(c.numeric.outliers, present.filter((v) => v < fences.low || v > fences.high).length);
  });

  test('distinct values and top values of a category; unit bins for small whole numbers', async () => {
    const r = await inspectSource(path);
    const c = column(r.columns, 'g');
    const counts = new Map<string, number>();
    for (const row of rows) if (row[1] !== null) counts.set(row[1] as string, (counts.get(row[1] as string) ?? 0) + 1);
    assert.equal(c.distinct, counts.size);
    assert.ok(c.distinctExact);
    assert.deepEqual(c.topValues, [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([value, count]) => ({ value, count })));
    assert.equal(c.type, 'categorical');
    const kc = column(r.columns, 'k');
    assert.equal(kc.type, 'integer');
    assert.deepEqual(kc.histogram?.edges, [0, 1, 2, 3, 4, 5, 6]);
    const perValue = [0, 1, 2, 3, 4, 5].map((v) => rows.filter((row) => row[2] === v).length);
    assert.deepEqual(kc.histogram?.counts, perValue);
  });

  test('the class counts of a target, and how well one column alone predicts it', async () => {
    const classRows = Array.from({ length: 400 }, (_, i) => [i % 4 === 0 ? 'b' : 'a', i % 2 === 0 ? 'even' : 'odd']);
    const r = await inspectSource(writeFixture(dir, 'classes.csv', csvText(['y', 'parity'], classRows)), { target: 'y' });
    assert.equal(r.target?.task, 'classification');
    assert.deepEqual(r.target?.classes, [{ value: 'a', count: 300 }, { value: 'b', count: 100 }]);
    // parity 'even' → 100 a + 100 b, 'odd' → 200 a: the best rule is right for 300 of 400 rows.
    assert.deepEqual(column(r.columns, 'parity').targetAssociation, { measure: 'accuracy', value: 0.75, baseline: 0.75 });
  });
});
