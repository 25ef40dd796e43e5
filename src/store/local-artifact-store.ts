/**
 * Artifacts in a local folder, addressed by content: the bytes with sha256 `abcdef…` live at
 * `<dir>/sha256/ab/abcdef…`. The same bytes are stored once however often they are put, and a file's name
 * is its checksum, so `get` can tell a damaged file from a good one.
 *
 * Writes are atomic: bytes go to a temporary file in the destination folder, are synced to disk, then
 * renamed over the final name (rename within one folder is atomic). A crash leaves either no artifact or a
 * whole one, never a truncated file under a valid name; two processes putting the same bytes both succeed.
 *
 * `putFile` and `getToFile` move large files (uploads) in chunks. A file's digest is known only once it
 * is read, so `putFile` writes to a temporary file in `<dir>/sha256/` while hashing (one pass over the
 * bytes), then renames it to its digest's place: still one file system, still atomic. Such a temporary
 * file that a crash left behind is swept by a later putFile once it is an hour old.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { KilnError } from '../core/errors.js';
import { chunksOf, openSource, reasonOf, sourceError, STALE_TEMP_MS, sweepStaleTemps, writeAll, writeVerified } from './artifact-streams.js';
import { makeFolder } from './make-folder.js';
import type { ArtifactStore } from './store.js';
import { syncFolder, writeFileAtomically } from './write-atomically.js';

/** Lower-case hex sha256, the only form `put` returns. Checking it also keeps paths inside the folder. */
const DIGEST = /^[0-9a-f]{64}$/;

/** `putFile`'s temporary files in `<dir>/sha256/`: `.put.<pid>.<random>.tmp`. */
const PUT_TEMP = /^\.put\.\d+\.[0-9a-f]{12}\.tmp$/;

export class LocalArtifactStore implements ArtifactStore {
  readonly dir: string;
  /** When putFile last swept the staging folder (0: not yet in this process). */
  private sweptAt = 0;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  async put(bytes: Uint8Array): Promise<string> {
    const digest = sha256(bytes);
    const path = this.pathOf(digest);
    // Files only ever appear under their final name whole, so one of the right size is this content.
    if ((await sizeOf(path)) === bytes.byteLength) return digest;

    try {
      await makeFolder(dirname(path));
      await writeFileAtomically(path, bytes);
    } catch (err) {
      throw this.unavailable(err);
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
      throw this.unavailable(err);
    }
    if (sha256(bytes) !== digest) throw new KilnError('ARTIFACT_CORRUPT', { digest });
    return bytes;
  }

  async putFile(path: string): Promise<string> {
    const source = await openSource(path);
    const staging = join(this.dir, 'sha256');
    const temp = join(staging, `.put.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    let digest: string;
    let size = 0;
    // A crashed putFile leaves its temporary file (as large as an upload) in the staging folder; the first
    // putFile of a process, and one an hour after, removes those an hour old (see STALE_TEMP_MS).
    if (Date.now() - this.sweptAt >= STALE_TEMP_MS) {
      this.sweptAt = Date.now();
      await sweepStaleTemps(staging, PUT_TEMP);
    }
    try {
      let file: FileHandle;
      try {
        await makeFolder(staging);
        file = await open(temp, 'wx');
      } catch (err) {
        throw this.unavailable(err);
      }
      try {
        const hash = createHash('sha256');
        // the digest is of the bytes written, so a file that changes meanwhile is still stored under its own
        for await (const chunk of chunksOf(source.handle, (err) => sourceError(path, err))) {
          hash.update(chunk);
          size += chunk.byteLength;
          await writeAll(file, chunk).catch((err: unknown) => Promise.reject(this.unavailable(err)));
        }
        await file.sync().catch((err: unknown) => Promise.reject(this.unavailable(err)));
        digest = hash.digest('hex');
      } finally {
        await file.close();
      }
      const final = this.pathOf(digest);
      try {
        // as in put: a file under the digest's name that has the right size is this content already
        if ((await sizeOf(final)) === size) {
          await rm(temp, { force: true });
        } else {
          await makeFolder(dirname(final));
          await rename(temp, final);
          await syncFolder(dirname(final));
        }
      } catch (err) {
        throw this.unavailable(err);
      }
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    } finally {
      await source.handle.close();
    }
    return digest;
  }

  async getToFile(digest: string, path: string): Promise<void> {
    if (!DIGEST.test(digest)) throw new KilnError('ARTIFACT_NOT_FOUND', { digest });
    let stored: FileHandle;
    try {
      stored = await open(this.pathOf(digest), 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new KilnError('ARTIFACT_NOT_FOUND', { digest }, { cause: err });
      throw this.unavailable(err);
    }
    try {
      const chunks = chunksOf(stored, (err) => this.unavailable(err));
      await writeVerified(chunks, digest, path, () => new KilnError('ARTIFACT_CORRUPT', { digest }));
    } finally {
      await stored.close();
    }
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

  private unavailable(err: unknown): KilnError {
    return new KilnError('STORE_UNAVAILABLE', { location: this.dir, reason: reasonOf(err) }, { cause: err });
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

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

