/** Parquet files, read by DuckDB column by column (a file larger than memory streams). */
import type { DuckDBConnection } from '@duckdb/node-api';
import { KilnError } from '../../core/errors.js';
import { duckdbReason, sqlString, uniqueTableName } from '../duckdb.js';
import { checkReadableFile, sha256File } from './file-checks.js';
import type { ReadOptions, SourceRef, StagedTable, TableSource } from './source.js';
import { countRows, runStaging } from './staged-table.js';

export const parquetSource: TableSource = {
  name: 'parquet',
  keys: ['.parquet', '.pq'],
  example: 'data/train.parquet',
  stage: stageParquet,
};

async function stageParquet(ref: SourceRef, conn: DuckDBConnection, options: ReadOptions): Promise<StagedTable> {
  const size = checkReadableFile(ref);
  options.onProgress?.(`reading ${ref.text} (${(size / 1e6).toFixed(1)} MB)`);
  // Hashing the bytes runs on Node's side while DuckDB parses on its own threads.
  const digesting = sha256File(ref.location);
  digesting.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  const table = uniqueTableName('kiln_parquet');
  await runStaging(conn, `CREATE TEMP TABLE ${table} AS SELECT * FROM read_parquet(${sqlString(ref.location)})`, ref.text, (err) => {
    throw new KilnError('DATA_UNREADABLE', { path: ref.text, reason: `not a readable Parquet file (${duckdbReason(err)})` }, { cause: err });
  });
  if ((await countRows(conn, table)) === 0) throw new KilnError('DATA_EMPTY', { path: ref.text });
  return { table, digest: await digesting, skippedRows: 0 };
}
