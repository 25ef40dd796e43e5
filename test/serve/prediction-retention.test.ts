/**
 * The prediction log's settings end to end, on the real SQLite store:
 *   - retention deletes what is older than retentionDays and the oldest rows above maxRows;
 *   - with sampling at 0 successful requests are not logged, failed ones are, with their error code;
 *   - `predictionLog: false` logs nothing; /metrics counts what the log did;
 *   - given the store's URL, the log is written from a thread of its own (or, failing that, inline).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { isKilnError } from '../../src/core/errors.js';
import { PredictionRetention } from '../../src/serve/prediction-retention.js';
import { buildServer } from '../../src/serve/server.js';
import type { PredictionRecord } from '../../src/store/store.js';
import { registerFixture, tempHome } from './fixture-module.js';
import { startHarness, titanicRequest } from './harness.js';

const quiet = pino({ level: 'silent' });
const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 10, 27, 12);

function record(requestId: string, timestamp: number): PredictionRecord {
  return { requestId, model: 'm', version: 1, timestamp, latencyMs: 1, inputs: { x: 1 }, outputs: { prediction: 2 } };
}

test('retention: rows older than retentionDays go, then the oldest beyond maxRows', async () => {
  const home = await tempHome();
  try {
    // 10 rows 40..31 days old, 30 rows of the last 30 days (one per day, the newest an hour old)
    const old = Array.from({ length: 10 }, (_, i) => record(`old-${i}`, NOW - (40 - i) * DAY));
    const recent = Array.from({ length: 30 }, (_, i) => record(`new-${i}`, NOW - (29 - i) * DAY - 3_600_000));
    await home.store.logPredictions([...old, ...recent]);

    const byAge = new PredictionRetention({ store: home.store, logger: quiet, retentionDays: 30 });
    assert.deepEqual(await byAge.prune(NOW), { byAge: 10, bySize: 0 });
    assert.equal(await home.store.countPredictions(), 30);

    const bySize = new PredictionRetention({ store: home.store, logger: quiet, maxRows: 12 });
    assert.deepEqual(await bySize.prune(NOW), { byAge: 0, bySize: 18 });
    const kept = (await home.store.listPredictions({ limit: 100 })).map((r) => r.requestId);
    assert.deepEqual(kept, Array.from({ length: 12 }, (_, i) => `new-${29 - i}`), 'the newest 12 are kept');
    assert.deepEqual(await bySize.prune(NOW), { byAge: 0, bySize: 0 }, 'nothing more to do');
    assert.equal(bySize.totalDeleted, 18);
  } finally {
    await home.remove();
  }
});

test('retention settings are checked', () => {
  const store = { deletePredictions: async () => 0, countPredictions: async () => 0 };
  for (const bad of [{ retentionDays: 0 }, { retentionDays: -1 }, { maxRows: 1.5 }, { maxRows: -1 }, { intervalMs: 0 }]) {
    assert.throws(() => new PredictionRetention({ store, logger: quiet, ...bad }), (err: unknown) => isKilnError(err, 'INVALID_PARAMS'), JSON.stringify(bad));
  }
  assert.equal(new PredictionRetention({ store, logger: quiet }).active, false);
});

test('the server prunes on its own schedule', async () => {
  const h = await startHarness({ predictionLog: { retentionDays: 1, pruneIntervalMs: 20 } });
  try {
    await h.home.store.logPredictions([record('ancient', Date.now() - 3 * DAY), record('fresh', Date.now())]);
    const deadline = Date.now() + 20_000;
    // waits for the counter, which a pass bumps after its deletes: then the rows are gone too
    while ((h.app.kiln.retention?.totalDeleted ?? 0) < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual((await h.home.store.listPredictions()).map((r) => r.requestId), ['fresh']);
    assert.equal(h.app.kiln.retention?.totalDeleted, 1);
  } finally {
    await h.close();
  }
});

test('sampling at 0: successes are not logged, failures are, with their error code; /metrics counts both', async () => {
  const h = await startHarness({ predictionLog: { sampleRate: 0, flushIntervalMs: 5 } });
  try {
    const ok = await h.app.inject({ method: 'POST', url: '/v2/models/titanic/infer', payload: titanicRequest({ id: 'ok-1' }) });
    assert.equal(ok.statusCode, 200);
    const badShape = titanicRequest({ id: 'bad-1' });
    (badShape['inputs'] as { shape: number[] }[])[0]!.shape = [3, 1];
    const bad = await h.app.inject({ method: 'POST', url: '/v2/models/titanic/infer', payload: badShape });
    assert.equal(bad.statusCode, 400);
    const v1 = await h.app.inject({ method: 'POST', url: '/v1/models/titanic:predict', payload: { instances: [{ Age: 'old' }] }, headers: { 'x-request-id': 'bad-v1' } });
    assert.equal(v1.statusCode, 400);
    await h.app.kiln.predictionLog?.flush();

    const logged = await h.home.store.listPredictions({ model: 'titanic' });
    assert.deepEqual(logged.map((r) => [r.requestId, r.error, r.inputs, r.version]).sort(), [
      ['bad-1', 'INPUT_SHAPE', null, 2],
      ['bad-v1', 'INPUT_DATA', null, 2],
    ]);
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /^kiln_prediction_log_records_total\{fate="written"\} 2$/m);
    assert.match(metrics, /^kiln_prediction_log_sampled_out_total 1$/m);
    assert.match(metrics, /^kiln_prediction_log_records_total\{fate="dropped"\} 0$/m);
  } finally {
    await h.close();
  }
});

test('predictionLog: false logs nothing', async () => {
  const h = await startHarness({ predictionLog: false });
  try {
    assert.equal(h.app.kiln.predictionLog, undefined);
    assert.equal((await h.app.inject({ method: 'POST', url: '/v2/models/titanic/infer', payload: titanicRequest() })).statusCode, 200);
    assert.equal(await h.home.store.countPredictions(), 0);
    assert.doesNotMatch((await h.app.inject({ method: 'GET', url: '/metrics' })).body, /kiln_prediction_log/);
  } finally {
    await h.close();
  }
});

test('with the store URL, the log is written by its own thread, to the same database', async () => {
  const home = await tempHome();
  await registerFixture(home, { name: 'titanic', classes: [0, 1] });
  const app = await buildServer({ store: home.store, artifacts: home.artifacts, storeUrl: join(home.home, 'kiln.db'), logger: quiet, predictionLog: { flushIntervalMs: 5 } });
  try {
    const ok = await app.inject({ method: 'POST', url: '/v2/models/titanic/infer', payload: titanicRequest({ id: 'threaded' }) });
    assert.equal(ok.statusCode, 200);
    await app.kiln.predictionLog?.flush();
    const logged = await home.store.listPredictions({ model: 'titanic' });
    assert.deepEqual(logged.map((r) => r.requestId).sort(), ['threaded#0', 'threaded#1']);
    assert.equal(app.kiln.predictionLog?.stats().written, 2);
  } finally {
    await app.close();
    await home.remove();
  }
});

test('a store URL the writer thread cannot open: the log is written from the main thread instead', async () => {
  const home = await tempHome();
  await registerFixture(home, { name: 'titanic', classes: [0, 1] });
  const app = await buildServer({ store: home.store, artifacts: home.artifacts, storeUrl: 'nosuchscheme://x', logger: quiet, predictionLog: { flushIntervalMs: 5 } });
  try {
    assert.equal((await app.inject({ method: 'POST', url: '/v2/models/titanic/infer', payload: titanicRequest({ id: 'inline' }) })).statusCode, 200);
    await app.kiln.predictionLog?.flush();
    assert.equal(await home.store.countPredictions({ model: 'titanic' }), 2);
  } finally {
    await app.close();
    await home.remove();
  }
});
