/**
 * Artifacts in a local folder, addressed by content: the bytes with sha256 `abcdef…` live at
 * `<dir>/sha256/ab/abcdef…`. The same bytes are stored once however often they are put, and a file's name
 * is its checksum, so `get` can tell a damaged file from a good one.
 *
 * Writes are atomic: bytes go to a temporary file in the destination folder, are synced to disk, then
 * renamed over the final name (rename within one folder is atomic). A crash leaves either no artifact or a
 * whole one, never a truncated file under a valid name; two processes putting the same bytes both succeed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { KilnError } from '../core/errors.js';
import { makeFolder } from './make-folder.js';
import type { ArtifactStore } from './store.js';

/** Lower-case hex sha256, the only form `put` returns. Checking it also keeps paths inside the folder. */
const DIGEST = /^[0-9a-f]{64}$/;

export class LocalArtifactStore implements ArtifactStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  async put(bytes: Uint8Array): Promise<string> {
    const digest = sha256(bytes);
    const path = this.pathOf(digest);
    // Files only ever appear under their final name whole, so one of the right size is this content.
    if ((await sizeOf(path)) === bytes.byteLength) return digest;

    const temp = join(dirname(path), `.${digest}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await makeFolder(dirname(path));
      const file = await open(temp, 'wx');
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, path);
      await syncFolder(dirname(path));
    } catch (err) {
      await rm(temp, { force: true });
      throw new KilnError('STORE_UNAVAILABLE', { location: this.dir, reason: reasonOf(err) }, { cause: err });
    }
    return digest;
  }

  async get(digest: string): Promise<Buffer> {
    if (!DIGEST.test(digest)) throw new KilnError('ARTIFACT_NOT_FOUND', { digest });
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(digest));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new KilnError('ARTIFACT_NOT_FOUND', { digest }, { cause: err });
      throw new KilnError('STORE_UNAVAILABLE', { location: this.dir, reason: reasonOf(err) }, { cause: err });
    }
    if (sha256(bytes) !== digest) throw new KilnError('ARTIFACT_CORRUPT', { digest });
    return bytes;
  }

  async has(digest: string): Promise<boolean> {
    return DIGEST.test(digest) && (await sizeOf(this.pathOf(digest))) !== undefined;
  }

  /** Where the bytes of `digest` live (whether or not they are there). */
  pathOf(digest: string): string {
    return join(this.dir, 'sha256', digest.slice(0, 2), digest);
  }

  whereIs(digest: string): string {
    return this.pathOf(digest);
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The size of a regular file, or undefined when there is none at `path`. */
async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats.size : undefined;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/**
 * Makes the rename itself durable: on POSIX a new directory entry survives a power cut only once the
 * folder is synced. Windows cannot open a folder for syncing, and NTFS journals renames anyway.
 */
async function syncFolder(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  const folder = await open(path, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
