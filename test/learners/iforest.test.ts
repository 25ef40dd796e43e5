/** Isolation forest against scikit-learn's AUC on planted anomalies (classic-iforest.json). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMatrix, matrixFromRows } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import { binaryRocAuc } from '../../src/evaluate/metrics/index.js';
import { averagePathLength, growIsolationTree, pathLengthOf } from '../../src/learners/iforest/isolation-tree.js';
import { isolationForest, isolationForestParams } from '../../src/learners/iforest/isolation-forest.js';
import { loadPredictor } from '../../src/learners/registry.js';
import { GraphBuilder } from '../../src/onnx/graph-builder.js';
import { openSession, ort } from '../../src/onnx/session.js';
import { expectCode, maxAbsDiff } from '../helpers/assertions.js';
import { learnerConformance } from './learner-conformance.js';

interface Fixture {
  sklearn_version: string;
  X: number[][];
  y: number[];
  aucMean: number;
  aucMin: number;
  flaggedAt5Percent: number[];
}
const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/classic-iforest.json', import.meta.url), 'utf8')) as Fixture;
const X = matrixFromRows(fx.X);
const anomalous = Uint8Array.from(fx.y);

learnerConformance(isolationForest, { params: { nEstimators: 20 } });
learnerConformance(isolationForest, { params: { nEstimators: 10, maxSamples: 64, contamination: 0.1 } });

test(`AUC on planted anomalies matches scikit-learn ${fx.sklearn_version}'s (mean over seeds)`, async () => {
  const aucs: number[] = [];
  for (let seed = 0; seed < 3; seed++) {
    const model = await isolationForest.fit(X, {}, { seed });
    aucs.push(binaryRocAuc(anomalous, model.score(X)));
  }
  const mean = aucs.reduce((a, b) => a + b) / aucs.length;
  assert.ok(mean >= fx.aucMean - 0.01, `AUC ${mean} vs scikit-learn's ${fx.aucMean}`);
  assert.ok(Math.min(...aucs) >= fx.aucMin - 0.01, `worst AUC ${Math.min(...aucs)} vs scikit-learn's worst ${fx.aucMin}`);
});

test('contamination sets the threshold: that share of training rows is flagged; auto flags scores above 0.5', async () => {
  const model = await isolationForest.fit(X, { contamination: 0.05 }, { seed: 1 });
  const flagged = model.predict(X).reduce((a, b) => a + b, 0) / X.rows;
  assert.ok(Math.abs(flagged - 0.05) <= 0.002, `flagged ${flagged}`);
  const auto = await isolationForest.fit(X, {}, { seed: 1 });
  assert.equal(auto.threshold, 0.5);
  const scores = auto.score(X);
  assert.deepEqual(auto.predict(X), Int32Array.from(scores, (s) => (s > 0.5 ? 1 : 0)));
});

test('score is 2^(−E[h]/c(ψ)) with c the average path length of scikit-learn', async () => {
  assert.equal(averagePathLength(1), 0);
  assert.equal(averagePathLength(2), 1);
  assert.ok(Math.abs(averagePathLength(256) - 10.244770920119917) < 1e-12); // scikit-learn's _average_path_length(256)
  const model = await isolationForest.fit(X, { nEstimators: 5 }, { seed: 2 });
  const h = model.meanPathLength(X);
  const s = model.score(X);
  h.forEach((v, i) => assert.ok(Math.abs(s[i]! - 2 ** (-v / averagePathLength(256))) < 1e-15));
});

test('a tree isolates every row of its sample or stops at the depth limit', () => {
  const rng = new Rng(3);
  const x = Float32Array.from({ length: 64 * 3 }, () => rng.normal());
  const sample = Int32Array.from({ length: 64 }, (_, i) => i);
  const tree = growIsolationTree(x, 3, sample, 6, rng);
  for (let i = 0; i < 64; i++) {
    const h = pathLengthOf(tree, x, i * 3);
    assert.ok(h >= 1 && h <= 6 + averagePathLength(64), `path ${h}`);
  }
  // Identical rows cannot be split: the root is a leaf holding them all.
  const same = growIsolationTree(new Float32Array(10 * 2).fill(1), 2, Int32Array.from({ length: 10 }, (_, i) => i), 4, rng);
  assert.equal(same.feature[0], -1);
  assert.equal(same.pathLength[0], averagePathLength(10));
});

test('the ONNX export gives the same scores and flags', async () => {
  const model = await isolationForest.fit(X, { nEstimators: 30, contamination: 0.05 }, { seed: 5 });
  const g = new GraphBuilder('iforest');
  const features = g.input('features', 'float', ['N', X.cols]);
  const out = model.toOnnx(g, features);
  g.output(out.score, 'score', 'float', ['N', 1]);
  g.output(out.flag, 'flag', 'int64', ['N', 1]);
  const session = await openSession(g.toBytes({ producerVersion: 'test' }));
  const result = await session.run({ features: new ort.Tensor('float32', Float32Array.from(X.data), [X.rows, X.cols]) });
  const scores = model.score(X);
  assert.ok(maxAbsDiff(Float64Array.from(result['score']!.data as Float32Array), scores) < 1e-5);
  const flags = Array.from(result['flag']!.data as BigInt64Array, Number);
  const expected = Array.from(model.predict(X));
  // Rows scoring within float32 rounding of the threshold may flip; none should here.
  const close = Array.from(scores, (s) => Math.abs(s - model.threshold) < 1e-6);
  flags.forEach((f, i) => assert.ok(close[i] || f === expected[i], `row ${i}`));
  await session.release();
});

test('parameters, importances, saving and errors', async () => {
  assert.deepEqual(isolationForestParams.parse({}), { nEstimators: 100, maxSamples: 'auto', contamination: 'auto' });
  await assert.rejects(isolationForest.fit(X, { contamination: 0.7 }), expectCode('INVALID_PARAMS'));
  await assert.rejects(isolationForest.fit(X, { maxSamples: 1 }), expectCode('INVALID_PARAMS'));
  await assert.rejects(isolationForest.fit(createMatrix(0, 3), {}), expectCode('DATA_EMPTY'));
  const model = await isolationForest.fit(X, { nEstimators: 10, maxSamples: 5000 }, { seed: 1 });
  const importances = model.featureImportances();
  assert.ok(Math.abs(importances.reduce((a, b) => a + b) - 1) < 1e-12);
  const saved = JSON.parse(JSON.stringify(model.toJSON())) as ReturnType<typeof model.toJSON>;
  const loaded = loadPredictor(saved);
  assert.equal(loaded.kind, 'anomaly');
  if (loaded.kind === 'anomaly') assert.deepEqual(loaded.score(X), model.score(X));
  const state = saved.state as { trees: { left: number[] }[] };
  const broken = { ...saved, state: { ...state, trees: [{ ...state.trees[0]!, left: state.trees[0]!.left.map(() => 0) }] } };
  assert.throws(() => isolationForest.load(broken), expectCode('INVALID_PREDICTOR'));
});
