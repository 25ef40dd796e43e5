/**
 * Random forests and extra trees: the shared conformance suite, and what forests add — results that do
 * not depend on the thread count, out-of-bag scores, progress per tree, cancellation mid-training,
 * importances. Quality against scikit-learn is in forest-quality.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKilnError } from '../../src/core/errors.js';
import { extraTrees, extraTreesRegressor, randomForest, randomForestRegressor, type ForestProgress } from '../../src/learners/forest/forest.js';
import { loadPredictor } from '../../src/learners/registry.js';
import { expectCode } from '../helpers/assertions.js';
import { learnerConformance, makeDataset, onnxOutputOf, outputOf } from './learner-conformance.js';

learnerConformance(randomForest, { params: { nEstimators: 5, threads: 1 } });
learnerConformance(randomForest, { data: makeDataset('multiclass'), params: { nEstimators: 4, threads: 1, oobScore: true, criterion: 'entropy' } });
learnerConformance(randomForestRegressor, { params: { nEstimators: 5, threads: 1 } });
learnerConformance(extraTrees, { params: { nEstimators: 5, threads: 1, maxDepth: 6 } });
learnerConformance(extraTreesRegressor, { params: { nEstimators: 5, threads: 1, minSamplesLeaf: 3 } });

test('the forest is the same with 1 and 2 threads (per-tree random streams, folded in tree order)', async () => {
  const { X, y } = makeDataset('binary', 400);
  const params = { nEstimators: 6, oobScore: true };
  const one = await randomForest.fit(X, y as Int32Array, 2, { ...params, threads: 1 }, { seed: 9 });
  const two = await randomForest.fit(X, y as Int32Array, 2, { ...params, threads: 2 }, { seed: 9 });
  assert.deepEqual(outputOf(two, X), outputOf(one, X));
  assert.equal(two.oobScore, one.oobScore);
  assert.deepEqual(two.featureImportances(), one.featureImportances());
  // and the worker-trained forest exports like any other
  const diff = Math.max(...Array.from(await onnxOutputOf(two, X), (v, k) => Math.abs(v - outputOf(two, X)[k]!)));
  assert.ok(diff <= 1e-5, `ONNX differs by ${diff}`);
});

test('progress comes once per tree, with the out-of-bag score and the validation loss', async () => {
  const train = makeDataset('binary', 300, 5, 1);
  const validation = makeDataset('binary', 100, 5, 2);
  const seen: ForestProgress[] = [];
  const model = await randomForest.fit(train.X, train.y as Int32Array, 2, { nEstimators: 8, oobScore: true, threads: 1 }, {
    seed: 1,
    validation: { X: validation.X, y: validation.y },
    onProgress: (p) => seen.push(p),
  });
  assert.deepEqual(seen.map((p) => p.iteration), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(seen.every((p) => p.maxIterations === 8 && Number.isFinite(p.trainLoss) && Number.isFinite(p.validationLoss)));
  const last = seen[seen.length - 1]!;
  assert.ok(last.oobScore !== undefined && last.oobScore > 0.6, `out-of-bag accuracy ${last.oobScore}`);
  assert.equal(model.oobScore, last.oobScore);
  // more trees, lower validation log loss (a forest's loss falls as trees are averaged)
  assert.ok(last.validationLoss! < seen[0]!.validationLoss!);
});

test('the regressor reports an out-of-bag R² and keeps it through save and load', async () => {
  const { X, y } = makeDataset('regression', 300);
  const model = await randomForestRegressor.fit(X, y as Float64Array, { nEstimators: 10, oobScore: true, threads: 1 }, { seed: 2 });
  assert.ok(model.oobScore !== null && model.oobScore > 0.5 && model.oobScore < 1, `R² ${model.oobScore}`);
  const restored = loadPredictor(JSON.parse(JSON.stringify(model.toJSON())));
  assert.equal((restored as typeof model).oobScore, model.oobScore);
});

test('aborting mid-training stops with CANCELLED, in the main thread and in workers', async () => {
  const { X, y } = makeDataset('binary', 300);
  for (const threads of [1, 2]) {
    const controller = new AbortController();
    let trees = 0;
    await assert.rejects(
      randomForest.fit(X, y as Int32Array, 2, { nEstimators: 200, threads }, {
        seed: 1,
        signal: controller.signal,
        onProgress: () => {
          if (++trees === 2) controller.abort();
        },
      }),
      (e: unknown) => isKilnError(e, 'CANCELLED'),
    );
    // no progress after the abort, even for trees the workers had already finished
    assert.equal(trees, 2, `progress reported for ${trees} trees`);
  }
});

test('importances point at the informative features', async () => {
  // makeDataset puts the class signal in the first 3 of 5 columns
  const { X, y } = makeDataset('multiclass', 600);
  for (const learner of [randomForest, extraTrees]) {
    const importances = (await learner.fit(X, y as Int32Array, 3, { nEstimators: 20, threads: 1 }, { seed: 3 })).featureImportances();
    assert.ok(Math.abs(importances.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.ok(Math.min(importances[0]!, importances[1]!) > Math.max(importances[3]!, importances[4]!), `${learner.name}: ${Array.from(importances)}`);
  }
});

test('an out-of-bag score without bootstrap is refused with a clear message', async () => {
  const { X, y } = makeDataset('binary', 50);
  await assert.rejects(
    extraTrees.fit(X, y as Int32Array, 2, { nEstimators: 2, oobScore: true }),
    expectCode('INVALID_PARAMS', (d) => assert.match(String(d['summary']), /oobScore needs bootstrap/)),
  );
});
