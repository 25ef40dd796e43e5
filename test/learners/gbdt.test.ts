/** Gradient boosting's own behaviour: native missing values and categories (in predict and in ONNX), early stopping, progress. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, type Matrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import { gradientBoosting, gradientBoostingRegressor } from '../../src/learners/gbdt/gradient-boosting.js';
import type { Progress } from '../../src/learners/learner.js';
import { getLearner } from '../../src/learners/registry.js';
import { expectCode, maxAbsDiff } from '../helpers/assertions.js';
import { onnxOutputOf, outputOf } from './learner-conformance.js';

/**
 * Column 0 numeric with 20% missing (missing rows lean to class 1), column 1 a category code 0..9
 * (codes 2, 5, 7 lean to class 1), column 2 noise.
 */
function data(rows: number, seed: number): { X: Matrix; y: Int32Array } {
  const rng = new Rng(seed);
  const X = createMatrix(rows, 3);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const missing = rng.next() < 0.2;
    const x0 = rng.normal();
    const code = rng.int(10);
    X.data[i * 3] = missing ? Number.NaN : x0;
    X.data[i * 3 + 1] = code;
    X.data[i * 3 + 2] = rng.normal();
    const score = (missing ? 1.2 : x0) + (code === 2 || code === 5 || code === 7 ? 1.5 : -0.5) + rng.normal() * 0.5;
    y[i] = score > 0.3 ? 1 : 0;
  }
  return { X, y };
}

const small = { maxIter: 30, numLeaves: 8, minSamplesLeaf: 10, categoricalFeatures: [1] };

test('missing values and categories are learnt natively, and the ONNX export agrees on them (NaN included)', async () => {
  const { X, y } = data(1500, 1);
  const model = await gradientBoosting.fit(X, y, 2, small, { seed: 1 });
  const { trees } = model.ensemble();
  assert.ok(trees.some((t) => t.leftCategories.some((c) => c !== null)), 'some split is categorical');
  assert.ok(trees.some((t) => t.missingLeft.some((m) => m === 1)), 'some split sends missing values left');
  const test = data(600, 2);
  const proba = model.predictProba(test.X);
  let correct = 0;
  for (let i = 0; i < test.X.rows; i++) correct += (proba.data[2 * i + 1]! > 0.5 ? 1 : 0) === test.y[i] ? 1 : 0;
  assert.ok(correct / test.X.rows > 0.8, `accuracy ${correct / test.X.rows}`);
  // Unseen category codes, negative and fractional codes: the predictor and the ONNX graph route them alike (right).
  for (let i = 0; i < 5; i++) test.X.data[i * 3 + 1] = [11, -1, 2.5, 1e6, Number.NaN][i]!;
  assert.ok(maxAbsDiff(await onnxOutputOf(model, test.X), outputOf(model, test.X)) <= 1e-5);
});

test('a regressor with categories and missing values exports to ONNX within 1e-5', async () => {
  const { X, y } = data(800, 3);
  const target = Float64Array.from(y, (v, i) => v * 2 + (X.data[i * 3 + 2] ?? 0));
  const model = await gradientBoostingRegressor.fit(X, target, { ...small, loss: 'huber' }, { seed: 2 });
  assert.ok(maxAbsDiff(await onnxOutputOf(model, X), outputOf(model, X)) <= 1e-5);
});

test('progress reports train and validation loss each iteration; early stopping keeps the best iteration', async () => {
  const { X, y } = data(1200, 4);
  const validation = data(400, 5);
  const seen: Progress[] = [];
  const model = await gradientBoosting.fit(
    X,
    y,
    2,
    { maxIter: 300, learningRate: 0.5, numLeaves: 31, minSamplesLeaf: 5, earlyStopping: true, nIterNoChange: 5, categoricalFeatures: [1] },
    { seed: 3, validation, onProgress: (p) => seen.push(p) },
  );
  assert.ok(seen.length > 5 && seen.length < 300, `stopped after ${seen.length} iterations`);
  assert.ok(seen.every((p, k) => p.iteration === k + 1 && p.maxIterations === 300 && p.validationLoss !== undefined));
  assert.ok(seen[seen.length - 1]!.trainLoss < seen[0]!.trainLoss, 'the training loss falls');
  const losses = seen.map((p) => p.validationLoss!);
  const best = losses.indexOf(Math.min(...losses)) + 1;
  assert.equal(model.ensemble().trees.length, best, 'the trees up to the best validation loss are kept');
});

test('early stopping without a validation set holds out a seeded fraction of the training rows', async () => {
  const { X, y } = data(1000, 6);
  const seen: Progress[] = [];
  await gradientBoosting.fit(X, y, 2, { maxIter: 20, earlyStopping: true, validationFraction: 0.2 }, { seed: 1, onProgress: (p) => seen.push(p) });
  assert.ok(seen.length > 0 && seen.every((p) => p.validationLoss !== undefined));
});

test('row and feature subsampling are seeded: the same seed repeats, another seed differs', async () => {
  const { X, y } = data(800, 7);
  const params = { maxIter: 10, subsample: 0.6, featureFraction: 0.67 };
  const a = await gradientBoosting.fit(X, y, 2, params, { seed: 1 });
  const b = await gradientBoosting.fit(X, y, 2, params, { seed: 1 });
  const c = await gradientBoosting.fit(X, y, 2, params, { seed: 2 });
  assert.deepEqual(a.predictProba(X).data, b.predictProba(X).data);
  assert.notDeepEqual(a.predictProba(X).data, c.predictProba(X).data);
});

test('gain importances sum to 1 and favour the informative features', async () => {
  const { X, y } = data(1000, 8);
  const importances = (await gradientBoosting.fit(X, y, 2, small, { seed: 1 })).featureImportances();
  assert.ok(Math.abs(importances.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.ok(importances[2]! < importances[0]! && importances[2]! < importances[1]!, `importances ${Array.from(importances)}`);
});

test('bad parameters and data get coded errors', async () => {
  const { X, y } = data(100, 9);
  await assert.rejects(gradientBoosting.fit(X, y, 2, { categoricalFeatures: [3] }), expectCode('INVALID_PARAMS'));
  await assert.rejects(gradientBoosting.fit(X, y, 2, { missing: 'error' }), expectCode('MISSING_NOT_ALLOWED'));
  const inf = createMatrix(X.rows, 3, Float64Array.from(X.data, (v, k) => (k === 4 ? Infinity : v)));
  await assert.rejects(gradientBoosting.fit(inf, y, 2, {}), expectCode('FEATURE_NOT_FINITE'));
  const fractional = createMatrix(X.rows, 3, Float64Array.from(X.data, (v, k) => (k === 1 ? 0.5 : v)));
  await assert.rejects(gradientBoosting.fit(fractional, y, 2, { categoricalFeatures: [1] }), expectCode('CATEGORY_NOT_CODE'));
  const model = await gradientBoosting.fit(X, y, 2, { maxIter: 2 });
  assert.throws(() => model.predictProba(createMatrix(2, 4)), expectCode('INPUT_SHAPE'));
  assert.throws(() => gradientBoosting.load({ learner: 'gradient-boosting', format: 1, state: { nFeatures: 3 } }), expectCode('INVALID_PREDICTOR'));
});

test('both learners are registered', () => {
  assert.equal(getLearner('gradient-boosting', 'multiclass'), gradientBoosting);
  assert.equal(getLearner('gradient-boosting-regressor', 'regression'), gradientBoostingRegressor);
});
