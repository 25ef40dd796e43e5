/**
 * The process's embedded DuckDB: one in-memory instance, created on first use. DuckDB does the
 * parsing of data files (CSV dialect sniffing, type detection, Parquet, JSON) far better and faster
 * than a hand-written reader would.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

let instance: Promise<DuckDBInstance> | undefined;

export async function withDuckDB<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  instance ??= DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await (await instance).connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
  }
}

/** A string literal for SQL (DuckDB table functions take file paths as literals). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A quoted SQL identifier. */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
