/**
 * DuckDB SQL over files: `sql:SELECT * FROM 'a.csv' JOIN 'b.parquet' USING (id)`. The query runs in
 * the embedded DuckDB, so joins, filters and samples of files larger than memory cost no JavaScript.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { KilnError } from '../../core/errors.js';
import { duckdbReason, uniqueTableName } from '../duckdb.js';
import type { ReadOptions, SourceRef, StagedTable, TableSource } from './source.js';
import { countRows, resultDigest, runStaging } from './staged-table.js';

export const sqlSource: TableSource = {
  name: 'sql',
  keys: ['sql'],
  example: "sql:SELECT * FROM 'orders.csv' JOIN 'customers.parquet' USING (customer_id)",
  stage: stageSql,
};

async function stageSql(ref: SourceRef, conn: DuckDBConnection, options: ReadOptions): Promise<StagedTable> {
  const query = ref.location.replace(/;\s*$/, '');
  if (query === '') {
    throw new KilnError('SOURCE_INVALID', { source: ref.text, reason: 'there is no query after `sql:`', example: `e.g. ${sqlSource.example}` });
  }
  options.onProgress?.('running the query');
  const table = uniqueTableName('kiln_sql');
  await runStaging(conn, `CREATE TEMP TABLE ${table} AS ${query}`, ref.text, (err) => {
    const reason = duckdbReason(err);
    if (/No files found|No such file|Cannot open file/i.test(reason)) throw new KilnError('SOURCE_UNREACHABLE', { source: ref.text, reason }, { cause: err });
    throw new KilnError('SOURCE_INVALID', { source: ref.text, reason }, { cause: err });
  });
  if ((await countRows(conn, table)) === 0) throw new KilnError('DATA_EMPTY', { path: ref.text });
  return { table, digest: await resultDigest(conn, table, query), skippedRows: 0 };
}
