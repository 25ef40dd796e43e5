/**
 * SQLite files: `sqlite:shop.db?table=orders` or `sqlite:shop.db?query=select …`. Opened read-only
 * through better-sqlite3; rows stream out of the query into DuckDB (row-staging.ts).
 */
import Database from 'better-sqlite3';
import type { DuckDBConnection } from '@duckdb/node-api';
import { KilnError } from '../../core/errors.js';
import { closestNames } from '../closest-names.js';
import { sqlIdentifier } from '../duckdb.js';
import { RowStager } from './row-staging.js';
import type { ReadOptions, SourceRef, StagedTable, TableSource } from './source.js';
import { resultDigest } from './staged-table.js';

export const sqliteSource: TableSource = {
  name: 'sqlite',
  keys: ['sqlite', '.sqlite', '.sqlite3', '.db'],
  example: 'sqlite:shop.db?table=orders',
  stage: stageSqlite,
};

async function stageSqlite(ref: SourceRef, conn: DuckDBConnection, options: ReadOptions): Promise<StagedTable> {
  let db: Database.Database;
  try {
    db = new Database(ref.location, { readonly: true, fileMustExist: true });
    db.pragma('schema_version'); // fails here, not later, when the file is not a SQLite database
  } catch (err) {
    throw new KilnError('SOURCE_UNREACHABLE', { source: ref.text, reason: (err as Error).message }, { cause: err });
  }
  try {
    const query = queryOf(ref, db);
    options.onProgress?.(`reading ${ref.text}`);
    let statement: Database.Statement;
    try {
      statement = db.prepare(query);
    } catch (err) {
      throw new KilnError('SOURCE_INVALID', { source: ref.text, reason: (err as Error).message }, { cause: err });
    }
    if (!statement.reader) throw new KilnError('SOURCE_INVALID', { source: ref.text, reason: 'the query returns no rows (it is not a SELECT)' });
    const stager = new RowStager(statement.columns().map((c) => c.name));
    try {
      for (const row of statement.raw(true).iterate() as Iterable<unknown[]>) stager.add(row);
    } catch (err) {
      stager.discard();
      throw new KilnError('SOURCE_INVALID', { source: ref.text, reason: (err as Error).message }, { cause: err });
    }
    if (stager.rows === 0) {
      stager.discard();
      throw new KilnError('DATA_EMPTY', { path: ref.text });
    }
    const table = await stager.load(conn, ref.text);
    return { table, digest: await resultDigest(conn, table, query), skippedRows: 0 };
  } finally {
    db.close();
  }
}

/** The SELECT for `?table=` or `?query=`; a missing or misspelt table gets the tables listed. */
function queryOf(ref: SourceRef, db: Database.Database): string {
  const query = ref.params['query'];
  if (query !== undefined && query.trim() !== '') return query;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  const table = ref.params['table'];
  if (table === undefined || table === '') {
    throw new KilnError('SOURCE_INVALID', {
      source: ref.text,
      reason: 'name a table (`?table=NAME`) or a query (`?query=SELECT …`)',
      example: `its tables: ${tables.join(', ') || '(none)'}`,
    });
  }
  if (!tables.includes(table)) {
    const close = closestNames(table, tables);
    throw new KilnError('SOURCE_INVALID', {
      source: ref.text,
      reason: `there is no table "${table}"`,
      example: close.length > 0 ? `did you mean ${close.map((c) => `"${c}"`).join(' or ')}?` : `its tables: ${tables.join(', ') || '(none)'}`,
    });
  }
  return `SELECT * FROM ${sqlIdentifier(table)}`;
}
