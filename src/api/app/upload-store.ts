/**
 * The uploads folder of a Kiln home (`<home>/uploads`): files people gave the app, content-addressed
 * and never overwritten. A file lives at `uploads/<its sha256>/<its name>`, so the same bytes uploaded
 * twice are stored once, and the file keeps the name a person recognises (the module name and dataset
 * name are derived from it: `titanic.csv` → `titanic`). The folder is the whole sha256 (homes written
 * before held its first 24 hex digits, still read) so that the path alone says which bytes it names:
 * a server that lacks the file can fetch them from a shared artifact store and check them
 * (shared-uploads.ts).
 *
 * Beside each file, a small hidden record (`uploads/<sha256>/.<name>.json`) keeps what the app lists
 * about it — when it was uploaded, and its rows and columns, known once the upload was read — so that
 * listing the uploads reads no table. Uploads saved before records were kept (and copies fetched from
 * another server) have none and are listed with what the folder tells: the name, the size and the
 * file's time. A stored name never starts with a dot (`safeFileName`), so a record is never an upload.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, normalize } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { KilnError } from '../../core/errors.js';
import { sourceFor, tableSources } from '../../data/sources/registry.js';
import { parseSourceRef } from '../../data/sources/source-ref.js';
import { makeFolder } from '../../store/make-folder.js';
import { writeFileAtomically } from '../../store/write-atomically.js';

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

/** One upload as GET /api/uploads lists it. */
export interface ListedUpload {
  /** Absolute path of the stored file: the `source` PUT /api/uploads answered. */
  readonly path: string;
  /** `<sha256>/<name>` in the uploads folder: what identifies it on any replica. */
  readonly place: UploadPlace;
  readonly name: string;
  readonly bytes: number;
  /** When it was last uploaded (the record's time; without a record, the file's). */
  readonly uploadedAt: Date;
  /** Rows and columns as the upload was read when it came; null without a record. */
  readonly rows: number | null;
  readonly columns: number | null;
}

/** What a record keeps (snake_case, as the API answers it). */
interface UploadRecord {
  readonly name: string;
  readonly bytes: number;
  readonly uploaded_at: string;
  readonly rows: number;
  readonly columns: number;
}

/** An upload's place in the uploads folder: its folder (the sha256, or its first 24 digits) and its name. */
export interface UploadPlace {
  readonly folder: string;
  readonly name: string;
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

  /**
   * Writes the upload's record once it has been read as a table: uploading the same file again moves it
   * to the top of the list (its time is the latest upload's). Written whole or not at all (write-atomically.ts),
   * so a reader never sees half a record.
   */
  async record(upload: StoredUpload, table: { readonly rows: number; readonly columns: number }, at = new Date()): Promise<void> {
    const record: UploadRecord = { name: upload.name, bytes: upload.bytes, uploaded_at: at.toISOString(), rows: table.rows, columns: table.columns };
    await writeFileAtomically(recordPath(upload.path), `${JSON.stringify(record)}\n`);
  }

