/**
 * Uploads behind a load balancer: two app servers, each with its own home (two replicas), sharing one
 * artifact bucket (s3rver on loopback) and one store (PostgreSQL with KILN_TEST_POSTGRES_URL, else one
 * SQLite file outside both homes). A file uploaded to server A is profiled, previewed, suggested a spec
 * for, fixed and trained on by server B, with the same answers A gives: B fetches it from the bucket
 * into its own home, by the sha256 its path names. A fixed table made on B is read on A the same way.
 * An upload that is nowhere is a coded 404 naming it; while the bucket is away, the routes that need it
 * answer a coded 503, everything else is served, and nothing stored before is lost.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { S3_TEST_CREDENTIALS, startTestS3, type TestS3 } from '../../helpers/s3-server.js';
import { dropTestSchemas, freshSchemaUrl, POSTGRES_URL } from '../../store/postgres-helpers.js';
import { readEvents, startAppServer, TITANIC_CSV, type AppServer } from './app-server.js';

/** The first 120 rows of the Titanic file, and its rows 1–10 once more: exact duplicates to fix. */
function smallTitanic(): Buffer {
  const lines = readFileSync(TITANIC_CSV, 'utf8').trim().split('\n');
  return Buffer.from([...lines.slice(0, 121), ...lines.slice(1, 11)].join('\n') + '\n');
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function upload(server: AppServer, filename: string, bytes: Uint8Array): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/api/uploads?filename=${filename}`, { method: 'PUT', body: bytes, headers: { 'content-type': 'text/csv' } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** An answer without the fields that name a server's own home. */
function withoutSource(json: Record<string, unknown>): Record<string, unknown> {
  const { source: _source, ...rest } = json;
  return rest;
}

/** Trains `spec` on `server` (its in-process runner) and returns the job's last event. */
async function train(server: AppServer, spec: Record<string, unknown>): Promise<{ event: string; data: Record<string, unknown> }> {
  const submitted = await server.call('POST', '/api/jobs', { spec });
  assert.equal(submitted.status, 202, JSON.stringify(submitted.json));
  const last = (await readEvents(`${server.url}/api/jobs/${submitted.json['id'] as string}/events`)).at(-1);
  assert.ok(last !== undefined, 'the job ended with an event');
  return last;
}

function assertCoded(answer: { status: number; json: Record<string, unknown> }, status: number, code: string): void {
  assert.equal(answer.status, status, JSON.stringify(answer.json));
  assert.equal(answer.json['code'], code, JSON.stringify(answer.json));
  assert.ok(typeof answer.json['hint'] === 'string' && answer.json['hint'] !== '', 'says how to fix it');
  assert.doesNotMatch(JSON.stringify(answer.json), /\n\s+at /, 'no stack trace');
}

let s3: TestS3;
let a: AppServer;
let b: AppServer;
let storeDir: string;
const savedEnv = { ...process.env };
const bytes = smallTitanic();
/** What the first test uploaded on A: its source as A answered it. */
let uploaded: string | undefined;

before(async () => {
  Object.assign(process.env, S3_TEST_CREDENTIALS); // the jobs' worker threads see the process's environment
  s3 = await startTestS3(['kiln-shared']);
  storeDir = mkdtempSync(join(tmpdir(), 'kiln-shared-store-'));
  const storeUrl = POSTGRES_URL === undefined || POSTGRES_URL === '' ? join(storeDir, 'kiln.db') : freshSchemaUrl();
  const artifactsUrl = s3.urlOf('kiln-shared', 'replicas');
  // one after the other: the first one creates the store's tables
  a = await startAppServer({ artifactsUrl, storeUrl });
  b = await startAppServer({ artifactsUrl, storeUrl });
});
after(async () => {
  await b?.close();
  await a?.close();
  await s3?.close();
  await dropTestSchemas();
  rmSync(storeDir, { recursive: true, force: true });
  process.env = savedEnv;
});

describe('uploads shared by two servers through one bucket', () => {
  test('an upload on A is previewed, profiled and suggested a spec on B, as on A, from a copy B fetched and checked', async () => {
    const sent = await upload(a, 'small.csv', bytes);
    assert.equal(sent.status, 201, JSON.stringify(sent.json));
    const source = sent.json['source'] as string;
    const digest = sha256(bytes);
    assert.equal(basename(dirname(source)), digest, 'the path names the sha256 of the bytes');
    assert.ok(source.startsWith(a.home), 'A answers a path in its own home');
    assert.equal(await a.artifacts.has(digest), true, 'the upload is in the bucket');
    const onB = join(b.home, 'uploads', digest, 'small.csv');
    assert.equal(existsSync(onB), false, 'B has not seen it yet');

    const previewA = await a.call('POST', '/api/sources/preview', { source });
    const previewB = await b.call('POST', '/api/sources/preview', { source });
    assert.equal(previewB.status, 200, JSON.stringify(previewB.json));
    assert.equal(previewB.json['source'], onB, 'B reads its own copy');
    assert.deepEqual(withoutSource(previewB.json), withoutSource(previewA.json));
    assert.equal(previewB.json['rows'], 130);
    assert.deepEqual(readFileSync(onB), bytes, 'the copy in B\'s home has the same bytes');
    assert.deepEqual(readdirSync(dirname(onB)), ['small.csv'], 'and no temporary file is left beside it');

    const inspectA = await a.call('POST', '/api/inspect', { source, target: 'Survived' });
    const inspectB = await b.call('POST', '/api/inspect', { source, target: 'Survived' });
    assert.equal(inspectB.status, 200, JSON.stringify(inspectB.json));
    assert.equal(inspectB.json['digest'], digest);
    assert.deepEqual(withoutSource(inspectB.json), withoutSource(inspectA.json));

    const suggestA = await a.call('POST', '/api/specs/suggest', { source, target: 'Survived' });
    const suggestB = await b.call('POST', '/api/specs/suggest', { source, target: 'Survived' });
    assert.equal(suggestB.status, 200, JSON.stringify(suggestB.json));
    assert.equal(suggestB.json['explanation'], suggestA.json['explanation']);
    assert.deepEqual(withoutData(suggestB.json['spec']), withoutData(suggestA.json['spec']));
    uploaded = source;
  });

  test('a one-click fix on B of A\'s upload is a new upload, put in the bucket, that A reads; it equals the fix made on A', async () => {
    assert.ok(uploaded !== undefined, 'the first test uploaded on A');
    const findings = (await b.call('POST', '/api/inspect', { source: uploaded })).json['findings'] as { code: string; fix: unknown }[];
    const duplicates = findings.find((f) => f.code === 'duplicate_rows');
    assert.deepEqual(duplicates?.fix, { kind: 'drop_duplicates' }, JSON.stringify(findings));
    const fix = { source: uploaded, drop_duplicates: true };

    const fixedB = await b.call('POST', '/api/sources/fix', fix);
    assert.equal(fixedB.status, 201, JSON.stringify(fixedB.json));
    const fixedSource = fixedB.json['source'] as string;
    assert.ok(fixedSource.startsWith(b.home), 'B answers a path in its own home');
    assert.equal(await b.artifacts.has(basename(dirname(fixedSource))), true, 'the fixed table is in the bucket');
    assert.equal(fixedB.json['rows'], 120, 'the ten repeated rows are gone');
    const fixedA = await a.call('POST', '/api/sources/fix', fix);
    assert.equal(fixedA.status, 201, JSON.stringify(fixedA.json));
    assert.deepEqual(withoutSource(fixedB.json), withoutSource(fixedA.json));

    // A reads the table B made, fetched from the bucket
    const fixedOnA = join(a.home, 'uploads', basename(dirname(fixedSource)), basename(fixedSource));
    const previewOnA = await a.call('POST', '/api/sources/preview', { source: fixedSource });
    assert.equal(previewOnA.status, 200, JSON.stringify(previewOnA.json));
    assert.equal(previewOnA.json['source'], fixedOnA);
    assert.deepEqual(readFileSync(fixedOnA), readFileSync(fixedSource));
  });

  test('a training job on B of A\'s upload gives the metrics a job on A gives', async () => {
    assert.ok(uploaded !== undefined, 'the first test uploaded on A');
    const spec = (name: string) => ({ name, data: uploaded, target: 'Survived', learner: 'logistic-regression', drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'], seed: 7 });
    const onA = await train(a, spec('small-on-a'));
    const onB = await train(b, spec('small-on-b'));
    assert.equal(onA.event, 'done', JSON.stringify(onA.data));
    assert.equal(onB.event, 'done', JSON.stringify(onB.data));
    const resultA = onA.data['result'] as { metrics: Record<string, unknown> };
    const resultB = onB.data['result'] as { metrics: Record<string, unknown> };
    assert.ok(resultB.metrics['test'] !== undefined, JSON.stringify(resultB));
    assert.deepEqual(resultB.metrics, resultA.metrics);
    // both versions are in the one shared store, whichever server registered them
    assert.equal((await a.store.listVersions('small-on-b')).length, 1);
    assert.equal((await b.store.listVersions('small-on-a')).length, 1);
  });

  test('an upload that is on no server and not in the bucket is a coded 404 naming it', async () => {
    const ghost = join('/srv/elsewhere/uploads', randomBytes(32).toString('hex'), 'ghost.csv');
    const preview = await b.call('POST', '/api/sources/preview', { source: ghost });
    assertCoded(preview, 404, 'UPLOAD_NOT_FOUND');
    assert.match(String(preview.json['error']), /"ghost\.csv".*s3:\/\/kiln-shared\/replicas/);
    assert.doesNotMatch(String(preview.json['error']), /endpoint=/, 'the URL\'s settings are not shown');
    const job = await b.call('POST', '/api/jobs', { spec: { name: 'ghost', data: ghost, target: 'Survived' } });
    assertCoded(job, 404, 'UPLOAD_NOT_FOUND');
    // an upload of a home written before (its folder: 24 hex digits) cannot be fetched, and says why
    const older = await b.call('POST', '/api/sources/preview', { source: join('/srv/elsewhere/uploads', randomBytes(12).toString('hex'), 'old.csv') });
    assertCoded(older, 404, 'UPLOAD_NOT_FOUND');
    assert.match(String(older.json['error']), /"old\.csv".*stored before uploads were shared/);
    // a path that only looks like another server's upload is still refused
    assertCoded(await b.call('POST', '/api/sources/preview', { source: '/etc/uploads/passwd.csv' }), 400, 'SOURCE_NOT_ALLOWED');
  });

  test('a copy in the bucket that does not match its sha256 is a coded 404 leaving B no file; a copy B cannot write is a coded 503', async () => {
    const good = Buffer.from(bytes.toString('utf8').replace('Braund', 'Brauns'));
    const sent = await upload(a, 'tampered.csv', good);
    assert.equal(sent.status, 201, JSON.stringify(sent.json));
    const digest = sha256(good);
    // same size, other bytes: only the checksum B computes while the copy streams in can tell
    const raw = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    try {
      const key = a.artifacts.whereIs(digest).slice('s3://kiln-shared/'.length);
      await raw.send(new PutObjectCommand({ Bucket: 'kiln-shared', Key: key, Body: Buffer.from(good.toString('utf8').replace('Brauns', 'Brawns')) }));
    } finally {
      raw.destroy();
    }
    const tampered = await b.call('POST', '/api/sources/preview', { source: sent.json['source'] });
    assertCoded(tampered, 404, 'UPLOAD_NOT_FOUND');
    assert.match(String(tampered.json['error']), /"tampered\.csv".*does not match its sha256/);
    assert.deepEqual(readdirSync(join(b.home, 'uploads', digest)), [], 'neither the file nor a temporary one is left');

    // a file where B's copy's folder belongs: B cannot write, which is B's trouble (503), not the caller's (400)
    const other = Buffer.from(bytes.toString('utf8').replace('Braund', 'Brauny'));
    const blocked = await upload(a, 'blocked.csv', other);
    assert.equal(blocked.status, 201, JSON.stringify(blocked.json));
    writeFileSync(join(b.home, 'uploads', sha256(other)), 'in the way');
    const unwritable = await b.call('POST', '/api/sources/preview', { source: blocked.json['source'] });
    assertCoded(unwritable, 503, 'STORE_UNAVAILABLE');
    assert.ok(String(unwritable.json['error']).includes(join(b.home, 'uploads')), 'names the folder B could not write in');
    rmSync(join(b.home, 'uploads', sha256(other)));
    assert.equal((await b.call('POST', '/api/sources/preview', { source: blocked.json['source'] })).status, 200, 'fetched once the way is clear');
  });

  test('while the bucket is away, uploading and fetching answer a coded 503, the rest is served, and nothing stored is lost', async () => {
    assert.ok(uploaded !== undefined, 'the first test uploaded on A');
    // an upload B has not fetched yet, made while the bucket is there
    const pendingBytes = Buffer.from(bytes.toString('utf8').replace('Braund', 'Brown'));
    const pending = await upload(a, 'pending.csv', pendingBytes);
    assert.equal(pending.status, 201, JSON.stringify(pending.json));
    const pendingSource = pending.json['source'] as string;
    const newBytes = Buffer.from(bytes.toString('utf8').replace('Braund', 'Brand'));

    await s3.pause();
    try {
      const refused = await upload(a, 'new.csv', newBytes);
      assertCoded(refused, 503, 'UPLOAD_UNAVAILABLE');
      assert.match(String(refused.json['error']), /"new\.csv".*shared.*s3:\/\/kiln-shared\/replicas/);
      assert.equal(existsSync(join(a.home, 'uploads', sha256(newBytes))), false, 'an upload the other servers could not read is not kept');

      const fetching = await b.call('POST', '/api/sources/preview', { source: pendingSource });
      assertCoded(fetching, 503, 'UPLOAD_UNAVAILABLE');
      assert.match(String(fetching.json['error']), /"pending\.csv".*fetched/);

      // an upload B has is read as always; the server answers everything that does not need the bucket
      const here = await b.call('POST', '/api/sources/preview', { source: uploaded });
      assert.equal(here.status, 200, JSON.stringify(here.json));
      assert.equal((await b.call('GET', '/api/templates')).status, 200);
      assert.equal((await b.call('GET', '/v2/health/live')).status, 200);
      // a fix of it makes a table the other servers could not read: refused, and the original stays
      const fix = await b.call('POST', '/api/sources/fix', { source: uploaded, drop_columns: ['Cabin'] });
      assertCoded(fix, 503, 'UPLOAD_UNAVAILABLE');
      assert.equal((await b.call('POST', '/api/sources/preview', { source: uploaded })).status, 200);
    } finally {
      await s3.resume();
    }
    const fetched = await b.call('POST', '/api/sources/preview', { source: pendingSource });
    assert.equal(fetched.status, 200, JSON.stringify(fetched.json));
    assert.deepEqual(readFileSync(fetched.json['source'] as string), pendingBytes);
    const again = await upload(a, 'new.csv', newBytes);
    assert.equal(again.status, 201, JSON.stringify(again.json));
    assert.equal(await a.artifacts.has(sha256(newBytes)), true);
    assert.equal((await b.call('POST', '/api/sources/preview', { source: again.json['source'] })).status, 200);
  });
});

function withoutData(spec: unknown): Record<string, unknown> {
  const { data: _data, ...rest } = spec as Record<string, unknown>;
  return rest;
}

describe('uploads shared through a folder outside the homes', () => {
  test('two servers given the same --artifacts folder read each other\'s uploads; servers with their homes\' own folders do not', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'kiln-shared-artifacts-'));
    const one = await startAppServer({ artifactsUrl: shared });
    const two = await startAppServer({ artifactsUrl: shared });
    const alone = await startAppServer();
    try {
      const sent = await upload(one, 'small.csv', bytes);
      assert.equal(sent.status, 201, JSON.stringify(sent.json));
      const source = sent.json['source'] as string;
      assert.equal(await one.artifacts.has(sha256(bytes)), true, 'the upload is in the shared folder');
      const preview = await two.call('POST', '/api/sources/preview', { source });
      assert.equal(preview.status, 200, JSON.stringify(preview.json));
      assert.equal(preview.json['source'], join(two.home, 'uploads', sha256(bytes), 'small.csv'));
      assert.equal(preview.json['rows'], 130);
      // a server keeping artifacts in its own home shares nothing: the file is simply not there
      const elsewhere = await alone.call('POST', '/api/sources/preview', { source });
      assert.equal(elsewhere.status, 404, JSON.stringify(elsewhere.json));
      assert.equal(elsewhere.json['code'], 'DATA_NOT_FOUND');
      assert.equal(existsSync(join(alone.home, 'artifacts', 'sha256', sha256(bytes).slice(0, 2), sha256(bytes))), false);
    } finally {
      await alone.close();
      await two.close();
      await one.close();
      rmSync(shared, { recursive: true, force: true });
    }
  });
});
