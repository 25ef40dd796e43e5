/**
 * Which sources the app's HTTP API reads. A browser names tables by the `source` string an upload
 * answered (a file in the home's uploads folder) or by a database connection; it may not name an
 * arbitrary file on the server's disk, nor `sql:` (DuckDB SQL can read and write any file the server
 * can). Everything else the data layer reads (CSV, Parquet, xlsx, sqlite:, postgres://) works as in
 * the CLI, because the checked string goes to the same readTable / inspectSource.
 *
 * Behind a load balancer an upload's `source` may have been answered by another replica, whose home is
 * elsewhere: `/srv/a/uploads/<sha256>/titanic.csv` names the same upload as this server's
 * `<home>/uploads/<sha256>/titanic.csv`, and is read there — fetched first from the store the replicas
 * share when this server does not have it (`obtain`, shared-uploads.ts).
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, resolve } from 'node:path';
import { KilnError } from '../../core/errors.js';
import { parseSourceRef } from '../../data/sources/source-ref.js';
import { SharedUploads } from './shared-uploads.js';
import { uploadPlaceOf } from './upload-store.js';

/** Connections a browser may name: databases that only hand back the rows of a table or a query. */
const CONNECTION_SCHEMES = ['sqlite', 'postgres'] as const;

export class AppSources {
  /**
   * @param uploadsDir the home's uploads folder (absolute)
   * @param shared where uploads this server lacks are fetched from (default: nowhere, a server on its own)
   */
  constructor(
    readonly uploadsDir: string,
    private readonly shared = new SharedUploads(undefined),
  ) {}

  /**
   * `resolve`, and then an upload this server does not have is fetched from the shared store, so the
   * string can be read here (UPLOAD_NOT_FOUND when it is nowhere, UPLOAD_UNAVAILABLE when the store is away).
   */
  async obtain(source: string): Promise<string> {
    const resolved = this.resolve(source);
    const ref = parseSourceRef(resolved);
    if (ref.scheme === 'file') await this.shared.ensureHere(ref.location);
    return resolved;
  }

  /**
   * The source string the data layer reads for what a client sent: an uploaded file (absolute, or
   * relative to the uploads folder, with `#sheet` / `?sheet=` as usual) or a connection. Anything
   * else is SOURCE_NOT_ALLOWED.
   */
  resolve(source: string): string {
    const text = source.trim();
    if (text === '') throw new KilnError('SOURCE_NOT_ALLOWED', { source, reason: 'it is empty' });
    const ref = parseSourceRef(text, this.uploadsDir);
    if ((CONNECTION_SCHEMES as readonly string[]).includes(ref.scheme)) return text;
    if (ref.scheme === 'sql') {
      throw new KilnError('SOURCE_NOT_ALLOWED', { source, reason: 'sql: queries can read any file on the server; connect to a database or upload the file instead' });
    }
    if (this.holds(ref.location)) {
      // An uploaded file that is gone (or never existed) is the data layer's DATA_NOT_FOUND.
      return isAbsolute(text) ? text : resolve(this.uploadsDir, text);
    }
    const here = isAbsolute(text) ? this.placeHere(ref.location) : undefined;
    if (here === undefined || !this.holds(here)) {
      throw new KilnError('SOURCE_NOT_ALLOWED', { source, reason: 'it is not a file uploaded to this server' });
    }
    // the same upload in this server's folder, with what followed the path (`#sheet`, `?sheet=`)
    return here + text.slice(ref.location.length);
  }

  /** Where the upload another replica named by `path` (`…/uploads/<sha256>/<name>`) lives here; undefined for other paths. */
  private placeHere(path: string): string | undefined {
    const place = uploadPlaceOf(normalize(path));
    return place === undefined ? undefined : join(this.uploadsDir, place.folder, place.name);
  }

  /** Whether `path` lies inside the uploads folder (after following links, when it exists). */
  holds(path: string): boolean {
    const inside = (p: string, root: string) => {
      const rel = relative(root, p);
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
    };
    if (!inside(resolve(path), resolve(this.uploadsDir))) return false;
    try {
      return inside(realpathSync(path), realpathSync(this.uploadsDir));
    } catch {
      return true; // not there (yet): reading it answers DATA_NOT_FOUND
    }
  }
}
