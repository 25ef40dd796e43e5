/**
 * The tabular protocol: a spec's `split.group` keeps every group on one side of the holdout and of
 * every search fold; `split.time` makes the latest rows the test and lets folds train on the past only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame } from '../../src/core/frame.js';
import { encodeTarget } from '../../src/modules/tabular/plan-columns.js';
import { crossValidationFolds, crossValidationRepeats, holdoutSplit, REPEATED_CROSS_VALIDATION_ROWS, splitProtocol } from '../../src/modules/tabular/split-rows.js';
import { validateSpec } from '../../src/modules/spec.js';
import { KilnError } from '../../src/core/errors.js';
import type { Split } from '../../src/data/split.js';

const n = 120;
const frame = new Frame([
  { kind: 'categorical', name: 'customer', values: Array.from({ length: n }, (_, i) => `c${i % 17}`) },
  { kind: 'categorical', name: 'day', values: Array.from({ length: n }, (_, i) => new Date(Date.UTC(2026, 0, 1 + ((i * 37) % n))).toISOString().slice(0, 10)) },
  { kind: 'numeric', name: 'x', values: Float64Array.from({ length: n }, (_, i) => Math.sin(i)) },
  { kind: 'numeric', name: 'y', values: Float64Array.from({ length: n }, (_, i) => i % 2) },
]);
const specWith = (split: Record<string, unknown>, more: Record<string, unknown> = {}) => validateSpec({ name: 't', data: 'x.csv', target: 'y', split, ...more }, null, '/tmp').spec;

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

test('on small data the search cuts its folds three times: every cut covers each row once, and the cuts differ', () => {
  const spec = specWith({});
  assert.equal(crossValidationRepeats(spec, 96), 3);
  assert.equal(crossValidationRepeats(spec, REPEATED_CROSS_VALIDATION_ROWS + 1), 1);
  assert.equal(crossValidationRepeats(specWith({}, { repeats: 1 }), 96), 1);
  assert.equal(crossValidationRepeats(specWith({}, { repeats: 2 }), 1_000_000), 2);

  const target = encodeTarget(frame, spec);
  const split = holdoutSplit(frame, target, spec);
  const folds = crossValidationFolds(frame, split.train, target, 4, spec, 3);
  assert.equal(folds.length, 12);
  const cuts = [0, 1, 2].map((r) => folds.slice(4 * r, 4 * r + 4));
  for (const cut of cuts) {
    const validated = cut.flatMap((f) => Array.from(f.test)).sort((a, b) => a - b);
    assert.deepEqual(validated, Array.from({ length: split.train.length }, (_, i) => i));
    for (const f of cut) assert.equal(f.train.length + f.test.length, split.train.length);
  }
  const firstFold = (cut: (typeof cuts)[number]) => Array.from(cut[0]!.test).sort((a, b) => a - b).join();
  assert.notEqual(firstFold(cuts[0]!), firstFold(cuts[1]!));
  // the first cut is the one a single cross-validation draws
  assert.deepEqual(folds.slice(0, 4).map((f) => Array.from(f.test)), crossValidationFolds(frame, split.train, target, 4, spec).map((f) => Array.from(f.test)));

  // grouped cuts keep every customer on one side of each of their folds; 17 customers of 7 or 8 rows
  // give the seeds equal-sized groups to order, so the two cuts differ
  const grouped = specWith({ group: 'customer', test: 0.25 });
  const groupedSplit = holdoutSplit(frame, encodeTarget(frame, grouped), grouped);
  const customers = frame.get('customer')?.values as string[];
  const groupedFolds = crossValidationFolds(frame, groupedSplit.train, encodeTarget(frame, grouped), 3, grouped, 2);
  assert.equal(groupedFolds.length, 6);
  for (const fold of groupedFolds) {
    const inTrain = new Set(Array.from(fold.train, (p) => customers[groupedSplit.train[p] as number]));
    for (const p of fold.test) assert.ok(!inTrain.has(customers[groupedSplit.train[p] as number]));
  }
  const cutKey = (cut: readonly Split[]) => cut.map((f) => Array.from(f.test).sort((a, b) => a - b).join()).sort().join('|');
  assert.notEqual(cutKey(groupedFolds.slice(0, 3)), cutKey(groupedFolds.slice(3)));

  // groups of all different sizes leave the seed nothing to order: every cut would be the same, and is kept once
  const sizes = new Frame([
    { kind: 'categorical', name: 'g', values: Array.from({ length: 45 }, (_, i) => `g${Math.floor((Math.sqrt(8 * i + 1) - 1) / 2)}`) },
    { kind: 'numeric', name: 'y', values: Float64Array.from({ length: 45 }, (_, i) => i % 2) },
  ]);
  const bySize = validateSpec({ name: 't', data: 'x.csv', target: 'y', split: { group: 'g' } }, null, '/tmp').spec;
  const all = Int32Array.from({ length: 45 }, (_, i) => i);
  assert.equal(crossValidationFolds(sizes, all, encodeTarget(sizes, bySize), 3, bySize, 3).length, 3);
});

test('time-ordered folds are never repeated, and asking for repeats with split.time is refused', () => {
  assert.equal(crossValidationRepeats(specWith({ time: 'day' }), 96), 1);
  assert.throws(() => specWith({ time: 'day' }, { repeats: 3 }), (err: unknown) => err instanceof KilnError && err.code === 'INVALID_SPEC' && /time-ordered folds/.test(err.message));
  assert.equal(specWith({ time: 'day' }, { repeats: 1 }).repeats, 1);
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
    const stages: string[] = [];
    const result = await trainTabularModule(loaded, {
      ...home,
      onEvent: (e) => {
        if (e.type === 'stage') stages.push(e.message);
      },
    });
    assert.ok(result.search !== undefined && result.search.trials > 0);
    // small data: the grouped folds are cut three times (customers of equal size let the seeds differ)
    assert.ok(stages.some((m) => /searching .* \(3 × 3-fold cross-validation\)/.test(m)), stages.join(' | '));
    const run = await home.store.getRun(result.runId);
    assert.equal(run.params['split'], 'grouped by customer');
    assert.ok(result.metrics.test['roc_auc']! > 0.8, JSON.stringify(result.metrics.test));
  } finally {
    await home.store.close();
  }
});
