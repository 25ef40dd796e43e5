/**
 * The embedded store: runs, datasets, the model registry, the audit log, webhooks and the prediction
 * log in one SQLite file. What it stores and how is shared with PostgreSQL (../sql/sql-store.ts); this
 * file opens the file and brings its schema up to date.
 *
 * Concurrency between processes (two `kiln train` at once, a server logging while the CLI registers)
 * rests on SQLite's file locking: WAL lets readers proceed during a write, writers take the lock up front
 * (BEGIN IMMEDIATE), and the busy timeout makes a writer wait for the lock instead of failing.
 */
import { dirname, resolve as resolvePath } from 'node:path';
import Database from 'better-sqlite3';
import { KilnError } from '../../core/errors.js';
import { makeFolderSync } from '../make-folder.js';
import { SqlStore, type SqlStoreOptions } from '../sql/sql-store.js';
import { migrate } from './migrations.js';
import { SqliteDriver } from './sqlite-driver.js';

/** How long a writer waits for another process's write lock before giving up with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

export class SqliteStore extends SqlStore {
  /**
   * Opens (creating if needed) the store in `file` and brings its schema up to date.
   * Throws STORE_UNAVAILABLE when the file cannot be opened or is not a Kiln database.
   */
  static open(file: string, options: SqlStoreOptions = {}): SqliteStore {
    const location = file === ':memory:' ? file : resolvePath(file);
    let db: Database.Database | undefined;
    try {
      if (location !== ':memory:') makeFolderSync(dirname(location));
      db = new Database(location, { timeout: BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = WAL');
      // In WAL mode NORMAL cannot corrupt the database; a power cut may only lose the last commits.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
      return new SqliteStore(new SqliteDriver(db), location, options);
    } catch (err) {
      db?.close();
      const reason = err instanceof Error ? err.message : String(err);
      throw new KilnError('STORE_UNAVAILABLE', { location, reason }, { cause: err });
    }
  }

  /** The underlying connection, for tests and maintenance (pragmas, EXPLAIN). */
  get database(): Database.Database {
    return (this.driver as SqliteDriver).db;
  }
}
