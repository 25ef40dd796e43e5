import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame } from '../../../src/core/frame.js';
import { createMatrix } from '../../../src/core/matrix.js';
import { Rng } from '../../../src/core/rng.js';
import { adjustedRandIndex } from '../../../src/evaluate/metrics/adjusted-rand.js';
import { kmeans } from '../../../src/learners/kmeans/kmeans.js';
import { chooseK, elbowOf } from '../../../src/modules/cluster/choose-k.js';
import { formatNumber, profileSegments } from '../../../src/modules/cluster/segment-profiles.js';

/** n rows around each of the centres, sd 1 (well separated when the centres are ≥ 8 apart). */
function blobs(centres: readonly (readonly number[])[], n: number, seed: number) {
  const rng = new Rng(seed);
  const d = centres[0]!.length;
  const X = createMatrix(centres.length * n, d);
  const truth = new Int32Array(centres.length * n);
  centres.forEach((c, k) => {
    for (let i = 0; i < n; i++) {
      const row = k * n + i;
      truth[row] = k;
      for (let j = 0; j < d; j++) X.data[row * d + j] = c[j]! + rng.normal();
    }
  });
  return { X, truth };
}

test('elbowOf finds the bend of a falling curve, and none on a straight line', () => {
  assert.equal(elbowOf([2, 3, 4, 5, 6, 7], [1000, 600, 200, 180, 165, 150]), 4);
  assert.equal(elbowOf([2, 3, 4, 5, 6], [500, 400, 300, 200, 100]), null);
  assert.equal(elbowOf([2, 3], [10, 5]), null);
});

test('chooseK suggests the generated number of clusters, recovers them (ARI ≥ 0.9), and returns the model fitted for it', async () => {
  const { X, truth } = blobs([[0, 0], [10, 0], [0, 10], [10, 10]], 60, 5);
  const fitted: number[] = [];
  const { choice, model } = await chooseK(X, async (k) => {
    fitted.push(k);
    return kmeans.fit(X, { nClusters: k, nInit: 3 }, { seed: 1 });
  }, { seed: 1 });
  assert.deepEqual(fitted, [2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(choice.k, 4);
  assert.equal(model.nClusters, 4);
  assert.equal(choice.elbow, 4);
  assert.match(choice.sentence, /^k=4: the silhouette is highest \(0\.\d\d\) and the inertia curve bends there$/);
  assert.ok(adjustedRandIndex(truth, model.predict(X)) >= 0.9);
  // the silhouette of the chosen k is the best of all candidates
  for (const c of choice.candidates) assert.ok(c.silhouette <= choice.candidates.find((x) => x.k === 4)!.silhouette);
});

test('chooseK never tries more clusters than rows allow', async () => {
  const { X } = blobs([[0], [10]], 3, 2);
  const { choice } = await chooseK(X, (k) => kmeans.fit(X, { nClusters: k, nInit: 1 }, { seed: 0 }), { seed: 0 });
  assert.deepEqual(choice.candidates.map((c) => c.k), [2, 3, 4, 5]);
});

test('profiles say what sets each segment apart: higher/lower numbers by z of the mean, over-represented categories', () => {
  // segment 0: young, mobile; segment 1: older, high spend, store; spend missing on one row
  const frame = new Frame([
    { kind: 'numeric', name: 'age', values: Float64Array.from([20, 22, 24, 60, 62, 64]) },
    { kind: 'numeric', name: 'spend', values: Float64Array.from([100, Number.NaN, 120, 900, 950, 1000]) },
    { kind: 'numeric', name: 'flat', values: Float64Array.from([1, 1, 1, 1, 1, 1]) },
    { kind: 'categorical', name: 'channel', values: ['mobile', 'mobile', 'mobile', 'store', 'store', null] },
  ]);
  const profiles = profileSegments(frame, Int32Array.from([0, 0, 0, 1, 1, 1]), 2);
  assert.equal(profiles.length, 2);
  assert.deepEqual(profiles.map((p) => [p.rows, p.share]), [[3, 0.5], [3, 0.5]]);
  const young = profiles[0]!;
  assert.deepEqual(young.traits.map((t) => t.column).sort(), ['age', 'channel', 'spend']);
  assert.match(young.sentence, /^Segment 0 \(50%\): /);
  assert.match(young.sentence, /lower age \(22 vs 42 overall\)/);
  assert.match(young.sentence, /mostly mobile \(channel: 100% vs 60% overall\)/);
  const age = young.traits.find((t) => t.column === 'age')!;
  // z of the segment mean: (22 − 42) / population sd of all ages
  const all = [20, 22, 24, 60, 62, 64];
  const sd = Math.sqrt(all.reduce((a, v) => a + (v - 42) ** 2, 0) / all.length);
  assert.ok(Math.abs(age.z - (22 - 42) / sd) < 1e-12);
  assert.match(profiles[1]!.sentence, /higher spend \(950 vs 614 overall\)/);
  assert.ok(!profiles.some((p) => p.traits.some((t) => t.column === 'flat')), 'a constant column sets nothing apart');
});

test('a segment like the whole reads as such', () => {
  const frame = new Frame([{ kind: 'numeric', name: 'x', values: Float64Array.from([1, 2, 1, 2]) }]);
  const [p] = profileSegments(frame, Int32Array.from([0, 0, 0, 0]), 1);
  assert.equal(p!.sentence, 'Segment 0 (100%): close to the overall averages on every column');
});

test('formatNumber keeps three significant digits and groups thousands', () => {
  assert.equal(formatNumber(0.123456), '0.123');
  assert.equal(formatNumber(42.049), '42');
  assert.equal(formatNumber(12345.6), '12,346');
});
