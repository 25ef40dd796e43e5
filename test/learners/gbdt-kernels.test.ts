/** The hot kernels of gradient boosting against their naive references (histogram.naive.ts, split-finder.naive.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import { binMatrix, fitBins, type BinnedMatrix, type FeatureBins } from '../../src/learners/hist/binning.js';
import { buildHistogram, histogramLength, subtractHistogram, toRowMajor } from '../../src/learners/gbdt/histogram.js';
import { buildHistogramNaive } from '../../src/learners/gbdt/histogram.naive.js';
import { findBestSplit } from '../../src/learners/gbdt/split-finder.js';
import { findBestSplitNaive } from '../../src/learners/gbdt/split-finder.naive.js';
import type { SplitConstraints } from '../../src/learners/gbdt/split.js';
import { maxAbsDiff } from '../helpers/assertions.js';

/** 5 numeric features (with missing values) and one categorical with 12 codes; random gradients. */
function problem(rows: number, seed: number): { binned: BinnedMatrix; bins: FeatureBins[]; grad: Float64Array; hess: Float64Array } {
  const rng = new Rng(seed);
  const cols = 6;
  const X = createMatrix(rows, cols);
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < 5; f++) X.data[i * cols + f] = rng.next() < 0.1 ? Number.NaN : rng.normal() * (f + 1);
    X.data[i * cols + 5] = rng.next() < 0.05 ? Number.NaN : rng.int(12);
  }
  const bins = fitBins(X, { maxBins: 32, categorical: [5] });
  const grad = new Float64Array(rows);
  const hess = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const signal = (X.data[i * cols] ?? 0) > 0.3 ? 1 : -0.5;
    grad[i] = signal + rng.normal() * 0.5 + ((X.data[i * cols + 5] ?? 0) % 3 === 0 ? 0.8 : 0);
    hess[i] = 0.1 + rng.next();
  }
  return { binned: binMatrix(X, bins), bins, grad, hess };
}

const interleave = (grad: Float64Array, hess: Float64Array): Float64Array => {
  const gh = new Float64Array(2 * grad.length);
  for (let i = 0; i < grad.length; i++) {
    gh[2 * i] = grad[i]!;
    gh[2 * i + 1] = hess[i]!;
  }
  return gh;
};

const constraints: SplitConstraints = { minSamplesLeaf: 5, minSumHessianInLeaf: 1e-3, l2Regularization: 0.5, maxCatThreshold: 4, catSmooth: 10 };

test('histograms: the fast kernel equals the naive one, for all rows, a row subset and a feature subset', () => {
  const { binned, grad, hess } = problem(700, 1);
  const rowCodes = toRowMajor(binned);
  const gh = interleave(grad, hess);
  const all = Int32Array.from({ length: 6 }, (_, f) => f);
  const hist = new Float64Array(histogramLength(6));
  buildHistogram(rowCodes, 6, all, null, 0, 700, gh, hist);
  const allRows = Array.from({ length: 700 }, (_, i) => i);
  assert.ok(maxAbsDiff(hist, buildHistogramNaive(binned.codes, 700, 6, allRows, grad, hess)) < 1e-9);

  const subset = Int32Array.from(allRows.filter((i) => i % 3 !== 1));
  buildHistogram(rowCodes, 6, all, subset, 10, 300, gh, hist);
  assert.ok(maxAbsDiff(hist, buildHistogramNaive(binned.codes, 700, 6, Array.from(subset.subarray(10, 300)), grad, hess)) < 1e-9);

  const some = Int32Array.of(1, 4);
  hist.fill(0);
  buildHistogram(rowCodes, 6, some, subset, 0, subset.length, gh, hist);
  const naive = buildHistogramNaive(binned.codes, 700, 6, Array.from(subset), grad, hess);
  const stride = histogramLength(1);
  for (let f = 0; f < 6; f++) {
    const fast = hist.subarray(f * stride, (f + 1) * stride);
    const expected = some.includes(f) ? naive.subarray(f * stride, (f + 1) * stride) : new Float64Array(stride);
    assert.ok(maxAbsDiff(fast, expected) < 1e-9, `feature ${f}`);
  }
});

test('histogram subtraction: parent minus one child is the other child', () => {
  const { binned, grad, hess } = problem(500, 2);
  const left = Array.from({ length: 500 }, (_, i) => i).filter((i) => i % 4 === 0);
  const right = Array.from({ length: 500 }, (_, i) => i).filter((i) => i % 4 !== 0);
  const parent = buildHistogramNaive(binned.codes, 500, 6, [...left, ...right], grad, hess);
  subtractHistogram(parent, buildHistogramNaive(binned.codes, 500, 6, left, grad, hess), Int32Array.from({ length: 6 }, (_, f) => f));
  assert.ok(maxAbsDiff(parent, buildHistogramNaive(binned.codes, 500, 6, right, grad, hess)) < 1e-9);
});

test('split finding: the histogram scan picks the naive search\'s split (numeric with missing values, categorical)', () => {
  for (const seed of [3, 4, 5, 6, 7, 8]) {
    const { binned, bins, grad, hess } = problem(400, seed);
    const rows = Array.from({ length: 400 }, (_, i) => i).filter((i) => (i * 7 + seed) % 5 !== 0);
    for (const features of [[0, 1, 2, 3, 4, 5], [5], [2]]) {
      const hist = buildHistogramNaive(binned.codes, 400, 6, rows, grad, hess);
      let g = 0;
      let h = 0;
      for (const r of rows) {
        g += grad[r]!;
        h += hess[r]!;
      }
      const fast = findBestSplit(hist, Int32Array.from(features), bins, { grad: g, hess: h, count: rows.length }, constraints);
      const naive = findBestSplitNaive(binned.codes, 400, rows, grad, hess, features, bins, constraints);
      assert.ok(naive !== null && fast !== null, `seed ${seed}: a split exists`);
      assert.equal(fast.feature, naive.feature, `seed ${seed} features ${features}`);
      assert.equal(fast.bin, naive.bin);
      assert.equal(fast.missingLeft, naive.missingLeft);
      assert.deepEqual(fast.leftBins, naive.leftBins);
      assert.ok(Math.abs(fast.gain - naive.gain) < 1e-9 * Math.max(1, naive.gain));
      assert.equal(fast.left.count, naive.left.count);
      assert.ok(Math.abs(fast.left.grad - naive.left.grad) < 1e-9);
    }
  }
});

test('split finding respects minSamplesLeaf: no split when no child can be big enough', () => {
  const { binned, bins, grad, hess } = problem(30, 9);
  const rows = Array.from({ length: 30 }, (_, i) => i);
  const hist = buildHistogramNaive(binned.codes, 30, 6, rows, grad, hess);
  const sums = { grad: rows.reduce((a, r) => a + grad[r]!, 0), hess: rows.reduce((a, r) => a + hess[r]!, 0), count: 30 };
  const strict = { ...constraints, minSamplesLeaf: 16 };
  assert.equal(findBestSplit(hist, Int32Array.from([0, 1, 2, 3, 4, 5]), bins, sums, strict), null);
  assert.equal(findBestSplitNaive(binned.codes, 30, rows, grad, hess, [0, 1, 2, 3, 4, 5], bins, strict), null);
});
