import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LocalArtifactStore } from '../../src/store/local-artifact-store.js';
import { artifactStoreConformance } from './artifact-store-conformance.js';
import { assertKilnError } from './store-conformance.js';

const tempDirs: string[] = [];
function freshStore(): LocalArtifactStore {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-artifacts-'));
  tempDirs.push(dir);
  return new LocalArtifactStore(join(dir, 'artifacts'));
}
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Writes `path` and dates its last change `hoursAgo` hours back. */
function leftover(path: string, hoursAgo: number, content = 'half of an upload'): string {
  writeFileSync(path, content);
  const when = new Date(Date.now() - hoursAgo * 3600_000);
  utimesSync(path, when, when);
  return path;
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('LocalArtifactStore', () => {
  test('put returns the sha256 and stores the bytes under sha256/ab/abcdef…', async () => {
    const store = freshStore();
    const bytes = bytesOf('{"format":"onnx"}');
    const digest = await store.put(bytes);
    assert.equal(digest, sha256(bytes));
    assert.deepEqual(filesUnder(store.dir), [join('sha256', digest.slice(0, 2), digest)]);
    assert.deepEqual(new Uint8Array(await store.get(digest)), bytes);
    assert.equal(await store.has(digest), true);
  });

  test('put is idempotent and leaves no temporary files', async () => {
    const store = freshStore();
    const bytes = bytesOf('model bytes');
    const digests = await Promise.all([store.put(bytes), store.put(bytes), store.put(bytes)]);
    assert.deepEqual(new Set(digests), new Set([sha256(bytes)]));
    assert.equal(await store.put(bytes), sha256(bytes));
    assert.deepEqual(filesUnder(store.dir), [join('sha256', digests[0]!.slice(0, 2), digests[0]!)]);
  });

  test('stores empty and binary content', async () => {
    const store = freshStore();
    const binary = new Uint8Array(256).map((_, i) => i);
    for (const bytes of [new Uint8Array(0), binary]) {
      assert.deepEqual(new Uint8Array(await store.get(await store.put(bytes))), bytes);
    }
  });

  test('unknown digests are ARTIFACT_NOT_FOUND and not had', async () => {
    const store = freshStore();
    const missing = sha256(bytesOf('never stored'));
    assert.equal(await store.has(missing), false);
    await assertKilnError(store.get(missing), 'ARTIFACT_NOT_FOUND', { digest: missing });
  });

  test('malformed digests never reach the file system', async () => {
    const store = freshStore();
    await store.put(bytesOf('x'));
    for (const bad of ['../../../etc/passwd', 'abc', sha256(bytesOf('x')).toUpperCase(), `${'a'.repeat(64)}/..`]) {
      assert.equal(await store.has(bad), false, bad);
      await assertKilnError(store.get(bad), 'ARTIFACT_NOT_FOUND', { digest: bad });
    }
  });

  test('a file changed on disk is ARTIFACT_CORRUPT', async () => {
    const store = freshStore();
    const digest = await store.put(bytesOf('original content'));
    writeFileSync(store.pathOf(digest), 'tampered content');
    assert.equal(await store.has(digest), true);
    await assertKilnError(store.get(digest), 'ARTIFACT_CORRUPT', { digest });
  });

  test('putting the bytes again repairs a truncated file', async () => {
    const store = freshStore();
    const bytes = bytesOf('a model that will be truncated');
    const digest = await store.put(bytes);
    writeFileSync(store.pathOf(digest), 'a model');
    await store.put(bytes);
    assert.deepEqual(new Uint8Array(await store.get(digest)), bytes);
  });

  test('putFile leaves only the artifact in the folder: its temporary file is renamed or removed', async () => {
    const store = freshStore();
    const source = join(dirname(store.dir), 'upload.csv');
    writeFileSync(source, 'a,b\n1,2\n');
    const digest = await store.putFile(source);
    await store.putFile(source);
    assert.deepEqual(filesUnder(store.dir), [join('sha256', digest.slice(0, 2), digest)]);
  });

  test('putFile sweeps the temporary files of crashed putFiles an hour old, and nothing else', async () => {
    const store = freshStore();
    const staging = join(store.dir, 'sha256');
    mkdirSync(staging, { recursive: true });
    const stale = leftover(join(staging, '.put.4242.0123456789ab.tmp'), 2);
    // a putFile that may still be running (changed within the hour) is left alone
    const fresh = leftover(join(staging, '.put.4243.0123456789ab.tmp'), 0.5);
    // names that are not putFile's are not the sweep's, however old
    const other = leftover(join(staging, '.put.notes.tmp'), 5);
    const source = join(dirname(store.dir), 'upload.csv');
    writeFileSync(source, 'a,b\n1,2\n');
    const digest = await store.putFile(source);
    assert.equal(existsSync(stale), false, 'the stale temporary file is gone');
    assert.equal(existsSync(fresh), true);
    assert.equal(existsSync(other), true);
    assert.deepEqual(new Uint8Array(await store.get(digest)), bytesOf('a,b\n1,2\n'), 'the put itself is unaffected');
    // stored artifacts are never candidates, even old ones
    utimesSync(store.pathOf(digest), new Date(0), new Date(0));
    const later = new LocalArtifactStore(store.dir);
    leftover(stale, 2);
    await later.putFile(source);
    assert.equal(existsSync(stale), false, 'a store opened later sweeps at its first putFile');
    assert.equal(await later.has(digest), true);
  });

  test('getToFile sweeps its own temporary files an hour old in the target folder, and nothing else', async () => {
    const store = freshStore();
    const digest = await store.put(bytesOf('shipped data'));
    const folder = join(dirname(store.dir), 'job');
    mkdirSync(folder, { recursive: true });
    const stale = leftover(join(folder, `.${digest}.4242.0123456789ab.tmp`), 2);
    const fresh = leftover(join(folder, `.${digest}.4243.0123456789ab.tmp`), 0.1);
    const userFile = leftover(join(folder, '.notes.tmp'), 48, 'mine');
    await store.getToFile(digest, join(folder, 'data.csv'));
    assert.equal(readFileSync(join(folder, 'data.csv'), 'utf8'), 'shipped data');
    assert.equal(existsSync(stale), false);
    assert.equal(existsSync(fresh), true, 'a getToFile that may still be running is left alone');
    assert.equal(readFileSync(userFile, 'utf8'), 'mine', 'files that are not getToFile\'s stay');
  });

  test('creates its folder on first put', async () => {
    const store = freshStore();
    assert.equal(existsSync(store.dir), false);
    await store.put(bytesOf('first'));
    assert.equal(existsSync(store.dir), true);
  });
});

artifactStoreConformance('LocalArtifactStore', async () => {
  const store = freshStore();
  return { store, details: {}, overwrite: async (digest, bytes) => writeFileSync(store.pathOf(digest), bytes) };
});
