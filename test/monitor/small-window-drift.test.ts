/**
 * A small window against a large reference. The tests were chosen by the reference's size alone
 * (Evidently's rule), so a model trained on more than 1,000 rows was judged by distances — which know
 * nothing of sample size — even on a window of a few dozen predictions, whose sampling noise alone
 * crosses the 0.1 threshold: ten ordinary reviews sent to the sentiment module read "Dataset drift …
 * consider retraining" (Wasserstein 0.30). While either side has at most 1,000 values a test with a
 * p-value is used now; two large samples keep the distances.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Frame, type Column } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { buildReferenceProfile } from '../../src/data/profile/reference-profile.js';
import { defaultTestFor, detectDrift } from '../../src/monitor/drift/detect-drift.js';

const COLORS = ['red', 'green', 'blue', 'black'];

/** Three columns: a normal number, a 4-category and a yes/no one; `shift` moves the number by 1.5 sd. */
function sample(rng: Rng, rows: number, shift = 0): Frame {
  const columns: Column[] = [
    { kind: 'numeric', name: 'age', values: Float64Array.from({ length: rows }, () => 40 + 10 * rng.normal() + 15 * shift) },
    { kind: 'categorical', name: 'color', values: Array.from({ length: rows }, () => COLORS[rng.int(4)] as string) },
    { kind: 'categorical', name: 'member', values: Array.from({ length: rows }, () => (rng.next() < 0.3 ? 'yes' : 'no')) },
  ];
  return new Frame(columns);
}

const asCurrent = (frame: Frame) => new Map(frame.columns.map((c) => [c.name, c.values] as const));

test('a large reference and a small window are tested with p-values; two large samples keep the distances', () => {
  const profile = buildReferenceProfile(sample(new Rng(1), 5000));
  const [age, color, member] = profile.columns as [typeof profile.columns[0], typeof profile.columns[0], typeof profile.columns[0]];
  assert.deepEqual([defaultTestFor(age, 30), defaultTestFor(color, 30), defaultTestFor(member, 30)], ['ks', 'chisquare', 'z']);
  assert.deepEqual([defaultTestFor(age, 1000), defaultTestFor(age, 1001)], ['ks', 'wasserstein']);
  assert.deepEqual([defaultTestFor(age), defaultTestFor(color)], ['wasserstein', 'jensenshannon'], "without a window's size, Evidently's rule");
  const large = detectDrift(profile.columns, asCurrent(sample(new Rng(2), 5000)));
  assert.deepEqual(large.columns.map((c) => c.test), ['wasserstein', 'jensenshannon', 'jensenshannon']);
});

test('windows of 30 fresh rows from the training distribution: false alarms stay near 5% per column, not near 100%', () => {
  const trials = 60;
  let columnAlarms = 0;
  let columnTests = 0;
  let datasetAlarms = 0;
  let distanceAlarms = 0;
  for (let t = 0; t < trials; t++) {
    const profile = buildReferenceProfile(sample(new Rng(200 + t), 5000));
    const current = asCurrent(sample(new Rng(2000 + t), 30));
    const result = detectDrift(profile.columns, current);
    columnAlarms += result.drifted_columns;
    columnTests += result.columns.length;
    if (result.dataset_drift) datasetAlarms++;
    // what the old rule said of the same window: the distances Evidently picks for this reference
    const old = detectDrift(profile.columns, current, { tests: { age: 'wasserstein', color: 'jensenshannon', member: 'jensenshannon' } });
    distanceAlarms += old.drifted_columns;
  }
  assert.ok(columnAlarms / columnTests <= 0.08, `per-column false alarms ${columnAlarms}/${columnTests}`);
  assert.ok(datasetAlarms / trials <= 0.05, `dataset false alarms ${datasetAlarms}/${trials}`);
  assert.ok(distanceAlarms / columnTests > 0.5, `the distances alarmed on ${distanceAlarms}/${columnTests}: the reason for the rule`);
});

test('a real shift is still found in a small window', () => {
  const profile = buildReferenceProfile(sample(new Rng(3), 5000));
  const result = detectDrift(profile.columns, asCurrent(sample(new Rng(4), 30, 1)));
  const age = result.columns.find((c) => c.column === 'age');
  assert.equal(age?.test, 'ks');
  assert.equal(age?.drift, true, JSON.stringify(age));
  assert.ok(age.p_value !== undefined && age.p_value < 1e-6, `p ${age.p_value}`);
  assert.deepEqual(result.columns.filter((c) => c.drift).map((c) => c.column), ['age']);
});
