/**
 * `kiln worker` as a user runs it: refused with a coded error and exit code 1 when its queue is not a
 * Redis URL or does not answer, exit code 2 without one; and — with a real Redis (KILN_TEST_REDIS_URL) —
 * a worker process that trains a job a server queued, then stops cleanly on SIGTERM, and one killed
 * mid-training whose job BullMQ's stalled-job check hands to another worker.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';
import { RedisJobWorker } from '../../src/api/app/redis-job-worker.js';
import { startServer } from '../../src/serve/server.js';
import { openHome } from '../../src/store/open-store.js';
import { readEvents, TITANIC_CSV } from '../api/app/app-server.js';
import { kiln, spawnKiln, tempHome } from '../helpers/kiln-cli.js';

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

  test('a job whose worker dies mid-training goes back to the queue and is trained by another worker', { skip: needsRedis }, async () => {
    const dir = tempHome();
    const prefix = `kiln-test-${randomUUID()}`;
    const home = await openHome(dir);
    const logger = pino({ level: 'silent' });
    const server = await startServer({ store: home.store, artifacts: home.artifacts, home: home.home, logger, host: '127.0.0.1', port: 0, queue: REDIS_URL as string, queuePrefix: prefix });
    // its lock lapses 2 s after it dies (the default is 30 s)
    const doomed = spawnKiln(['--home', dir, '--json', 'worker', '--queue', REDIS_URL as string, '--lock-duration', '2'], { KILN_QUEUE_PREFIX: prefix });
    let survivor: RedisJobWorker | undefined;
    try {
      await workerStarted(doomed);
      const data = await uploadTitanic(server.url);
      const id = await submit(server.url, { name: 'titanic-survivor', data, target: 'Survived', budget: '4s' });
      const events = await readEvents(`${server.url}/api/jobs/${id}/events`, (e) => {
        if (e.event === 'trial' && doomed.exitCode === null && survivor === undefined) {
          doomed.kill('SIGKILL'); // no goodbye: its lock simply stops being renewed
          void RedisJobWorker.start({ url: REDIS_URL as string, prefix, home: home.home, storeUrl: join(home.home, 'kiln.db'), logger, lockDurationMs: 2_000, stalledIntervalMs: 1_000 }).then((w) => (survivor = w));
        }
      });
      const notes = events.filter((e) => e.event === 'note').map((e) => String(e.data['message']));
      assert.ok(notes.some((m) => /stopped answering: the job goes back to the queue/.test(m)), notes.join(' | '));
      assert.ok(notes.some((m) => /was lost: starting again on/.test(m)), notes.join(' | '));
      assert.equal(events.at(-1)?.event, 'done', JSON.stringify(events.at(-1)));
      assert.ok((await home.store.listModels()).some((m) => m.name === 'titanic-survivor'));
    } finally {
      if (doomed.exitCode === null) doomed.kill('SIGKILL');
      await survivor?.close();
      await server.close();
      await home.store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
