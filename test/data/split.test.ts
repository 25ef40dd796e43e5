import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Rng } from '../../src/core/rng.js';
import { groupSplit, randomSplit, stratifiedSplit, timeSplit, type Split } from '../../src/data/split.js';
import { groupKFold, kFold, stratifiedAllocation, stratifiedKFold, timeSeriesSplit } from '../../src/data/splits/k-fold.js';

const sk = JSON.parse(readFileSync(new URL('../fixtures/sklearn/features-splits.json', import.meta.url), 'utf8')) as {
  kfold_10_3: number[][];
  stratified_y: number[];
  stratified_counts_4: number[][];
  groups: number[];
  group_kfold_3_test_groups: number[][];
  timeseries: { params: { n_splits: number; gap?: number; max_train_size?: number; test_size?: number }; folds: { train: number[]; test: number[] }[] }[];
};

/** Train and test are disjoint and together cover 0..n-1 exactly once. */
function assertPartition(split: Split, n: number, what: string): void {
  const seen = new Uint8Array(n);
  for (const i of [...split.train, ...split.test]) {
    assert.ok(i >= 0 && i < n, `${what}: index ${i} out of range`);
    assert.equal(seen[i], 0, `${what}: row ${i} appears twice`);
    seen[i] = 1;
  }
  assert.equal(split.train.length + split.test.length, n, `${what}: rows missing`);
}

/** The test parts of k folds are disjoint and cover every row once; each fold is a partition. */
function assertFolds(folds: Split[], n: number, what: string): void {
  const inTest = new Uint8Array(n);
  folds.forEach((f, k) => {
    assertPartition(f, n, `${what} fold ${k}`);
    for (const i of f.test) inTest[i] = (inTest[i] as number) + 1;
  });
  assert.ok(inTest.every((c) => c === 1), `${what}: every row is tested exactly once`);
}

function randomClasses(n: number, nClasses: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  // Skewed class sizes so that rounding matters.
  return Int32Array.from({ length: n }, () => Math.min(nClasses - 1, Math.floor(rng.next() ** 2 * nClasses)));
}

test('holdout splits are seeded partitions', () => {
  for (const n of [5, 37, 200]) {
    const a = randomSplit(n, 0.25, 7);
    assertPartition(a, n, 'random');
    assert.equal(a.test.length, Math.ceil(0.25 * n));
    assert.deepEqual(randomSplit(n, 0.25, 7), a, 'same seed, same split');
    assert.notDeepEqual(randomSplit(n, 0.25, 8).test, a.test, 'another seed, another split');
    const classes = randomClasses(n, 3, n);
    const strat = stratifiedSplit(classes, 3, 0.25, 1);
    assertPartition(strat, n, 'stratified');
    for (let c = 0; c < 3; c++) {
      const size = classes.filter((k) => k === c).length;
      const inTest = Array.from(strat.test).filter((i) => classes[i] === c).length;
      assert.ok(Math.abs(inTest - (size * strat.test.length) / n) < 1, `class ${c}: ${inTest} of ${size} in the test part`);
    }
  }
});

test('grouped holdout never splits a group', () => {
  const groups = Array.from({ length: 300 }, (_, i) => `g${(i * 7919) % 41}`);
  for (const seed of [1, 2, 3]) {
    const s = groupSplit(groups, 0.2, seed);
    assertPartition(s, groups.length, 'group split');
    const testGroups = new Set(Array.from(s.test, (i) => groups[i]));
    for (const i of s.train) assert.ok(!testGroups.has(groups[i]), `group ${groups[i]} on both sides`);
    assert.equal(testGroups.size, Math.ceil(0.2 * 41));
  }
  assert.throws(() => groupSplit(['a', 'a'], 0.5, 1), (e: Error & { code?: string }) => e.code === 'TOO_FEW_GROUPS');
});

test('time-ordered holdout tests on the latest rows', () => {
  const rng = new Rng(3);
  const times = Array.from({ length: 101 }, () => Math.floor(rng.next() * 1000));
  const s = timeSplit(times, 0.3);
  assertPartition(s, times.length, 'time split');
  const lastTrain = Math.max(...Array.from(s.train, (i) => times[i] as number));
  const firstTest = Math.min(...Array.from(s.test, (i) => times[i] as number));
  assert.ok(lastTrain <= firstTest, `train reaches ${lastTrain}, test starts at ${firstTest}`);
  assert.throws(() => timeSplit([1, Number.NaN, 3], 0.3), (e: Error & { code?: string }) => e.code === 'TIME_MISSING' && /row 2/.test(e.message));
});

