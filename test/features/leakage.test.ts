// Preprocessing must never let the test part (or a row's own target) leak into what a model trains on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { randomSplit } from '../../src/data/split.js';
import { TabularPreprocessor, type ColumnPlan } from '../../src/features/tabular-preprocessor.js';

/** Area under the ROC curve of `score` for the 0/1 `y`, by counting pairs (ties count half). */
function auc(score: ArrayLike<number>, y: Int32Array): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      const d = (score[i] as number) - (score[j] as number);
      wins += d > 0 ? 1 : d === 0 ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

function table(n: number, seed: number): Frame {
  const rng = new Rng(seed);
  return new Frame([
    { kind: 'numeric', name: 'x', values: Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? Number.NaN : rng.normal())) },
    { kind: 'categorical', name: 'c', values: Array.from({ length: n }, () => (rng.next() < 0.1 ? null : `c${rng.int(6)}`)) },
    { kind: 'categorical', name: 't', values: Array.from({ length: n }, () => `${['good', 'bad', 'fine'][rng.int(3)]} words here`) },
  ]);
}

const PLAN: ColumnPlan[] = [
  { name: 'x', kind: 'numeric', transform: { scale: { method: 'robust' } } },
  { name: 'c', kind: 'categorical', transform: { encode: { method: 'onehot', min_frequency: 5 } } },
  { name: 't', kind: 'text' },
];

test('fitted statistics come from the training part only', () => {
  const frame = table(200, 1);
  const { train, test } = randomSplit(200, 0.25, 3);
  const fitted = TabularPreprocessor.fit(frame.take(train), PLAN).toJSON();
  // Wildly different test rows change nothing that was fitted…
  const wild = new Frame([
    { kind: 'numeric', name: 'x', values: Float64Array.from({ length: 200 }, (_, i) => (test.includes(i) ? 1e9 : (frame.get('x')?.values[i] as number))) },
    { kind: 'categorical', name: 'c', values: Array.from({ length: 200 }, (_, i) => (test.includes(i) ? 'only-in-test' : ((frame.get('c')?.values[i] as string | null) ?? null))) },
    { kind: 'categorical', name: 't', values: Array.from({ length: 200 }, (_, i) => (test.includes(i) ? 'leaky vocabulary' : (frame.get('t')?.values[i] as string))) },
  ]);
  const p = TabularPreprocessor.fit(wild.take(train), PLAN);
  assert.deepEqual(p.toJSON(), fitted);
  // …and transforming the test part refits nothing.
  p.transform(wild.take(test));
  assert.deepEqual(p.toJSON(), fitted);
  assert.ok(!p.featureNames().some((f) => f.includes('only-in-test') || f.includes('leaky')));
});

test('target encoding is cross-fitted: a pure-noise category does not look predictive on the training part', () => {
  const n = 600;
  const rng = new Rng(42);
  // 150 categories of ~4 rows each and a coin-flip target: the category says nothing about it.
  const noise = new Frame([{ kind: 'categorical', name: 'noise', values: Array.from({ length: n }, () => `k${rng.int(150)}`) }]);
  const y = Int32Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));
  const plan: ColumnPlan[] = [{ name: 'noise', kind: 'categorical', transform: { encode: { method: 'target' } } }];
  const { preprocessor, features } = TabularPreprocessor.fitTransform(noise, plan, { target: { kind: 'classes', classIndex: y, nClasses: 2 }, seed: 7 });

  const crossFitted = auc(features.data, y);
  assert.ok(crossFitted > 0.4 && crossFitted < 0.6, `cross-fitted AUC ${crossFitted}`);
  // The same encoder applied naively to its own training rows (a copy of the frame, so no
  // cross-fitting) memorises the targets: this is the leak cross-fitting prevents.
  const naive = auc(preprocessor.transform(noise.take(Int32Array.from({ length: n }, (_, i) => i))).data, y);
  assert.ok(naive > 0.75, `naive AUC ${naive}`);
  // fit-then-transform of the very training frame gives the cross-fitted features too.
  assert.deepEqual(preprocessor.transform(noise).data, features.data);
  // Seeded: the same seed gives the same folds.
  const again = TabularPreprocessor.fitTransform(noise, plan, { target: { kind: 'classes', classIndex: y, nClasses: 2 }, seed: 7 });
  assert.deepEqual(again.features.data, features.data);
});

test('target encoding without a target is a clear error', () => {
  assert.throws(
    () => TabularPreprocessor.fit(table(20, 2), [{ name: 'c', kind: 'categorical', transform: { encode: { method: 'target' } } }]),
    (e: Error & { code?: string }) => e.code === 'TARGET_REQUIRED' && /"c"/.test(e.message),
  );
});
