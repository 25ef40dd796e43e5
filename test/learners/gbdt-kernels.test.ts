/** The hot kernels of gradient boosting against their naive references (histogram.naive.ts, split-finder.naive.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import { binMatrix, fitBins, type BinnedMatrix, type FeatureBins } from '../../src/learners/hist/binning.js';
import { buildCountHistogram, buildHistogram, countHistogramLength, histogramLength, histogramScratch, subtractHistogram } from '../../src/learners/gbdt/histogram.js';
import { buildCountHistogramNaive, buildHistogramNaive } from '../../src/learners/gbdt/histogram.naive.js';
import { findBestSplit, hessianSlack, NEEDS_COUNTS, type RowCounts } from '../../src/learners/gbdt/split-finder.js';
import { findBestSplitNaive } from '../../src/learners/gbdt/split-finder.naive.js';
import type { NodeSums, Split, SplitConstraints } from '../../src/learners/gbdt/split.js';
import { maxAbsDiff } from '../helpers/assertions.js';

/** 5 numeric features (with missing values) and one categorical with 12 codes; random gradients. */
function problem(rows: number, seed: number, missingRate = 0.1): { binned: BinnedMatrix; bins: FeatureBins[]; grad: Float64Array; hess: Float64Array } {
  const rng = new Rng(seed);
  const cols = 6;
  const X = createMatrix(rows, cols);
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < 5; f++) X.data[i * cols + f] = rng.next() < missingRate ? Number.NaN : rng.normal() * (f + 1);
    X.data[i * cols + 5] = rng.next() < missingRate / 2 ? Number.NaN : rng.int(12);
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

/** Node sums and the exact row counts of `rows`, as the grower would hand them to the split finder. */
function nodeOf(binned: BinnedMatrix, rows: number[], grad: Float64Array, hess: Float64Array): { sums: NodeSums; counted: RowCounts } {
  let g = 0;
  let h = 0;
  let hessMin = Number.POSITIVE_INFINITY;
  let hessMax = 0;
  for (const r of rows) {
    g += grad[r]!;
    h += hess[r]!;
    hessMin = Math.min(hessMin, hess[r]!);
    hessMax = Math.max(hessMax, hess[r]!);
  }
  const counts = buildCountHistogramNaive(binned.codes, binned.rows, binned.cols, rows);
  const counted = { counts, counted: new Uint8Array(binned.cols).fill(1), hessMin, hessMax, slack: hessianSlack(h) };
  return { sums: { grad: g, hess: h, count: rows.length }, counted };
}

function assertSameSplit(fast: Split | null | typeof NEEDS_COUNTS, naive: Split | null, what: string): void {
  assert.ok(naive !== null && fast !== null && fast !== NEEDS_COUNTS, `${what}: a split exists`);
  assert.equal(fast.feature, naive.feature, what);
  assert.equal(fast.bin, naive.bin, what);
  assert.equal(fast.missingLeft, naive.missingLeft, what);
  assert.deepEqual(fast.leftBins, naive.leftBins, what);
  assert.ok(Math.abs(fast.gain - naive.gain) < 1e-9 * Math.max(1, naive.gain), what);
  assert.ok(Math.abs(fast.left.grad - naive.left.grad) < 1e-9, what);
  assert.ok(Math.abs(fast.left.hess - naive.left.hess) < 1e-9, what);
}

test('histograms: the fast kernel equals the naive one, for all rows, a row subset and feature subsets', () => {
  // 5,000 rows: more than one chunk of the kernel's gathered gradients.
  const n = 5000;
  const { binned, grad, hess } = problem(n, 1);
  const gh = interleave(grad, hess);
  const scratch = histogramScratch();
  const all = Int32Array.from({ length: 6 }, (_, f) => f);
  const hist = new Float64Array(histogramLength(6));
  buildHistogram(binned, all, null, 0, n, gh, scratch, hist);
  const allRows = Array.from({ length: n }, (_, i) => i);
  assert.ok(maxAbsDiff(hist, buildHistogramNaive(binned.codes, n, 6, allRows, grad, hess)) < 1e-9);

  const subset = Int32Array.from(allRows.filter((i) => i % 3 !== 1));
  buildHistogram(binned, all, subset, 10, 3000, gh, scratch, hist);
  assert.ok(maxAbsDiff(hist, buildHistogramNaive(binned.codes, n, 6, Array.from(subset.subarray(10, 3000)), grad, hess)) < 1e-9);
  buildHistogram(binned, all, null, 100, 2600, gh, scratch, hist);
  assert.ok(maxAbsDiff(hist, buildHistogramNaive(binned.codes, n, 6, allRows.slice(100, 2600), grad, hess)) < 1e-9);

  const naive = buildHistogramNaive(binned.codes, n, 6, Array.from(subset), grad, hess);
  const stride = histogramLength(1);
  for (const some of [Int32Array.of(1, 4), Int32Array.of(0, 1, 2, 4, 5)]) {
    hist.fill(0);
    buildHistogram(binned, some, subset, 0, subset.length, gh, scratch, hist);
    for (let f = 0; f < 6; f++) {
      const fast = hist.subarray(f * stride, (f + 1) * stride);
      const expected = some.includes(f) ? naive.subarray(f * stride, (f + 1) * stride) : new Float64Array(stride);
      assert.ok(maxAbsDiff(fast, expected) < 1e-9, `features ${some}: feature ${f}`);
    }
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
      const { sums, counted } = nodeOf(binned, rows, grad, hess);
      const fast = findBestSplit(hist, Int32Array.from(features), bins, sums, constraints, counted);
      const naive = findBestSplitNaive(binned.codes, 400, rows, grad, hess, features, bins, constraints);
      assertSameSplit(fast, naive, `seed ${seed} features ${features}`);
    }
  }
});

