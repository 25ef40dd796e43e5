/**
 * Training through the Redis job queue, end to end against a real Redis (KILN_TEST_REDIS_URL, e.g.
 * redis://127.0.0.1:6379 from `bash ../shared/ci/services.sh redis`): a server started with a queue
 * enqueues instead of training, a `kiln worker` (in this process) takes the job, and the job's events
 * reach the server's event stream — replayed from the start or from Last-Event-ID — until `done`, with
 * the version registered in the shared store. Cancelling a running and a waiting job, a failing spec's
 * coded error, and a server whose Redis is down (it serves predictions, job requests are coded 503s).
 * Many event streams at once share one Redis connection (counted in `CLIENT LIST`), each getting every
 * event in order, and hanging up lets it go; a job queued while no worker is connected says so.
 *
 * Each run uses keys of its own (a random prefix), so runs sharing one Redis do not see each other's jobs.
 * With KILN_TEST_POSTGRES_URL the shared store is PostgreSQL (a fresh schema), as across machines;
 * without it, the home's SQLite file, which the server and the worker share on one machine.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { RedisJobRecords } from '../../../src/api/app/redis-job-records.js';
import { RedisJobWorker } from '../../../src/api/app/redis-job-worker.js';
import type { JobWork } from '../../../src/api/app/training-jobs.js';
import { validateSpec } from '../../../src/modules/spec.js';
import { startServer, type RunningServer } from '../../../src/serve/server.js';
import { openHome } from '../../../src/store/open-store.js';
import { parseModelRef } from '../../../src/store/model-ref.js';
import type { ArtifactStore, Store } from '../../../src/store/store.js';
import { dropTestSchemas, freshSchemaUrl, POSTGRES_URL } from '../../store/postgres-helpers.js';
import { readEvents, sseEvents, TITANIC_CSV, type SseEvent } from './app-server.js';

const REDIS_URL = process.env['KILN_TEST_REDIS_URL'];
const skip = REDIS_URL === undefined || REDIS_URL === '' ? 'KILN_TEST_REDIS_URL is not set (start Redis with `bash ../shared/ci/services.sh redis` and export KILN_TEST_REDIS_URL=redis://127.0.0.1:6379)' : false;
const logger = pino({ level: process.env['KILN_LOG_LEVEL'] ?? 'silent' });

interface Call {
  status: number;
  json: Record<string, unknown>;
}

async function call(url: string, method: string, path: string, body?: unknown): Promise<Call> {
  const res = await fetch(`${url}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  const text = await res.text();
  return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** An event stream kept open: its events so far, a wait for the n-th, and hanging up. */
interface OpenStream {
  readonly events: SseEvent[];
  /** Resolves once `n` events have come (rejects when the stream ends first). */
  until(n: number): Promise<void>;
  /** Resolves when the server ends the stream (or the client hangs up). */
  readonly ended: Promise<void>;
  hangUp(): void;
}

