/**
 * `kiln worker` as a user runs it: refused with a coded error and exit code 1 when its queue is not a
 * Redis URL or does not answer, exit code 2 without one; and — with a real Redis (KILN_TEST_REDIS_URL) —
 * a worker process that trains a job a server queued, then stops cleanly on SIGTERM, and one killed
 * mid-training whose job BullMQ's stalled-job check hands to another worker. A worker killed while no
 * other is connected: the server sees its heartbeat stop, and the job waits for a worker, saying so —
 * the next one to connect runs it again, or it fails JOB_WORKER_LOST when none comes in time.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { RedisJobQueue } from '../../src/api/app/redis-job-queue.js';
import { BULL_QUEUE_NAME, type RedisJobView } from '../../src/api/app/redis-job-records.js';
import { RedisJobWorker } from '../../src/api/app/redis-job-worker.js';
import type { JobEvent } from '../../src/api/app/training-jobs.js';
import { validateSpec } from '../../src/modules/spec.js';
import { startServer } from '../../src/serve/server.js';
import { openHome } from '../../src/store/open-store.js';
import { readEvents, TITANIC_CSV } from '../api/app/app-server.js';
import { kiln, spawnKiln, tempHome } from '../helpers/kiln-cli.js';
import { S3_TEST_CREDENTIALS, startTestS3 } from '../helpers/s3-server.js';

const REDIS_URL = process.env['KILN_TEST_REDIS_URL'];
const needsRedis = REDIS_URL === undefined || REDIS_URL === '' ? 'KILN_TEST_REDIS_URL is not set' : false;

/** Resolves with the worker's start-up document (`--json`), or rejects when it exits first. */
async function workerStarted(worker: ChildProcess): Promise<{ worker: string; concurrency: number }> {
  let stdout = '';
  let stderr = '';
  worker.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  worker.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(worker, 'exit').then(([code]) => {
    throw new Error(`the worker exited (${String(code)}): ${stderr}`);
  });
  exited.catch(() => {}); // only raced while starting
  while (!stdout.includes('}')) await Promise.race([once(worker.stdout as NodeJS.ReadableStream, 'data'), exited]);
  return JSON.parse(stdout) as { worker: string; concurrency: number };
}

async function uploadTitanic(url: string): Promise<string> {
  const upload = await fetch(`${url}/api/uploads?filename=titanic.csv`, { method: 'PUT', body: readFileSync(TITANIC_CSV) });
  return ((await upload.json()) as { source: string }).source;
}

/** A job's events as the server's queue hands them out, and a wait for the first that matches. */
function follow(queue: RedisJobQueue, job: RedisJobView): { events: JobEvent[]; until(what: string, match: (e: JobEvent) => boolean, timeoutMs?: number): Promise<JobEvent>; stop(): void } {
  const events: JobEvent[] = [];
  let wake = () => {};
  const stop = queue.subscribe(job, 0, (e) => {
    events.push(e);
    wake();
  });
  return {
    events,
    stop,
    async until(what, match, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; events: ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 200);
        });
      }
    },
  };
}

const message = (e: JobEvent) => String((e.data as { message?: unknown }).message);

async function submit(url: string, spec: Record<string, unknown>): Promise<string> {
  const submitted = await fetch(`${url}/api/jobs`, { method: 'POST', body: JSON.stringify({ spec }), headers: { 'content-type': 'application/json' } });
  return ((await submitted.json()) as { id: string }).id;
}

