/**
 * Dataset versions: the table a run trained on, kept as an immutable Parquet snapshot in the artifact
 * store and registered with its schema and source. The snapshot's sha256 is the version's address, so
 * importing unchanged data again yields the same version (and stores no new bytes).
 *
 * The snapshot is written from the Frame Kiln actually trained on (numbers as DOUBLE with NULL for
 * missing, categories as VARCHAR), by DuckDB's `COPY … TO … (FORMAT parquet)`: whatever the source was
 * (CSV, Excel, a database query), the lineage ends at the same kind of file any tool can read back.
 */
import { rm } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { DOUBLE, DuckDBDataChunk, VARCHAR } from '@duckdb/node-api';
import { KilnError } from '../core/errors.js';
import type { Column } from '../core/frame.js';
import { sqlIdentifier, sqlString, withDuckDB } from '../data/duckdb.js';
import type { LoadedTable } from '../data/sources/csv.js';
import { isValidModelName } from './model-ref.js';
import type { ArtifactStore, DatasetColumn, DatasetVersion, Store } from './store.js';

export interface SnapshotContext {
  readonly store: Store;
  readonly artifacts: ArtifactStore;
  /** The dataset's name (default: from the source, e.g. `titanic` for `data/titanic.csv`). */
  readonly dataset?: string;
}

/** Rows per chunk handed to DuckDB's appender (its standard vector size). */
const CHUNK_ROWS = 2048;

/** Snapshots `table` as Parquet into the artifact store and registers (or finds) its dataset version. */
export async function snapshotDataset(table: LoadedTable, ctx: SnapshotContext): Promise<DatasetVersion> {
  const dataset = ctx.dataset ?? datasetNameOf(table.source);
  if (!isValidModelName(dataset)) {
    throw new KilnError('INVALID_PARAMS', {
      what: 'dataset name',
      summary: `"${dataset}" must start with a letter or digit and contain only letters, digits, "_", "." and "-" (at most 128 characters)`,
    });
  }
  // The Parquet file goes to the store by putFile, streamed: a large table's snapshot is never held in
  // memory whole next to the table itself.
  const dir = mkdtempSync(join(tmpdir(), 'kiln-snapshot-'));
  let digest: string;
  try {
    const file = join(dir, 'snapshot.parquet');
    await writeParquet(table.frame.columns, file);
    digest = await ctx.artifacts.putFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const schema: DatasetColumn[] = table.frame.columns.map((c) => ({ name: c.name, kind: c.kind, sourceType: table.sourceTypes[c.name] ?? (c.kind === 'numeric' ? 'DOUBLE' : 'VARCHAR') }));
  return ctx.store.registerDatasetVersion({
    dataset,
    digest,
    source: table.source,
    sourceDigest: table.digest,
    schema,
    rows: table.frame.nRows,
    format: 'parquet',
  });
}

/** `data/titanic.csv` → `titanic`; `postgres://…?table=orders` → `orders`; anything else made name-safe. */
export function datasetNameOf(source: string): string {
  const table = /[?&](?:table|sheet)=([^&]+)/.exec(source)?.[1];
  const raw = table !== undefined ? decodeURIComponent(table) : basename(source.split('?')[0] ?? source, extname(source.split('?')[0] ?? source));
  const safe = raw.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128);
  return safe === '' ? 'dataset' : safe;
}

/** Writes the columns as Parquet to `file`, by DuckDB (zstd, one file). */
async function writeParquet(columns: readonly Column[], file: string): Promise<void> {
  try {
    await withDuckDB(async (conn) => {
      const name = `kiln_snapshot_${process.pid}_${Math.floor(Math.random() * 1e9).toString(36)}`;
      const definition = columns.map((c) => `${sqlIdentifier(c.name)} ${c.kind === 'numeric' ? 'DOUBLE' : 'VARCHAR'}`).join(', ');
      await conn.run(`CREATE TEMP TABLE ${name} (${definition})`);
      try {
        const appender = await conn.createAppender(name);
        const types = columns.map((c) => (c.kind === 'numeric' ? DOUBLE : VARCHAR));
        const nRows = columns[0]?.values.length ?? 0;
        for (let start = 0; start < nRows; start += CHUNK_ROWS) {
          const end = Math.min(nRows, start + CHUNK_ROWS);
          const chunk = DuckDBDataChunk.create(types, end - start);
          columns.forEach((c, j) => chunk.setColumnValues(j, chunkValues(c, start, end)));
          appender.appendDataChunk(chunk);
        }
        appender.flushSync();
        appender.closeSync();
        // DuckDB keeps insertion order by default, so the same rows always give the same bytes.
        await conn.run(`COPY ${name} TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
      } finally {
        await conn.run(`DROP TABLE IF EXISTS ${name}`);
      }
    });
  } catch (err) {
    if (err instanceof KilnError) throw err;
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new KilnError('INTERNAL', { reason: `could not write the dataset snapshot: ${reason}` }, { cause: err });
  }
}

function chunkValues(column: Column, start: number, end: number): (number | string | null)[] {
  const out = new Array<number | string | null>(end - start);
  if (column.kind === 'numeric') {
    for (let i = start; i < end; i++) {
      const v = column.values[i] as number;
      out[i - start] = Number.isNaN(v) ? null : v;
    }
  } else {
    for (let i = start; i < end; i++) out[i - start] = column.values[i] ?? null;
  }
  return out;
}
