/**
 * Quantised gradients (src/learners/gbdt/quantize.ts) and the packed histogram kernel
 * (histogram-packed.ts) against their references: every row within one rounding level of its exact
 * gradient, unbiased on average, seeded; packed histograms equal to the naive histogram of the
 * unpacked values (root, row subsets, feature subsets, several blocks, sums at the edge of the bit
 * budget); and boosting with `quantizedGradients` close to the exact path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, type Matrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import { rocAuc } from '../../src/evaluate/metrics/classification.js';
import { binMatrix, fitBins, type BinnedMatrix } from '../../src/learners/hist/binning.js';
import { gradientBoosting } from '../../src/learners/gbdt/gradient-boosting.js';
import { histogramLength } from '../../src/learners/gbdt/histogram.js';
import { buildHistogramNaive } from '../../src/learners/gbdt/histogram.naive.js';
import { buildPackedHistogram, packedScratch, unpackRow } from '../../src/learners/gbdt/histogram-packed.js';
import { PACKED_BLOCK_ROWS, quantizeInPlace, type QuantizedTree } from '../../src/learners/gbdt/quantize.js';
import { maxAbsDiff } from '../helpers/assertions.js';

/** Log-loss-like gradients in (−1, 1) and hessians in (0, 0.25], interleaved. */
function gradients(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const gh = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const p = 1 / (1 + Math.exp(-3 * rng.normal()));
    gh[2 * i] = p - (rng.next() < p ? 1 : 0);
    gh[2 * i + 1] = p * (1 - p);
  }
  return gh;
}

/** Quantises a copy of `gh` (quantisation overwrites its input). */
const quantize = (gh: Float64Array, rows: Int32Array | null, nRows: number, seed: number): QuantizedTree => quantizeInPlace(Float64Array.from(gh), rows, nRows, seed);

/** The unpacked gradients and hessians of the quantised rows (0 elsewhere). */
function unpacked(tree: QuantizedTree, rows: Iterable<number>, n: number): { grad: Float64Array; hess: Float64Array } {
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  for (const r of rows) {
    const u = unpackRow(tree.packed[r]!, tree);
    grad[r] = u.grad;
    hess[r] = u.hess;
  }
  return { grad, hess };
}

function binnedProblem(rows: number, cols: number, seed: number): BinnedMatrix {
  const rng = new Rng(seed);
  const X = createMatrix(rows, cols);
  for (let k = 0; k < X.data.length; k++) X.data[k] = rng.next() < 0.05 ? Number.NaN : rng.normal();
  return binMatrix(X, fitBins(X, { maxBins: 64 }));
}

test('quantisation: every row within one level of its exact value, sums and hessian range consistent, seeded', () => {
  const n = 3000;
  const gh = gradients(n, 1);
  const tree = quantize(gh, null, n, 7);
  assert.equal(tree.packed.length, n);
  const { grad, hess } = unpacked(tree, Array.from({ length: n }, (_, i) => i), n);
  let g = 0;
  let h = 0;
  for (let i = 0; i < n; i++) {
    assert.ok(Math.abs(grad[i]! - gh[2 * i]!) < tree.gradScale, `row ${i} gradient`);
    assert.ok(Math.abs(hess[i]! - gh[2 * i + 1]!) < tree.hessScale, `row ${i} hessian`);
    g += grad[i]!;
    h += hess[i]!;
  }
  assert.ok(Math.abs(tree.grad - g) < 1e-9 && Math.abs(tree.hess - h) < 1e-9, 'the returned sums are the unpacked rows\' sums');
  assert.equal(tree.hessMin, Math.min(...hess));
  assert.equal(tree.hessMax, Math.max(...hess));
  // 3,000 rows: 12 bits of row count, so 52 − 24 = 28 bits shared by gradient and hessian.
  assert.ok(tree.gradScale <= 1 / (2 ** 14 - 1) && tree.hessScale <= 0.25 / (2 ** 14 - 1), `scales ${tree.gradScale}, ${tree.hessScale}`);

  assert.deepEqual(quantize(gh, null, n, 7).packed, tree.packed, 'the same seed rounds the same way');
  assert.notDeepEqual(quantize(gh, null, n, 8).packed, tree.packed, 'another seed rounds differently');
  const inPlace = Float64Array.from(gh);
  assert.equal(quantizeInPlace(inPlace, null, n, 7).packed.buffer, inPlace.buffer, 'packed over the gradients');
  assert.deepEqual(inPlace.subarray(0, n), tree.packed);
});

