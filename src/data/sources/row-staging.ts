/**
 * Rows that arrive in JavaScript (from SQLite, PostgreSQL, an Excel sheet) are staged through a
 * temporary NDJSON file: written in batches as they arrive, then typed and loaded by DuckDB's JSON
 * reader. One typing logic for every database source, and the rows never pile up in memory.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { KilnError } from '../../core/errors.js';
import { duckdbReason, sqlIdentifier, sqlString, uniqueTableName } from '../duckdb.js';
import { describeTable, runStaging } from './staged-table.js';

const FLUSH_EVERY = 5000;

export class RowStager {
  private readonly dir = mkdtempSync(join(tmpdir(), 'kiln-rows-'));
  private readonly file = join(this.dir, 'rows.ndjson');
  private pending: string[] = [];
  private written = 0;

  /** `columns` fixes the column order (JSON objects would otherwise decide it). */
  constructor(private readonly columns: readonly string[]) {}

  get rows(): number {
    return this.written + this.pending.length;
  }

  add(values: readonly unknown[]): void {
    const row: Record<string, unknown> = {};
    this.columns.forEach((c, j) => (row[c] = jsonValue(values[j])));
    this.pending.push(JSON.stringify(row));
    if (this.pending.length >= FLUSH_EVERY) this.flush();
  }

  /** Loads the staged rows into a new temp table and removes the file. */
  async load(conn: DuckDBConnection, path: string): Promise<string> {
    try {
      this.flush();
      const table = uniqueTableName('kiln_rows');
      const select = this.columns.map((c) => sqlIdentifier(c)).join(', ');
      await runStaging(
        conn,
        `CREATE TEMP TABLE ${table} AS SELECT ${select} FROM read_json(${sqlString(this.file)}, format = 'newline_delimited', sample_size = -1)`,
        path,
        (err) => {
          throw new KilnError('DATA_UNREADABLE', { path, reason: duckdbReason(err) }, { cause: err });
        },
      );
      await textForUntypedColumns(conn, table);
      return table;
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** Removes the staging file without loading it (after a failure). */
  discard(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private flush(): void {
    if (this.pending.length === 0) {
      if (this.written === 0) appendFileSync(this.file, '');
      return;
    }
    appendFileSync(this.file, this.pending.join('\n') + '\n');
    this.written += this.pending.length;
    this.pending = [];
  }
}

/** A value as JSON can hold it: big integers as numbers when exact, dates as ISO text, bytes as hex. */
function jsonValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return v;
}

/** A column that is empty everywhere (typed NULL or JSON by the reader) becomes text. */
async function textForUntypedColumns(conn: DuckDBConnection, table: string): Promise<void> {
  const columns = await describeTable(conn, table);
  const untyped = columns.filter((c) => c.type === 'NULL' || c.type === 'JSON');
  for (const c of untyped) {
    await conn.run(`ALTER TABLE ${table} ALTER ${sqlIdentifier(c.name)} SET DATA TYPE VARCHAR`);
  }
}
