/**
 * A/B experiments end to end over HTTP, against a real server listening on a free port: a split routes
 * about its share of users to the challenger, sticky per user, and logs every answer with experiment
 * and arm; shadow mode answers with the champion and logs the challenger; a canary whose challenger
 * fails, or is too slow for its bound, is rolled back by the watcher and traffic returns to the
 * champion; promote moves the alias; a simulated 3-point uplift with outcomes posted as feedback is
 * found by the analysis.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { Rng } from '../../src/core/rng.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import type { PredictionRecord } from '../../src/store/store.js';
import { registerFixture, tempHome } from '../serve/fixture-module.js';

let home: Awaited<ReturnType<typeof tempHome>>;
let server: RunningServer;

const ROWS = {
  inputs: [
    { name: 'Age', shape: [1, 1], datatype: 'FP32', data: [30] },
    { name: 'Sex', shape: [1, 1], datatype: 'BYTES', data: ['female'] },
  ],
};

before(async () => {
  home = await tempHome();
  // one model per scenario: a model runs one experiment at a time
  for (const name of ['split', 'shadowed', 'promoted']) {
    await registerFixture(home, { name, weight: 0.05 });
    await registerFixture(home, { name, weight: 0.1 });
    await home.store.setAlias(name, 'champion', 1);
  }
  await registerFixture(home, { name: 'canary', weight: 0.05 });
  await registerFixture(home, { name: 'canary', broken: true }); // v2: cannot load, every request fails
  await registerFixture(home, { name: 'canary', weight: 0.1 }); // v3: answers, but not within 1 µs
  await home.store.setAlias('canary', 'champion', 1);
  server = await startServer({
    store: home.store,
    artifacts: home.artifacts,
    logger: pino({ level: process.env['KILN_LOG_LEVEL'] ?? 'silent' }),
    port: 0,
    warmUp: false,
    predictionLog: { flushIntervalMs: 10 },
    experiments: { refreshMs: 100, canary: { intervalMs: 50, minRequests: 10 } },
  });
});

after(async () => {
  await server?.close();
  await home?.remove();
});

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

async function infer(path: string, headers: Record<string, string> = {}, body: unknown = ROWS): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

/** Runs `count` calls, `width` at a time. */
async function inBatches<T>(count: number, width: number, call: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < count; start += width) out.push(...(await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, k) => call(start + k)))));
  return out;
}

async function logged(experiment: string): Promise<PredictionRecord[]> {
  await server.app.kiln.predictionLog?.flush();
  return home.store.listPredictions({ experiment, limit: 100_000 });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('split: about the share of users reach the challenger, each user always the same version, every answer logged with its arm', async () => {
  const started = await api('POST', '/api/experiments', { model: 'split', challenger: 2, challenger_share: 0.3 });
  assert.equal(started.status, 201, JSON.stringify(started.json));
  assert.equal(started.json.champion, 1, 'the champion defaults to the champion alias');
  const id = started.json.id as string;

  const users = 300;
  const first = await inBatches(users, 32, (i) => infer('/v2/models/split/infer', { 'x-kiln-user': `user-${i}` }));
  const versions = first.map((r) => {
    assert.equal(r.status, 200, JSON.stringify(r.json));
    return r.json.model_version as string;
  });
  const share = versions.filter((v) => v === '2').length / users;
  // 0.3 ± 4 standard errors (√(0.3·0.7/300) ≈ 0.026)
  assert.ok(Math.abs(share - 0.3) < 0.106, `challenger share ${share}`);

  // sticky: the same users get the same versions again, by header, by v2 parameters and by v1 body
  const again = await inBatches(60, 30, (i) => infer('/v2/models/split/infer', {}, { ...ROWS, parameters: { user_key: `user-${i}` } }));
  again.forEach((r, i) => assert.equal(r.json.model_version, versions[i], `user-${i} moved`));
  const v1 = await inBatches(30, 10, (i) => infer('/v1/models/split:predict', {}, { instances: [{ Age: 30, Sex: 'female' }], user_key: `user-${i}` }));
  v1.forEach((r, i) => {
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.model_version, versions[i], `v1 user-${i}`);
  });
  // the champion alias is routed too; an explicit version is not
  const viaAlias = await infer('/v2/models/split/versions/champion/infer', { 'x-kiln-user': 'user-0' });
  assert.equal(viaAlias.json.model_version, versions[0]);
  const explicit = await inBatches(20, 10, (i) => infer('/v2/models/split/versions/1/infer', { 'x-kiln-user': `user-${i}` }));
  assert.ok(explicit.every((r) => r.json.model_version === '1'));

  const records = await logged(id);
  assert.equal(records.length, users + 60 + 30 + 1, 'every routed answer is logged once, explicit versions are not part of the experiment');
  for (const r of records) {
    assert.equal(r.version, r.arm === 'champion' ? 1 : 2);
    assert.notEqual(r.shadow, true);
  }
  const byUser = records.filter((r) => r.userKey === 'user-7');
  assert.ok(byUser.length >= 2 && byUser.every((r) => r.arm === byUser[0]!.arm));

  const stopped = await api('POST', `/api/experiments/${id}/stop`, { reason: 'enough' });
  assert.equal(stopped.json.status, 'stopped');
  // stopped: requests without a version go to the latest version again, at once
  const afterStop = await inBatches(20, 10, (i) => infer('/v2/models/split/infer', { 'x-kiln-user': `user-${i}` }));
  assert.ok(afterStop.every((r) => r.json.model_version === '2'));
});

