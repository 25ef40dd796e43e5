/**
 * A training job's result carries what reading its data changed, as `kiln train --json` does (`notes`,
 * the same shape), from either queue: the server's in-process runner, and a `kiln worker` taking the
 * job off a Redis queue (KILN_TEST_REDIS_URL, e.g. redis://127.0.0.1:6379; skipped without it). The
 * event stream still shows each note as it comes, and the end event's result and the job document agree.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { RedisJobWorker } from '../../../src/api/app/redis-job-worker.js';
import { startServer, type RunningServer } from '../../../src/serve/server.js';
import { openHome } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { readEvents, startAppServer, type AppServer } from './app-server.js';
import { MESSY_NOTE_CODES, MESSY_SPEC, messyAccountsCsv } from './messy-accounts.js';
import type { IngestNote as Note } from '../../../src/data/sources/ingest-note.js';

const REDIS_URL = process.env['KILN_TEST_REDIS_URL'];
const skip = REDIS_URL === undefined || REDIS_URL === '' ? 'KILN_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379)' : false;

/** Uploads the messy table to the server at `url`, trains it as a job, and checks the notes everywhere they appear. */
async function trainsWithNotes(url: string, name: string): Promise<void> {
  const upload = await fetch(`${url}/api/uploads?filename=accounts.csv`, { method: 'PUT', body: messyAccountsCsv(), headers: { 'content-type': 'text/csv' } });
  assert.equal(upload.status, 201);
  const { source } = (await upload.json()) as { source: string };
  const submitted = await fetch(`${url}/api/jobs`, { method: 'POST', body: JSON.stringify({ spec: { name, data: source, ...MESSY_SPEC } }), headers: { 'content-type': 'application/json' } });
  assert.equal(submitted.status, 202);
  const { id } = (await submitted.json()) as { id: string };

  const events = await readEvents(`${url}/api/jobs/${id}/events`);
  const streamed = events.filter((e) => e.event === 'note' && e.data['ingest'] !== undefined).map((e) => e.data['ingest'] as Note);
  assert.deepEqual(streamed.map((n) => n.code), [...MESSY_NOTE_CODES], 'the stream shows each note as it comes');
  const done = events.at(-1);
  assert.equal(done?.event, 'done', JSON.stringify(done?.data));
  const doneResult = done?.data['result'] as { notes?: Note[]; version?: number };
  assert.deepEqual(doneResult.notes, streamed, 'the end event\'s result carries the same notes, whole');

  const job = (await (await fetch(`${url}/api/jobs/${id}`)).json()) as { status: string; result?: { notes?: Note[]; version?: number } };
  assert.equal(job.status, 'succeeded');
  assert.deepEqual(job.result?.notes, streamed);
  const warning = job.result?.notes?.find((n) => n.severity === 'warning');
  assert.deepEqual(warning?.columns, ['amount']);
  assert.match(warning?.message ?? '', /"ask Bob"/);
  assert.match(warning?.fix ?? '', /Correct those cells/);
  assert.equal(job.result?.version, 1);
}

describe('the in-process runner', () => {
  let server: AppServer;
  before(async () => {
    server = await startAppServer();
  });
  after(async () => {
    await server?.close();
  });

  test("a training job's result carries the notes reading its data made, as the stream showed them", async () => {
    await trainsWithNotes(server.url, 'accounts');
  });
});

describe('a Redis queue and a kiln worker', { skip }, () => {
  const prefix = `kiln-test-${randomUUID()}`;
  const logger = pino({ level: process.env['KILN_LOG_LEVEL'] ?? 'silent' });
  let dir: string;
  let store: Store;
  let server: RunningServer;
  let worker: RedisJobWorker;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kiln-job-notes-'));
    const storeUrl = join(dir, 'kiln.db');
    const home = await openHome(dir, storeUrl);
    store = home.store;
    server = await startServer({ store, artifacts: home.artifacts, home: home.home, storeUrl, logger, host: '127.0.0.1', port: 0, queue: REDIS_URL as string, queuePrefix: prefix });
    worker = await RedisJobWorker.start({ url: REDIS_URL as string, prefix, home: home.home, storeUrl, logger, concurrency: 1 });
  });
  after(async () => {
    await worker?.close();
    await server?.close();
    await store?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test("the worker's result carries the notes reading the job's data made, as the stream showed them", async () => {
    await trainsWithNotes(server.url, 'accounts-queued');
  });
});
