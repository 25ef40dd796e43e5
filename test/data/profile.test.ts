/**
 * `kiln inspect`'s statistics (DuckDB's aggregates and the streamed numeric pass) against a naive
 * JavaScript reference on small data. 5,000 rows: more than one streamed chunk (2,048 rows).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { withDuckDB } from '../../src/data/duckdb.js';
import { BINS } from '../../src/data/profile/histogram-bins.js';
import { inspectSource } from '../../src/data/profile/inspect.js';
import { profileTable } from '../../src/data/profile/profile-table.js';
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
  const n = 5000;
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

/** Equal-width bins as the profile defines them: min(B − 1, floor((v − min) / width)). */
function naiveBins(xs: readonly number[]): number[] {
  const min = Math.min(...xs);
  const width = (Math.max(...xs) - min) / BINS;
  const counts = new Array<number>(BINS).fill(0);
  for (const v of xs) counts[Math.min(BINS - 1, Math.floor((v - min) / width))]! += 1;
  return counts;
}

describe('profile statistics with a target, and on tables DuckDB knows less well', () => {
  const rng = new Rng(3);

  test('a 0/1 target: its classes, its histogram, and a column that gives it away (by histogram bins)', async () => {
    const rows = Array.from({ length: 3000 }, () => {
      const label = rng.next() < 0.3 ? 1 : 0;
      return [label, Math.round((label * 10 + rng.next()) * 1e6) / 1e6, Math.round(rng.normal() * 1e6) / 1e6];
    });
    const r = await inspectSource(writeFixture(dir, 'binary.csv', csvText(['label', 'leak', 'noise'], rows)), { target: 'label' });
    const ones = rows.filter((row) => row[0] === 1).length;
    assert.equal(r.target?.task, 'classification');
    assert.deepEqual(r.target?.classes, [{ value: '0', count: 3000 - ones }, { value: '1', count: ones }]);
    const label = column(r.columns, 'label');
    assert.deepEqual(label.histogram, { edges: [0, 1, 2], counts: [3000 - ones, ones] });
    const leak = column(r.columns, 'leak');
    assert.deepEqual(leak.histogram?.counts, naiveBins(rows.map((row) => row[1] as number)));
    assert.deepEqual(leak.targetAssociation, { measure: 'accuracy', value: 1, baseline: (3000 - ones) / 3000 });
    assert.ok(r.findings.some((f) => f.code === 'target_leakage' && f.columns.includes('leak')));
    const noise = column(r.columns, 'noise').targetAssociation;
    assert.ok(noise !== undefined && noise.value < 0.8);
  });

  test("a numeric target: each column's correlation with it", async () => {
    const rows = Array.from({ length: 2500 }, () => {
      const x = Math.round(rng.normal() * 1e4) / 1e4;
      return [x, Math.round((2 * x + rng.normal()) * 1e4) / 1e4];
    });
    const r = await inspectSource(writeFixture(dir, 'regression.csv', csvText(['x', 'y'], rows)), { target: 'y' });
    assert.equal(r.target?.task, 'regression');
    const xs = rows.map((row) => row[0] as number);
    const ys = rows.map((row) => row[1] as number);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    xs.forEach((x, i) => {
      sxy += (x - mx) * ((ys[i] as number) - my);
      sxx += (x - mx) ** 2;
      syy += ((ys[i] as number) - my) ** 2;
    });
    const association = column(r.columns, 'x').targetAssociation;
    assert.equal(association?.measure, 'correlation');
    assert.ok(Math.abs((association?.value ?? 0) - sxy / Math.sqrt(sxx * syy)) < 1e-9);
  });

  test('a table whose statistics are looser than its values (rows deleted): histograms stay exact', async () => {
    const values = Array.from({ length: 4000 }, (_, i) => Math.round(rng.normal() * 1e5) / 1e3 + (i % 100 === 0 ? 500 : 0));
    // The target keeps its min and max (its deleted rows hold 0), so only x is looked at twice.
    const targets = values.map((v) => (v > 400 ? 0 : Math.round((v + rng.normal() * 50) * 1e3) / 1e3));
    await withDuckDB(async (conn) => {
      await conn.run('CREATE OR REPLACE TEMP TABLE kiln_test_loose (x DOUBLE, y DOUBLE)');
      await conn.run(`INSERT INTO kiln_test_loose VALUES ${values.map((v, i) => `(${v}, ${targets[i]})`).join(', ')}`);
      // The big values go; DuckDB's statistics still remember them as the max.
      await conn.run('DELETE FROM kiln_test_loose WHERE x > 400');
      const kept = values.filter((v) => v <= 400);
      const p = await profileTable(conn, 'kiln_test_loose', { target: 'y' });
      const x = column(p.columns, 'x');
      assert.equal(x.numeric?.max, Math.max(...kept));
      assert.equal(x.histogram?.edges[BINS], Math.max(...kept));
      assert.deepEqual(x.histogram?.counts, naiveBins(kept));
      // The second look at x (without the target) keeps the correlation the first one measured.
      assert.equal(x.targetAssociation?.measure, 'correlation');
      assert.ok((x.targetAssociation?.value ?? 0) > 0.5);
      await conn.run('DROP TABLE kiln_test_loose');
    });
  });

  test('NaN and infinite numbers: counted, no histogram, no failure', async () => {
    await withDuckDB(async (conn) => {
      await conn.run(`CREATE OR REPLACE TEMP TABLE kiln_test_nan AS SELECT * FROM (VALUES (1.0::DOUBLE, 1.0::DOUBLE), (2.0, 'inf'::DOUBLE), ('NaN'::DOUBLE, 3.0), (NULL, 4.0), (5.0, 5.0)) t(a, b)`);
      const p = await profileTable(conn, 'kiln_test_nan');
      const a = column(p.columns, 'a');
      assert.equal(a.count, 4);
      assert.equal(a.missing, 1);
      assert.equal(a.numeric?.min, 1);
      assert.ok(Number.isNaN(a.numeric?.max));
      assert.equal(a.histogram, undefined);
      const b = column(p.columns, 'b');
      assert.equal(b.numeric?.max, Number.POSITIVE_INFINITY);
      assert.equal(b.numeric?.std, null);
      await conn.run('DROP TABLE kiln_test_nan');
    });
  });

  test('quantiles of a column ordered like the rows come from a uniform sample (and repeat run to run)', async () => {
    await withDuckDB(async (conn) => {
      // 100,000 ordered ids: quantile q of the sample must sit near rank q · n, not among the first rows.
      await conn.run('CREATE OR REPLACE TEMP TABLE kiln_test_ordered AS SELECT i AS id, CASE WHEN i % 4 = 0 THEN i END AS sparse FROM range(0, 100000) t(i)');
      const first = await profileTable(conn, 'kiln_test_ordered');
      const again = await profileTable(conn, 'kiln_test_ordered');
      for (const name of ['id', 'sparse']) {
        const q = column(first.columns, name).numeric?.quantiles;
        assert.ok(q);
        for (const [key, share] of [['p01', 0.01], ['p25', 0.25], ['p50', 0.5], ['p75', 0.75], ['p99', 0.99]] as const) {
          assert.ok(Math.abs(q[key] - share * 100_000) < 0.02 * 100_000, `${name} ${key} = ${q[key]}`);
        }
        assert.equal(column(first.columns, name).numeric?.outliers, 0);
        assert.deepEqual(column(again.columns, name).numeric?.quantiles, q);
      }
      await conn.run('DROP TABLE kiln_test_ordered');
    });
  });

  test('numbers in text: from the value counts of a small column, from a scan of a large one', async () => {
    // `price` has 3,000 distinct values (too many to count one by one), `size` has 3.
    const rows = Array.from({ length: 3000 }, (_, i) => [i % 3 === 0 ? `word${i}` : `$${i}`, ['1', '2', 'big'][i % 3]]);
    const r = await inspectSource(writeFixture(dir, 'text-numbers.csv', csvText(['price', 'size'], rows)));
    const price = column(r.columns, 'price');
    assert.equal(price.topValues.length, 10);
    assert.equal(price.text?.numberLike, 0);
    assert.equal(price.text?.formattedNumberLike, 2000);
    assert.deepEqual(price.text?.nonNumberExamples, ['word0', 'word1002', 'word1005']);
    const size = column(r.columns, 'size');
    assert.ok(size.distinctExact);
    assert.equal(size.text?.numberLike, 2000);
    assert.equal(size.text?.formattedNumberLike, 2000);
    assert.ok(r.findings.some((f) => f.code === 'mixed_types' && f.columns.includes('size')));
  });
});
