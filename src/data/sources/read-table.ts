/**
 * `readTable(source)`: any source string to a Frame, the one entry point for training and scoring.
 * `withStagedTable` is the lower-level form that leaves the rows in DuckDB, for profiling.
 */
import { freemem, totalmem } from 'node:os';
import type { DuckDBConnection } from '@duckdb/node-api';
import { KilnError } from '../../core/errors.js';
import { Frame, type Column } from '../../core/frame.js';
import { isNumericSourceType } from '../source-types.js';
import { sqlIdentifier, withDuckDB } from '../duckdb.js';
import type { LoadedTable } from './csv.js';
import { checkReadableFile } from './file-checks.js';
import { sourceFor } from './registry.js';
import { parseSourceRef } from './source-ref.js';
import type { ReadOptions, SourceRef, StagedTable } from './source.js';
import { countRows, describeTable } from './staged-table.js';
import { tidyStagedTable, type TidyOptions } from './tidy-table.js';

export type { ReadOptions, SourceRef, StagedTable, TableSource, BadRowPolicy } from './source.js';
export type { IngestNote } from './ingest-note.js';

/** Reads a source (a path, `sqlite:…`, `postgres://…`, `sql:…`) into a Frame. */
export async function readTable(source: string, options: ReadOptions = {}): Promise<LoadedTable> {
  return withStagedTable(source, options, async (conn, staged, ref) => {
    const schema = await describeTable(conn, staged.table);
    const rows = await countRows(conn, staged.table);
    if (rows === 0) throw new KilnError('DATA_EMPTY', { path: ref.text });
    checkFitsInMemory(ref, rows, schema.map((c) => isNumericSourceType(c.type)));
    options.onProgress?.(`loading ${rows} rows × ${schema.length} columns`);
    const selectList = schema
      .map((c) => `CAST(${sqlIdentifier(c.name)} AS ${isNumericSourceType(c.type) ? 'DOUBLE' : 'VARCHAR'})`)
      .join(', ');
    const result = await conn.runAndReadAll(`SELECT ${selectList} FROM ${staged.table}`);
    const raw = result.getColumnsJS();
    const columns: Column[] = schema.map((c, j) => toColumn(c.name, isNumericSourceType(c.type), raw[j] ?? []));
    const sourceTypes = Object.fromEntries(schema.map((c) => [c.name, c.type]));
    return {
      frame: new Frame(columns),
      sourceTypes,
      source,
      digest: staged.digest,
      ...(staged.skippedRows > 0 ? { skippedRows: staged.skippedRows } : {}),
      notes: staged.notes ?? [],
    };
  });
}

/**
 * Stages `source` into a DuckDB temp table and runs `fn` on it; the table is dropped afterwards.
 * Nothing is left behind when staging or `fn` fails.
 */
export async function withStagedTable<T>(
  source: string,
  options: ReadOptions,
  fn: (conn: DuckDBConnection, staged: StagedTable, ref: SourceRef) => Promise<T>,
): Promise<T> {
  const ref = parseSourceRef(source, options.baseDir);
  // a missing file or a folder is named as such, even when its name has no extension that picks a reader
  if (ref.scheme === 'file') checkReadableFile(ref);
  const reader = sourceFor(ref, options.as);
  return withDuckDB(async (conn) => {
    const raw = await reader.stage(ref, conn, options);
    try {
      // Every source, whatever it is, gets the same clean-up, so a table is typed alike however it came.
      const notes = [...(raw.notes ?? []), ...(await tidyStagedTable(conn, raw.table, tidyOptions(ref)))];
      const staged: StagedTable = { ...raw, notes };
      return await fn(conn, staged, ref);
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${raw.table}`);
    }
  });
}

/** `?dates=dmy|mdy`: how ambiguous dates read (any source). */
function tidyOptions(ref: SourceRef): TidyOptions {
  const dates = ref.params['dates'];
  if (dates === undefined) return {};
  if (dates !== 'dmy' && dates !== 'mdy') {
    throw new KilnError('SOURCE_INVALID', { source: ref.text, reason: `dates must be dmy (day first) or mdy (month first), not "${dates}"`, example: 'e.g. data.csv?dates=dmy' });
  }
  return { dateOrder: dates };
}

/**
 * A Frame holds every value in JavaScript: 8 bytes per number, ~40 per short string. Refuse clearly,
 * before trying, a table that would not fit, rather than let the process die out of memory.
 */
function checkFitsInMemory(ref: SourceRef, rows: number, numeric: readonly boolean[]): void {
  const bytes = numeric.reduce((sum, isNumber) => sum + rows * (isNumber ? 8 : 40), 0);
  const budget = Math.min(totalmem() * 0.5, freemem() + totalmem() * 0.1);
  if (bytes > budget) {
    throw new KilnError('DATA_TOO_LARGE', {
      path: ref.text,
      what: 'load into memory for training',
      reason: `${rows} rows × ${numeric.length} columns need about ${(bytes / 1e9).toFixed(1)} GB; about ${(budget / 1e9).toFixed(1)} GB is available`,
    });
  }
}

function toColumn(name: string, numeric: boolean, values: readonly unknown[]): Column {
  if (numeric) {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      out[i] = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : Number.NaN;
    }
    return { kind: 'numeric', name, values: out };
  }
  return { kind: 'categorical', name, values: values.map((v) => (v === null || v === undefined || v === '' ? null : String(v))) };
}
