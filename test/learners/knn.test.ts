/** k-nearest neighbours against scikit-learn (classic-knn.json), and the search against a naive one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { matrixFromRows } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import { knnClassifier, knnParams, knnRegressor } from '../../src/learners/knn/knn.js';
import { clearOfTies, nearestNeighbours } from '../../src/learners/knn/nearest-neighbours.js';
import { getLearner } from '../../src/learners/registry.js';
import { rowSquaredNorms, squaredDistanceNaive } from '../../src/learners/kmeans/squared-distances.js';
import { loadPredictor } from '../../src/learners/registry.js';
import { expectCode, maxAbsDiff } from '../helpers/assertions.js';
import { learnerConformance, makeDataset, onnxOutputOf } from './learner-conformance.js';

interface Fixture {
  sklearn_version: string;
  classifier: { Xtrain: number[][]; ytrain: number[]; Xtest: number[][]; ytest: number[]; fits: { params: { k: number; weights: 'uniform' | 'distance' }; proba: number[][]; accuracy: number }[] };
  regressor: { Xtrain: number[][]; ytrain: number[]; Xtest: number[][]; fits: { params: { k: number; weights: 'uniform' | 'distance' }; prediction: number[] }[] };
}
const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/classic-knn.json', import.meta.url), 'utf8')) as Fixture;

learnerConformance(knnClassifier);
learnerConformance(knnClassifier, { data: makeDataset('multiclass'), params: { nNeighbors: 4 } });
learnerConformance(knnRegressor, { params: { nNeighbors: 3 } });

for (const fit of fx.classifier.fits) {
  test(`classifier ${JSON.stringify(fit.params)} on wine: scikit-learn ${fx.sklearn_version}'s probabilities, in process and in ONNX`, async () => {
    const model = await knnClassifier.fit(matrixFromRows(fx.classifier.Xtrain), Int32Array.from(fx.classifier.ytrain), 3, { nNeighbors: fit.params.k, weights: fit.params.weights });
    const Xtest = matrixFromRows(fx.classifier.Xtest);
    const proba = model.predictProba(Xtest);
    assert.ok(maxAbsDiff(proba.data, fit.proba.flat()) <= 1e-12, `probabilities differ by ${maxAbsDiff(proba.data, fit.proba.flat())}`);
    assert.ok(maxAbsDiff(await onnxOutputOf(model, Xtest), proba.data) <= 1e-5);
  });
}

for (const fit of fx.regressor.fits) {
  test(`regressor ${JSON.stringify(fit.params)} on diabetes: scikit-learn ${fx.sklearn_version}'s predictions, in process and in ONNX`, async () => {
    const model = await knnRegressor.fit(matrixFromRows(fx.regressor.Xtrain), Float64Array.from(fx.regressor.ytrain), { nNeighbors: fit.params.k, weights: fit.params.weights });
    const Xtest = matrixFromRows(fx.regressor.Xtest);
    const prediction = model.predict(Xtest);
    assert.ok(maxAbsDiff(prediction, fit.prediction) <= 1e-9, `predictions differ by ${maxAbsDiff(prediction, fit.prediction)}`);
    // Targets are ~150: float32 carries ~7 digits, so compare relative to the scale.
    const onnx = await onnxOutputOf(model, Xtest);
    onnx.forEach((v, i) => assert.ok(Math.abs(v - prediction[i]!) <= 1e-5 * Math.max(1, Math.abs(prediction[i]!)), `row ${i}: ${v} vs ${prediction[i]}`));
  });
}

test('the blocked search finds what sorting every distance finds', () => {
  const rng = new Rng(8);
  const train = matrixFromRows(Array.from({ length: 700 }, () => Array.from({ length: 6 }, () => rng.normal())));
  const queries = matrixFromRows(Array.from({ length: 45 }, () => Array.from({ length: 6 }, () => rng.normal())));
  const found = nearestNeighbours(queries, train, rowSquaredNorms(train.data, 700, 6), 7);
  for (let q = 0; q < 45; q++) {
    const order = Array.from({ length: 700 }, (_, i) => i).sort(
      (a, b) => squaredDistanceNaive(queries.data, q * 6, train.data, a * 6, 6) - squaredDistanceNaive(queries.data, q * 6, train.data, b * 6, 6) || a - b,
    );
    assert.deepEqual(Array.from(found.indices.subarray(q * 7, q * 7 + 7)), order.slice(0, 7));
  }
});

test('a query whose k-th and (k+1)-th neighbours are tied is not one the float32 graph must match; every other row is, and must', async () => {
  // the query (0, 0) has (1, 0) and (0, 1) at exactly the same distance, (1e-9, 0) at distances 2e-9 apart:
  // with k = 1 either may be nearest in float32
  const X = matrixFromRows([[1, 0], [0, 1], [3, 3], [4, 4]]);
  const y = Int32Array.from([0, 1, 0, 1]);
  const queries = matrixFromRows([[0, 0], [0.9, 0.1], [3.4, 3.4], [1e-9, 0]]);
  const norms = rowSquaredNorms(X.data, 4, 2);
  assert.deepEqual(Array.from(clearOfTies(queries, X, norms, 1)), [0, 1, 1, 0]);
  // k = 2 takes both tied rows: the boundary is now between (0, 1) and (3, 3), far apart
  assert.deepEqual(Array.from(clearOfTies(queries, X, norms, 2)), [1, 1, 1, 1]);
  // no (k+1)-th row: nothing can be tied at the boundary
  assert.deepEqual(Array.from(clearOfTies(queries, X, norms, 4)), [1, 1, 1, 1]);

  const model = await knnClassifier.fit(X, y, 2, { nNeighbors: 1 });
  assert.deepEqual(Array.from(model.onnxExactRows!(queries)), [0, 1, 1, 0]);
  const onnx = await onnxOutputOf(model, queries);
  const proba = model.predictProba(queries).data;
  for (const row of [1, 2]) for (const c of [0, 1]) assert.ok(Math.abs(onnx[row * 2 + c]! - proba[row * 2 + c]!) <= 1e-6);
  // an ensemble's graph must match on the rows every member's must
  const mix = await getLearner('soft-voting', 'binary').fit(X, y, 2, { members: [{ learner: 'knn', params: { nNeighbors: 1 } }, { learner: 'logistic-regression', params: {} }] });
  assert.deepEqual(Array.from(mix.onnxExactRows!(queries)), [0, 1, 1, 0]);
});

test('distance weighting: a query equal to training rows takes their labels only (scikit-learn\'s rule), in ONNX too', async () => {
  const X = matrixFromRows([[0, 0], [0, 0], [1, 0], [0, 1], [5, 5]]);
  const y = Int32Array.from([1, 1, 0, 0, 0]);
  const model = await knnClassifier.fit(X, y, 2, { nNeighbors: 4, weights: 'distance' });
  const query = matrixFromRows([[0, 0]]);
  assert.deepEqual(Array.from(model.predictProba(query).data), [0, 1]);
  assert.deepEqual(Array.from(await onnxOutputOf(model, query)), [0, 1]);
});

test('parameters, saving and errors', async () => {
  assert.deepEqual(knnParams.parse({}), { nNeighbors: 5, weights: 'uniform' });
  const X = matrixFromRows(fx.classifier.Xtrain);
  const y = Int32Array.from(fx.classifier.ytrain);
  await assert.rejects(knnClassifier.fit(matrixFromRows([[1], [2]]), Int32Array.from([0, 1]), 2, { nNeighbors: 3 }), expectCode('FEWER_ROWS_THAN_PARAM', (d) => assert.equal(d['param'], 'nNeighbors')));
  await assert.rejects(knnClassifier.fit(X, y, 3, { k: 3 }), expectCode('INVALID_PARAMS'));
  const model = await knnClassifier.fit(X, y, 3, { nNeighbors: 3 });
  const importances = model.featureImportances();
  assert.ok(Math.abs(importances.reduce((a, b) => a + b) - 1) < 1e-12);
  const saved = JSON.parse(JSON.stringify(model.toJSON())) as ReturnType<typeof model.toJSON>;
  const loaded = loadPredictor(saved);
  assert.equal(loaded.kind, 'classifier');
  if (loaded.kind === 'classifier') assert.deepEqual(loaded.predictProba(X), model.predictProba(X));
  assert.throws(() => knnClassifier.load({ ...saved, state: { ...(saved.state as object), nClasses: 2 } }), expectCode('INVALID_PREDICTOR'));
  assert.throws(() => knnRegressor.load(saved), expectCode('INVALID_PREDICTOR'));
});
