/**
 * POST /api/models/:ref/curves through a real server: the learning curve of a registered version runs
 * as a job of the training queue (in a worker thread), its points arrive as `point` events, asking twice
 * gives the same job, it can be cancelled, and a version that cannot be refitted is a coded answer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateSpec } from '../../../src/modules/spec.js';
import { trainModule } from '../../../src/modules/train-module.js';
import { tempHome } from '../../helpers/kiln-cli.js';
import { readEvents, startAppServer, TITANIC_CSV, type AppServer } from './app-server.js';

const titanic = fileURLToPath(TITANIC_CSV);
const segments = fileURLToPath(new URL('../../../examples/segments/customers.csv', import.meta.url));
const sentiment = fileURLToPath(new URL('../../../examples/sentiment/sentiment.csv', import.meta.url));

let server: AppServer;
before(async () => {
  server = await startAppServer();
  const home = { store: server.store, artifacts: server.artifacts };
  await trainModule(validateSpec({ name: 'titanic', data: titanic, target: 'Survived', drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'], learner: 'logistic-regression' }, null, dirname(titanic)), home);
  await trainModule(validateSpec({ name: 'segments', task: 'cluster', data: segments, clusters: 3 }, null, dirname(segments)), home);
  // 900 of the example reviews: a text-classify module whose curve takes a few seconds
  const reviews = join(tempHome('kiln-curves-reviews-'), 'reviews.csv');
  writeFileSync(reviews, readFileSync(sentiment, 'utf8').split('\n').slice(0, 901).join('\n'));
  const reviewsSpec = { name: 'reviews', task: 'text-classify', data: reviews, target: 'label', text: 'sentence', learner: 'logistic-regression', params: { C: 10, wordNgrams: [1, 2], charNgrams: null } };
  await trainModule(validateSpec(reviewsSpec, null, dirname(reviews)), home);
});
after(() => server.close());

test('the learning curve of a version is a job: points arrive one by one, then the reading; asking again gives the same job', async () => {
  const submitted = await server.call('POST', '/api/models/titanic/curves');
  assert.equal(submitted.status, 202);
  assert.equal(submitted.json['kind'], 'curves');
  assert.equal(submitted.json['model'], 'titanic');
  assert.equal(submitted.json['version'], 1);
  assert.equal((submitted.json['spec'] as Record<string, unknown>)['learner'], 'logistic-regression');
  const id = submitted.json['id'] as string;
  assert.equal((await server.call('POST', '/api/models/titanic:1/curves')).json['id'], id, 'the same version while it runs: the same job');

  const events = await readEvents(`${server.url}/api/jobs/${id}/events`);
  const points = events.filter((e) => e.event === 'point');
  assert.deepEqual(points.map((e) => e.data['done']), [1, 2, 3, 4, 5]);
  assert.ok(points.every((e) => e.data['curve'] === 'size' && e.data['total'] === 5));
  const last = events[events.length - 1];
  assert.equal(last?.event, 'done');
  const result = (last?.data as { result: { version: number; trainingRows: number; metric: string; higherIsBetter: boolean; size: { points: { x: number; validation: number }[]; reading: { verdict: string; sentence: string; nextSteps: string[] } } } }).result;
  assert.equal(result.version, 1);
  assert.equal(result.metric, 'roc_auc');
  assert.equal(result.higherIsBetter, true);
  assert.equal(result.trainingRows, 712);
  assert.deepEqual(result.size.points.map((p) => p.x), points.map((e) => (e.data['point'] as { x: number }).x));
  assert.equal(result.size.points[4]?.x, 569); // every training row of the smallest fold: 712 less its largest fifth (143)
  assert.ok(['more-data-helps', 'overfitting', 'plateau'].includes(result.size.reading.verdict));
  assert.match(result.size.reading.sentence, /roc_auc/);

  const job = await server.call('GET', `/api/jobs/${id}`);
  assert.equal(job.json['status'], 'succeeded');
  const again = await server.call('POST', '/api/models/titanic/curves');
  assert.equal(again.json['id'], id, 'a finished curve is not fitted again');
  assert.equal(again.json['status'], 'succeeded');
});

test("a text module's curve is a job too: the model refitted on growing shares of its training texts, read in words about texts", async () => {
  const submitted = await server.call('POST', '/api/models/reviews/curves');
  assert.equal(submitted.status, 202);
  assert.equal(submitted.json['kind'], 'curves');
  const spec = submitted.json['spec'] as Record<string, unknown>;
  assert.equal(spec['task'], 'text-classify');
  assert.equal(spec['text'], 'sentence');
  const events = await readEvents(`${server.url}/api/jobs/${submitted.json['id'] as string}/events`);
  const points = events.filter((e) => e.event === 'point');
  assert.deepEqual(points.map((e) => e.data['done']), [1, 2, 3, 4, 5]);
  const last = events[events.length - 1];
  assert.equal(last?.event, 'done', JSON.stringify(last?.data));
  const result = (last?.data as { result: { task: string; version: number; trainingRows: number; metric: string; size: { points: { x: number; validation: number }[]; reading: { verdict: string; sentence: string } } } }).result;
  assert.equal(result.task, 'text-classify');
  assert.equal(result.version, 1);
  assert.equal(result.metric, 'roc_auc');
  assert.equal(result.trainingRows, 720); // 900 reviews, a fifth held out
  assert.deepEqual(result.size.points.map((p) => p.x), [58, 187, 317, 446, 576]);
  assert.ok(result.size.points.every((p) => p.validation > 0.5 && p.validation <= 1), 'every held-out AUC is a real score');
  assert.match(result.size.reading.sentence, /texts/);
});

test('a curves job can be cancelled, and asking again then starts a new one', async () => {
  await trainModule(validateSpec({ name: 'titanic', data: titanic, target: 'Survived', drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'], learner: 'gradient-boosting' }, null, dirname(titanic)), { store: server.store, artifacts: server.artifacts });
  const submitted = await server.call('POST', '/api/models/titanic:2/curves');
  const id = submitted.json['id'] as string;
  assert.equal((await server.call('POST', `/api/jobs/${id}/cancel`, {})).status, 202);
  const events = await readEvents(`${server.url}/api/jobs/${id}/events`);
  assert.equal(events[events.length - 1]?.event, 'cancelled');
  const fresh = await server.call('POST', '/api/models/titanic:2/curves');
  assert.notEqual(fresh.json['id'], id);
  await server.call('POST', `/api/jobs/${fresh.json['id'] as string}/cancel`, {});
});

test('a version that cannot be refitted is a coded answer, and no job is queued', async () => {
  const before = ((await server.call('GET', '/api/jobs')).json['jobs'] as unknown[]).length;
  const cluster = await server.call('POST', '/api/models/segments/curves');
  assert.equal(cluster.status, 422);
  assert.equal(cluster.json['code'], 'CURVES_UNAVAILABLE');
  assert.match(cluster.json['error'] as string, /cluster module/);
  const missing = await server.call('POST', '/api/models/nobody/curves');
  assert.equal(missing.status, 404);
  assert.equal(((await server.call('GET', '/api/jobs')).json['jobs'] as unknown[]).length, before);
});