describe('kiln worker', () => {
  test('a queue that is not Redis is QUEUE_UNAVAILABLE, exit code 1', async () => {
    const home = tempHome();
    try {
      const res = await kiln(['--home', home, '--json', 'worker', '--queue', 'http://127.0.0.1:6379']);
      assert.equal(res.code, 1, res.stderr);
      const body = JSON.parse(res.stdout) as { error: { code: string; message: string; hint?: string } };
      assert.equal(body.error.code, 'QUEUE_UNAVAILABLE');
      assert.match(body.error.message, /redis:\/\/HOST:PORT/);
      assert.equal(typeof body.error.hint, 'string');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('a Redis that does not answer is QUEUE_UNAVAILABLE, exit code 1, without a stack trace; its password is not shown', async () => {
    const home = tempHome();
    try {
      const res = await kiln(['--home', home, 'worker', '--queue', 'redis://kiln:s3cret@127.0.0.1:1']);
      assert.equal(res.code, 1);
      assert.match(res.stderr, /^error \[QUEUE_UNAVAILABLE\]: the job queue at redis:\/\/kiln:\*\*\*@127\.0\.0\.1:1 cannot be used/m);
      assert.doesNotMatch(res.stderr, /s3cret|    at /);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('without a queue it is a usage error, exit code 2', async () => {
    const home = tempHome();
    try {
      const res = await kiln(['--home', home, 'worker'], { KILN_QUEUE_URL: '' });
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, /--queue/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('a worker process trains what a server queued, then stops on SIGTERM', { skip: needsRedis }, async () => {
    const dir = tempHome();
    const prefix = `kiln-test-${randomUUID()}`;
    const home = await openHome(dir);
    const server = await startServer({ store: home.store, artifacts: home.artifacts, home: home.home, logger: pino({ level: 'silent' }), host: '127.0.0.1', port: 0, queue: REDIS_URL as string, queuePrefix: prefix });
    const worker = spawnKiln(['--home', dir, '--json', 'worker', '--queue', REDIS_URL as string], { KILN_QUEUE_PREFIX: prefix });
    try {
      const started = await workerStarted(worker);
      assert.equal(started.concurrency, 1);
      const data = await uploadTitanic(server.url);
      const id = await submit(server.url, { name: 'titanic-cli-worker', data, target: 'Survived', drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'], learner: 'logistic-regression' });
      const events = await readEvents(`${server.url}/api/jobs/${id}/events`);
      assert.ok(events.some((e) => e.event === 'note' && String(e.data['message']).includes(started.worker)), 'the worker process ran it');
      assert.equal(events.at(-1)?.event, 'done', JSON.stringify(events.at(-1)));
      assert.ok((await home.store.listModels()).some((m) => m.name === 'titanic-cli-worker'));

      worker.kill('SIGTERM');
      const [code] = (await once(worker, 'exit')) as [number | null];
      assert.equal(code, 0);
    } finally {
      if (worker.exitCode === null) worker.kill('SIGKILL');
      await server.close();
      await home.store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a worker that shares no folder with the server trains an upload that reached it through the artifacts bucket', { skip: needsRedis }, async () => {
    const s3 = await startTestS3(['kiln-shared']);
    const bucket = s3.urlOf('kiln-shared', 'models');
    const saved = { ...process.env };
    Object.assign(process.env, S3_TEST_CREDENTIALS);
    const serverDir = tempHome();
    const workerDir = tempHome(); // "another machine": its own home, the server's uploads not mounted
    const prefix = `kiln-test-${randomUUID()}`;
    const home = await openHome(serverDir, undefined, {}, bucket);
    const server = await startServer({ store: home.store, artifacts: home.artifacts, home: home.home, artifactsUrl: bucket, logger: pino({ level: 'silent' }), host: '127.0.0.1', port: 0, queue: REDIS_URL as string, queuePrefix: prefix });
    // the store is the server's SQLite file here; on other machines it would be PostgreSQL
    const worker = spawnKiln(['--home', workerDir, '--store', join(serverDir, 'kiln.db'), '--artifacts', bucket, '--json', 'worker', '--queue', REDIS_URL as string], { KILN_QUEUE_PREFIX: prefix, ...S3_TEST_CREDENTIALS });
    try {
      await workerStarted(worker);
      const data = await uploadTitanic(server.url);
      const id = await submit(server.url, { name: 'titanic-no-shared-folder', data, target: 'Survived', drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'], learner: 'logistic-regression' });
      const events = await readEvents(`${server.url}/api/jobs/${id}/events`);
      assert.equal(events.at(-1)?.event, 'done', JSON.stringify(events.at(-1)));
      // the upload arrived at the same place under the worker's home, byte for byte
      const arrived = join(workerDir, relative(serverDir, data));
      assert.deepEqual(readFileSync(arrived), readFileSync(data));
      const version = await home.store.getVersion('titanic-no-shared-folder', 1);
      for (const digest of Object.values(version.artifacts)) assert.equal(await home.artifacts.has(digest), true, `${digest} is in the bucket`);
      assert.equal(existsSync(join(workerDir, 'artifacts')), false, 'the worker wrote no artifacts folder');
    } finally {
      if (worker.exitCode === null) worker.kill('SIGKILL');
      await server.close();
      await home.store.close();
      await s3.close();
      process.env = saved;
      rmSync(serverDir, { recursive: true, force: true });
      rmSync(workerDir, { recursive: true, force: true });
    }
  });

  test('a job whose worker dies mid-training goes back to the queue and is trained by another worker', { skip: needsRedis }, async () => {
    const dir = tempHome();
    const prefix = `kiln-test-${randomUUID()}`;
    const home = await openHome(dir);
    const logger = pino({ level: 'silent' });
    const server = await startServer({ store: home.store, artifacts: home.artifacts, home: home.home, logger, host: '127.0.0.1', port: 0, queue: REDIS_URL as string, queuePrefix: prefix });
    // its lock lapses 2 s after it dies (the default is 30 s)
    const doomed = spawnKiln(['--home', dir, '--json', 'worker', '--queue', REDIS_URL as string, '--lock-duration', '2'], { KILN_QUEUE_PREFIX: prefix });
    // set at the first trial, synchronously: the trials written before the kill still arrive after it
    let survivor: Promise<RedisJobWorker> | undefined;
    try {
      await workerStarted(doomed);
      const data = await uploadTitanic(server.url);
      const id = await submit(server.url, { name: 'titanic-survivor', data, target: 'Survived', budget: '4s' });
      const events = await readEvents(`${server.url}/api/jobs/${id}/events`, (e) => {
        if (e.event === 'trial' && survivor === undefined) {
          doomed.kill('SIGKILL'); // no goodbye: its lock simply stops being renewed
          survivor = RedisJobWorker.start({ url: REDIS_URL as string, prefix, home: home.home, storeUrl: join(home.home, 'kiln.db'), logger, lockDurationMs: 2_000, stalledIntervalMs: 1_000 });
        }
      });
      const notes = events.filter((e) => e.event === 'note').map((e) => String(e.data['message']));
      assert.ok(notes.some((m) => /stopped answering: the job goes back to the queue/.test(m)), notes.join(' | '));
      assert.ok(notes.some((m) => /was lost: starting again on/.test(m)), notes.join(' | '));
      assert.equal(events.at(-1)?.event, 'done', JSON.stringify(events.at(-1)));
      assert.ok((await home.store.listModels()).some((m) => m.name === 'titanic-survivor'));
    } finally {
      if (doomed.exitCode === null) doomed.kill('SIGKILL');
      await (await survivor?.catch(() => undefined))?.close();
      await server.close();
      await home.store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // these run side by side: each has its own workers, queue and prefix
  describe('a worker killed while no other is connected', { skip: needsRedis, concurrency: true }, () => {
    /**
     * A server's queue watching every 200 ms, a `kiln worker` process whose heartbeat lasts 1 s running a
     * long search, killed (SIGKILL: no goodbye) once the job has started on it. Returns the queue, the
     * job as submitted, its events (still followed), the dead worker's name and the cleanup.
     */
    async function orphanedJob(workerGraceMs: number) {
      const dir = tempHome();
      const prefix = `kiln-test-${randomUUID()}`;
      const home = await openHome(dir);
      const queue = await RedisJobQueue.open({ url: REDIS_URL as string, home: home.home, logger: pino({ level: 'silent' }), prefix, watchIntervalMs: 200, workerGraceMs });
      const doomed = spawnKiln(['--home', dir, '--json', 'worker', '--queue', REDIS_URL as string, '--lock-duration', '1'], { KILN_QUEUE_PREFIX: prefix });
      const cleanup = async () => {
        if (doomed.exitCode === null) doomed.kill('SIGKILL');
        await queue.close();
        await home.store.close();
        rmSync(dir, { recursive: true, force: true });
      };
      try {
        const started = await workerStarted(doomed);
        const loaded = validateSpec({ name: 'titanic-orphan', data: fileURLToPath(TITANIC_CSV), target: 'Survived', budget: '60s' }, null, dir);
        const job = await queue.submit(loaded);
        const events = follow(queue, job);
        await events.until('start on the doomed worker', (e) => e.event === 'note' && message(e).includes(`running on kiln worker ${started.worker}`));
        doomed.kill('SIGKILL');
        await once(doomed, 'exit');
        return { prefix, home, queue, job, events, doomed: started.worker, cleanup };
      } catch (err) {
        await cleanup();
        throw err;
      }
    }

    test('its job goes back to waiting, says so, and the next worker to connect runs it again', async () => {
      const { prefix, home, queue, job, events, doomed, cleanup } = await orphanedJob(60_000);
      let next: RedisJobWorker | undefined;
      try {
        const waiting = await events.until('a note that it waits for a worker', (e) => e.event === 'note' && message(e).startsWith('waiting for a worker'), 10_000);
        assert.match(message(waiting), new RegExp(`kiln worker ${doomed}, which ran this job, stopped answering and none is connected .* or fails JOB_WORKER_LOST if none has within 1 min`));
        const seen = await queue.get(job.id);
        assert.equal(seen.status, 'queued', 'not `running` on a dead worker');
        assert.equal(await queue.queuePosition(seen), 0);

        next = await RedisJobWorker.start({ url: REDIS_URL as string, prefix, home: home.home, storeUrl: join(home.home, 'kiln.db'), logger: pino({ level: 'silent' }), lockDurationMs: 2_000, stalledIntervalMs: 500 });
        await events.until('the start on the next worker', (e) => e.event === 'note' && message(e).includes(`was lost: starting again on ${next?.name ?? '?'}`), 15_000);
        const notes = events.events.filter((e) => e.event === 'note').map(message);
        assert.equal(notes.filter((m) => /stopped answering/.test(m)).length, 1, `the loss is told once: ${notes.join(' | ')}`);
        assert.equal((await queue.get(job.id)).status, 'running');
        await queue.cancel(job.id); // the search would run a minute: its restart is what this test is about
        await events.until('the end', (e) => e.event === 'cancelled', 30_000);
        assert.equal((await queue.get(job.id)).status, 'cancelled');
      } finally {
        events.stop();
        await next?.close();
        await cleanup();
      }
    });

    test('its job runs again once: when the next worker dies too, it fails JOB_WORKER_LOST', async () => {
      const { prefix, home, queue, job, events, cleanup } = await orphanedJob(60_000);
      let second: ChildProcess | undefined;
      try {
        await events.until('a note that it waits for a worker', (e) => e.event === 'note' && message(e).startsWith('waiting for a worker'), 10_000);
        second = spawnKiln(['--home', home.home, '--json', 'worker', '--queue', REDIS_URL as string, '--lock-duration', '1'], { KILN_QUEUE_PREFIX: prefix });
        const { worker } = await workerStarted(second);
        await events.until('the start on the second worker', (e) => e.event === 'note' && message(e).includes(`was lost: starting again on ${worker}`), 15_000);
        second.kill('SIGKILL');
        const failed = await events.until('the failure', (e) => e.event === 'failed', 10_000);
        const error = (failed.data as { error: { code: string; error: string } }).error;
        assert.equal(error.code, 'JOB_WORKER_LOST');
        assert.match(error.error, new RegExp(`kiln worker ${worker} stopped answering, and the job had lost a worker before`));
        assert.equal((await queue.get(job.id)).status, 'failed');
      } finally {
        if (second?.exitCode === null) second.kill('SIGKILL');
        events.stop();
        await cleanup();
      }
    });

    test('its job fails JOB_WORKER_LOST when no worker connects within the grace period', async () => {
      const { prefix, queue, job, events, doomed, cleanup } = await orphanedJob(1_000);
      const redis = new Redis(REDIS_URL as string, { maxRetriesPerRequest: null });
      const bull = new Queue(BULL_QUEUE_NAME, { connection: redis, prefix: `${prefix}:bull` });
      try {
        await events.until('a note that it waits for a worker', (e) => e.event === 'note' && message(e).startsWith('waiting for a worker'), 10_000);
        const failed = await events.until('the failure', (e) => e.event === 'failed', 10_000);
        const error = (failed.data as { error: { code: string; error: string } }).error;
        assert.equal(error.code, 'JOB_WORKER_LOST');
        assert.match(error.error, new RegExp(`no kiln worker connected within 1 s after kiln worker ${doomed} running it stopped answering`));
        const seen = await queue.get(job.id);
        assert.equal(seen.status, 'failed');
        assert.deepEqual(seen.error, error);
        // its BullMQ entry goes right after: a worker connecting later is not handed it
        for (let waited = 0; (await bull.getJob(job.id)) !== undefined; waited += 50) {
          assert.ok(waited < 5_000, 'the BullMQ entry of the failed job is removed');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        events.stop();
        await bull.close();
        redis.disconnect();
        await cleanup();
      }
    });
  });
});
