/**
 * Applying one-click fixes to a table: a new table without the named columns and/or without exact
 * duplicate rows, written as Parquet (so column types survive exactly) into the uploads folder as a
 * new upload. The original is never changed. Rows keep their original order, and the first of a set
 * of duplicates is the one kept, so a split of the fixed table is as reproducible as of the original.
 * Duplicates are judged on the columns that are kept (rows differing only in a dropped id are copies).
 */
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { KilnError } from '../../core/errors.js';
import { sqlIdentifier, sqlString } from '../../data/duckdb.js';
import { closestNames } from '../../data/closest-names.js';
import { sha256File } from '../../data/sources/file-checks.js';
import { withStagedTable } from '../../data/sources/read-table.js';
import { describeTable } from '../../data/sources/staged-table.js';
import { datasetNameOf } from '../../store/datasets.js';
import type { StoredUpload, UploadStore } from './upload-store.js';

export interface TableFix {
  readonly dropColumns: readonly string[];
  readonly dropDuplicates: boolean;
}

/** A column name that cannot appear in a real table, for remembering the original row order. */
const ROW_ORDER = '__kiln_row_order__';

export async function fixTable(source: string, fix: TableFix, uploads: UploadStore): Promise<StoredUpload> {
  if (fix.dropColumns.length === 0 && !fix.dropDuplicates) throw new KilnError('NOTHING_TO_FIX');
  const scratch = await uploads.scratchPath('.parquet');
  try {
    await writeFixed(source, fix, scratch);
  } catch (err) {
    await uploads.discardScratch(scratch);
    throw err;
  }
  const [sha256, info] = await Promise.all([sha256File(scratch), stat(scratch)]);
  return uploads.adopt(scratch, `${stemOf(source)}.parquet`, sha256, info.size);
}

async function writeFixed(source: string, fix: TableFix, scratch: string): Promise<void> {
  await withStagedTable(source, {}, async (conn, staged) => {
    const names = (await describeTable(conn, staged.table)).map((c) => c.name);
    for (const column of fix.dropColumns) {
      if (!names.includes(column)) {
        throw new KilnError('COLUMN_NOT_FOUND', { column, columns: names }, { problems: [{ path: 'drop_columns', code: 'unknown_column', message: `no column "${column}"${hintOf(column, names)}` }] });
      }
    }
    const kept = names.filter((n) => !fix.dropColumns.includes(n));
    if (kept.length === 0) throw new KilnError('NO_FEATURES');
    const list = kept.map(sqlIdentifier).join(', ');
    const numbered = `SELECT *, row_number() OVER () AS ${ROW_ORDER} FROM ${staged.table}`;
    const query = fix.dropDuplicates
      ? `SELECT ${list} FROM (${numbered}) QUALIFY row_number() OVER (PARTITION BY ${list} ORDER BY ${ROW_ORDER}) = 1 ORDER BY ${ROW_ORDER}`
      : `SELECT ${list} FROM (${numbered}) ORDER BY ${ROW_ORDER}`;
    await conn.run(`COPY (${query}) TO ${sqlString(scratch)} (FORMAT parquet, COMPRESSION zstd)`);
  });
}

/** `…/titanic.csv` → `titanic`; a connection → its table's name. */
function stemOf(source: string): string {
  const file = basename(source.split(/[?#]/)[0] ?? source);
  const stem = /^[a-z][a-z0-9+.-]*:/i.test(source) ? datasetNameOf(source) : basename(file, extname(file));
  return stem === '' ? 'table' : stem;
}

function hintOf(column: string, names: readonly string[]): string {
  const close = closestNames(column, names);
  return close.length > 0 ? ` (did you mean ${close.map((c) => `"${c}"`).join(' or ')}?)` : '';
}