test('quantisation is unbiased: coarse levels (a large data set\'s) average out to the exact sums', () => {
  // 200,000 rows: blocks of up to 65,532 rows leave 10 bits each to gradients and hessians (±1023 levels).
  const n = 200_000;
  const gh = gradients(n, 2);
  const tree = quantize(gh, null, n, 3);
  assert.ok(Math.abs(tree.gradScale * 1023 - 1) < 0.01, `gradient levels: scale ${tree.gradScale}`);
  let g = 0;
  let h = 0;
  for (let i = 0; i < n; i++) {
    g += gh[2 * i]!;
    h += gh[2 * i + 1]!;
  }
  // Stochastic rounding adds independent noise of at most one level per row: sd ≤ scale·√n / 2.
  assert.ok(Math.abs(tree.grad - g) < 5 * tree.gradScale * Math.sqrt(n) * 0.5, `gradient sum ${tree.grad} vs ${g}`);
  assert.ok(Math.abs(tree.hess - h) < 5 * tree.hessScale * Math.sqrt(n) * 0.5, `hessian sum ${tree.hess} vs ${h}`);
});

test('quantisation keeps a constant hessian exactly, quantises only the listed rows, and survives all-zero gradients', () => {
  const n = 500;
  const gh = gradients(n, 4);
  for (let i = 0; i < n; i++) gh[2 * i + 1] = 1;
  const rows = Int32Array.from({ length: 200 }, (_, k) => 2 * k + 1);
  const buffer = Float64Array.from(gh);
  const tree = quantizeInPlace(buffer, rows, rows.length, 1);
  assert.equal(tree.hess, 200);
  assert.equal(tree.hessMin, 1);
  assert.equal(tree.hessMax, 1);
  for (const r of rows) {
    assert.equal(unpackRow(tree.packed[r]!, tree).hess, 1);
    assert.ok(Math.abs(unpackRow(tree.packed[r]!, tree).grad - gh[2 * r]!) < tree.gradScale);
  }
  assert.equal(buffer[0], gh[0], 'rows not listed are not written');
  const zero = quantizeInPlace(new Float64Array([0, 0, 0, 0, 0, 0, 0, 0]), null, 4, 1);
  assert.deepEqual([zero.grad, zero.hess, zero.hessMin, zero.hessMax], [0, 0, 0, 0]);
});

test('packed histograms equal the naive histogram of the unpacked gradients: root, subsets, feature subsets', () => {
  const n = 5003; // not a multiple of 4: the root's four-rows-at-a-time reads end with single rows
  const cols = 7; // four features per pass and three single ones
  const binned = binnedProblem(n, cols, 5);
  const gh = gradients(n, 6);
  const all = Int32Array.from({ length: cols }, (_, f) => f);
  const scratch = packedScratch(binned);
  const hist = new Float64Array(histogramLength(cols));
  const allRows = Array.from({ length: n }, (_, i) => i);

  const tree = quantize(gh, null, n, 1);
  const { grad, hess } = unpacked(tree, allRows, n);
  buildPackedHistogram(binned, all, null, 0, n, tree, scratch, hist);
  assert.ok(maxAbsDiff(hist, buildHistogramNaive(binned.codes, n, cols, allRows, grad, hess)) < 1e-9, 'root');
  buildPackedHistogram(binned, all, null, 3, 4001, tree, scratch, hist);
  assert.ok(maxAbsDiff(hist, buildHistogramNaive(binned.codes, n, cols, allRows.slice(3, 4001), grad, hess)) < 1e-9, 'a range of rows in order');
  assert.ok(scratch.packedHist.every((v) => v === 0), 'the packed bins are cleared for the next call');

  const subset = Int32Array.from(allRows.filter((i) => i % 3 !== 1));
  const sub = quantize(gh, subset, subset.length, 2);
  const s = unpacked(sub, subset, n);
  buildPackedHistogram(binned, all, subset, 10, 3000, sub, scratch, hist);
  assert.ok(maxAbsDiff(hist, buildHistogramNaive(binned.codes, n, cols, Array.from(subset.subarray(10, 3000)), s.grad, s.hess)) < 1e-9, 'a row subset');

  const naive = buildHistogramNaive(binned.codes, n, cols, Array.from(subset), s.grad, s.hess);
  const stride = histogramLength(1);
  for (const some of [Int32Array.of(1, 4), Int32Array.of(0, 1, 2, 4, 5, 6)]) {
    hist.fill(0);
    buildPackedHistogram(binned, some, subset, 0, subset.length, sub, scratch, hist);
    for (let f = 0; f < cols; f++) {
      const expected = some.includes(f) ? naive.subarray(f * stride, (f + 1) * stride) : new Float64Array(stride);
      assert.ok(maxAbsDiff(hist.subarray(f * stride, (f + 1) * stride), expected) < 1e-9, `features ${some}: feature ${f}`);
    }
  }
});

