/**
 * Id inputs (a recommender's user or item) are monitored by the share of ids the model never saw, not
 * as categories: a few ordinary requests are no drift, a flood of unknown ids is, and says so in words.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Frame } from '../../src/core/frame.js';
import { buildReferenceProfile, parseReferenceProfile } from '../../src/data/profile/reference-profile.js';
import { checkModel, REFERENCE_ARTIFACT } from '../../src/monitor/check-model.js';
import { detectDrift } from '../../src/monitor/drift/detect-drift.js';
import { wilsonLowerBound } from '../../src/monitor/drift/registry.js';
import { parseModelRef } from '../../src/store/model-ref.js';
import { openHome, type KilnHome } from '../../src/store/open-store.js';
import type { PredictionRecord } from '../../src/store/store.js';
import { expectCode } from '../helpers/assertions.js';
import { tempHome } from '../helpers/kiln-cli.js';

const T0 = Date.UTC(2026, 10, 3);
const trained = Array.from({ length: 200 }, (_, u) => `u${u}`);
// A per-user holdout: every held-out user was also trained on.
const heldOut = Array.from({ length: 400 }, (_, r) => `u${(r * 7) % 200}`);
const profile = buildReferenceProfile(new Frame([{ kind: 'categorical', name: 'user', values: heldOut }]), { ids: { user: trained } });

let dir: string;
let home: KilnHome;
before(async () => {
  dir = tempHome('kiln-id-drift-');
  home = await openHome(dir);
  const digest = await home.artifacts.put(Buffer.from(JSON.stringify(profile)));
  for (const model of ['shop', 'flooded']) await home.store.createModelVersion({ model, runId: null, artifacts: { [REFERENCE_ARTIFACT]: digest }, signature: {}, metrics: {} });
  // a recommend module trained before ids were measured: its reference holds the training ids as categories
  const legacy = buildReferenceProfile(new Frame([{ kind: 'categorical', name: 'user', values: trained }]));
  const manifest = await home.artifacts.put(Buffer.from(JSON.stringify({ task: 'recommend' })));
  await home.store.createModelVersion({ model: 'old-shop', runId: null, artifacts: { [REFERENCE_ARTIFACT]: await home.artifacts.put(Buffer.from(JSON.stringify(legacy))), 'manifest.json': manifest }, signature: {}, metrics: {} });
});
after(async () => {
  await home?.store.close();
  rmSync(dir, { recursive: true, force: true });
});

const log = (model: string, users: readonly string[]): Promise<void> =>
  home.store.logPredictions(
    users.map((user, i): PredictionRecord => ({ requestId: `${model}-${i}`, model, version: 1, timestamp: T0 + i * 1000, latencyMs: 3, inputs: { user }, outputs: { items: ['i0'], scores: [1] } })),
  );

test('the reference profile of an id column says which ids are known and the held-out share of unknown ones', () => {
  const [user] = profile.columns;
  assert.ok(user?.kind === 'numeric' && user.measure === 'unseen');
  assert.equal(user.known?.length, 200);
  assert.deepEqual(user.valueCounts, { '0': 400 }, 'no held-out user is unknown');
  // the profile survives being stored and read back, and a damaged one is refused
  assert.deepEqual(parseReferenceProfile(JSON.parse(JSON.stringify(profile)), 'test'), profile);
  assert.throws(() => parseReferenceProfile({ ...profile, columns: [{ ...user, known: undefined }] }, 'test'), expectCode('REFERENCE_INVALID'));
});

test('three ordinary requests (known users) are no drift', async () => {
  await log('shop', ['u3', 'u17', 'u150']);
  const report = await checkModel(home, parseModelRef('shop'), { now: T0 + 60_000 });
  assert.equal(report.drift.dataset_drift, false);
  assert.deepEqual(report.drift.columns.map((c) => [c.column, c.test, c.drift]), [['user', 'unseen_share', false]]);
  assert.match(report.verdict, /^No dataset drift/);
  assert.deepEqual(report.histograms[0]?.labels, ['seen in training', 'never seen']);
});

test('a flood of unknown users is drift, reported in words', async () => {
  await log('flooded', Array.from({ length: 60 }, (_, i) => (i % 10 === 0 ? `u${i}` : `stranger-${i}`)));
  const report = await checkModel(home, parseModelRef('flooded'), { now: T0 + 120_000 });
  assert.equal(report.drift.dataset_drift, true);
  assert.match(report.verdict, /90% of the 60 "user" values in the window are ids the model never saw in training \(0% of the held-out data\)/);
  assert.deepEqual(report.histograms[0]?.current, [0.1, 0.9]);
});

test('a trickle of new users is ordinary; drift needs the share to be surely 10 points above the held-out one', () => {
  const drifted = (known: number, unknown: number): boolean => {
    const users = [...Array.from({ length: known }, (_, i) => `u${i % 200}`), ...Array.from({ length: unknown }, (_, i) => `new${i}`)];
    const measured = users.map((u) => (trained.includes(u) ? 0 : 1));
    return detectDrift(profile.columns, new Map([['user', measured]])).dataset_drift;
  };
  assert.equal(drifted(2, 1), false, '1 new user of 3');
  assert.equal(drifted(95, 5), false, '5 new users of 100');
  assert.equal(drifted(75, 25), true, '25 new users of 100');
  // Wilson's bound, against the textbook value for 25 of 100 (0.1754)
  assert.ok(Math.abs(wilsonLowerBound(25, 100) - 0.1754) < 1e-4);
});

test('a recommend module trained before keeps its stored reference and is checked by unseen ids too', async () => {
  await log('old-shop', ['u3', 'u17', 'u150']);
  const report = await checkModel(home, parseModelRef('old-shop'), { now: T0 + 60_000 });
  assert.deepEqual(report.drift.columns.map((c) => [c.column, c.test, c.drift]), [['user', 'unseen_share', false]]);
});