test('shadow: the champion answers every request, the challenger answers the same rows into the log only', async () => {
  const started = await api('POST', '/api/experiments', { model: 'shadowed', challenger: 2, mode: 'shadow' });
  assert.equal(started.status, 201, JSON.stringify(started.json));
  const id = started.json.id as string;
  const answers = await inBatches(20, 5, (i) => infer('/v2/models/shadowed/infer', { 'x-kiln-user': `u${i}`, 'x-request-id': `shadow-${i}` }));
  assert.ok(answers.every((r) => r.status === 200 && r.json.model_version === '1'));

  const records = await until('the mirrored answers', async () => {
    const r = await logged(id);
    return r.filter((x) => x.shadow === true).length === 20 ? r : undefined;
  });
  const mirrored = records.filter((r) => r.shadow === true);
  assert.ok(mirrored.every((r) => r.arm === 'challenger' && r.version === 2));
  assert.deepEqual(new Set(mirrored.map((r) => r.requestId)), new Set(answers.map((_, i) => `shadow-${i}`)));
  assert.ok(records.filter((r) => r.shadow !== true).every((r) => r.arm === 'champion' && r.version === 1));

  const report = await api('GET', `/api/experiments/${id}`);
  assert.equal(report.json.shadow.paired_rows, 20);
  assert.equal(report.json.traffic.challenger.requests, 20);
  assert.match(report.json.verdict, /agrees with the champion on \d+\.\d% of 20 rows/);
  await api('POST', `/api/experiments/${id}/stop`);
});

test('canary: a failing challenger is rolled back automatically and traffic returns to the champion; so is a slow one', async () => {
  const started = await api('POST', '/api/experiments', { model: 'canary', champion: 1, challenger: 2, mode: 'canary', challenger_share: 0.5, max_error_rate: 0.05 });
  assert.equal(started.status, 201, JSON.stringify(started.json));
  const id = started.json.id as string;
  // production clients address the champion alias: routed during the experiment, the champion otherwise
  const first = await inBatches(60, 6, (i) => infer('/v2/models/canary/versions/champion/infer', { 'x-kiln-user': `c${i}` }));
  assert.ok(first.some((r) => r.status >= 500), 'some users reached the broken challenger');

  const ended = await until('the rollback', async () => {
    const e = await api('GET', `/api/experiments/${id}`);
    return e.json.status === 'rolled_back' ? e.json : undefined;
  });
  assert.match(ended.end_reason, /^canary: challenger version 2 error rate 100\.0% > 5\.0%/);
  assert.ok(ended.traffic.challenger.errors >= 10);
  const audit = await home.store.listAudit({ limit: 20 });
  assert.ok(audit.some((a) => a.action === 'experiment.rolled_back' && a.actor === 'canary-watcher'));
  // every user is answered by the champion now
  const later = await inBatches(40, 8, (i) => infer('/v2/models/canary/versions/champion/infer', { 'x-kiln-user': `c${i}` }));
  assert.ok(later.every((r) => r.status === 200 && r.json.model_version === '1'));

  // a challenger that answers but breaks the latency bound goes the same way
  const slow = await api('POST', '/api/experiments', { model: 'canary', champion: 1, challenger: 3, mode: 'canary', challenger_share: 0.5, max_p99_ms: 0.001 });
  assert.equal(slow.status, 201);
  await inBatches(60, 6, (i) => infer('/v2/models/canary@champion/infer', { 'x-kiln-user': `s${i}` }));
  const slowEnded = await until('the latency rollback', async () => {
    const e = await api('GET', `/api/experiments/${slow.json.id}`);
    return e.json.status === 'rolled_back' ? e.json : undefined;
  });
  assert.match(slowEnded.end_reason, /p99 latency [\d.]+ ms > 0\.001 ms/);
});

