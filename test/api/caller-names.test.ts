/**
 * Errors over HTTP name what the HTTP caller wrote. They used to name the CLI's flags or the library's
 * fields, or say something false:
 *   - `?window=0` answered "--window must be a positive whole number" with the hint "use --window N …";
 *   - an alert rule's bad `webhook_url` was reported at path `webhookUrl`;
 *   - `PATCH /api/models/churn:1` answered `"churn:1" is not a model reference` — it is one, only not a
 *     model's name, which is what the route takes.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { monitoringApi } from '../../src/api/monitoring-api.js';
import { registryApi } from '../../src/api/registry-api.js';
import { openHome, type KilnHome } from '../../src/store/open-store.js';
import { tempHome } from '../helpers/kiln-cli.js';
import { logWithOutcomes, registerChurnModel } from '../monitor/monitored-model.js';

let dir: string;
let home: KilnHome;
let app: FastifyInstance;

before(async () => {
  dir = tempHome('kiln-caller-names-');
  home = await openHome(dir);
  await registerChurnModel(home);
  await logWithOutcomes(home, { start: 0, n: 40, errorRate: 0.2, seed: 2 });
  app = Fastify();
  await app.register(registryApi, { store: home.store, webhooks: false });
  await app.register(monitoringApi, { store: home.store, artifacts: home.artifacts, alerts: false });
  await app.ready();
});

after(async () => {
  await app.close();
  await home.store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface ErrorBody {
  readonly code: string;
  readonly error: string;
  readonly hint?: string;
  readonly problems?: { path: string; message: string }[];
}

async function error(method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object): Promise<{ status: number; body: ErrorBody }> {
  const res = await app.inject({ method, url, ...(payload === undefined ? {} : { payload }) });
  return { status: res.statusCode, body: res.json() as ErrorBody };
}

test('a bad monitoring window names the query parameters, in the message and in the hint', async () => {
  const cases: [string, RegExp][] = [
    ['window=0', /\?window= must be a positive whole number, got "0"/],
    ['window=5&since=1h', /give either \?window= or \?since=, not both/],
    ['since=yesterday', /\?since=: "yesterday" is not a duration/],
  ];
  for (const [query, words] of cases) {
    const { status, body } = await error('GET', `/api/models/churn/monitoring?${query}`);
    assert.equal(status, 400, query);
    assert.equal(body.code, 'INVALID_WINDOW');
    assert.match(body.error, words);
    assert.equal(body.hint, 'use ?window=N (the last N predictions) or ?since=DURATION such as 30m, 24h or 7d');
    assert.doesNotMatch(`${body.error} ${body.hint}`, /--window|--since/);
  }
  // a good window still answers
  assert.equal((await app.inject({ method: 'GET', url: '/api/models/churn/monitoring?since=3650d' })).statusCode, 200);
});

test('an alert rule\'s bad webhook_url is reported at webhook_url, as the body names it', async () => {
  const { status, body } = await error('POST', '/api/alerts', { model: 'churn', metric: 'accuracy', op: '<', threshold: 0.7, webhook_url: 'ftp://example' });
  assert.equal(status, 400);
  assert.equal(body.code, 'INVALID_PARAMS');
  assert.deepEqual(body.problems?.map((p) => p.path), ['webhook_url']);
  assert.match(body.error, /webhook_url: "ftp:\/\/example" is not an http:\/\/ or https:\/\/ URL/);
  assert.doesNotMatch(body.error, /webhookUrl/);
  // the other fields keep their names, which are the body's too
  const metric = await error('POST', '/api/alerts', { model: 'churn', metric: 'accuracy_score', op: '<', threshold: 0.7 });
  assert.deepEqual(metric.body.problems?.map((p) => p.path), ['metric']);
});

test('a version or alias where a route takes a model\'s name says so, instead of "is not a model reference"', async () => {
  for (const [method, url, payload, names] of [
    ['PATCH', '/api/models/churn:1', { description: 'x' }, /"churn:1" names version 1 of churn; this route takes the model's name alone/],
    ['PUT', '/api/models/churn@champion/aliases/best', { version: 1 }, /"churn@champion" names the alias champion of churn/],
    ['GET', '/api/models/churn:1/versions/1', undefined, /"churn:1" names version 1 of churn/],
  ] as const) {
    const { status, body } = await error(method, url, payload);
    assert.equal(status, 400, url);
    assert.equal(body.code, 'INVALID_PARAMS', url);
    assert.match(body.error, names);
    assert.doesNotMatch(body.error, /is not a model reference/);
  }
  // what is not a reference at all still says so
  const garbled = await error('PATCH', '/api/models/a%20b', { description: 'x' });
  assert.deepEqual([garbled.status, garbled.body.code], [400, 'INVALID_MODEL_REF']);
  // nothing was changed by the refusals
  assert.equal((await home.store.getModel('churn')).description, '');
  assert.deepEqual((await home.store.getModel('churn')).aliases, {});
});
