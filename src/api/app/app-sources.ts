/**
 * Which sources the app's HTTP API reads. A browser names tables by the `source` string an upload
 * answered (a file in the home's uploads folder) or by a database connection; it may not name an
 * arbitrary file on the server's disk, nor `sql:` (DuckDB SQL can read and write any file the server
 * can). Everything else the data layer reads (CSV, Parquet, xlsx, sqlite:, postgres://) works as in
 * the CLI, because the checked string goes to the same readTable / inspectSource.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { KilnError } from '../../core/errors.js';
import { parseSourceRef } from '../../data/sources/source-ref.js';

/** Connections a browser may name: databases that only hand back the rows of a table or a query. */
const CONNECTION_SCHEMES = ['sqlite', 'postgres'] as const;

export class AppSources {
  /** @param uploadsDir the home's uploads folder (absolute) */
  constructor(readonly uploadsDir: string) {}

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
    if (!this.holds(ref.location)) {
      throw new KilnError('SOURCE_NOT_ALLOWED', { source, reason: 'it is not a file uploaded to this server' });
    }
    // An uploaded file that is gone (or never existed) is the data layer's DATA_NOT_FOUND.
    return isAbsolute(text) ? text : resolve(this.uploadsDir, text);
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