function openStream(url: string, headers: Record<string, string> = {}): OpenStream {
  const events: SseEvent[] = [];
  const hangUp = new AbortController();
  let wake = () => {};
  let done = false;
  const ended = (async () => {
    try {
      const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: hangUp.signal });
      for await (const e of sseEvents(res)) {
        events.push(e);
        wake();
      }
    } catch (err) {
      if (!hangUp.signal.aborted) throw err;
    } finally {
      done = true;
      wake();
    }
  })();
  return {
    events,
    ended,
    hangUp: () => hangUp.abort(),
    async until(n) {
      while (events.length < n) {
        if (done) throw new Error(`the stream ended after ${events.length} of ${n} events`);
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

interface RedisClient {
  readonly name: string;
  readonly flags: string;
}

/** The connections to Redis named after `prefix`: the server's and the worker's of one test run. */
async function connectionsOf(redis: Redis, prefix: string): Promise<RedisClient[]> {
  const list = String(await redis.client('LIST'));
  return list
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => Object.fromEntries(line.trim().split(' ').map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)])) as unknown as RedisClient)
    .filter((client) => client.name.startsWith(`${prefix}:`));
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('training jobs through a Redis queue and a kiln worker', { skip }, () => {
  const prefix = `kiln-test-${randomUUID()}`;
  let dir: string;
  let home: { store: Store; artifacts: ArtifactStore; home: string };
  let server: RunningServer;
  let worker: RedisJobWorker;
  let data: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kiln-redis-jobs-'));
    const storeUrl = POSTGRES_URL === undefined || POSTGRES_URL === '' ? join(dir, 'kiln.db') : freshSchemaUrl();
    home = await openHome(dir, storeUrl);
    server = await startServer({ store: home.store, artifacts: home.artifacts, home: home.home, storeUrl, logger, host: '127.0.0.1', port: 0, queue: REDIS_URL as string, queuePrefix: prefix });
    // the worker opens the same home and store, as one on another machine would through a shared mount
    worker = await RedisJobWorker.start({ url: REDIS_URL as string, prefix, home: home.home, storeUrl, logger, concurrency: 1 });
    const upload = await fetch(`${server.url}/api/uploads?filename=titanic.csv`, { method: 'PUT', body: readFileSync(TITANIC_CSV), headers: { 'content-type': 'text/csv' } });
    assert.equal(upload.status, 201);
    data = ((await upload.json()) as { source: string }).source;
  });

  after(async () => {
    await worker?.close();
    await server?.close();
    await home?.store.close();
    await dropTestSchemas();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('a job submitted over HTTP is trained by the worker; its events stream to done, replayable, and the version is registered', async () => {
    const spec = { name: 'titanic-queued', data, target: 'Survived', drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'], learner: 'logistic-regression', seed: 42 };
    const submitted = await call(server.url, 'POST', '/api/jobs', { spec });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.json));
    assert.equal(submitted.json['model'], 'titanic-queued');
    assert.ok(['queued', 'running'].includes(submitted.json['status'] as string));
    const id = submitted.json['id'] as string;

    const events = await readEvents(`${server.url}/api/jobs/${id}/events`);
    assert.deepEqual(events.map((e) => e.id), events.map((_, i) => i + 1), 'ids count up from 1');
    assert.ok(events.some((e) => e.event === 'note' && /running on kiln worker/.test(String(e.data['message']))));
    const stages = events.filter((e) => e.event === 'stage').map((e) => e.data['stage']);
    assert.deepEqual(stages, ['read', 'schema', 'split', 'preprocess', 'fit', 'evaluate', 'export', 'register']);
    const last = events.at(-1) as SseEvent;
    assert.equal(last.event, 'done');
    const result = last.data['result'] as { model: string; version: number; metrics: { test: Record<string, number> } };
    assert.equal(result.model, 'titanic-queued');
    assert.ok((result.metrics.test['roc_auc'] ?? 0) > 0.8);

    // replay from the start, and from a Last-Event-ID
    const again = await readEvents(`${server.url}/api/jobs/${id}/events`);
    assert.deepEqual(again, events);
    const resumed = await readEvents(`${server.url}/api/jobs/${id}/events`, undefined, { 'last-event-id': String(events.length - 2) });
    assert.deepEqual(resumed.map((e) => e.id), [events.length - 1, events.length]);
    // after the last event of an ended job there is nothing more: 204 stops an EventSource reconnecting
    const after = await fetch(`${server.url}/api/jobs/${id}/events`, { headers: { accept: 'text/event-stream', 'last-event-id': String(events.length) } });
    assert.equal(after.status, 204);

    const job = await call(server.url, 'GET', `/api/jobs/${id}`);
    assert.equal(job.json['status'], 'succeeded');
    assert.equal(job.json['kind'], 'train');
    assert.equal((job.json['result'] as { version: number }).version, result.version);
    assert.equal(typeof job.json['started_at'], 'string');
    assert.equal(typeof job.json['finished_at'], 'string');
    const listed = await call(server.url, 'GET', '/api/jobs');
    assert.ok((listed.json['jobs'] as { id: string }[]).some((j) => j.id === id));

    // registered in the shared store, and served by the server that queued it
    const version = await home.store.resolve(parseModelRef('titanic-queued'));
    assert.equal(version.version, result.version);
    const ready = await fetch(`${server.url}/v2/models/titanic-queued/ready`);
    assert.equal(ready.status, 200);
  });

  test('a failing spec ends failed with its coded error, intact', async () => {
    const spec = { name: 'titanic-wrong-target', data, target: 'Survive', learner: 'logistic-regression' };
    const submitted = await call(server.url, 'POST', '/api/jobs', { spec });
    assert.equal(submitted.status, 202);
    const id = submitted.json['id'] as string;
    const events = await readEvents(`${server.url}/api/jobs/${id}/events`);
    const last = events.at(-1) as SseEvent;
    assert.equal(last.event, 'failed');
    const error = last.data['error'] as { code: string; error: string; hint?: string };
    assert.equal(error.code, 'TARGET_NOT_FOUND');
    assert.match(error.error, /Survive/);
    assert.equal(typeof error.hint, 'string');
    const job = await call(server.url, 'GET', `/api/jobs/${id}`);
    assert.equal(job.json['status'], 'failed');
    assert.deepEqual(job.json['error'], error);
  });

  test('cancelling: a waiting job ends at once; a running one stops on its worker and registers nothing', async () => {
    // the worker takes one job at a time: the search runs, the second job waits behind it
    const running = await call(server.url, 'POST', '/api/jobs', { spec: { name: 'titanic-cancelled', data, target: 'Survived', budget: '60s' } });
    assert.equal(running.status, 202);
    const runningId = running.json['id'] as string;
    const waiting = await call(server.url, 'POST', '/api/jobs', { spec: { name: 'titanic-never', data, target: 'Survived', learner: 'logistic-regression' } });
    const waitingId = waiting.json['id'] as string;

    let waitingCancel: Promise<Call> | undefined;
    let runningCancel: Promise<Call> | undefined;
    const events = await readEvents(`${server.url}/api/jobs/${runningId}/events`, (e) => {
      // once the search has produced a trial, training is well under way on the worker
      if (e.event === 'trial' && runningCancel === undefined) {
        waitingCancel = call(server.url, 'POST', `/api/jobs/${waitingId}/cancel`, {});
        runningCancel = waitingCancel.then(() => call(server.url, 'POST', `/api/jobs/${runningId}/cancel`, {}));
      }
    });
    const waitingAnswer = (await waitingCancel) as Call;
    assert.equal(waitingAnswer.status, 202);
    assert.equal(waitingAnswer.json['status'], 'cancelled', 'a waiting job ends at once');
    assert.equal((await runningCancel)?.status, 202);
    assert.equal(events.at(-1)?.event, 'cancelled');
    assert.ok(!events.some((e) => e.event === 'stage' && e.data['stage'] === 'register'));
    assert.equal((await call(server.url, 'GET', `/api/jobs/${runningId}`)).json['status'], 'cancelled');

    const waitingEvents = await readEvents(`${server.url}/api/jobs/${waitingId}/events`);
    assert.deepEqual(waitingEvents.at(-1)?.data, { message: 'cancelled before it started' });
    assert.ok(!waitingEvents.some((e) => e.event === 'stage'), 'the worker never ran it');
    const models = (await home.store.listModels()).map((m) => m.name);
    assert.ok(!models.includes('titanic-cancelled') && !models.includes('titanic-never'), models.join());
    const again = await call(server.url, 'POST', `/api/jobs/${runningId}/cancel`, {});
    assert.equal(again.status, 409);
    assert.equal(again.json['code'], 'JOB_FINISHED');
  });

  test('event streams share one Redis connection however many are open, each gets every event in order, and hanging up lets go', async () => {
    // jobs written straight into the records: the events are the test's, in an order it knows
    const redis = new Redis(REDIS_URL as string);
    const records = new RedisJobRecords(redis, prefix);
    const work = (name: string): JobWork => ({ kind: 'train', loaded: validateSpec({ name, data, target: 'Survived' }, null, dir) });
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const note = (message: string) => ({ type: 'note', message });
    try {
      for (const [id, name] of [[a, 'streamed-a'], [b, 'streamed-b'], [c, 'streamed-c']] as const) await records.create(id, work(name), home.home, new Date());
      await records.emit(a, 'note', note('a1'), 100);
      await records.emit(a, 'note', note('a2'), 100);
      await records.emit(b, 'note', note('b1'), 100);
      await records.emit(c, 'note', note('c1'), 100);
      const before = (await connectionsOf(redis, prefix)).length;
      assert.ok(before > 0, 'the server\'s connections carry its prefix');

      // 6 streams of job a from its start, 3 from Last-Event-ID 1, 3 of job b
      const fromStart = Array.from({ length: 6 }, () => openStream(`${server.url}/api/jobs/${a}/events`));
      const resumed = Array.from({ length: 3 }, () => openStream(`${server.url}/api/jobs/${a}/events`, { 'last-event-id': '1' }));
      const ofB = Array.from({ length: 3 }, () => openStream(`${server.url}/api/jobs/${b}/events`));
      await Promise.all([...fromStart.map((s) => s.until(2)), ...resumed.map((s) => s.until(1)), ...ofB.map((s) => s.until(1))]);
      assert.equal((await connectionsOf(redis, prefix)).length, before, '12 open streams add no connection');

      for (let i = 3; i <= 20; i++) {
        await records.emit(a, 'note', note(`a${i}`), 100);
        await records.emit(b, 'note', note(`b${i - 1}`), 100);
      }
      await records.finish(a, 'succeeded', { result: { streamed: 'a' } });
      await records.finish(b, 'cancelled', { message: 'cancelled' });
      await Promise.all([...fromStart, ...resumed, ...ofB].map((s) => s.ended));

      const messages = (events: SseEvent[]) => events.filter((e) => e.event === 'note').map((e) => e.data['message']);
      const aNotes = Array.from({ length: 20 }, (_, i) => `a${i + 1}`);
      for (const stream of fromStart) {
        assert.deepEqual(stream.events.map((e) => e.id), Array.from({ length: 21 }, (_, i) => i + 1));
        assert.deepEqual(messages(stream.events), aNotes);
        assert.deepEqual(stream.events.at(-1), { id: 21, event: 'done', data: { result: { streamed: 'a' } } });
      }
      for (const stream of resumed) {
        assert.deepEqual(stream.events.map((e) => e.id), Array.from({ length: 20 }, (_, i) => i + 2));
        assert.deepEqual(messages(stream.events), aNotes.slice(1));
      }
      for (const stream of ofB) {
        assert.deepEqual(messages(stream.events), Array.from({ length: 19 }, (_, i) => `b${i + 1}`));
        assert.equal(stream.events.at(-1)?.event, 'cancelled');
      }

      // streams that hang up before their job ends: the server lets them go, and its one reader of
      // events stops blocking once nobody follows anything
      const reader = async () => (await connectionsOf(redis, prefix)).find((client) => client.name === `${prefix}:server:job-events`);
      const hangingUp = Array.from({ length: 8 }, () => openStream(`${server.url}/api/jobs/${c}/events`));
      await Promise.all(hangingUp.map((s) => s.until(1)));
      assert.match((await reader())?.flags ?? '', /b/, 'the reader blocks in XREAD while streams are open');
      for (const stream of hangingUp) stream.hangUp();
      await Promise.all(hangingUp.map((s) => s.ended));
      await eventually('the reader stops blocking', async () => !/b/.test((await reader())?.flags ?? 'b'));
      assert.equal((await connectionsOf(redis, prefix)).length, before, 'and no connection was left behind');
      await records.emit(c, 'note', note('c2'), 100); // nobody follows: nothing to deliver, nothing breaks
      const late = openStream(`${server.url}/api/jobs/${c}/events`);
      await late.until(2);
      assert.deepEqual(messages(late.events), ['c1', 'c2']);
      await records.finish(c, 'cancelled', { message: 'cancelled' });
      await late.ended;
    } finally {
      redis.disconnect();
    }
  });

  test('unknown jobs are coded 404s', async () => {
    const res = await call(server.url, 'GET', '/api/jobs/no-such-job');
    assert.equal(res.status, 404);
    assert.equal(res.json['code'], 'JOB_NOT_FOUND');
  });
});

