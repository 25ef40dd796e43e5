/**
 * Exact CART decision trees: the shared conformance suite, and structure-level agreement with
 * scikit-learn's DecisionTreeClassifier/Regressor on the fixtures of
 * test/fixtures/sklearn/make_forest_fixtures.py (same depth, leaves and accuracies).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { matrixFromRows } from '../../src/core/matrix.js';
import { accuracy, argmaxRows } from '../../src/evaluate/metrics/classification.js';
import { decisionTree, decisionTreeRegressor } from '../../src/learners/tree/decision-tree.js';
import { leafCount, treeDepth } from '../../src/learners/tree/tree.js';
import { expectCode } from '../helpers/assertions.js';
import { learnerConformance, makeDataset } from './learner-conformance.js';

learnerConformance(decisionTree);
learnerConformance(decisionTree, { data: makeDataset('multiclass'), params: { criterion: 'entropy', maxDepth: 4, classWeight: 'balanced' } });
learnerConformance(decisionTreeRegressor, { params: { minSamplesLeaf: 3 } });

interface TreeFixture {
  sklearn_version: string;
  nClasses?: number;
  X_train: number[][];
  y_train: number[];
  X_test: number[][];
  y_test: number[];
  trees: { params: { max_depth: number | null; criterion?: 'gini' | 'entropy'; min_samples_leaf?: number }; depth: number; leaves: number; train_accuracy?: number; test_accuracy?: number; train_mse?: number; test_rmse?: number }[];
}

const loadFixture = (name: string): TreeFixture =>
  JSON.parse(readFileSync(new URL(`../fixtures/sklearn/forest-${name}.json`, import.meta.url), 'utf8')) as TreeFixture;

const kilnParams = (p: TreeFixture['trees'][number]['params']) => ({
  maxDepth: p.max_depth,
  ...(p.criterion === undefined ? {} : { criterion: p.criterion }),
  ...(p.min_samples_leaf === undefined ? {} : { minSamplesLeaf: p.min_samples_leaf }),
});

for (const name of ['breast-cancer', 'digits']) {
  const fx = loadFixture(name);
  for (const ref of fx.trees) {
    test(`${name} ${JSON.stringify(ref.params)}: the same tree shape and accuracies as scikit-learn ${fx.sklearn_version}`, async () => {
      const X = matrixFromRows(fx.X_train);
      const y = Int32Array.from(fx.y_train);
      const model = await decisionTree.fit(X, y, fx.nClasses!, kilnParams(ref.params), { seed: 0 });
      const tree = model.trees[0]!;
      assert.equal(treeDepth(tree), ref.depth, 'depth');
      assert.equal(accuracy(y, argmaxRows(model.predictProba(X))), ref.train_accuracy, 'training accuracy');
      // Leaves and test accuracy can differ only through ties between equally good splits, which
      // scikit-learn breaks by its random feature order: allow a hair of slack there.
      assert.ok(Math.abs(leafCount(tree) - ref.leaves) <= Math.max(1, 0.03 * ref.leaves), `leaves ${leafCount(tree)} vs ${ref.leaves}`);
      const testAccuracy = accuracy(Int32Array.from(fx.y_test), argmaxRows(model.predictProba(matrixFromRows(fx.X_test))));
      assert.ok(Math.abs(testAccuracy - ref.test_accuracy!) <= 0.02, `test accuracy ${testAccuracy} vs ${ref.test_accuracy}`);
    });
  }
}

{
  const fx = loadFixture('friedman1');
  for (const ref of fx.trees) {
    test(`friedman1 ${JSON.stringify(ref.params)}: the regression tree matches scikit-learn's depth, leaves and training error`, async () => {
      const X = matrixFromRows(fx.X_train);
      const y = Float64Array.from(fx.y_train);
      const model = await decisionTreeRegressor.fit(X, y, kilnParams(ref.params), { seed: 0 });
      const tree = model.trees[0]!;
      assert.equal(treeDepth(tree), ref.depth);
      assert.equal(leafCount(tree), ref.leaves);
      const p = model.predict(X);
      let mse = 0;
      for (let i = 0; i < y.length; i++) mse += (p[i]! - y[i]!) ** 2 / y.length;
      assert.ok(Math.abs(mse - ref.train_mse!) <= 1e-9 * Math.max(1, ref.train_mse!), `training MSE ${mse} vs ${ref.train_mse}`);
    });
  }
}

test('a tree reproduces XOR, which no single split improves, and its importances sum to 1', async () => {
  const X = matrixFromRows([[0, 0], [0, 1], [1, 0], [1, 1], [0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = Int32Array.from([0, 1, 1, 0, 0, 1, 1, 0]);
  const model = await decisionTree.fit(X, y, 2, {}, { seed: 1 });
  assert.deepEqual(Array.from(argmaxRows(model.predictProba(X))), Array.from(y));
  const importances = model.featureImportances();
  assert.ok(Math.abs(importances[0]! + importances[1]! - 1) < 1e-12);
});

test('minSamplesLeaf and maxDepth bound the tree', async () => {
  const { X, y } = makeDataset('binary', 300);
  const model = await decisionTree.fit(X, y as Int32Array, 2, { maxDepth: 3, minSamplesLeaf: 20 }, { seed: 1 });
  const tree = model.trees[0]!;
  assert.ok(treeDepth(tree) <= 3);
  assert.ok(leafCount(tree) <= 8);
});

test('bad parameters and damaged saved trees get coded errors', async () => {
  const { X, y } = makeDataset('binary', 60);
  await assert.rejects(decisionTree.fit(X, y as Int32Array, 2, { minSamplesSplit: 1 }), expectCode('INVALID_PARAMS'));
  await assert.rejects(decisionTree.fit(X, y as Int32Array, 2, { criterion: 'squared_error' }), expectCode('INVALID_PARAMS'));
  const saved = (await decisionTree.fit(X, y as Int32Array, 2, {})).toJSON();
  const state = saved.state as { trees: { left: string }[] };
  const broken = { ...saved, state: { ...state, trees: [{ ...state.trees[0]!, left: Buffer.from(new Int32Array([0, 0, 0]).buffer).toString('base64') }] } };
  assert.throws(() => decisionTree.load(broken), expectCode('INVALID_PREDICTOR'));
  assert.throws(() => decisionTreeRegressor.load(saved), expectCode('INVALID_PREDICTOR'));
});
