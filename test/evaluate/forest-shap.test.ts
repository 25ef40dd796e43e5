/**
 * TreeSHAP of trees and forests: every row's values plus the base value give back the model's own
 * output (the positive class's probability, each class's, or the regression prediction) within 1e-6.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix, type Matrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import { shapValues, type ShapResult } from '../../src/evaluate/explain/shap-values.js';
import { extraTreesRegressor, randomForest } from '../../src/learners/forest/forest.js';
import { deserializeTree, serializeTree } from '../../src/learners/tree/tree.js';

function data(n: number, cols: number, classes: number, seed: number): { X: Matrix; y: Int32Array; yReg: Float64Array } {
  const rng = new Rng(seed);
  const X = createMatrix(n, cols);
  const y = new Int32Array(n);
  const yReg = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < cols; j++) X.data[i * cols + j] = rng.normal();
    const score = (X.data[i * cols] as number) + 0.5 * (X.data[i * cols + 1] as number) + 0.3 * rng.normal();
    y[i] = classes === 2 ? (score > 0 ? 1 : 0) : Math.min(classes - 1, Math.max(0, Math.floor(score + classes / 2)));
    yReg[i] = 3 * score + (X.data[i * cols + 2] as number) ** 2;
  }
  return { X, y, yReg };
}

function assertSumsTo(shap: ShapResult, outputs: Float64Array, rows: number): void {
  const K = shap.nOutputs;
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < K; k++) {
      let sum = shap.base[k] as number;
      for (let j = 0; j < shap.nFeatures; j++) sum += shap.values[(r * K + k) * shap.nFeatures + j] as number;
      const expected = outputs[r * K + k] as number;
      assert.ok(Math.abs(sum - expected) < 1e-6, `row ${r} output ${k}: ${sum} vs ${expected}`);
    }
  }
}

test('random forest, binary: SHAP values sum to the probability of the positive class', async () => {
  const { X, y } = data(300, 4, 2, 1);
  const model = await randomForest.fit(X, y, 2, { nEstimators: 12, maxDepth: 6, threads: 1 }, { seed: 3 });
  const shap = shapValues(model, X, new Float64Array(4));
  assert.equal(shap.nOutputs, 1);
  const proba = model.predictProba(X);
  assertSumsTo(shap, Float64Array.from({ length: X.rows }, (_, i) => proba.data[i * 2 + 1] as number), X.rows);
  // the feature the label depends on most carries the most attribution
  const meanAbs = [0, 1, 2, 3].map((j) => {
    let s = 0;
    for (let r = 0; r < X.rows; r++) s += Math.abs(shap.values[r * 4 + j] as number);
    return s;
  });
  assert.equal(meanAbs.indexOf(Math.max(...meanAbs)), 0);
});

test('random forest, multiclass: one set of values per class, each summing to that class probability', async () => {
  const { X, y } = data(300, 3, 3, 2);
  const model = await randomForest.fit(X, y, 3, { nEstimators: 8, threads: 1 }, { seed: 5 });
  const shap = shapValues(model, X, new Float64Array(3));
  assert.equal(shap.nOutputs, 3);
  assertSumsTo(shap, Float64Array.from(model.predictProba(X).data), X.rows);
});

test('extra trees, regression: SHAP values sum to the prediction, also after a save and load of the trees', async () => {
  const { X, yReg } = data(250, 3, 2, 3);
  const model = await extraTreesRegressor.fit(X, yReg, { nEstimators: 6, threads: 1 }, { seed: 7 });
  const shap = shapValues(model, X, new Float64Array(3));
  assertSumsTo(shap, model.predict(X), X.rows);
  const tree = model.trees[0];
  assert.ok(tree !== undefined && tree.cover !== undefined);
  const back = deserializeTree(serializeTree(tree), 3);
  assert.deepEqual(Array.from(back.cover ?? []), Array.from(tree.cover));
  // covers add up: each internal node's weight is its children's
  for (let node = 0; node < tree.nodeCount; node++) {
    const l = tree.left[node] as number;
    if ((tree.feature[node] as number) < 0) continue;
    const r = tree.right[node] as number;
    assert.ok(Math.abs((tree.cover[node] as number) - (tree.cover[l] as number) - (tree.cover[r] as number)) < 1e-9);
  }
});
