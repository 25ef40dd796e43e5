/**
 * The little a SQL store needs from a database, so that one store (sql-store.ts) runs over SQLite and
 * PostgreSQL alike. Statements are written once with `?` placeholders; each driver adapts them
 * (PostgreSQL's numbers them `$1, $2, …`). The few real differences between the dialects live in
 * `SqlDialect`, not in `if (sqlite)` branches through the store.
 */
export type SqlValue = string | number | null;

export interface SqlSession {
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Inserts many rows into `table` (one statement per chunk where the database allows it). */
  insertMany(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void>;
}

export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** The column that orders rows of `runs r` inserted in the same millisecond. */
  readonly runSequence: string;
  /** "Descending, NULLs last" (SQLite's plain DESC already puts NULLs last, and then it can use an index). */
  readonly descNullsLast: string;
  /** Appended to a SELECT of one row to lock it until the transaction ends ('' where BEGIN already locks). */
  readonly forUpdate: string;
}

export interface SqlDriver extends SqlSession {
  readonly dialect: SqlDialect;
  /**
   * Runs `fn` in one transaction holding the write lock from its start (SQLite: BEGIN IMMEDIATE), commits
   * when it resolves and rolls back when it throws. Inside, use only `tx`.
   */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
