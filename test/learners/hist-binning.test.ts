import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, matrixFromRows } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import { binMatrix, binValue, fitBins, fitNumericBins, MISSING_BIN } from '../../src/learners/hist/binning.js';
import { expectCode } from '../helpers/assertions.js';

test('few distinct values: one bin each, float32 thresholds strictly between neighbours', () => {
  const X = matrixFromRows([[0.1], [0.2], [0.2], [0.3], [Number.NaN]]);
  const [bins] = fitBins(X);
  assert.ok(bins?.kind === 'numeric');
  assert.equal(bins.nValueBins, 3);
  for (const t of bins.thresholds) assert.equal(Math.fround(t), t, 'thresholds are float32 numbers');
  assert.ok(Math.fround(0.1) <= bins.thresholds[0]! && bins.thresholds[0]! < Math.fround(0.2));
  assert.deepEqual(Array.from(binMatrix(X, [bins]).codes), [0, 1, 1, 2, MISSING_BIN]);
});

test('many distinct values: at most maxBins equal-frequency bins', () => {
  const rng = new Rng(1);
  const X = createMatrix(10_000, 1);
  for (let i = 0; i < X.rows; i++) X.data[i] = rng.normal();
  const [bins] = fitBins(X, { maxBins: 16 });
  assert.equal(bins?.nValueBins, 16);
  const counts = new Array<number>(16).fill(0);
  for (const c of binMatrix(X, [bins!]).codes) counts[c]! += 1;
  for (const c of counts) assert.ok(Math.abs(c - 625) < 60, `bin holds ${c} rows, expected about 625`);
});

test('binMatrix agrees with binValue, and with the threshold test fround(x) <= threshold', () => {
  const rng = new Rng(2);
  const X = createMatrix(3000, 3);
  for (let k = 0; k < X.data.length; k++) X.data[k] = rng.next() < 0.05 ? Number.NaN : Math.round(rng.normal() * 1e6) / 1e3;
  const bins = fitBins(X, { maxBins: 40, subsample: 1000, seed: 3 });
  const { codes } = binMatrix(X, bins);
  for (let f = 0; f < 3; f++) {
    const fb = bins[f]!;
    assert.ok(fb.kind === 'numeric');
    for (let i = 0; i < X.rows; i++) {
      const x = X.data[i * 3 + f]!;
      const b = codes[f * X.rows + i]!;
      assert.equal(b, binValue(fb, x));
      if (Number.isNaN(x)) continue;
      if (b < fb.thresholds.length) assert.ok(Math.fround(x) <= fb.thresholds[b]!);
      if (b > 0) assert.ok(Math.fround(x) > fb.thresholds[b - 1]!);
    }
  }
});

test('categorical features: a bin per category code, unseen and missing codes in the missing bin', () => {
  const X = matrixFromRows([[3], [1], [3], [7], [Number.NaN]]);
  const [bins] = fitBins(X, { categorical: [0] });
  assert.ok(bins?.kind === 'categorical');
  assert.deepEqual(Array.from(bins.categories), [1, 3, 7]);
  assert.deepEqual(Array.from(binMatrix(X, [bins]).codes), [1, 0, 1, 2, MISSING_BIN]);
  assert.equal(binValue(bins, 5), MISSING_BIN);
  assert.throws(() => fitBins(matrixFromRows([[1.5]]), { categorical: [0] }), expectCode('CATEGORY_NOT_CODE'));
});

test('the same seed gives the same bins on a subsample', () => {
  const rng = new Rng(4);
  const X = createMatrix(5000, 2);
  for (let k = 0; k < X.data.length; k++) X.data[k] = rng.normal();
  const a = fitBins(X, { subsample: 500, seed: 9 });
  const b = fitBins(X, { subsample: 500, seed: 9 });
  assert.deepEqual(a, b);
});

test('fitBins (radix-sorted float32 sample, columns in blocks) gives fitNumericBins\' bins, special values included', () => {
  const rng = new Rng(7);
  const specials = [0, -0, Infinity, -Infinity, Number.NaN, 5e-324, -5e-324, 1e-40, -1e-40, 3.4e38, -3.4e38, 1, 1, 2];
  // 11 columns: more than one block of sampled columns. Column 0 mixes special values, column 1 has 7
  // distinct values, the others many (negative and positive, some missing).
  const rows = 3000;
  const cols = 11;
  const X = createMatrix(rows, cols);
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < cols; f++) {
      X.data[i * cols + f] = f === 0 ? specials[rng.int(specials.length)]! : f === 1 ? rng.int(7) - 3 : rng.next() < 0.1 ? Number.NaN : rng.normal() * 10 ** (f - 5);
    }
  }
  for (const maxBins of [255, 16]) {
    const bins = fitBins(X, { maxBins });
    for (let f = 0; f < cols; f++) {
      const values = Float64Array.from({ length: rows }, (_, i) => Math.fround(X.data[i * cols + f]!)).filter((v) => !Number.isNaN(v));
      const expected = fitNumericBins(values, maxBins);
      const got = bins[f]!;
      assert.ok(got.kind === 'numeric');
      assert.deepEqual(Array.from(got.thresholds), Array.from(expected.thresholds), `maxBins ${maxBins}, column ${f}`);
    }
  }
});