describe('a server whose queue no kiln worker takes jobs from', { skip }, () => {
  test('a job queued while no worker is connected says so in its events, and can be cancelled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-redis-no-worker-'));
    const home = await openHome(dir);
    const prefix = `kiln-test-${randomUUID()}`;
    const server = await startServer({ store: home.store, artifacts: home.artifacts, home: home.home, logger, host: '127.0.0.1', port: 0, queue: REDIS_URL as string, queuePrefix: prefix });
    const redis = new Redis(REDIS_URL as string);
    try {
      const upload = await fetch(`${server.url}/api/uploads?filename=titanic.csv`, { method: 'PUT', body: readFileSync(TITANIC_CSV), headers: { 'content-type': 'text/csv' } });
      const data = ((await upload.json()) as { source: string }).source;
      const submitted = await call(server.url, 'POST', '/api/jobs', { spec: { name: 'titanic-nobody', data, target: 'Survived', learner: 'logistic-regression' } });
      assert.equal(submitted.status, 202);
      assert.equal(submitted.json['status'], 'queued');
      assert.equal(submitted.json['queue_position'], 0);
      const id = submitted.json['id'] as string;
      const stream = openStream(`${server.url}/api/jobs/${id}/events`);
      await stream.until(1);
      assert.equal(stream.events[0]?.event, 'note');
      assert.match(String(stream.events[0]?.data['message']), /^waiting for a worker: none is connected to the queue .*kiln worker --queue/);
      assert.equal((await call(server.url, 'POST', `/api/jobs/${id}/cancel`, {})).json['status'], 'cancelled');
      await stream.ended;
      assert.deepEqual(stream.events.map((e) => e.event), ['note', 'cancelled'], 'the note is said once');

      // a job that was queued while a worker was connected (here: written straight into the records)
      // says it too, once the server sees nobody takes jobs any more
      const records = new RedisJobRecords(redis, prefix);
      const waiting = randomUUID();
      await records.create(waiting, { kind: 'train', loaded: validateSpec({ name: 'titanic-left-behind', data, target: 'Survived' }, null, dir) }, home.home, new Date());
      assert.equal((await call(server.url, 'GET', `/api/jobs/${waiting}`)).json['status'], 'queued');
      await call(server.url, 'GET', '/api/jobs');
      const later = openStream(`${server.url}/api/jobs/${waiting}/events`);
      await call(server.url, 'POST', `/api/jobs/${waiting}/cancel`, {});
      await later.ended;
      assert.deepEqual(later.events.map((e) => e.event), ['note', 'cancelled'], 'said once, however often it is read');
      assert.match(String(later.events[0]?.data['message']), /^waiting for a worker: none is connected/);
    } finally {
      redis.disconnect();
      await server.close();
      await home.store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a server whose Redis is down', () => {
  test('starts, serves, and answers job requests with QUEUE_UNAVAILABLE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-redis-down-'));
    const home = await openHome(dir);
    // port 1: nothing listens there
    const server = await startServer({ store: home.store, artifacts: home.artifacts, home: home.home, logger, host: '127.0.0.1', port: 0, queue: 'redis://127.0.0.1:1', queuePrefix: 'kiln-down' });
    try {
      assert.equal((await fetch(`${server.url}/v2/health/ready`)).status, 200);
      const jobs = await call(server.url, 'GET', '/api/jobs');
      assert.equal(jobs.status, 503);
      assert.equal(jobs.json['code'], 'QUEUE_UNAVAILABLE');
      assert.equal(typeof jobs.json['hint'], 'string');
      assert.equal((await call(server.url, 'GET', '/api/jobs/some-id')).json['code'], 'QUEUE_UNAVAILABLE');
    } finally {
      await server.close();
      await home.store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
