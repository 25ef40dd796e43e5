/**
 * The monitoring HTTP API over a real store: feedback, the monitoring report, alert rules, events and
 * checks, coded errors for bad input, and the alert scheduler's life with the server.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { monitoringApi } from '../../src/api/monitoring-api.js';
import { openHome, type KilnHome } from '../../src/store/open-store.js';
import { tempHome } from '../helpers/kiln-cli.js';
import { countingAlertPasses, eventually, logWithOutcomes, registerChurnModel, startReceiver, type Receiver } from '../monitor/monitored-model.js';

let dir: string;
let home: KilnHome;
let app: FastifyInstance;
let receiver: Receiver;

before(async () => {
  dir = tempHome('kiln-monitoring-api-');
  home = await openHome(dir);
  receiver = await startReceiver();
  await registerChurnModel(home);
  await home.store.createModelVersion({ model: 'quiet', runId: null, artifacts: {}, signature: {}, metrics: {} });
  await logWithOutcomes(home, { start: 0, n: 300, errorRate: 0.4, seed: 5 });
  app = Fastify();
  await app.register(monitoringApi, { store: home.store, artifacts: home.artifacts, alerts: false });
});

after(async () => {
  await app.close();
  await receiver.close();
  await home.store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface ErrorBody {
  readonly code: string;
  readonly error: string;
  readonly problems?: { path: string }[];
}

describe('POST /api/feedback', () => {
  test('attaches outcomes by request id (a list, or one item) and lists the unknown ids', async () => {
    await home.store.logPredictions([
      { requestId: 'api-1', model: 'quiet', version: 1, timestamp: Date.now(), latencyMs: 1, inputs: {}, outputs: { prediction: 2 } },
      { requestId: 'api-2', model: 'quiet', version: 1, timestamp: Date.now(), latencyMs: 1, inputs: {}, outputs: { prediction: 3 } },
    ]);
    const many = await app.inject({
      method: 'POST',
      url: '/api/feedback',
      payload: { items: [{ request_id: 'api-1', outcome: 2.5, timestamp: '2026-11-03T10:00:00Z' }, { request_id: 'nope', outcome: 1 }] },
    });
    assert.equal(many.statusCode, 200);
    assert.deepEqual(many.json(), { accepted: 1, unknown_request_ids: ['nope'] });
    const one = await app.inject({ method: 'POST', url: '/api/feedback', payload: { request_id: 'api-2', outcome: 4 } });
    assert.deepEqual(one.json(), { accepted: 1, unknown_request_ids: [] });
    const labelled = await home.store.listLabelledPredictions({ model: 'quiet' });
    assert.deepEqual(labelled.map((p) => [p.requestId, p.outcome]).sort(), [['api-1', 2.5], ['api-2', 4]]);
    assert.equal(labelled.find((p) => p.requestId === 'api-1')?.feedbackAt, Date.parse('2026-11-03T10:00:00Z'));
  });

  test('bad bodies are a 400 FEEDBACK_INVALID naming each bad field', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/api/feedback',
      payload: { items: [{ request_id: '', outcome: 1 }, { request_id: 'x', outcome: { a: 1 } }, { request_id: 'x', outcome: 1, colour: 'red' }] },
    });
    assert.equal(bad.statusCode, 400);
    const body = bad.json() as ErrorBody;
    assert.equal(body.code, 'FEEDBACK_INVALID');
    assert.deepEqual(body.problems?.map((p) => p.path), ['items.0.request_id', 'items.1.outcome', 'items.2']);
    const notJson = await app.inject({ method: 'POST', url: '/api/feedback', payload: '[1, 2]', headers: { 'content-type': 'application/json' } });
    assert.equal((notJson.json() as ErrorBody).code, 'FEEDBACK_INVALID');
  });
});

describe('GET /api/models/:ref/monitoring', () => {
  test('answers the monitoring report: drift with histograms, performance, latency, traffic, error rate, alerts', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/models/churn/monitoring?window=300' });
    assert.equal(res.statusCode, 200);
    const report = res.json() as Record<string, unknown> & {
      drift: { dataset_drift: boolean; columns: { column: string }[] };
      histograms: { column: string; labels: string[]; reference: number[]; current: number[] }[];
      performance: { degraded: boolean; metrics: { name: string; current: number }[]; over_time: unknown[] };
      traffic_per_hour: { start: number; predictions: number; errors: number }[];
    };
    assert.deepEqual(
      Object.keys(report).sort(),
      ['alerts', 'drift', 'error_rate', 'failed', 'histograms', 'latency_ms', 'latency_over_time', 'model', 'performance', 'prediction_drift', 'reference_rows', 'rows', 'traffic_per_hour', 'verdict', 'version', 'window'],
    );
    assert.deepEqual([report['model'], report['version'], report['rows'], report['window']], ['churn', 1, 300, 'last 300 predictions']);
    assert.deepEqual(report.drift.columns.map((c) => c.column), ['age', 'plan']);
    const age = report.histograms.find((h) => h.column === 'age');
    assert.ok(age !== undefined && age.labels.length === 10 && age.current.every((v) => typeof v === 'number'));
    assert.ok(Math.abs(age.reference.reduce((a, b) => a + b, 0) - 1) < 1e-9, 'histograms are shares');
    assert.equal(report.performance.degraded, true, 'accuracy 0.6 against 0.9 at training');
    assert.equal(report.traffic_per_hour.reduce((n, h) => n + h.predictions, 0), 300);
    assert.equal(report['error_rate'], 0);
  });

  test('bad windows, unknown models and models without predictions are coded errors', async () => {
    const both = await app.inject({ method: 'GET', url: '/api/models/churn/monitoring?window=5&since=1h' });
    assert.deepEqual([both.statusCode, (both.json() as ErrorBody).code], [400, 'INVALID_WINDOW']);
    const unknown = await app.inject({ method: 'GET', url: '/api/models/iris/monitoring' });
    assert.deepEqual([unknown.statusCode, (unknown.json() as ErrorBody).code], [404, 'MODEL_NOT_FOUND']);
    const extra = await app.inject({ method: 'GET', url: '/api/models/churn/monitoring?colour=red' });
    assert.deepEqual([extra.statusCode, (extra.json() as ErrorBody).code], [400, 'INVALID_PARAMS']);
    await home.store.createModelVersion({ model: 'fresh', runId: null, artifacts: {}, signature: {}, metrics: {} });
    const noReference = await app.inject({ method: 'GET', url: '/api/models/fresh/monitoring' });
    assert.deepEqual([noReference.statusCode, (noReference.json() as ErrorBody).code], [404, 'REFERENCE_MISSING']);
  });
});

describe('/api/alerts', () => {
  test('rules are created, listed, read and deleted (audited with the actor); bad ones are refused', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/alerts',
      headers: { 'x-kiln-actor': 'ops-bot' },
      payload: { model: 'churn', metric: 'error_rate', op: '>', threshold: 0.05, window: 200, description: 'errors' },
    });
    assert.equal(created.statusCode, 201);
    const rule = created.json() as { id: string; window: number; webhook_url: string | null };
    assert.deepEqual([rule.window, rule.webhook_url], [200, null]);
    assert.deepEqual(((await app.inject({ url: '/api/alerts?model=churn' })).json() as { rules: { id: string }[] }).rules.map((r) => r.id), [rule.id]);
    assert.deepEqual(((await app.inject({ url: '/api/alerts?model=quiet' })).json() as { rules: unknown[] }).rules, []);
    assert.equal((await app.inject({ url: `/api/alerts/${rule.id}` })).json<{ id: string }>().id, rule.id);
    assert.equal((await app.inject({ method: 'DELETE', url: `/api/alerts/${rule.id}` })).statusCode, 204);
    assert.equal((await app.inject({ url: `/api/alerts/${rule.id}` })).json<ErrorBody>().code, 'ALERT_RULE_NOT_FOUND');
    const [deleted, made] = await home.store.listAudit({ entity: 'churn', limit: 2 });
    assert.deepEqual([deleted?.action, made?.action, made?.actor], ['alert.deleted', 'alert.created', 'ops-bot']);

    const badMetric = await app.inject({ method: 'POST', url: '/api/alerts', payload: { model: 'churn', metric: 'mood', op: '<', threshold: 1 } });
    assert.deepEqual([badMetric.statusCode, badMetric.json<ErrorBody>().code], [400, 'INVALID_PARAMS']);
    assert.match(badMetric.json<ErrorBody>().error, /unknown metric "mood"/);
    const badOp = await app.inject({ method: 'POST', url: '/api/alerts', payload: { model: 'churn', metric: 'rmse', op: '>=', threshold: 1 } });
    assert.equal(badOp.statusCode, 400);
    const unknownModel = await app.inject({ method: 'POST', url: '/api/alerts', payload: { model: 'iris', metric: 'rmse', op: '>', threshold: 1 } });
    assert.deepEqual([unknownModel.statusCode, unknownModel.json<ErrorBody>().code], [404, 'MODEL_NOT_FOUND']);
  });

  test('POST /api/alerts/check fires breaches to their webhook; GET /api/alerts/events lists them', async () => {
    const rule = (
      await app.inject({ method: 'POST', url: '/api/alerts', payload: { model: 'churn', metric: 'accuracy', op: '<', threshold: 0.8, window: 300, webhook_url: receiver.url } })
    ).json<{ id: string }>();
    try {
      const check = await app.inject({ method: 'POST', url: '/api/alerts/check?model=churn' });
      assert.equal(check.statusCode, 200);
      const [result] = check.json<{ results: { breached: boolean; webhook: string; event: { id: number; rule_id: string } }[] }>().results;
      assert.deepEqual([result?.breached, result?.webhook, result?.event.rule_id], [true, 'delivered', rule.id]);
      assert.equal(receiver.bodies.length, 1);
      const events = (await app.inject({ url: '/api/alerts/events?model=churn&limit=5' })).json<{ events: { id: number; metric: string }[] }>().events;
      assert.deepEqual(events.map((e) => [e.id, e.metric]), [[result?.event.id, 'accuracy']]);
      const report = (await app.inject({ url: '/api/models/churn/monitoring?window=300' })).json<{ alerts: { id: number }[] }>();
      assert.deepEqual(report.alerts.map((a) => a.id), [result?.event.id], 'the report lists the alerts fired');
    } finally {
      await home.store.deleteAlertRule(rule.id);
      receiver.bodies.length = 0;
    }
  });

  test('the scheduler starts with the server, fires a breach once, and stops when the server closes', async () => {
    const rule = await home.store.createAlertRule({ model: 'churn', metric: 'accuracy', op: '<', threshold: 0.8, window: 300, webhookUrl: receiver.url });
    const server = Fastify();
    const counted = countingAlertPasses(home.store);
    await server.register(monitoringApi, { store: counted.store, artifacts: home.artifacts, alerts: { intervalMs: 30 } });
    try {
      await server.ready();
      await eventually(() => receiver.bodies.length > 0);
      // two more passes (counted, not timed) find the breach still there and stay quiet
      const fired = counted.passes();
      await eventually(() => counted.passes() >= fired + 2);
      assert.ok(counted.passes() >= fired + 2, `${counted.passes() - fired} passes after the first`);
      assert.equal(receiver.bodies.length, 1, 'a lasting breach fires once');
    } finally {
      await server.close();
      await home.store.deleteAlertRule(rule.id);
    }
    const after = counted.passes();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(counted.passes(), after, 'no checks after close');
    receiver.bodies.length = 0;
  });
});
