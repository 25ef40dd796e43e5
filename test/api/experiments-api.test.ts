/**
 * The experiments API's contract (through `inject`): defaults when starting, every refusal as a coded
 * error naming the problem, listing with filters, the report of an experiment, stop and promote, and
 * the audit trail with the caller's name.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHarness, type Harness } from '../serve/harness.js';

let h: Harness;

before(async () => {
  // titanic v1 (champion alias) and v2; fare v1; broken v1
  h = await startHarness();
  await h.app.ready();
});

after(async () => h?.close());

async function call(method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await h.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }), headers });
  return { status: res.statusCode, json: res.json() };
}

test('starting refuses what cannot run, each with a coded error that says why', async () => {
  const cases: [unknown, number, string, RegExp?][] = [
    [{ model: 'titanic' }, 400, 'INVALID_PARAMS'],
    [{ model: 'titanic', challenger: 2, colour: 'red' }, 400, 'INVALID_PARAMS'],
    [{ model: 'nope', challenger: 2 }, 404, 'MODEL_NOT_FOUND'],
    [{ model: 'titanic', challenger: 9 }, 404, 'VERSION_NOT_FOUND'],
    [{ model: 'titanic', challenger: 1, champion: 1 }, 400, 'EXPERIMENT_INVALID', /both version 1/],
    [{ model: 'titanic', challenger: 2, challenger_share: 1.5 }, 400, 'EXPERIMENT_INVALID', /share of traffic must lie in \(0, 1\]/],
    [{ model: 'titanic', challenger: 2, mode: 'canary' }, 400, 'EXPERIMENT_INVALID', /a canary needs a bound/],
    [{ model: 'titanic', challenger: 2, max_p99_ms: 50 }, 400, 'EXPERIMENT_INVALID', /apply to canary experiments/],
    [{ model: 'titanic', challenger: 2, mode: 'canary', max_error_rate: 2 }, 400, 'EXPERIMENT_INVALID', /error rate is a share/],
    [{ model: 'fare', challenger: 1 }, 400, 'EXPERIMENT_INVALID', /no version besides the challenger/],
  ];
  for (const [body, status, code, message] of cases) {
    const res = await call('POST', '/api/experiments', body);
    assert.equal(res.status, status, JSON.stringify([body, res.json]));
    assert.equal(res.json.code, code, JSON.stringify(res.json));
    if (message !== undefined) assert.match(res.json.error, message);
    assert.ok(typeof res.json.hint === 'string' && res.json.hint.length > 0);
  }
  assert.deepEqual((await call('GET', '/api/experiments')).json, { experiments: [] });
});

test('start with defaults, list with filters, report, one running experiment per model, stop and promote with the audit trail', async () => {
  const started = await call('POST', '/api/experiments', { model: 'titanic', challenger: 2, description: 'new weights' }, { 'x-kiln-actor': 'ana' });
  assert.equal(started.status, 201, JSON.stringify(started.json));
  const e = started.json;
  assert.deepEqual(
    { champion: e.champion, challenger: e.challenger, mode: e.mode, share: e.challenger_share, outcome: e.outcome, status: e.status, bounds: [e.max_error_rate, e.max_p99_ms] },
    { champion: 1, challenger: 2, mode: 'split', share: 0.1, outcome: 'binary', status: 'running', bounds: [null, null] },
  );
  const again = await call('POST', '/api/experiments', { model: 'titanic', challenger: 2 });
  assert.equal(again.status, 409);
  assert.equal(again.json.code, 'EXPERIMENT_ALREADY_RUNNING');

  assert.equal((await call('GET', '/api/experiments?model=titanic&status=running')).json.experiments.length, 1);
  assert.equal((await call('GET', '/api/experiments?status=stopped')).json.experiments.length, 0);
  assert.equal((await call('GET', '/api/experiments?status=paused')).json.code, 'INVALID_PARAMS');

  const report = await call('GET', `/api/experiments/${e.id}?mde=0.05`);
  assert.equal(report.status, 200);
  assert.deepEqual(report.json.traffic.champion, { requests: 0, rows: 0, errors: 0, error_rate: null, p50_ms: null, p99_ms: null });
  assert.equal(report.json.analysis.conclusion, 'not_enough_data');
  assert.match(report.json.verdict, /^not enough outcomes yet \(0 champion, 0 challenger/);
  assert.equal((await call('GET', `/api/experiments/${e.id}?alpha=2`)).json.code, 'INVALID_PARAMS');
  assert.equal((await call('GET', '/api/experiments/no-such-id')).status, 404);

  const stopped = await call('POST', `/api/experiments/${e.id}/stop`, undefined, { 'x-kiln-actor': 'ana' });
  assert.equal(stopped.json.status, 'stopped');
  assert.equal(stopped.json.end_reason, 'stopped by ana');
  assert.equal((await call('POST', `/api/experiments/${e.id}/stop`)).json.code, 'EXPERIMENT_NOT_RUNNING');

  const next = await call('POST', '/api/experiments', { model: 'titanic', challenger: 2, mode: 'canary', max_p99_ms: 100 });
  const promoted = await call('POST', `/api/experiments/${next.json.id}/promote`, { reason: 'looks good' }, { 'x-kiln-actor': 'ana' });
  assert.equal(promoted.json.status, 'promoted');
  assert.equal(promoted.json.end_reason, 'looks good');
  assert.equal((await h.home.store.getModel('titanic')).aliases['champion'], 2);
  const audit = await h.home.store.listAudit({ limit: 50 });
  assert.ok(audit.some((a) => a.action === 'experiment.created' && a.actor === 'ana'));
  assert.ok(audit.some((a) => a.action === 'experiment.promoted' && a.actor === 'ana'));
  assert.ok(audit.some((a) => a.action === 'alias.moved' && a.entity === 'titanic@champion'));

  // with the champion alias on the challenger, the default champion is the version before it
  const reverse = await call('POST', '/api/experiments', { model: 'titanic', challenger: 2, mode: 'shadow' });
  assert.equal(reverse.json.champion, 1);
  assert.equal(reverse.json.challenger_share, 1);
  await call('POST', `/api/experiments/${reverse.json.id}/stop`);
});
