/**
 * The artifact store conformance suite: what every ArtifactStore must do with files (putFile, getToFile),
 * run by each implementation's test file, so the folder and the bucket are held to the same checks.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactStore } from '../../src/store/store.js';
import { assertKilnError } from './store-conformance.js';

export interface ArtifactFixture {
  readonly store: ArtifactStore;
  /** Replaces the stored bytes of `digest` behind the store's back (a disk or a bucket changed outside Kiln). */
  overwrite(digest: string, bytes: Uint8Array): Promise<void>;
  /** Details every ARTIFACT_* error of this store carries besides the digest (the bucket it names). */
  readonly details: Readonly<Record<string, unknown>>;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Bytes that differ in every chunk and do not end on a chunk's edge (the stores stream a MiB at a time). */
function patterned(size: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed + (i >>> 20)) % 251;
  return bytes;
}

export function artifactStoreConformance(name: string, open: () => Promise<ArtifactFixture>): void {
  describe(`ArtifactStore conformance: ${name}`, () => {
    /** A fresh folder per test, for files to put and to get into. */
    async function withFolder(run: (dir: string, fixture: ArtifactFixture) => Promise<void>): Promise<void> {
      const dir = mkdtempSync(join(tmpdir(), 'kiln-artifact-files-'));
      try {
        await run(dir, await open());
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    test('putFile and getToFile round-trip a file of several chunks, and agree with put and get', () =>
      withFolder(async (dir, { store }) => {
        const bytes = patterned(2 * 1024 * 1024 + 12_345, 1);
        writeFileSync(join(dir, 'data.csv'), bytes);
        const digest = await store.putFile(join(dir, 'data.csv'));
        assert.equal(digest, sha256(bytes));
        assert.ok((await store.get(digest)).equals(bytes), 'get reads what putFile stored');
        await store.getToFile(digest, join(dir, 'deep', 'copy.csv'));
        assert.ok(readFileSync(join(dir, 'deep', 'copy.csv')).equals(bytes), 'getToFile makes missing folders and writes every byte');
        const small = Buffer.from('a,b\n1,2\n');
        await store.getToFile(await store.put(small), join(dir, 'deep', 'copy.csv'));
        assert.ok(readFileSync(join(dir, 'deep', 'copy.csv')).equals(small), 'getToFile replaces a file, here with what put stored');
        assert.deepEqual(readdirSync(join(dir, 'deep')), ['copy.csv'], 'no temporary file is left beside it');
      }));

    test('putFile is idempotent, also when puts race, and stores an empty file', () =>
      withFolder(async (dir, { store }) => {
        const bytes = patterned(1024 * 1024 + 7, 2);
        writeFileSync(join(dir, 'same.bin'), bytes);
        const digests = await Promise.all([1, 2, 3].map(() => store.putFile(join(dir, 'same.bin'))));
        assert.deepEqual(digests, [sha256(bytes), sha256(bytes), sha256(bytes)]);
        assert.equal(await store.putFile(join(dir, 'same.bin')), sha256(bytes));
        assert.equal(await store.put(bytes), sha256(bytes));
        assert.ok((await store.get(sha256(bytes))).equals(bytes));
        writeFileSync(join(dir, 'empty.csv'), '');
        const empty = await store.putFile(join(dir, 'empty.csv'));
        assert.equal(empty, sha256(new Uint8Array(0)));
        await store.getToFile(empty, join(dir, 'empty-copy.csv'));
        assert.equal(readFileSync(join(dir, 'empty-copy.csv')).byteLength, 0);
      }));

    test('getToFile of damaged bytes is the ARTIFACT_CORRUPT of get, and leaves nothing at the path', () =>
      withFolder(async (dir, { store, overwrite, details }) => {
        const bytes = patterned(1024 * 1024 + 99, 3);
        const digest = await store.put(bytes);
        const damaged = Buffer.from(bytes);
        damaged.writeUInt8(damaged.readUInt8(damaged.length - 1) ^ 0xff, damaged.length - 1); // same size: only the checksum can tell
        await overwrite(digest, damaged);
        await assertKilnError(store.get(digest), 'ARTIFACT_CORRUPT', { digest, ...details });
        await assertKilnError(store.getToFile(digest, join(dir, 'got', 'data.csv')), 'ARTIFACT_CORRUPT', { digest, ...details });
        assert.deepEqual(readdirSync(join(dir, 'got')), [], 'neither the file nor a temporary one is left');
        writeFileSync(join(dir, 'kept.csv'), 'earlier bytes');
        await assertKilnError(store.getToFile(digest, join(dir, 'kept.csv')), 'ARTIFACT_CORRUPT', { digest });
        assert.equal(readFileSync(join(dir, 'kept.csv'), 'utf8'), 'earlier bytes', 'a file already there is untouched');
      }));

    test('getToFile of a missing or malformed digest is the ARTIFACT_NOT_FOUND of get, writing nothing', () =>
      withFolder(async (dir, { store, details }) => {
        const missing = sha256(Buffer.from('never stored'));
        await assertKilnError(store.get(missing), 'ARTIFACT_NOT_FOUND', { digest: missing, ...details });
        await assertKilnError(store.getToFile(missing, join(dir, 'x.csv')), 'ARTIFACT_NOT_FOUND', { digest: missing, ...details });
        await assertKilnError(store.getToFile('../../etc/passwd', join(dir, 'x.csv')), 'ARTIFACT_NOT_FOUND', { digest: '../../etc/passwd' });
        assert.deepEqual(readdirSync(dir), []);
      }));

    test('putFile of a file that is not there is DATA_NOT_FOUND naming it; of a folder, DATA_UNREADABLE', () =>
      withFolder(async (dir, { store }) => {
        await assertKilnError(store.putFile(join(dir, 'gone.csv')), 'DATA_NOT_FOUND', { path: join(dir, 'gone.csv') });
        await assertKilnError(store.putFile(dir), 'DATA_UNREADABLE', { path: dir, folder: true });
      }));
  });
}
