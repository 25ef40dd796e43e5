/** Helpers shared by the sources once rows are in a DuckDB temp table. */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { KilnError } from '../../core/errors.js';
import { duckdbReason, queryRows, sqlIdentifier } from '../duckdb.js';

export interface ColumnType {
  readonly name: string;
  readonly type: string;
}

export async function describeTable(conn: DuckDBConnection, table: string): Promise<ColumnType[]> {
  const rows = await queryRows(conn, `DESCRIBE ${table}`);
  return rows.map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
}

export async function countRows(conn: DuckDBConnection, table: string): Promise<number> {
  const rows = await queryRows(conn, `SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]?.['n'] ?? 0);
}

/**
 * A digest of a query and its result, for sources without file bytes (databases, SQL): the query text,
 * the column names and types, the row count, and an order-independent sum of row hashes.
 */
export async function resultDigest(conn: DuckDBConnection, table: string, query: string): Promise<string> {
  const columns = await describeTable(conn, table);
  const rowHash = `hash(${columns.map((c) => sqlIdentifier(c.name)).join(', ')})`;
  const rows = await queryRows(conn, `SELECT count(*) AS n, CAST(sum(CAST(${rowHash} AS HUGEINT)) AS VARCHAR) AS h FROM ${table}`);
  const hash = createHash('sha256');
  hash.update(query + '\n' + JSON.stringify(columns) + '\n' + String(rows[0]?.['n']) + ':' + String(rows[0]?.['h']));
  return hash.digest('hex');
}

/**
 * Runs a statement that fills a temp table, turning DuckDB's out-of-memory failure into DATA_TOO_LARGE
 * and anything else into the caller's error.
 */
export async function runStaging(conn: DuckDBConnection, sql: string, path: string, otherwise: (err: unknown) => never): Promise<void> {
  try {
    await conn.run(sql);
  } catch (err) {
    if (/out of memory/i.test(String(err))) {
      throw new KilnError('DATA_TOO_LARGE', { path, what: 'stage', reason: duckdbReason(err) }, { cause: err });
    }
    otherwise(err);
  }
}

/**
 * Columns per aggregate query when every column gets several expressions: DuckDB's planning time
 * grows faster than linearly with the expressions of one query (1,000 text columns × 7 expressions:
 * 47 s in one query, a few seconds in batches of 32).
 */
const COLUMNS_PER_QUERY = 32;

/** Runs `count` over `columns` a batch at a time; the results come back in the columns' order. */
export async function inColumnBatches<T>(columns: readonly string[], count: (batch: readonly string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < columns.length; start += COLUMNS_PER_QUERY) {
    out.push(...(await count(columns.slice(start, start + COLUMNS_PER_QUERY))));
  }
  return out;
}
