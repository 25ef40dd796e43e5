/**
 * Data uploaded before can be found again: GET /api/uploads lists this server's uploads, newest first,
 * with their rows and columns recorded when they came (and, for folders an older Kiln wrote, what the
 * folder tells); DELETE /api/uploads/:id removes one — not one a training is reading (UPLOAD_IN_USE),
 * and, for one a model was trained on, leaving the dataset version's snapshot whole and saying which
 * versions those are. Servers sharing their uploads list their own homes and keep the shared copy when
 * one deletes. Both answers are parsed with the schemas the OpenAPI document carries.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { AppSources } from '../../../src/api/app/app-sources.js';
import { dataRoutes } from '../../../src/api/app/data-routes.js';
import { deletedUploadDocs, uploadListDocs } from '../../../src/api/app/data-docs.js';
import type { JobView } from '../../../src/api/app/job-queue.js';
import { SharedUploads } from '../../../src/api/app/shared-uploads.js';
import { UploadStore } from '../../../src/api/app/upload-store.js';
import { KilnError } from '../../../src/core/errors.js';
import { readSnapshot } from '../../../src/data/read-snapshot.js';
import { validateSpec } from '../../../src/modules/spec.js';
import { trainModule } from '../../../src/modules/train-module.js';
import { replyWithError } from '../../../src/serve/rest/http-errors.js';
import { openHome, type KilnHome } from '../../../src/store/open-store.js';
import { tempHome } from '../../helpers/kiln-cli.js';
import { startAppServer, TITANIC_CSV, type AppServer } from './app-server.js';

const titanic = readFileSync(fileURLToPath(TITANIC_CSV));
const VISITS = 'city,visits,bought\nParis,3,yes\nLyon,1,no\nNice,4,yes\n';

type Listed = ReturnType<typeof uploadListDocs.parse>;

async function put(url: string, name: string, body: Buffer | string): Promise<string> {
  const res = await fetch(`${url}/api/uploads?filename=${encodeURIComponent(name)}`, { method: 'PUT', body });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { source: string }).source;
}

describe('the uploads of a server, listed and deleted', () => {
  let server: AppServer;
  before(async () => {
    server = await startAppServer();
  });
  after(() => server.close());

  const list = async (): Promise<Listed> => {
    const { status, json } = await server.call('GET', '/api/uploads');
    assert.equal(status, 200, JSON.stringify(json));
    return uploadListDocs.parse(json);
  };
  const remove = (source: string) => server.call('DELETE', `/api/uploads/${encodeURIComponent(source)}`);

  test('a server with nothing uploaded lists nothing (its uploads folder does not exist yet)', async () => {
    assert.deepEqual(await list(), { uploads: [], shared_store: false });
  });

  test('uploads are listed newest first with their size, time, rows and columns; uploading one again moves it to the top; a fix is listed too', async () => {
    const t0 = Date.now();
    const passengers = await put(server.url, 'titanic.csv', titanic);
    const visits = await put(server.url, 'visits.csv', VISITS);
    let { uploads } = await list();
    assert.deepEqual(
      uploads.map((u) => [u.name, u.bytes, u.rows, u.columns]),
      [
        ['visits.csv', VISITS.length, 3, 3],
        ['titanic.csv', titanic.byteLength, 891, 12],
      ],
    );
    assert.equal(uploads[0]?.source, visits, 'the source is what PUT answered');
    assert.ok(uploads.every((u) => u.source.endsWith(`/uploads/${u.id}`) && /^[0-9a-f]{64}\/[^/]+$/.test(u.id)), 'the id is <sha256>/<name>');
    assert.ok(uploads.every((u) => Date.parse(u.uploaded_at) >= t0 - 1000 && Date.parse(u.uploaded_at) <= Date.now()), JSON.stringify(uploads));

    // the same file again: stored once, and now the newest
    assert.equal(await put(server.url, 'titanic.csv', titanic), passengers);
    ({ uploads } = await list());
    assert.deepEqual(uploads.map((u) => u.name), ['titanic.csv', 'visits.csv']);

    // a one-click fix is a new upload, with the columns it kept
    const fixed = await server.call('POST', '/api/sources/fix', { source: visits, drop_columns: ['city'] });
    assert.equal(fixed.status, 201, JSON.stringify(fixed.json));
    ({ uploads } = await list());
    assert.equal(uploads[0]?.source, fixed.json['source']);
    assert.equal(uploads[0]?.columns, 2);
    assert.equal(uploads.length, 3);
  });

  test('an upload is deleted by its id or its source; it is then gone from the list, from the disk, and a profile of it says it is missing', async () => {
    const byId = await put(server.url, 'by-id.csv', 'a,b\n5,6\n');
    const listed = (await list()).uploads.find((u) => u.source === byId);
    assert.ok(listed !== undefined);
    assert.equal((await server.call('DELETE', `/api/uploads/${encodeURIComponent(listed.id)}`)).status, 200);
    assert.equal(existsSync(byId), false);

    const source = await put(server.url, 'to-delete.csv', 'a,b\n1,2\n3,4\n');
    const { status, json } = await remove(source);
    assert.equal(status, 200, JSON.stringify(json));
    const answer = deletedUploadDocs.parse(json);
    assert.equal(answer.source, source);
    assert.equal(answer.name, 'to-delete.csv');
    assert.ok(!(await list()).uploads.some((u) => u.source === source));
    assert.equal(existsSync(source), false);
    assert.equal(existsSync(dirname(source)), false, 'its folder goes with it when no other name shares it');
    const profile = await server.call('POST', '/api/inspect', { source });
    assert.equal(profile.json['code'], 'DATA_NOT_FOUND');
  });

  test('an upload the server does not hold is UPLOAD_NOT_FOUND, saying where to look; what is not an upload at all is INVALID_PARAMS', async () => {
    const source = await put(server.url, 'twice.csv', 'a\n1\n2\n');
    assert.equal((await remove(source)).status, 200);
    const again = await remove(source);
    assert.equal(again.status, 404);
    assert.equal(again.json['code'], 'UPLOAD_NOT_FOUND');
    assert.match(String(again.json['error']), /"twice\.csv".*nothing to delete/);
    assert.match(String(again.json['hint']), /GET \/api\/uploads/);

    const unknown = await remove(`${'0'.repeat(64)}/never.csv`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json['code'], 'UPLOAD_NOT_FOUND');

    for (const id of ['sqlite:/tmp/shop.db?table=orders', '/etc/passwd', `../../${'0'.repeat(64)}/x.csv`, 'just-a-name.csv']) {
      const refused = await remove(id);
      assert.equal(refused.status, 400, id);
      assert.equal(refused.json['code'], 'INVALID_PARAMS', id);
      assert.match(String(refused.json['error']), /does not name an upload/, id);
    }
    assert.ok(existsSync('/etc/passwd'), 'nothing outside the uploads folder is touched');
  });

  test('another upload in the same folder (the same bytes under another name) stays when one is deleted', async () => {
    const first = await put(server.url, 'same-a.csv', 'x,y\n1,2\n');
    const second = await put(server.url, 'same-b.csv', 'x,y\n1,2\n');
    assert.equal(dirname(first), dirname(second));
    assert.equal((await remove(first)).status, 200);
    const { uploads } = await list();
    assert.ok(uploads.some((u) => u.source === second && u.rows === 1 && u.columns === 2), 'the other name keeps its record');
    assert.deepEqual(readdirSync(dirname(second)).filter((n) => !n.startsWith('.')), ['same-b.csv']);
  });

  test('uploads an older Kiln saved (no record; 24-digit folders too) are listed with what the folder tells, and can be deleted', async () => {
    const uploadsDir = join(server.home, 'uploads');
    const legacy = join(uploadsDir, 'a'.repeat(24), 'old.csv');
    const unrecorded = join(uploadsDir, 'b'.repeat(64), 'older.csv');
    const damaged = join(uploadsDir, 'c'.repeat(64), 'damaged.csv');
    for (const [path, when] of [
      [legacy, new Date('2023-05-01T10:00:00Z')],
      [unrecorded, new Date('2023-04-01T10:00:00Z')],
      [damaged, new Date('2023-03-01T10:00:00Z')],
    ] as const) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, 'a,b\n1,2\n');
      utimesSync(path, when, when);
    }
    // a half-written record, and what uploads and fixes under way leave: none is an upload
    writeFileSync(join(dirname(damaged), '.damaged.csv.json'), '{"name": "damaged.csv", "rows": 1');
    writeFileSync(join(uploadsDir, '.incoming-1234'), 'partial');
    mkdirSync(join(uploadsDir, '.scratch-5678'), { recursive: true });
    writeFileSync(join(uploadsDir, '.scratch-5678', 'table.csv'), 'a\n1\n');
    mkdirSync(join(uploadsDir, 'not-a-digest'), { recursive: true });
    writeFileSync(join(uploadsDir, 'not-a-digest', 'x.csv'), 'a\n1\n');

    const { uploads } = await list();
    const old = uploads.slice(-3);
    assert.deepEqual(
      old.map((u) => [u.source, u.name, u.bytes, u.uploaded_at, u.rows, u.columns]),
      [
        [legacy, 'old.csv', 8, '2023-05-01T10:00:00.000Z', null, null],
        [unrecorded, 'older.csv', 8, '2023-04-01T10:00:00.000Z', null, null],
        [damaged, 'damaged.csv', 8, '2023-03-01T10:00:00.000Z', null, null],
      ],
    );
    assert.ok(!uploads.some((u) => /incoming|scratch|x\.csv/.test(u.source)));

    assert.equal((await remove(legacy)).status, 200);
    assert.equal(existsSync(legacy), false);
    assert.ok(!(await list()).uploads.some((u) => u.source === legacy));
  });

  test('another replica\'s source for the same upload (…/uploads/<sha256>/<name> in another home) deletes this server\'s copy', async () => {
    const source = await put(server.url, 'elsewhere.csv', 'k\n1\n2\n');
    const place = source.split('/').slice(-2).join('/');
    const { status, json } = await remove(`/srv/replica-b/uploads/${place}`);
    assert.equal(status, 200, JSON.stringify(json));
    assert.equal(json['source'], source);
    assert.equal(existsSync(source), false);
  });

  test('the OpenAPI document describes both routes with the schemas their answers were parsed with', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { summary?: string; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };
    const listing = doc.paths['/api/uploads']?.['get'];
    const deleting = doc.paths['/api/uploads/{id}']?.['delete'];
    assert.match(listing?.summary ?? '', /uploads this server holds/);
    assert.match(deleting?.summary ?? '', /Delete an upload/);
    const properties = (op: typeof listing) => Object.keys((op?.responses['200']?.content?.['application/json']?.schema as { properties?: object } | undefined)?.properties ?? {});
    assert.deepEqual(properties(listing), ['uploads', 'shared_store']);
    const item = (listing?.responses['200']?.content?.['application/json']?.schema as { properties: { uploads: { items: { properties: object } } } }).properties.uploads.items;
    assert.deepEqual(Object.keys(item.properties), ['id', 'source', 'name', 'bytes', 'uploaded_at', 'rows', 'columns']);
    assert.deepEqual(properties(deleting), ['source', 'name', 'dataset_versions']);
  });
});

describe('uploads of servers that share them (one --artifacts folder, a home each)', () => {
  test('each server lists its own home and says others may hold more; deleting removes this server\'s copy, never the shared one', { timeout: 60_000 }, async () => {
    const artifacts = tempHome('kiln-shared-artifacts-');
    const one = await startAppServer({ artifactsUrl: artifacts });
    const two = await startAppServer({ artifactsUrl: artifacts });
    try {
      const source = await put(one.url, 'shared.csv', VISITS);
      const sha = dirname(source).split('/').pop() ?? '';
      const listOf = async (server: AppServer) => uploadListDocs.parse((await server.call('GET', '/api/uploads')).json);
      assert.deepEqual((await listOf(one)).uploads.map((u) => [u.name, u.rows]), [['shared.csv', 3]]);
      // the other server has not received it: not listed, but it says such uploads may exist
      assert.deepEqual(await listOf(two), { uploads: [], shared_store: true });
      assert.equal((await listOf(one)).shared_store, true);
      // it opens there by the first server's source (fetched into its home, then listed there without a record)
      assert.equal((await two.call('POST', '/api/sources/preview', { source })).status, 200);
      assert.deepEqual((await listOf(two)).uploads.map((u) => [u.name, u.rows]), [['shared.csv', null]]);

      const { status } = await one.call('DELETE', `/api/uploads/${encodeURIComponent(`${sha}/shared.csv`)}`);
      assert.equal(status, 200);
      assert.deepEqual((await listOf(one)).uploads, []);
      assert.equal(await one.artifacts.has(sha), true, 'the shared copy stays: other servers and queued jobs may read these bytes');
      assert.equal((await two.call('POST', '/api/sources/preview', { source })).status, 200, 'the other server still has its copy');
    } finally {
      await two.close();
      await one.close();
      rmSync(artifacts, { recursive: true, force: true });
    }
  });
});

/**
 * The checks that need the registry and the jobs: the data routes mounted as the app mounts them, with
 * a real registry (a model trained on an upload) and a job list that can be set.
 */