test('promote moves the champion alias to the challenger, atomically with ending the experiment', async () => {
  const started = await api('POST', '/api/experiments', { model: 'promoted', challenger: 2, challenger_share: 0.5 });
  const id = started.json.id as string;
  const promoted = await api('POST', `/api/experiments/${id}/promote`);
  assert.equal(promoted.status, 200, JSON.stringify(promoted.json));
  assert.equal(promoted.json.status, 'promoted');
  assert.equal((await home.store.getModel('promoted')).aliases['champion'], 2);
  const viaAlias = await inBatches(20, 10, (i) => infer('/v2/models/promoted/versions/champion/infer', { 'x-kiln-user': `p${i}` }));
  assert.ok(viaAlias.every((r) => r.json.model_version === '2'));
  const twice = await api('POST', `/api/experiments/${id}/promote`);
  assert.equal(twice.status, 409);
  assert.equal(twice.json.code, 'EXPERIMENT_NOT_RUNNING');
});

test('a simulated 3-point uplift, outcomes posted as feedback, is found; the served users of the same experiment count too', async () => {
  const started = await api('POST', '/api/experiments', { model: 'split', challenger: 2, challenger_share: 0.5 });
  assert.equal(started.status, 201, JSON.stringify(started.json));
  const id = started.json.id as string;
  // a few hundred real requests, then many more users as the log would hold them after a busy week
  const served = await inBatches(100, 25, (i) => infer('/v2/models/split/infer', { 'x-kiln-user': `w${i}`, 'x-request-id': `served-${i}` }));
  const rng = new Rng(2024);
  const outcomes: { requestId: string; outcome: number }[] = served.map((r, i) => ({ requestId: `served-${i}`, outcome: rng.next() < (r.json.model_version === '2' ? 0.13 : 0.1) ? 1 : 0 }));
  const records: PredictionRecord[] = [];
  const t0 = Date.now();
  for (let i = 0; i < 10_000; i++) {
    const arm = i % 2 === 0 ? 'champion' : 'challenger';
    records.push({ requestId: `sim-${i}`, model: 'split', version: arm === 'champion' ? 1 : 2, timestamp: t0 + i, latencyMs: 1, inputs: {}, outputs: {}, experiment: id, arm });
    outcomes.push({ requestId: `sim-${i}`, outcome: rng.next() < (arm === 'champion' ? 0.1 : 0.13) ? 1 : 0 });
  }
  await home.store.logPredictions(records);
  await server.app.kiln.predictionLog?.flush();
  const feedback = await home.store.recordFeedback(outcomes);
  assert.equal(feedback.accepted, outcomes.length);

  const report = await api('GET', `/api/experiments/${id}`);
  assert.equal(report.status, 200, JSON.stringify(report.json));
  const analysis = report.json.analysis;
  assert.equal(analysis.arms.champion.n + analysis.arms.challenger.n, 10_100);
  assert.equal(analysis.conclusion, 'challenger_better', analysis.verdict);
  assert.match(report.json.verdict, /^challenger better by \d\.\d points \(95% CI [\d.]+–[\d.]+\); safe to promote/);
  assert.ok(Math.abs(analysis.difference - 0.03) < 0.02);
  await api('POST', `/api/experiments/${id}/stop`);
});
