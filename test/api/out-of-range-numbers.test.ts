/**
 * Numbers beyond what the store's columns hold are the caller's slip, answered with a coded 4xx, on
 * SQLite and on PostgreSQL alike. On PostgreSQL each of these used to reach the database and come back
 * as 500 INTERNAL ("value out of range for type integer", "invalid input syntax for type bigint"):
 * a feedback timestamp of 1.5 or 1e20, `?since=99999999999999999999d`, an alert window of 1e12, an
 * experiment's or an alias's version of 99999999999. (SQLite stored most of them silently.)
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { experimentsApi } from '../../src/api/experiments-api.js';
import { monitoringApi } from '../../src/api/monitoring-api.js';
import { registryApi } from '../../src/api/registry-api.js';
import { openHome, type KilnHome } from '../../src/store/open-store.js';
import { tempHome } from '../helpers/kiln-cli.js';
import { logWithOutcomes, registerChurnModel } from '../monitor/monitored-model.js';
import { dropTestSchemas, freshSchemaUrl, POSTGRES_SKIP } from '../store/postgres-helpers.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await dropTestSchemas();
});

interface Api {
  readonly home: KilnHome;
  readonly app: FastifyInstance;
}

/** The registry, monitoring and experiments APIs over a store with `churn` versions 1 and 2, version 1 with logged, labelled predictions. */
async function api(storeUrl?: string): Promise<Api> {
  const dir = tempHome('kiln-out-of-range-');
  dirs.push(dir);
  const home = await openHome(dir, storeUrl);
  await registerChurnModel(home);
  await registerChurnModel(home);
  await logWithOutcomes(home, { start: 0, n: 60, errorRate: 0.2, seed: 4 });
  const app = Fastify();
  await app.register(registryApi, { store: home.store, webhooks: false });
  await app.register(monitoringApi, { store: home.store, artifacts: home.artifacts, alerts: false });
  await app.register(experimentsApi, { store: home.store });
  await app.ready();
  return { home, app };
}

async function call(app: FastifyInstance, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object): Promise<{ status: number; json: { code?: string; error?: string; problems?: { path: string }[] } & Record<string, unknown> }> {
  const res = await app.inject({ method, url, ...(payload === undefined ? {} : { payload }) });
  return { status: res.statusCode, json: res.json() };
}

for (const [engine, storeUrl, skip] of [['SQLite', undefined, undefined], ['PostgreSQL', POSTGRES_SKIP === undefined ? 'pg' : undefined, POSTGRES_SKIP]] as const) {
  describe(`out-of-range numbers on ${engine}`, { skip }, () => {
    let a: Api;
    const open = async (): Promise<Api> => (a ??= await api(storeUrl === 'pg' ? freshSchemaUrl() : undefined));
    after(async () => {
      await a?.app.close();
      await a?.home.store.close();
    });

    test('feedback: a fraction of a millisecond is rounded off; a time beyond any date is a FEEDBACK_INVALID naming it', async () => {
      const { app, home } = await open();
      const ok = await call(app, 'POST', '/api/feedback', { items: [{ request_id: 'churn-0', outcome: 'stay', timestamp: 1700000000000.6 }, { request_id: 'churn-1', outcome: 'stay', timestamp: '1700000000001' }] });
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
      assert.equal(ok.json['accepted'], 2);
      const labelled = await home.store.listLabelledPredictions({ model: 'churn' });
      assert.equal(labelled.find((l) => l.requestId === 'churn-0')?.feedbackAt, 1700000000001);
      // a text of digits is epoch ms, not whatever Date.parse makes of it
      assert.equal(labelled.find((l) => l.requestId === 'churn-1')?.feedbackAt, 1700000000001);

      const huge = await call(app, 'POST', '/api/feedback', { items: [{ request_id: 'churn-2', outcome: 'stay', timestamp: 1e20 }] });
      assert.equal(huge.status, 400, JSON.stringify(huge.json));
      assert.equal(huge.json.code, 'FEEDBACK_INVALID');
      assert.deepEqual(huge.json.problems?.map((p) => p.path), ['items.0.timestamp']);
      assert.match(huge.json.error ?? '', /year 275760, got 100000000000000000000/);
    });

    test('a --since longer than the time since 1970 reads every prediction', async () => {
      const { app } = await open();
      const res = await call(app, 'GET', '/api/models/churn:1/monitoring?since=99999999999999999999d');
      assert.equal(res.status, 200, JSON.stringify(res.json));
      assert.equal(res.json['rows'], 60);
    });

    test('an alert window beyond a million predictions is INVALID_PARAMS naming window', async () => {
      const { app } = await open();
      const res = await call(app, 'POST', '/api/alerts', { model: 'churn', metric: 'accuracy', op: '<', threshold: 0.7, window: 1e12 });
      assert.equal(res.status, 400, JSON.stringify(res.json));
      assert.equal(res.json.code, 'INVALID_PARAMS');
      assert.deepEqual(res.json.problems?.map((p) => p.path), ['window']);
      const largest = await call(app, 'POST', '/api/alerts', { model: 'churn', metric: 'accuracy', op: '<', threshold: 0.7, window: 1_000_000 });
      assert.equal(largest.status, 201, JSON.stringify(largest.json));
    });

    test('an experiment or alias on version 99999999999 is a 400 saying what a version number can be', async () => {
      const { app, home } = await open();
      for (const body of [{ model: 'churn', challenger: 99999999999 }, { model: 'churn', challenger: 2, champion: 99999999999 }]) {
        const res = await call(app, 'POST', '/api/experiments', body);
        assert.equal(res.status, 400, JSON.stringify(res.json));
        assert.equal(res.json.code, 'EXPERIMENT_INVALID');
        assert.match(res.json.error ?? '', /must be a version number \(1, 2, … up to 999999999\), got 99999999999/);
      }
      const alias = await call(app, 'PUT', '/api/models/churn/aliases/champion', { version: 99999999999 });
      assert.equal(alias.status, 400, JSON.stringify(alias.json));
      assert.equal(alias.json.code, 'INVALID_PARAMS');
      assert.deepEqual(alias.json.problems?.map((p) => p.path), ['version']);
      assert.deepEqual((await home.store.getModel('churn')).aliases, {});
      // nothing was started by the refusals; a real pair still starts
      assert.equal((await call(app, 'POST', '/api/experiments', { model: 'churn', challenger: 2 })).status, 201);
    });
  });
}
