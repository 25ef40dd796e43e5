/**
 * The app's training jobs through a restart of the real server on the same home: a job trained to its end
 * is listed with its result and replays its events; a job that was training when the server shut down
 * answers `failed` JOB_INTERRUPTED, and its event stream says so; the job that waited behind it trains
 * once the restarted server listens.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer } from '../../../src/serve/server.js';
import { openHome } from '../../../src/store/open-store.js';
import { readEvents, TITANIC_CSV, type SseEvent } from './app-server.js';

interface Server {
  readonly url: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** `kiln serve` on `home`, as the CLI starts it: the home's SQLite store and artifact folder. */
async function serve(home: string): Promise<Server> {
  const { store, artifacts, home: absolute } = await openHome(home);
  const server = await startServer({ store, artifacts, home: absolute, logger: pino({ level: process.env['KILN_LOG_LEVEL'] ?? 'silent' }), host: '127.0.0.1', port: 0 }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  return {
    url: server.url,
    async call(method, path, body) {
      const res = await fetch(`${server.url}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
      const text = await res.text();
      return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
    },
    async close() {
      await server.close();
      await store.close();
    },
  };
}

async function upload(server: Server): Promise<string> {
  const res = await fetch(`${server.url}/api/uploads?filename=titanic.csv`, { method: 'PUT', body: readFileSync(TITANIC_CSV) });
  return ((await res.json()) as { source: string }).source;
}

describe('training jobs through a restart of the server', () => {
  const home = mkdtempSync(join(tmpdir(), 'kiln-job-restart-'));
  after(() => rmSync(home, { recursive: true, force: true }));

  test('a job trained to its end is listed after the restart with its result, and replays its events to `done`', { timeout: 120_000 }, async () => {
    const first = await serve(home);
    let id: string;
    let document: Record<string, unknown>;
    let events: SseEvent[];
    try {
      const data = await upload(first);
      const submitted = await first.call('POST', '/api/jobs', { spec: { name: 'titanic-restart', data, target: 'Survived', learner: 'logistic-regression' } });
      assert.equal(submitted.status, 202);
      id = submitted.json['id'] as string;
      events = await readEvents(`${first.url}/api/jobs/${id}/events`);
      assert.equal(events.at(-1)?.event, 'done');
      document = (await first.call('GET', `/api/jobs/${id}`)).json;
      assert.equal(document['status'], 'succeeded');
    } finally {
      await first.close();
    }

    const second = await serve(home);
    try {
      const listed = await second.call('GET', '/api/jobs');
      assert.deepEqual((listed.json['jobs'] as Record<string, unknown>[]).map((j) => j['id']), [id]);
      const again = await second.call('GET', `/api/jobs/${id}`);
      assert.equal(again.status, 200);
      assert.deepEqual(again.json, document, 'the same document: status, times, spec and result');
      assert.equal((again.json['result'] as { model: string }).model, 'titanic-restart');
      const replayed = await readEvents(`${second.url}/api/jobs/${id}/events`);
      assert.deepEqual(replayed, events, 'every event, with its id, ending with done');
      const last = await fetch(`${second.url}/api/jobs/${id}/events`, { headers: { accept: 'text/event-stream', 'last-event-id': String(events.at(-1)?.id) } });
      assert.equal(last.status, 204, 'after its last event there is nothing more');
      const model = await second.call('GET', '/api/models/titanic-restart');
      assert.equal(model.status, 200, 'the version it registered is there');
    } finally {
      await second.close();
    }
  });

  test('a job training when the server shuts down answers failed JOB_INTERRUPTED after the restart; the one waiting then trains', { timeout: 120_000 }, async () => {
    const first = await serve(home);
    let id: string;
    let waitingId: string;
    try {
      const data = await upload(first);
      const submitted = await first.call('POST', '/api/jobs', { spec: { name: 'titanic-interrupted', data, target: 'Survived', budget: '120s' } });
      id = submitted.json['id'] as string;
      const waiting = await first.call('POST', '/api/jobs', { spec: { name: 'titanic-waited', data, target: 'Survived', learner: 'logistic-regression' } });
      assert.equal(waiting.json['status'], 'queued');
      waitingId = waiting.json['id'] as string;
      let closing: Promise<void> | undefined;
      // the stream ends when the server closes; the job is then mid-search
      await readEvents(`${first.url}/api/jobs/${id}/events`, (e) => {
        if (e.event === 'stage' && e.data['stage'] === 'search' && closing === undefined) closing = first.close();
      });
      await closing;
    } catch (err) {
      await first.close();
      throw err;
    }

    const second = await serve(home);
    try {
      const job = await second.call('GET', `/api/jobs/${id}`);
      assert.equal(job.json['status'], 'failed');
      const error = job.json['error'] as { code: string; error: string; hint: string };
      assert.equal(error.code, 'JOB_INTERRUPTED');
      assert.match(error.error, /the server was shut down while it ran, so nothing was registered/);
      const events = await readEvents(`${second.url}/api/jobs/${id}/events`);
      assert.ok(events.some((e) => e.event === 'stage' && e.data['stage'] === 'search'), 'what it did before replays');
      assert.deepEqual(events.at(-1)?.data, { error }, 'its last event says how it ended');
      assert.equal(events.at(-1)?.event, 'failed');
      const model = await second.call('GET', '/api/models/titanic-interrupted');
      assert.equal(model.status, 404, 'nothing was registered');

      const waited = await readEvents(`${second.url}/api/jobs/${waitingId}/events`);
      assert.ok(waited.some((e) => e.event === 'note' && /the server restarted before this job started/.test(String(e.data['message']))));
      assert.equal(waited.at(-1)?.event, 'done', 'the job that waited trained after the restart');
      assert.equal((await second.call('GET', '/api/models/titanic-waited')).status, 200);
      const listed = (await second.call('GET', '/api/jobs')).json['jobs'] as Record<string, unknown>[];
      assert.deepEqual(listed.map((j) => j['model']), ['titanic-waited', 'titanic-interrupted', 'titanic-restart'], 'every job, newest first');
    } finally {
      await second.close();
    }
  });
});
