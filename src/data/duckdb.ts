/**
 * The process's embedded DuckDB: one in-memory instance, created on first use. DuckDB does the
 * parsing of data files (CSV dialect sniffing, type detection, Parquet, JSON) and the profiling
 * aggregates far better and faster than hand-written code would.
 *
 * The instance has a memory limit and a spill folder, so a table larger than memory is streamed and
 * spilled to disk instead of taking the process down (KILN_DUCKDB_MEMORY overrides the limit).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBDataChunk } from '@duckdb/node-api';

let instance: Promise<DuckDBInstance> | undefined;

/** 2 GB keeps a profile of a 10-million-row file well under 4 GB of resident memory. */
const DEFAULT_MEMORY_LIMIT = '2GB';

function createInstance(): Promise<DuckDBInstance> {
  const spill = join(tmpdir(), `kiln-duckdb-${process.pid}`);
  mkdirSync(spill, { recursive: true });
  return DuckDBInstance.create(':memory:', {
    threads: '2',
    memory_limit: process.env['KILN_DUCKDB_MEMORY'] ?? DEFAULT_MEMORY_LIMIT,
    temp_directory: spill,
  });
}

export async function withDuckDB<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  instance ??= createInstance();
  const conn = await (await instance).connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
  }
}

/** A query's rows as plain objects; BIGINT/HUGEINT values become numbers (counts never exceed 2^53). */
export async function queryRows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((row) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) out[k] = plainValue(v);
    return out;
  });
}

/**
 * Runs a query and hands its result to `onChunk` one chunk (up to 2,048 rows) at a time, so memory stays
 * flat however many rows the result has.
 */
export async function forEachChunk(conn: DuckDBConnection, sql: string, onChunk: (chunk: DuckDBDataChunk) => void): Promise<void> {
  const result = await conn.stream(sql);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) return;
    onChunk(chunk);
  }
}

function plainValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plainValue);
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plainValue(x);
    return out;
  }
  return v;
}

/** A temp table name no other query in the process uses. */
export function uniqueTableName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e9).toString(36)}`;
}

/** The first line of a DuckDB error message: the part a person can act on. */
export function duckdbReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split('\n')[0] ?? message).replace(/^[A-Za-z ]+ Error: /, '');
}

/** A string literal for SQL (DuckDB table functions take file paths as literals). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A quoted SQL identifier. */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
