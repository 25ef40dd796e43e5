/**
 * PostgreSQL: `postgres://user@host:5432/db?table=orders` or `…?query=select …`. The query runs in a
 * read-only transaction through a server-side cursor, so rows arrive in batches and are staged into
 * DuckDB (row-staging.ts) without the whole result ever being held in memory.
 */
import pg from 'pg';
import type { DuckDBConnection } from '@duckdb/node-api';
import { KilnError } from '../../core/errors.js';
import { RowStager } from './row-staging.js';
import type { ReadOptions, SourceRef, StagedTable, TableSource } from './source.js';
import { resultDigest } from './staged-table.js';

export const postgresSource: TableSource = {
  name: 'postgres',
  keys: ['postgres'],
  example: 'postgres://user@localhost:5432/shop?table=orders',
  stage: stagePostgres,
};

const BATCH_ROWS = 10_000;

/** Type ids whose text pg leaves as strings but which are numbers (int8, numeric). */
const INT8_OID = 20;
const NUMERIC_OID = 1700;

async function stagePostgres(ref: SourceRef, conn: DuckDBConnection, options: ReadOptions): Promise<StagedTable> {
  const query = queryOf(ref);
  const client = new pg.Client({
    connectionString: ref.location,
    connectionTimeoutMillis: 10_000,
    types: {
      getTypeParser: ((oid: number, format?: string) => {
        if (oid === INT8_OID || oid === NUMERIC_OID) return (text: string) => Number(text);
        return pg.types.getTypeParser(oid, format as 'text');
      }) as typeof pg.types.getTypeParser,
    },
  });
  client.on('error', () => {}); // a dropped connection surfaces through the pending query instead
  try {
    await client.connect();
  } catch (err) {
    throw new KilnError('SOURCE_UNREACHABLE', { source: redact(ref.location), reason: reasonOf(err) }, { cause: err });
  }
  let stager: RowStager | undefined;
  try {
    options.onProgress?.(`reading ${redact(ref.location)}`);
    await client.query('BEGIN READ ONLY');
    try {
      await client.query(`DECLARE kiln_rows NO SCROLL CURSOR FOR ${query}`);
    } catch (err) {
      throw new KilnError('SOURCE_INVALID', { source: redact(ref.text), reason: reasonOf(err) }, { cause: err });
    }
    for (;;) {
      const batch = await client.query({ text: `FETCH ${BATCH_ROWS} FROM kiln_rows`, rowMode: 'array' });
      stager ??= new RowStager(batch.fields.map((f) => f.name));
      for (const row of batch.rows as unknown[][]) stager.add(row);
      if (batch.rows.length < BATCH_ROWS) break;
    }
    await client.query('COMMIT');
    if (stager === undefined || stager.rows === 0) throw new KilnError('DATA_EMPTY', { path: redact(ref.text) });
    const table = await stager.load(conn, redact(ref.text));
    stager = undefined;
    return { table, digest: await resultDigest(conn, table, query), skippedRows: 0 };
  } catch (err) {
    stager?.discard();
    if (err instanceof KilnError) throw err;
    throw new KilnError('SOURCE_UNREACHABLE', { source: redact(ref.location), reason: reasonOf(err) }, { cause: err });
  } finally {
    await client.end().catch(() => {});
  }
}

function queryOf(ref: SourceRef): string {
  const query = ref.params['query'];
  if (query !== undefined && query.trim() !== '') return query.replace(/;\s*$/, '');
  const table = ref.params['table'];
  if (table === undefined || table === '') {
    throw new KilnError('SOURCE_INVALID', {
      source: redact(ref.text),
      reason: 'name a table (`?table=NAME`) or a query (`?query=SELECT …`)',
      example: `e.g. ${postgresSource.example}`,
    });
  }
  // `schema.table` is two identifiers.
  return `SELECT * FROM ${table.split('.').map((p) => `"${p.replaceAll('"', '""')}"`).join('.')}`;
}

function reasonOf(err: unknown): string {
  const e = err as { message?: string; code?: string };
  return e.message !== undefined && e.message !== '' ? e.message : (e.code ?? String(err));
}

/** The URL without its password, for messages and logs. */
function redact(text: string): string {
  return text.replace(/(\/\/[^:/@]+):[^@]*@/, '$1:***@');
}
