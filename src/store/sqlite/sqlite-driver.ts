/**
 * better-sqlite3 behind the asynchronous `SqlDriver`. better-sqlite3 is synchronous, but a store
 * transaction is an async function (it awaits hooks and shares code with PostgreSQL), so everything on
 * one connection is queued: a transaction holds the queue from BEGIN IMMEDIATE to COMMIT, and no other
 * statement of this process can slip into it. Between processes, SQLite's file lock (with the busy
 * timeout) does the same job.
 */
import type Database from 'better-sqlite3';
import type { SqlDialect, SqlDriver, SqlSession, SqlValue } from '../sql/driver.js';

/** Rows per multi-row INSERT (SQLite allows 32 766 bound values per statement). */
const ROWS_PER_INSERT = 200;

const SQLITE: SqlDialect = { name: 'sqlite', runSequence: 'r.rowid', descNullsLast: 'DESC', forUpdate: '' };

export class SqliteDriver implements SqlDriver {
  readonly dialect = SQLITE;
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement<SqlValue[]>>();
  /** The tail of the queue of operations on this connection. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly session: SqlSession;

  constructor(db: Database.Database) {
    this.db = db;
    this.session = {
      all: async <T>(sql: string, params: readonly SqlValue[] = []) => this.prepare(sql).all(...params) as T[],
      get: async <T>(sql: string, params: readonly SqlValue[] = []) => this.prepare(sql).get(...params) as T | undefined,
      run: async (sql: string, params: readonly SqlValue[] = []) => this.prepare(sql).run(...params).changes,
      insertMany: async (table, columns, rows) => {
        // Many rows per statement: one statement run per row costs more than binding the values.
        const tuple = `(${columns.map(() => '?').join(', ')})`;
        for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
          const chunk = rows.slice(i, i + ROWS_PER_INSERT);
          const statement = this.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(chunk.length).fill(tuple).join(', ')}`);
          statement.run(...chunk.flat());
        }
      },
    };
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.enqueue(() => this.session.all<T>(sql, params));
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.enqueue(() => this.session.get<T>(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.enqueue(() => this.session.run(sql, params));
  }

  insertMany(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void> {
    // One transaction for the batch: a commit per row would cost a disk sync per row.
    return this.transaction((tx) => tx.insertMany(table, columns, rows));
  }

  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      // IMMEDIATE takes the write lock at BEGIN: a read-then-write (next version number) cannot race.
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.session);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    if (this.db.open) this.db.close();
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const result = this.queue.then(op, op);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private prepare(sql: string): Database.Statement<SqlValue[]> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<SqlValue[]>(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
