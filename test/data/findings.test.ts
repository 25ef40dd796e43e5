/**
 * Each quality finding fires on a table built to have that problem, and stays quiet on a clean one.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import type { Finding } from '../../src/data/profile/findings.js';
import { inspectSource } from '../../src/data/profile/inspect.js';
import { csvText, tempDir, writeFixture } from './data-fixtures.js';

const dir = tempDir('kiln-findings-');
const rng = new Rng(42);

/** A clean table: informative but noisy features, balanced classes, no gaps, no copies. */
function cleanRows(n: number): unknown[][] {
  return Array.from({ length: n }, (_, i) => {
    const x1 = Math.round(rng.normal() * 1e4) / 1e4;
    const x2 = Math.round(rng.next() * 1e4) / 1e4;
    const colour = ['red', 'green', 'blue', 'amber'][rng.int(4)] as string;
    const count = rng.int(10);
    const y = x1 + 2 * rng.normal() > 0 ? 'yes' : 'no';
    return [x1, x2, colour, count, `r${i % 7}`, y];
  });
}
const CLEAN_HEADER = ['x1', 'x2', 'colour', 'count', 'shift', 'y'];

async function findingsOf(name: string, header: readonly string[], rows: readonly (readonly unknown[])[], target?: string): Promise<readonly Finding[]> {
  const path = writeFixture(dir, name, csvText(header, rows));
  return (await inspectSource(path, target === undefined ? {} : { target })).findings;
}

function only(findings: readonly Finding[], code: string): Finding[] {
  return findings.filter((f) => f.code === code);
}

