/**
 * Reading a CSV file into a Frame. DuckDB sniffs the dialect (delimiter, quoting, header) and the
 * column types; this file turns its result into Kiln's columns: numbers (and booleans) as float64,
 * everything else as text categories, and records the bytes' digest for lineage.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { KilnError } from '../../core/errors.js';
import { Frame, type Column } from '../../core/frame.js';
import { sqlIdentifier, sqlString, withDuckDB } from '../duckdb.js';
import { diagnoseRaggedCsv } from './csv-diagnose.js';

export interface LoadedTable {
  readonly frame: Frame;
  /** DuckDB's type name per column (BIGINT, DOUBLE, VARCHAR, DATE, …): schema inference uses it. */
  readonly sourceTypes: Readonly<Record<string, string>>;
  readonly source: string;
  /** sha256 of the file's bytes. */
  readonly digest: string;
}

const NUMERIC_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL.*|BOOLEAN)$/;

export function isNumericSourceType(type: string): boolean {
  return NUMERIC_TYPES.test(type);
}

export async function readCsv(path: string): Promise<LoadedTable> {
  const file = resolve(path);
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new KilnError('DATA_UNREADABLE', { path, reason: 'it is a folder, not a file' });
    size = st.size;
  } catch (err) {
    if (err instanceof KilnError) throw err;
    throw new KilnError('DATA_NOT_FOUND', { path });
  }
  if (size === 0) throw new KilnError('DATA_EMPTY', { path });
  const digest = await sha256File(file);

  return withDuckDB(async (conn) => {
    const table = 'kiln_csv_' + digest.slice(0, 16) + '_' + Math.floor(Math.random() * 1e9).toString(36);
    try {
      await conn.run(`CREATE TEMP TABLE ${table} AS SELECT * FROM read_csv(${sqlString(file)}, header = true, sample_size = -1)`);
    } catch (err) {
      throw new KilnError('DATA_UNREADABLE', { path, reason: firstLine(err) }, { cause: err });
    }
    try {
      const described = await conn.runAndReadAll(`DESCRIBE ${table}`);
      const schema = described.getRowObjectsJS().map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
      if (schema.length === 1 && size < 256 * 1024 * 1024) {
        const reason = diagnoseRaggedCsv(schema[0]?.name ?? '', readFileSync(file, 'utf8'));
        if (reason !== undefined) throw new KilnError('DATA_UNREADABLE', { path, reason });
      }
      const selectList = schema
        .map((c) => `CAST(${sqlIdentifier(c.name)} AS ${isNumericSourceType(c.type) ? 'DOUBLE' : 'VARCHAR'})`)
        .join(', ');
      const result = await conn.runAndReadAll(`SELECT ${selectList} FROM ${table}`);
      const raw = result.getColumnsJS();
      if ((raw[0]?.length ?? 0) === 0) throw new KilnError('DATA_EMPTY', { path });
      const columns: Column[] = schema.map((c, j) => toColumn(c.name, isNumericSourceType(c.type), raw[j] ?? []));
      const sourceTypes = Object.fromEntries(schema.map((c) => [c.name, c.type]));
      return { frame: new Frame(columns), sourceTypes, source: path, digest };
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${table}`);
    }
  });
}

function toColumn(name: string, numeric: boolean, values: readonly unknown[]): Column {
  if (numeric) {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      out[i] = typeof v === 'number' ? v : Number.NaN;
    }
    return { kind: 'numeric', name, values: out };
  }
  return { kind: 'categorical', name, values: values.map((v) => (v === null || v === undefined || v === '' ? null : String(v))) };
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}
