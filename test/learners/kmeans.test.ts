/** k-means and mini-batch k-means against scikit-learn (classic-kmeans.json), and their kernels against naive references. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMatrix, matrixFromRows, type Matrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import type { Progress } from '../../src/learners/learner.js';
import { hamerly } from '../../src/learners/kmeans/hamerly.js';
import { kmeans, kmeansParams } from '../../src/learners/kmeans/kmeans.js';
import { kmeansPlusPlus } from '../../src/learners/kmeans/kmeans-plus-plus.js';
import { lloyd, scaledTolerance } from '../../src/learners/kmeans/lloyd.js';
import { minibatchKmeans } from '../../src/learners/kmeans/minibatch-kmeans.js';
import { rowSquaredNorms, squaredDistanceNaive, squaredDistancesBlock } from '../../src/learners/kmeans/squared-distances.js';
import { loadPredictor } from '../../src/learners/registry.js';
import { GraphBuilder } from '../../src/onnx/graph-builder.js';
import { openSession, ort } from '../../src/onnx/session.js';
import { expectCode, maxAbsDiff } from '../helpers/assertions.js';
import { learnerConformance } from './learner-conformance.js';

interface Fixture {
  sklearn_version: string;
  sets: { label: string; k: number; X: number[][]; inertia: number; centres: number[][]; minibatchInertia: number }[];
}
const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/classic-kmeans.json', import.meta.url), 'utf8')) as Fixture;

learnerConformance(kmeans, { params: { nClusters: 3, nInit: 2 } });
learnerConformance(kmeans, { params: { nClusters: 4, nInit: 1, algorithm: 'lloyd' } });
learnerConformance(minibatchKmeans, { params: { nClusters: 3, batchSize: 50 } });

for (const set of fx.sets) {
  test(`${set.label}, k=${set.k}: best-of-10 inertia within 1% of scikit-learn ${fx.sklearn_version}'s, centres alike`, async () => {
    const X = matrixFromRows(set.X);
    const model = await kmeans.fit(X, { nClusters: set.k }, { seed: 1 });
    assert.ok(model.trainingInertia <= 1.01 * set.inertia, `inertia ${model.trainingInertia} vs ${set.inertia}`);
    assert.ok(Math.abs(model.trainingInertia - model.inertia(X)) <= 1e-9 * set.inertia, 'the recorded inertia is the model\'s');
    if (Math.abs(model.trainingInertia - set.inertia) <= 1e-6 * set.inertia) {
      // The same optimum: every scikit-learn centre has one of ours on it.
      for (const centre of set.centres) {
        const nearest = Math.min(...Array.from({ length: set.k }, (_, c) => Math.sqrt(squaredDistanceNaive(Float64Array.from(centre), 0, model.centres.data, c * X.cols, X.cols))));
        assert.ok(nearest < 1e-6, `centre ${centre} is ${nearest} from ours`);
      }
    }
    const mini = await minibatchKmeans.fit(X, { nClusters: set.k, batchSize: 100 }, { seed: 1 });
    assert.ok(mini.trainingInertia <= 1.02 * set.minibatchInertia, `mini-batch inertia ${mini.trainingInertia} vs scikit-learn's ${set.minibatchInertia}`);
  });
}

test('the blocked distance kernel agrees with the definition', () => {
  const rng = new Rng(5);
  const rows = 37;
  const points = 7;
  const cols = 9;
  const x = Float64Array.from({ length: rows * cols }, () => rng.normal() * 3 + 1);
  const p = Float64Array.from({ length: points * cols }, () => rng.normal());
  const out = new Float64Array(rows * points);
  squaredDistancesBlock(x, rowSquaredNorms(x, rows, cols), 0, rows, p, rowSquaredNorms(p, points, cols), points, cols, out);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < points; c++) {
      const ref = squaredDistanceNaive(x, i * cols, p, c * cols, cols);
      assert.ok(Math.abs((out[i * points + c] as number) - ref) <= 1e-10 * Math.max(1, ref));
    }
  }
});

test("Hamerly's bounds give exactly Lloyd's iterations (its naive reference)", async () => {
  for (const set of fx.sets) {
    const X = matrixFromRows(set.X);
    const start = kmeansPlusPlus(X, set.k, new Rng(9));
    const options = { maxIter: 300, tol: scaledTolerance(X, 1e-4) };
    const a = await lloyd(X, start, set.k, options);
    const b = await hamerly(X, start, set.k, options);
    assert.equal(a.iterations, b.iterations);
    assert.deepEqual(a.labels, b.labels);
    assert.ok(maxAbsDiff(a.centres, b.centres) < 1e-9);
    assert.ok(Math.abs(a.inertia - b.inertia) < 1e-9 * a.inertia);
  }
});

test('k-means++ picks k distinct rows and spreads them out', () => {
  const X = matrixFromRows(fx.sets[0]!.X);
  const centres = kmeansPlusPlus(X, 5, new Rng(2));
  const rows = new Set<number>();
  for (let c = 0; c < 5; c++) {
    const row = fx.sets[0]!.X.findIndex((r) => r.every((v, j) => v === centres[c * X.cols + j]));
    assert.ok(row >= 0, 'each centre is a data row');
    rows.add(row);
  }
  assert.equal(rows.size, 5);
});

test('predict, transform and the ONNX export agree: cluster = argmin distance', async () => {
  const X = matrixFromRows(fx.sets[0]!.X);
  const model = await kmeans.fit(X, { nClusters: 5, nInit: 2 }, { seed: 4 });
  const labels = model.predict(X);
  const distances = model.transform(X);
  for (let i = 0; i < X.rows; i++) {
    const row = Array.from(distances.data.subarray(i * 5, i * 5 + 5));
    assert.equal(labels[i], row.indexOf(Math.min(...row)));
  }
  const g = new GraphBuilder('kmeans');
  const features = g.input('features', 'float', ['N', X.cols]);
  const out = model.toOnnx(g, features);
  g.output(out.cluster, 'cluster', 'int64', ['N', 1]);
  g.output(out.distances, 'distances', 'float', ['N', 5]);
  const session = await openSession(g.toBytes({ producerVersion: 'test' }));
  const result = await session.run({ features: new ort.Tensor('float32', Float32Array.from(X.data), [X.rows, X.cols]) });
  assert.deepEqual(result['cluster']!.dims, [X.rows, 1]);
  assert.deepEqual(Array.from(result['cluster']!.data as BigInt64Array, Number), Array.from(labels));
  assert.ok(maxAbsDiff(Float64Array.from(result['distances']!.data as Float32Array), distances.data) < 1e-5);
  await session.release();
});

test('parameters, progress, importances and errors', async () => {
  assert.deepEqual(kmeansParams.parse({}), { nClusters: 8, nInit: 10, maxIter: 300, tol: 1e-4, algorithm: 'hamerly' });
  const X = matrixFromRows(fx.sets[1]!.X);
  const reports: Progress[] = [];
  const validation = { X: createMatrix(10, X.cols, X.data.slice(0, 10 * X.cols)), y: new Int32Array(10) };
  const model = await kmeans.fit(X, { nClusters: 3, nInit: 2 }, { onProgress: (p) => reports.push(p), validation });
  assert.ok(reports.length >= 2);
  assert.deepEqual(reports.map((r) => r.iteration), reports.map((_, i) => i + 1));
  assert.ok(reports.every((r) => r.maxIterations === 600 && Number.isFinite(r.validationLoss)));
  const importances = model.featureImportances();
  assert.ok(Math.abs(importances.reduce((a, b) => a + b) - 1) < 1e-12);
  assert.ok(importances.every((v) => v >= 0));
  await assert.rejects(kmeans.fit(createMatrix(2, 3), { nClusters: 3 }), expectCode('FEWER_ROWS_THAN_PARAM', (d) => assert.equal(d['param'], 'nClusters')));
  await assert.rejects(kmeans.fit(X, { nClusters: 0 }), expectCode('INVALID_PARAMS'));
  const saved = JSON.parse(JSON.stringify(model.toJSON())) as ReturnType<typeof model.toJSON>;
  const loaded = loadPredictor(saved);
  assert.equal(loaded.kind, 'clusterer');
  if (loaded.kind === 'clusterer') assert.deepEqual(loaded.predict(X), model.predict(X));
  assert.throws(() => kmeans.load({ ...saved, state: { ...(saved.state as object), centres: [[1]] } }), expectCode('INVALID_PREDICTOR'));
});

test('identical rows and more clusters than distinct points still give k clusters (empty ones are relocated)', async () => {
  const X: Matrix = matrixFromRows([[0, 0], [0, 0], [0, 0], [5, 5], [5, 5], [9, 1]]);
  const model = await kmeans.fit(X, { nClusters: 3, nInit: 1 }, { seed: 0 });
  assert.ok(model.trainingInertia < 1e-12);
  assert.equal(new Set(model.predict(X)).size, 3);
});