describe('quality findings', () => {
  test('a clean table has none', async () => {
    const findings = await findingsOf('clean.csv', CLEAN_HEADER, cleanRows(2000), 'y');
    assert.deepEqual(findings.map((f) => `${f.code}: ${f.message}`), []);
  });

  describe('each fires on its constructed case', () => {
    let base: unknown[][];
    before(() => {
      base = cleanRows(2000);
    });

    const withColumn = (values: (i: number) => unknown) => base.map((r, i) => [...r, values(i)]);
    const header = [...CLEAN_HEADER, 'extra'];

    test('missing values, with the share, as a warning from 5 %', async () => {
      const f = only(await findingsOf('missing.csv', header, withColumn((i) => (i % 10 === 0 ? null : i % 3)), 'y'), 'missing_values');
      assert.equal(f.length, 1);
      assert.deepEqual(f[0]?.columns, ['extra']);
      assert.equal(f[0]?.severity, 'warning');
      assert.match(f[0]?.message ?? '', /200 of 2,000 rows \(10 %\)/);
    });

    test('duplicate rows', async () => {
      const rows = [...base, base[0] as unknown[], base[1] as unknown[]];
      const f = only(await findingsOf('dups.csv', CLEAN_HEADER, rows, 'y'), 'duplicate_rows');
      assert.equal(f.length, 1);
      assert.match(f[0]?.message ?? '', /^2 rows/);
    });

    test('constant and nearly constant columns', async () => {
      const constant = only(await findingsOf('constant.csv', header, withColumn(() => 'same'), 'y'), 'constant_column');
      assert.deepEqual(constant.map((f) => f.columns), [['extra']]);
      const near = only(await findingsOf('near.csv', header, withColumn((i) => (i % 100 === 0 ? 'b' : 'a')), 'y'), 'near_constant_column');
      assert.deepEqual(near.map((f) => f.columns), [['extra']]);
      assert.match(near[0]?.message ?? '', /"a" in 99 %/);
    });

    test('an identifier-like column', async () => {
      const f = only(await findingsOf('ids.csv', header, withColumn((i) => 1000 + i), 'y'), 'identifier_column');
      assert.deepEqual(f.map((x) => x.columns), [['extra']]);
    });

    test('a high-cardinality category', async () => {
      const f = only(await findingsOf('card.csv', header, withColumn((i) => `shop_${i % 200}`), 'y'), 'high_cardinality');
      assert.deepEqual(f.map((x) => x.columns), [['extra']]);
      assert.match(f[0]?.message ?? '', /200 different categories/);
    });

    test('numbers stored as text, and a column mixing numbers and words', async () => {
      // Formatted numbers with a missing marker are read as numbers, and a note says how (tidy-table.ts).
      const money = only(await findingsOf('money.csv', header, withColumn((i) => (i % 50 === 0 ? 'N/A' : `"$${1 + (i % 9)},${100 + (i % 800)}"`)), 'y'), 'numbers_read_from_text');
      assert.deepEqual(money.map((x) => x.columns), [['extra']]);
      assert.match(money[0]?.message ?? '', /"N\/A" read as missing/);
      // Too many words (1 in 12) to read them as missing: the column stays text, and the finding says so.
      const wordy = only(await findingsOf('wordy.csv', header, withColumn((i) => (i % 12 === 0 ? `word${i % 5}` : `"$${1 + (i % 9)},${100 + (i % 800)}"`)), 'y'), 'numbers_as_text');
      assert.deepEqual(wordy.map((x) => x.columns), [['extra']]);
      assert.match(wordy[0]?.message ?? '', /"word0"/);
      const mixed = await findingsOf('mixed.csv', header, withColumn((i) => (i % 2 === 0 ? String(i) : ['low', 'high', 'mid'][i % 3])), 'y');
      assert.deepEqual(only(mixed, 'mixed_types').map((x) => x.columns), [['extra']]);
      assert.equal(only(mixed, 'numbers_as_text').length, 0);
    });

    test('outliers', async () => {
      const f = only(await findingsOf('outliers.csv', header, withColumn((i) => (i % 400 === 0 ? 1e6 : (i % 37) / 10)), 'y'), 'outliers');
      assert.deepEqual(f.map((x) => x.columns), [['extra']]);
      assert.match(f[0]?.message ?? '', /^"extra" has 5 values/);
      // the far values are all high: only that side is named, with how far they go (no "below -10.8"
      // for a column that never goes below 0)
      assert.match(f[0]?.message ?? '', /far from the rest: above [\d.]+ \(up to 1000000\), while half/);
      assert.doesNotMatch(f[0]?.message ?? '', /below/);
    });

    test('class imbalance and classes with too few rows', async () => {
      const rows = base.map((r, i) => [...r.slice(0, 5), i < 5 ? 'rare' : i < 100 ? 'minor' : 'major']);
      const f = await findingsOf('imbalance.csv', CLEAN_HEADER, rows, 'y');
      assert.deepEqual(only(f, 'class_imbalance').map((x) => x.columns), [['y']]);
      const few = only(f, 'too_few_rows_per_class');
      assert.equal(few.length, 1);
      assert.match(few[0]?.message ?? '', /"rare" \(5\)/);
    });

    test('target leakage: a category, a number, and a regression', async () => {
      const copy = only(await findingsOf('leak-cat.csv', header, withColumn((i) => (base[i]?.[5] === 'yes' ? (i % 500 === 0 ? 'N' : 'Y') : 'N')), 'y'), 'target_leakage');
      assert.deepEqual(copy.map((x) => x.columns), [['extra', 'y']]);
      const numeric = only(await findingsOf('leak-num.csv', header, withColumn((i) => (base[i]?.[5] === 'yes' ? 50 : 10) + rng.next()), 'y'), 'target_leakage');
      assert.deepEqual(numeric.map((x) => x.columns), [['extra', 'y']]);
      const regression = base.map((r) => [r[0], r[1], Number(r[0]) * 3 + rng.normal() * 0.01]);
      const reg = only(await findingsOf('leak-reg.csv', ['x1', 'x2', 'amount'], regression, 'amount'), 'target_leakage');
      assert.deepEqual(reg.map((x) => x.columns), [['x1', 'amount']]);
    });

    test('a missing target value, and too few rows for the columns', async () => {
      const rows = base.slice(0, 30).map((r, i) => [...r.slice(0, 5), i === 3 ? null : r[5]]);
      const f = await findingsOf('small.csv', CLEAN_HEADER, rows, 'y');
      assert.equal(only(f, 'target_missing').length, 1);
      assert.equal(only(f, 'target_missing')[0]?.severity, 'error');
      assert.equal(only(f, 'too_few_rows').length, 1);
      assert.match(only(f, 'too_few_rows')[0]?.message ?? '', /30 rows for 5 feature columns/);
    });
  });
});
