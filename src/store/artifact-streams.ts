/**
 * Files in and out of an artifact store without holding them in memory whole: both stores' `putFile`
 * and `getToFile` are built from these. An upload may be hundreds of megabytes and several may arrive at
 * once, so the bytes move in chunks of a megabyte, hashed as they pass.
 *
 * Errors say whose fault they are: the file to store (DATA_NOT_FOUND, DATA_UNREADABLE), the file to
 * write (OUTPUT_UNWRITABLE); the store's own side (ARTIFACT_NOT_FOUND, ARTIFACT_CORRUPT,
 * STORE_UNAVAILABLE) is each store's to say, through the chunks it hands to `writeVerified`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { KilnError } from '../core/errors.js';
import { makeFolder } from './make-folder.js';

/** Bytes read or written at a time: large enough that syscalls do not dominate, small enough not to matter. */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * How old a temporary file must be before a sweep takes it for a crash's leftover. A live write touches
 * its file at every chunk (a megabyte at a time) and renames it seconds after the last, so an hour without
 * a change is a process that is gone, with margin for clocks that differ between machines sharing a
 * folder. Were a stalled writer's file swept all the same, its rename would fail (a coded error) and no
 * wrong bytes would take any name.
 */
export const STALE_TEMP_MS = 60 * 60 * 1000;

/** The temporary files `writeVerified` makes: `.<sha256>.<pid>.<random>.tmp`. */
export const VERIFIED_TEMP = /^\.[0-9a-f]{64}\.\d+\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes the files in `folder` whose names match `pattern` and that have not changed for `olderThanMs`:
 * temporary files a crashed process left. Only regular files, only the folder itself (not below it).
 * Best effort: a sweep that cannot read the folder or remove a file leaves it for the next, and never
 * fails the operation it runs beside. Returns how many files it removed.
 */
export async function sweepStaleTemps(folder: string, pattern: RegExp, olderThanMs = STALE_TEMP_MS, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!pattern.test(name)) continue;
    const path = join(folder, name);
    try {
      const stats = await lstat(path);
      if (!stats.isFile() || now - stats.mtimeMs < olderThanMs) continue;
      await rm(path);
      removed++;
    } catch {
      // gone already (another sweep, or its writer renamed it), or not ours to remove: the next sweep looks again
    }
  }
  return removed;
}

/** A file opened for storing, with its size when opened. */
export interface SourceFile {
  readonly handle: FileHandle;
  readonly size: number;
}

/** Opens `path` for reading: DATA_NOT_FOUND when nothing is there, DATA_UNREADABLE for a folder or a refusal. */
export async function openSource(path: string): Promise<SourceFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw sourceError(path, err);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new KilnError('DATA_UNREADABLE', { path, reason: 'it is not a file', folder: stats.isDirectory() });
    return { handle, size: stats.size };
  } catch (err) {
    await handle.close();
    throw err instanceof KilnError ? err : sourceError(path, err);
  }
}

/**
 * The bytes of an opened file from where it stands, a chunk at a time (each chunk a fresh buffer the
 * caller may keep). `failed` turns a read error into the caller's coded error.
 */
export async function* chunksOf(handle: FileHandle, failed: (err: unknown) => KilnError, chunkBytes = CHUNK_BYTES): AsyncGenerator<Buffer> {
  for (;;) {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    let filled = 0;
    try {
      // a read may return fewer bytes than asked; a chunk is full unless the file ended
      while (filled < chunkBytes) {
        const { bytesRead } = await handle.read(buffer, filled, chunkBytes - filled, null);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
    } catch (err) {
      throw failed(err);
    }
    if (filled > 0) yield filled === chunkBytes ? buffer : buffer.subarray(0, filled);
    if (filled < chunkBytes) return;
  }
}

/** The sha256 (hex) and size of the file at `path`, read in chunks; DATA_NOT_FOUND / DATA_UNREADABLE. */
export async function hashFile(path: string): Promise<{ digest: string; size: number }> {
  const { handle } = await openSource(path);
  try {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of chunksOf(handle, (err) => sourceError(path, err))) {
      hash.update(chunk);
      size += chunk.byteLength;
    }
    return { digest: hash.digest('hex'), size };
  } finally {
    await handle.close();
  }
}

/**
 * Writes `chunks` to `target`, whole or not at all: into a temporary file beside it (a rename within one
 * folder is atomic), hashed as they go, synced, and renamed over `target` only when their sha256 is
 * `digest`. Otherwise `corrupt()` is thrown and nothing is left behind; a file already at `target` is
 * then untouched. Errors from `chunks` (the store's) pass as they are; failing to write is
 * OUTPUT_UNWRITABLE naming `target`.
 *
 * Synced before the rename because `target` may be a name that vouches for its bytes (an upload's
 * `uploads/<sha256>/<name>`): after a power cut, a renamed but unsynced file can be empty under it.
 */
export async function writeVerified(chunks: AsyncIterable<Uint8Array>, digest: string, target: string, corrupt: () => KilnError): Promise<void> {
  const unwritable = (err: unknown): KilnError => new KilnError('OUTPUT_UNWRITABLE', { path: target, reason: reasonOf(err) }, { cause: err });
  const folder = dirname(target);
  try {
    await makeFolder(folder);
  } catch (err) {
    throw unwritable(err);
  }
  // what an earlier getToFile into this folder left when its process died (only our own temporary names)
  await sweepStaleTemps(folder, VERIFIED_TEMP);
  const temp = join(folder, `.${digest}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let file: FileHandle;
  try {
    file = await open(temp, 'wx');
  } catch (err) {
    throw unwritable(err);
  }
  try {
    const hash = createHash('sha256');
    let written = false;
    try {
      for await (const chunk of chunks) {
        hash.update(chunk);
        await writeAll(file, chunk).catch((err: unknown) => Promise.reject(unwritable(err)));
      }
      await file.sync().catch((err: unknown) => Promise.reject(unwritable(err)));
      written = true;
    } finally {
      // closed before the rename (Windows cannot rename an open file); a close error after a good write is the disk's
      const closing = file.close();
      if (written) await closing.catch((err: unknown) => Promise.reject(unwritable(err)));
      else await closing.catch(() => undefined);
    }
    if (hash.digest('hex') !== digest) throw corrupt();
    await rename(temp, target).catch((err: unknown) => Promise.reject(unwritable(err)));
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Writes all of `bytes` at the file's position (one write may take only part of them). */
export async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await file.write(bytes, offset, bytes.byteLength - offset, null);
    offset += bytesWritten;
  }
}

/** What is wrong with the file to store, as its coded error. */
export function sourceError(path: string, err: unknown): KilnError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new KilnError('DATA_NOT_FOUND', { what: 'file to store', path }, { cause: err });
  return new KilnError(
    'DATA_UNREADABLE',
    { path, reason: reasonOf(err), folder: code === 'EISDIR', hint: 'check that the file exists and that Kiln may read it' },
    { cause: err },
  );
}

export function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