describe('deleting an upload something refers to', () => {
  let dir: string;
  let kiln: KilnHome;
  let app: FastifyInstance;
  let uploads: UploadStore;
  let jobs: JobView[] = [];
  let queueDown = false;

  before(async () => {
    dir = tempHome('kiln-uploads-refs-');
    kiln = await openHome(dir);
    uploads = new UploadStore(join(kiln.home, 'uploads'));
    const shared = new SharedUploads(undefined);
    app = Fastify({ logger: false });
    app.setErrorHandler((err, request, reply) => replyWithError(err, request, reply));
    await app.register(dataRoutes, {
      sources: new AppSources(uploads.dir, shared),
      uploads,
      shared,
      store: kiln.store,
      jobs: {
        list: () => {
          if (queueDown) throw new KilnError('QUEUE_UNAVAILABLE', { url: 'redis://127.0.0.1:1', reason: 'connection refused' });
          return jobs;
        },
      },
    });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await kiln.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const putHere = async (name: string, body: Buffer | string) => {
    const res = await app.inject({ method: 'PUT', url: `/api/uploads?filename=${name}`, payload: body });
    assert.equal(res.statusCode, 201, res.body);
    return (res.json() as { source: string }).source;
  };
  /** By its id, `<sha256>/<name>`, as the app deletes one. */
  const deleteHere = async (source: string) => {
    const res = await app.inject({ method: 'DELETE', url: `/api/uploads/${encodeURIComponent(source.split('/').slice(-2).join('/'))}` });
    return { status: res.statusCode, json: res.json() as Record<string, unknown> };
  };
  /** A job as a queue lists it: only what the check reads is real. */
  const job = (status: JobView['status'], work: JobView['work']): JobView => ({ id: `job-${status}-${work.kind}`, work, model: 'titanic', status } as unknown as JobView);

  test('an upload a waiting or running training reads is UPLOAD_IN_USE (409) naming the job, and stays; once the job ended it can go', async () => {
    const source = await putHere('busy.csv', VISITS);
    const loaded = validateSpec({ name: 'busy', data: source, target: 'bought' }, null, uploads.dir);
    for (const status of ['queued', 'running'] as const) {
      jobs = [job(status, { kind: 'train', loaded })];
      const refused = await deleteHere(source);
      assert.equal(refused.status, 409, status);
      assert.equal(refused.json['code'], 'UPLOAD_IN_USE');
      assert.match(String(refused.json['error']), new RegExp(`job-${status}-train \\(training titanic, ${status}\\)`));
      assert.match(String(refused.json['hint']), new RegExp(`POST /api/jobs/job-${status}-train/cancel`));
      assert.ok(existsSync(source), 'nothing deleted');
    }
    // the test table of a training counts too
    const other = await putHere('other.csv', VISITS.replace('Paris', 'Lille'));
    jobs = [job('queued', { kind: 'train', loaded: validateSpec({ name: 'busy', data: other, testData: source, target: 'bought' }, null, uploads.dir) })];
    assert.equal((await deleteHere(source)).status, 409);

    // ended trainings, and a learning curve (which reads its version's snapshot), do not hold it
    jobs = [job('succeeded', { kind: 'train', loaded }), job('failed', { kind: 'train', loaded }), job('running', { kind: 'curves', input: { model: 'titanic', version: 1, spec: loaded.spec, snapshot: 'f'.repeat(64), searched: false } })];
    const deleted = await deleteHere(source);
    assert.equal(deleted.status, 200, JSON.stringify(deleted.json));
    jobs = [];
  });

  test('while the job queue does not answer nothing is deleted: the queue\'s 503', async () => {
    const source = await putHere('unsure.csv', 'q\n1\n2\n');
    queueDown = true;
    try {
      const answer = await deleteHere(source);
      assert.equal(answer.status, 503);
      assert.equal(answer.json['code'], 'QUEUE_UNAVAILABLE');
      assert.ok(existsSync(source));
    } finally {
      queueDown = false;
    }
  });

  test('an upload a model was trained on is deleted; the answer names the dataset version, whose snapshot still reads whole; uploading it again puts it back where the lineage says', { timeout: 120_000 }, async () => {
    const source = await putHere('titanic.csv', titanic);
    await trainModule(validateSpec({ name: 'titanic', data: source, target: 'Survived', drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'], learner: 'logistic-regression' }, null, uploads.dir), kiln);
    const [version] = await kiln.store.listDatasetVersions();
    assert.ok(version !== undefined && version.source === source);

    const { status, json } = await deleteHere(source);
    assert.equal(status, 200, JSON.stringify(json));
    assert.deepEqual(deletedUploadDocs.parse(json).dataset_versions, [version.id]);
    assert.equal(existsSync(source), false);

    // the version is untouched: its record, and the rows it trained on
    const kept = await kiln.store.getDatasetVersion(version.id);
    assert.deepEqual(kept, version);
    const snapshot = await readSnapshot(await kiln.artifacts.get(kept.digest));
    assert.equal(snapshot.frame.nRows, 891);
    // the lineage's path names these bytes: the same file uploaded again lands exactly there
    assert.equal(await putHere('titanic.csv', titanic), kept.source);
    assert.equal(kept.sourceDigest, dirname(kept.source).split('/').pop());
  });

  test('an upload nothing was trained on answers an empty list of dataset versions', async () => {
    const source = await putHere('plain.csv', 'p\n1\n2\n');
    const { status, json } = await deleteHere(source);
    assert.equal(status, 200);
    assert.deepEqual(json['dataset_versions'], []);
  });
});