test('split finding without counts: hessian bounds settle minSamplesLeaf, or it asks for counts and then agrees', () => {
  // Numeric features without missing values: the ones the split finder may scan without counts.
  const outcomes = new Set<string>();
  for (const seed of [21, 22, 23, 24]) {
    const { binned, bins, grad, hess } = problem(600, seed, 0);
    const features = Int32Array.from([0, 1, 2, 3, 4]);
    for (const size of [600, 120, 45]) {
      const rows = Array.from({ length: size }, (_, i) => (i * 13 + seed) % 600).sort((a, b) => a - b);
      const hist = buildHistogramNaive(binned.codes, 600, 6, rows, grad, hess);
      const { sums, counted } = nodeOf(binned, rows, grad, hess);
      for (const minSamplesLeaf of [1, 5, 20]) {
        const c = { ...constraints, minSamplesLeaf };
        const naive = findBestSplitNaive(binned.codes, 600, rows, grad, hess, Array.from(features), bins, c);
        const bounded = findBestSplit(hist, features, bins, sums, c, { ...counted, counts: null, counted: new Uint8Array(6) });
        const what = `seed ${seed}, ${size} rows, minSamplesLeaf ${minSamplesLeaf}`;
        if (bounded === NEEDS_COUNTS) {
          outcomes.add('counted');
          assertSameSplit(findBestSplit(hist, features, bins, sums, c, counted), naive, what);
        } else {
          outcomes.add('bounded');
          if (naive === null) assert.equal(bounded, null, what);
          else assertSameSplit(bounded, naive, what);
        }
      }
    }
  }
  // Both ways were taken, so both were checked against the naive search.
  assert.deepEqual([...outcomes].sort(), ['bounded', 'counted']);
});

test('count histograms: the fast kernel equals the naive one and subtracts like gradient histograms', () => {
  const { binned } = problem(500, 12);
  const all = Int32Array.from({ length: 6 }, (_, f) => f);
  const rows = Int32Array.from({ length: 500 }, (_, i) => i);
  const left = Array.from(rows).filter((i) => i % 3 === 0);
  const counts = new Float64Array(countHistogramLength(6));
  buildCountHistogram(binned, all, null, 0, 500, counts);
  assert.deepEqual(counts, buildCountHistogramNaive(binned.codes, 500, 6, Array.from(rows)));
  const leftCounts = new Float64Array(countHistogramLength(6));
  buildCountHistogram(binned, Int32Array.of(0, 5), Int32Array.from(left), 0, left.length, leftCounts);
  const naiveLeft = buildCountHistogramNaive(binned.codes, 500, 6, left);
  for (const f of [0, 5]) assert.deepEqual(leftCounts.subarray(f * 256, (f + 1) * 256), naiveLeft.subarray(f * 256, (f + 1) * 256));
  assert.equal(leftCounts.subarray(256, 5 * 256).every((v) => v === 0), true, 'features not listed are untouched');
  subtractHistogram(counts, leftCounts, Int32Array.of(0, 5), 256);
  const naiveRight = buildCountHistogramNaive(binned.codes, 500, 6, Array.from(rows).filter((i) => i % 3 !== 0));
  for (const f of [0, 5]) assert.deepEqual(counts.subarray(f * 256, (f + 1) * 256), naiveRight.subarray(f * 256, (f + 1) * 256));
});

test('split finding respects minSamplesLeaf: no split when no child can be big enough', () => {
  const { binned, bins, grad, hess } = problem(30, 9);
  const rows = Array.from({ length: 30 }, (_, i) => i);
  const hist = buildHistogramNaive(binned.codes, 30, 6, rows, grad, hess);
  const { sums, counted } = nodeOf(binned, rows, grad, hess);
  const strict = { ...constraints, minSamplesLeaf: 16 };
  assert.equal(findBestSplit(hist, Int32Array.from([0, 1, 2, 3, 4, 5]), bins, sums, strict, counted), null);
  assert.equal(findBestSplitNaive(binned.codes, 30, rows, grad, hess, [0, 1, 2, 3, 4, 5], bins, strict), null);
});