test('KFold: sizes like scikit-learn, seeded shuffling', () => {
  const plain = kFold(10, 3, { shuffle: false });
  assert.deepEqual(plain.map((f) => Array.from(f.test)), sk.kfold_10_3);
  for (const n of [7, 50, 101]) {
    const folds = kFold(n, 5, { seed: 3 });
    assertFolds(folds, n, `kfold n=${n}`);
    const sizes = folds.map((f) => f.test.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
    assert.deepEqual(kFold(n, 5, { seed: 3 }), folds);
  }
  assert.throws(() => kFold(3, 5), (e: Error & { code?: string }) => e.code === 'INVALID_SPLIT');
  assert.throws(() => kFold(10, 1), (e: Error & { code?: string }) => e.code === 'INVALID_SPLIT');
});

test('StratifiedKFold: scikit-learn allocation, each class within ±1 across folds', () => {
  const y = Int32Array.from(sk.stratified_y);
  const allocation = stratifiedAllocation(y, 3, 4);
  assert.deepEqual(allocation, sk.stratified_counts_4);
  const unshuffled = stratifiedKFold(y, 3, 4, { shuffle: false });
  assert.deepEqual(unshuffled.map((f) => [0, 1, 2].map((c) => Array.from(f.test).filter((i) => y[i] === c).length)), sk.stratified_counts_4);

  for (const [n, nClasses, k] of [[60, 2, 5], [113, 4, 7], [40, 3, 10]] as const) {
    const classes = randomClasses(n, nClasses, n + k);
    const folds = stratifiedKFold(classes, nClasses, k, { seed: 11 });
    assertFolds(folds, n, `stratified n=${n}`);
    for (let c = 0; c < nClasses; c++) {
      const perFold = folds.map((f) => Array.from(f.test).filter((i) => classes[i] === c).length);
      assert.ok(Math.max(...perFold) - Math.min(...perFold) <= 1, `class ${c}: ${perFold.join(',')}`);
    }
  }
});

test('GroupKFold: groups never straddle folds; placement like scikit-learn', () => {
  const folds = groupKFold(sk.groups, 3);
  assert.deepEqual(folds.map((f) => [...new Set(Array.from(f.test, (i) => sk.groups[i]))].sort()), sk.group_kfold_3_test_groups);
  const groups = Array.from({ length: 500 }, (_, i) => (i * 31) % 53);
  for (const seed of [0, 1]) {
    const gf = groupKFold(groups, 5, { seed });
    assertFolds(gf, groups.length, 'group kfold');
    for (const f of gf) {
      const testGroups = new Set(Array.from(f.test, (i) => groups[i]));
      for (const i of f.train) assert.ok(!testGroups.has(groups[i] as number));
    }
  }
  assert.throws(() => groupKFold([1, 1, 2], 3), (e: Error & { code?: string }) => e.code === 'TOO_FEW_GROUPS');
});

test('TimeSeriesSplit: the same windows as scikit-learn; training always precedes testing', () => {
  const times = Array.from({ length: 20 }, (_, i) => 1000 + i);
  for (const { params, folds } of sk.timeseries) {
    const got = timeSeriesSplit(times, params.n_splits, {
      ...(params.gap !== undefined && { gap: params.gap }),
      ...(params.max_train_size !== undefined && { maxTrainSize: params.max_train_size }),
      ...(params.test_size !== undefined && { testSize: params.test_size }),
    });
    assert.deepEqual(got.map((f) => ({ train: Array.from(f.train), test: Array.from(f.test) })), folds, JSON.stringify(params));
  }
  // Rows out of time order: indices refer to the original rows, and time order is respected.
  const rng = new Rng(9);
  const shuffled = Array.from({ length: 60 }, () => rng.next() * 1e6);
  for (const f of timeSeriesSplit(shuffled, 4, { gap: 1 })) {
    const lastTrain = Math.max(...Array.from(f.train, (i) => shuffled[i] as number));
    const firstTest = Math.min(...Array.from(f.test, (i) => shuffled[i] as number));
    assert.ok(lastTrain < firstTest);
  }
  assert.throws(() => timeSeriesSplit([1, 2, 3], 3), (e: Error & { code?: string }) => e.code === 'INVALID_SPLIT');
});
