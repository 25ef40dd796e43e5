/**
 * The tabular protocol: a spec's `split.group` keeps every group on one side of the holdout and of
 * every search fold; `split.time` makes the latest rows the test and lets folds train on the past only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame } from '../../src/core/frame.js';
import { encodeTarget } from '../../src/modules/tabular/plan-columns.js';
import { crossValidationFolds, holdoutSplit, splitProtocol } from '../../src/modules/tabular/split-rows.js';
import { validateSpec } from '../../src/modules/spec.js';
import { KilnError } from '../../src/core/errors.js';

const n = 120;
const frame = new Frame([
  { kind: 'categorical', name: 'customer', values: Array.from({ length: n }, (_, i) => `c${i % 17}`) },
  { kind: 'categorical', name: 'day', values: Array.from({ length: n }, (_, i) => new Date(Date.UTC(2026, 0, 1 + ((i * 37) % n))).toISOString().slice(0, 10)) },
  { kind: 'numeric', name: 'x', values: Float64Array.from({ length: n }, (_, i) => Math.sin(i)) },
  { kind: 'numeric', name: 'y', values: Float64Array.from({ length: n }, (_, i) => i % 2) },
]);
const specWith = (split: Record<string, unknown>) => validateSpec({ name: 't', data: 'x.csv', target: 'y', split }, null, '/tmp').spec;

test('grouped: no customer is on both sides of the holdout or of any fold', () => {
  const spec = specWith({ group: 'customer', test: 0.25 });
  assert.equal(splitProtocol(spec), 'grouped by customer');
  const target = encodeTarget(frame, spec);
  const split = holdoutSplit(frame, target, spec);
  const customers = frame.get('customer')?.values as string[];
  const side = (rows: Int32Array) => new Set(Array.from(rows, (r) => customers[r]));
  const trainGroups = side(split.train);
  for (const g of side(split.test)) assert.ok(!trainGroups.has(g), `${g} on both sides`);
  assert.equal(split.train.length + split.test.length, n);

  const folds = crossValidationFolds(frame, split.train, target, 3, spec);
  assert.equal(folds.length, 3);
  for (const fold of folds) {
    const inTrain = new Set(Array.from(fold.train, (p) => customers[split.train[p] as number]));
    for (const p of fold.test) assert.ok(!inTrain.has(customers[split.train[p] as number]));
  }
});

test('time-ordered: the test holds the latest days, and each fold validates on days after its training rows', () => {
  const spec = specWith({ time: 'day', test: 0.2 });
  assert.equal(splitProtocol(spec), 'ordered by day');
  const target = encodeTarget(frame, spec);
  const split = holdoutSplit(frame, target, spec);
  const days = frame.get('day')?.values as string[];
  const latestTrain = Math.max(...Array.from(split.train, (r) => Date.parse(days[r] as string)));
  const earliestTest = Math.min(...Array.from(split.test, (r) => Date.parse(days[r] as string)));
  assert.ok(latestTrain <= earliestTest);
  assert.equal(split.test.length, 24);

  for (const fold of crossValidationFolds(frame, split.train, target, 4, spec)) {
    const time = (p: number) => Date.parse(days[split.train[p] as number] as string);
    assert.ok(Math.max(...Array.from(fold.train, time)) <= Math.min(...Array.from(fold.test, time)));
  }
});

test('a split column that does not exist, or both group and time, is refused with a coded error', () => {
  const spec = specWith({ group: 'shop' });
  assert.throws(() => holdoutSplit(frame, encodeTarget(frame, spec), spec), (err: unknown) => err instanceof KilnError && err.code === 'COLUMN_NOT_FOUND' && /split's group column/.test(err.message));
  assert.throws(() => specWith({ group: 'customer', time: 'day' }), (err: unknown) => err instanceof KilnError && err.code === 'INVALID_SPEC' && /group or time/.test(err.message));
});

test('a module trained with a search under split.group records the protocol and searches grouped folds', async () => {
  const { openHome } = await import('../../src/store/open-store.js');
  const { tempHome } = await import('../helpers/kiln-cli.js');
  const { trainTabularModule } = await import('../../src/modules/tabular/train-tabular.js');
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = tempHome('kiln-split-');
  const lines = ['customer,x,z,y'];
  for (let i = 0; i < 300; i++) {
    const x = Math.sin(i * 1.7);
    lines.push(`c${i % 23},${x.toFixed(4)},${Math.cos(i).toFixed(4)},${x + 0.3 * Math.sin(i * 5.1) > 0 ? 1 : 0}`);
  }
  writeFileSync(join(dir, 'data.csv'), lines.join('\n') + '\n');
  const home = await openHome(dir);
  try {
    // The search fits on worker threads (one per core) whose start-up counts in the budget: 6 s, not 2, so
    // that a loaded machine's slow start-up cannot cancel the defaults (then no model would be trained).
    const loaded = validateSpec(
      { name: 'grouped', data: 'data.csv', target: 'y', drop: ['customer'], split: { group: 'customer' }, budget: 6, learners: ['logistic-regression'], folds: 3 },
      null,
      dir,
    );
    const result = await trainTabularModule(loaded, home);
    assert.ok(result.search !== undefined && result.search.trials > 0);
    const run = await home.store.getRun(result.runId);
    assert.equal(run.params['split'], 'grouped by customer');
    assert.ok(result.metrics.test['roc_auc']! > 0.8, JSON.stringify(result.metrics.test));
  } finally {
    await home.store.close();
  }
});