  /**
   * The uploads in the folder, newest first. Only `<sha256>/<name>` files count: the `.incoming-…` and
   * `.scratch-…` entries of uploads and fixes under way, and the records, are not uploads. A record that
   * cannot be read, or that describes other bytes, is passed over (the folder's facts are listed).
   */
  async list(): Promise<ListedUpload[]> {
    const folders = await readdir(this.dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return []; // nothing uploaded yet
      throw new KilnError('STORE_UNAVAILABLE', { location: this.dir, reason: err.message }, { cause: err });
    });
    const listed: ListedUpload[] = [];
    for (const folder of folders) {
      if (!folder.isDirectory() || !UPLOAD_FOLDER.test(folder.name)) continue;
      const names = await readdir(join(this.dir, folder.name)).catch(() => [] as string[]); // removed meanwhile
      for (const name of names) {
        if (!STORED_NAME.test(name)) continue;
        const upload = await this.describe({ folder: folder.name, name });
        if (upload !== undefined) listed.push(upload);
      }
    }
    return listed.sort((a, b) => b.uploadedAt.getTime() - a.uploadedAt.getTime() || a.name.localeCompare(b.name));
  }

  /** One stored upload as listed; undefined when it is not a file (or was removed meanwhile). */
  private async describe(place: UploadPlace): Promise<ListedUpload | undefined> {
    const path = this.pathOf(place);
    const facts = await stat(path).catch(() => undefined);
    if (facts === undefined || !facts.isFile()) return undefined;
    const record = await readRecord(path);
    const known = { path, place, name: place.name, bytes: facts.size };
    if (record === undefined || record.bytes !== facts.size || record.name !== place.name) {
      return { ...known, uploadedAt: facts.mtime, rows: null, columns: null };
    }
    return { ...known, uploadedAt: new Date(record.uploaded_at), rows: record.rows, columns: record.columns };
  }

  /**
   * The place in this folder of the upload `source` names: `<sha256>/<name>` (its id in the list), or a
   * `source` PUT /api/uploads answered (on this server or, behind a load balancer, on another: the same
   * `<sha256>/<name>` here). INVALID_PARAMS for anything else (a connection, another file, a path leaving
   * the folder).
   */
  placeOf(source: string): UploadPlace {
    const text = source.trim();
    const place = isAbsolute(text) ? uploadPlaceOf(normalize(text)) : uploadPlaceOf(join(this.dir, normalize(text)));
    // a relative one must be exactly `<folder>/<name>`: `../x/<sha>/<name>` is not this folder's
    const relativeOk = isAbsolute(text) || (place !== undefined && normalize(text) === join(place.folder, place.name));
    if (place === undefined || !relativeOk) {
      throw new KilnError('INVALID_PARAMS', {
        what: 'upload',
        summary: `"${source}" does not name an upload: pass an upload's id (<sha256>/<name>) or source (…/uploads/<sha256>/<name>), as GET /api/uploads lists them`,
      });
    }
    return place;
  }

  /** Where the upload at `place` lives in this folder. */
  pathOf(place: UploadPlace): string {
    return join(this.dir, place.folder, place.name);
  }

  /**
   * Removes the upload at `place` and its record, and its folder when no other name shares it; false when
   * there was no such upload. The file goes first: a record left behind by a crash lists nothing.
   */
  async remove(place: UploadPlace): Promise<boolean> {
    const path = this.pathOf(place);
    try {
      await rm(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    await rm(recordPath(path), { force: true });
    await rmdir(dirname(path)).catch(() => {}); // fails, as meant, when other names share the folder
    return true;
  }
}

/** The record of the upload at `path`: `.<name>.json` beside it (a dot no stored name starts with). */
function recordPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.json`);
}

/** The upload's record, when there is one that reads as a record. */
async function readRecord(path: string): Promise<UploadRecord | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(recordPath(path), 'utf8'));
  } catch {
    return undefined; // none (an older upload), or damaged: the folder's facts stand in
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const r = parsed as Record<string, unknown>;
  const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (typeof r['name'] !== 'string' || !count(r['bytes']) || !count(r['rows']) || !count(r['columns'])) return undefined;
  if (typeof r['uploaded_at'] !== 'string' || Number.isNaN(Date.parse(r['uploaded_at']))) return undefined;
  return parsed as UploadRecord;
}

/** An upload's folder: its sha256 (64 hex digits), or the first 24 of them in homes written before. */
const UPLOAD_FOLDER = /^[0-9a-f]{24}(?:[0-9a-f]{40})?$/;

/** A name `safeFileName` could have written: no folders, nothing awkward, not hidden. */
const STORED_NAME = /^[A-Za-z0-9_ -][A-Za-z0-9._ -]*$/;

/**
 * The place of an upload inside an uploads folder — `<sha256>/<name>` — when `path` has the shape of
 * one (`…/uploads/<sha256>/<name>`, whichever home it lies in); otherwise undefined.
 */
export function uploadPlaceOf(path: string): UploadPlace | undefined {
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
