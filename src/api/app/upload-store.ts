/**
 * The uploads folder of a Kiln home (`<home>/uploads`): files people gave the app, content-addressed
 * and never overwritten. A file lives at `uploads/<its sha256>/<its name>`, so the same bytes uploaded
 * twice are stored once, and the file keeps the name a person recognises (the module name and dataset
 * name are derived from it: `titanic.csv` → `titanic`). The folder is the whole sha256 (homes written
 * before held its first 24 hex digits, still read) so that the path alone says which bytes it names:
 * a server that lacks the file can fetch them from a shared artifact store and check them
 * (shared-uploads.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { KilnError } from '../../core/errors.js';
import { sourceFor, tableSources } from '../../data/sources/registry.js';
import { parseSourceRef } from '../../data/sources/source-ref.js';
import { makeFolder } from '../../store/make-folder.js';

/** The largest upload accepted (the contract with the app: 200 MB). */
export const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;

export interface StoredUpload {
  /** Absolute path of the stored file: the `source` later calls pass. */
  readonly path: string;
  /** The file name, as stored. */
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
  /** False when the same bytes under the same name were already there. */
  readonly created: boolean;
}

export class UploadStore {
  constructor(
    readonly dir: string,
    private readonly maxBytes = MAX_UPLOAD_BYTES,
  ) {}

  /**
   * Streams `body` into the folder under `filename`. Refuses a name Kiln cannot read as a table before
   * reading any bytes, and stops reading (UPLOAD_TOO_LARGE) as soon as the body passes the limit.
   */
  async save(filename: string, body: Readable): Promise<StoredUpload> {
    const name = safeFileName(filename);
    // makeFolder, not mkdir({recursive}): Node's loops forever for a folder under /proc (make-folder.ts)
    await makeFolder(this.dir);
    const incoming = join(this.dir, `.incoming-${randomUUID()}`);
    const hash = createHash('sha256');
    let bytes = 0;
    const limit = this.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.byteLength;
        if (bytes > limit) {
          done(new KilnError('UPLOAD_TOO_LARGE', { limitMb: Math.round(limit / (1024 * 1024)) }));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(incoming, { flags: 'wx' }));
    } catch (err) {
      await rm(incoming, { force: true });
      // a client that hangs up mid-upload surfaces as a stream error: say what it means
      if (err instanceof KilnError) throw err;
      throw new KilnError('MALFORMED_REQUEST', { reason: `the upload was interrupted (${err instanceof Error ? err.message : String(err)})` }, { cause: err });
    }
    if (bytes === 0) {
      await rm(incoming, { force: true });
      throw new KilnError('UPLOAD_EMPTY');
    }
    const sha256 = hash.digest('hex');
    const folder = join(this.dir, sha256);
    const path = join(folder, name);
    if (existsSync(path)) {
      await rm(incoming, { force: true });
      return { path, name, bytes, sha256, created: false };
    }
    await makeFolder(folder);
    await rename(incoming, path);
    return { path, name, bytes, sha256, created: true };
  }

  /**
   * Where a derived table (a fixed copy) goes: a fresh name in a fresh folder, renamed to its content
   * address by `adopt` once written.
   */
  async scratchPath(extension: string): Promise<string> {
    const folder = join(this.dir, `.scratch-${randomUUID()}`);
    await makeFolder(folder);
    return join(folder, `table${extension}`);
  }

  /** Moves a written scratch file to its content address under `name`. */
  async adopt(scratch: string, name: string, sha256: string, bytes: number): Promise<StoredUpload> {
    const folder = join(this.dir, sha256);
    const path = join(folder, safeFileName(name));
    const scratchFolder = join(scratch, '..');
    try {
      if (existsSync(path)) return { path, name: basename(path), bytes, sha256, created: false };
      await makeFolder(folder);
      await rename(scratch, path);
      return { path, name: basename(path), bytes, sha256, created: true };
    } finally {
      await rm(scratchFolder, { recursive: true, force: true });
    }
  }

  /** Removes a scratch file that was never adopted, with its folder. */
  async discardScratch(scratch: string): Promise<void> {
    await rm(join(scratch, '..'), { recursive: true, force: true });
  }

  /** Removes a file this store just created (a table that turned out unreadable), and its folder if empty. */
  async discard(upload: StoredUpload): Promise<void> {
    if (!upload.created) return;
    await rm(upload.path, { force: true });
    await rmdir(join(upload.path, '..')).catch(() => {}); // fails, as meant, when other names share the folder
  }
}

/** An upload's folder: its sha256 (64 hex digits), or the first 24 of them in homes written before. */
const UPLOAD_FOLDER = /^[0-9a-f]{24}(?:[0-9a-f]{40})?$/;

/** A name `safeFileName` could have written: no folders, nothing awkward, not hidden. */
const STORED_NAME = /^[A-Za-z0-9_ -][A-Za-z0-9._ -]*$/;

/**
 * The place of an upload inside an uploads folder — `<sha256>/<name>` — when `path` has the shape of
 * one (`…/uploads/<sha256>/<name>`, whichever home it lies in); otherwise undefined.
 */
export function uploadPlaceOf(path: string): { readonly folder: string; readonly name: string } | undefined {
  const name = basename(path);
  const folder = basename(dirname(path));
  if (basename(dirname(dirname(path))) !== 'uploads' || !UPLOAD_FOLDER.test(folder) || !STORED_NAME.test(name)) return undefined;
  return { folder, name };
}

/** The sha256 an upload's path names (its folder), or undefined for another path or an older, shortened folder. */
export function uploadDigestOf(path: string): string | undefined {
  const folder = uploadPlaceOf(path)?.folder;
  return folder !== undefined && folder.length === 64 ? folder : undefined;
}

/**
 * The last path segment of what the client sent, with characters that are awkward in paths replaced,
 * and an extension Kiln reads (checked with the sources registry, so the list never drifts).
 */
export function safeFileName(filename: string): string {
  const extensions = tableSources()
    .flatMap((s) => s.keys)
    .filter((k) => k.startsWith('.'))
    .join(', ');
  const last = basename(filename.replaceAll('\\', '/'));
  const cleaned = last.replace(/[^A-Za-z0-9._ -]+/g, '_').replace(/^[.\s]+/, '').slice(-128);
  if (cleaned === '' || extname(cleaned) === '') {
    throw new KilnError('UPLOAD_NAME_INVALID', { filename, reason: 'it has no file extension', extensions });
  }
  try {
    sourceFor(parseSourceRef(join('/nonexistent', cleaned)));
  } catch {
    throw new KilnError('UPLOAD_NAME_INVALID', { filename, reason: `Kiln does not read "${extname(cleaned)}" files`, extensions });
  }
  return cleaned;
}