test('packed histograms stay exact over several blocks, with every row at the extreme levels', () => {
  // More rows than one block, all in one bin of feature 0: each block's packed sum is as large as the
  // bit budget allows (|gradient levels| and hessian levels at their maximum in every row).
  const n = PACKED_BLOCK_ROWS + 4000;
  const X = createMatrix(n, 2);
  for (let i = 0; i < n; i++) X.data[2 * i + 1] = i % 5;
  const binned = binMatrix(X, fitBins(X, { maxBins: 8 }));
  const features = Int32Array.of(0, 1);
  const scratch = packedScratch(binned);
  const hist = new Float64Array(histogramLength(2));
  const allRows = Array.from({ length: n }, (_, i) => i);
  for (const sign of [1, -1]) {
    const gh = new Float64Array(2 * n);
    // Two hessian values (not a constant hessian): the larger one is the last hessian level.
    for (let i = 0; i < n; i++) {
      gh[2 * i] = sign * 0.75;
      gh[2 * i + 1] = i === 0 ? 0.125 : 0.25;
    }
    const tree = quantize(gh, null, n, 9);
    for (const rows of [null, Int32Array.from(allRows)]) {
      buildPackedHistogram(binned, features, rows, 0, n, tree, scratch, hist);
      const { grad, hess } = unpacked(tree, allRows, n);
      const naive = buildHistogramNaive(binned.codes, n, 2, allRows, grad, hess);
      assert.ok(maxAbsDiff(hist, naive) < 1e-9, `sign ${sign}, ${rows === null ? 'root' : 'listed rows'}`);
      assert.ok(Math.abs(hist[0]! - sign * 0.75 * n) < 1e-9 && Math.abs(hist[1]! - (0.25 * (n - 1) + 0.125)) < tree.hessScale, 'bin 0 of feature 0 holds every row');
    }
  }
});

/** y depends on x0, x1 and x2·x3, plus label noise. */
function classification(rows: number, seed: number): { X: Matrix; y: Int32Array } {
  const rng = new Rng(seed);
  const X = createMatrix(rows, 6);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < 6; f++) X.data[i * 6 + f] = rng.normal();
    const x = X.data.subarray(i * 6, i * 6 + 6);
    const score = x[0]! - 0.7 * x[1]! + 0.8 * x[2]! * x[3]! + rng.normal() * 0.7;
    y[i] = score > 0 ? 1 : 0;
  }
  return { X, y };
}

test('boosting on quantised gradients: seeded, as accurate as on exact gradients, and "auto" is exact on small data', async () => {
  const train = classification(6000, 1);
  const holdout = classification(3000, 2);
  const params = { maxIter: 40, numLeaves: 15, learningRate: 0.2 };
  const quantized = await gradientBoosting.fit(train.X, train.y, 2, { ...params, quantizedGradients: true }, { seed: 5 });
  const again = await gradientBoosting.fit(train.X, train.y, 2, { ...params, quantizedGradients: true }, { seed: 5 });
  const exact = await gradientBoosting.fit(train.X, train.y, 2, { ...params, quantizedGradients: false }, { seed: 5 });
  const auto = await gradientBoosting.fit(train.X, train.y, 2, params, { seed: 5 });
  assert.deepEqual(again.predictProba(holdout.X).data, quantized.predictProba(holdout.X).data, 'same seed, same model');
  assert.deepEqual(auto.predictProba(holdout.X).data, exact.predictProba(holdout.X).data, '"auto" keeps 6,000 rows exact');
  assert.notDeepEqual(quantized.predictProba(holdout.X).data, exact.predictProba(holdout.X).data, 'quantised is another path');
  const aucQuantized = rocAuc(holdout.y, quantized.predictProba(holdout.X));
  const aucExact = rocAuc(holdout.y, exact.predictProba(holdout.X));
  assert.ok(aucExact > 0.85, `exact AUC ${aucExact}`);
  assert.ok(Math.abs(aucQuantized - aucExact) < 0.005, `AUC quantised ${aucQuantized} vs exact ${aucExact}`);
});
