import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
