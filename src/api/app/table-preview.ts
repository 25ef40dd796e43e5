/**
 * A first look at a table for the app: how many rows, which columns (in plain kinds), and its first
 * rows as objects. The rows stay in DuckDB (staged by the data layer, the same path `kiln inspect`
 * takes), so previewing a 200 MB file does not load it into JavaScript.
 */
import { KilnError } from '../../core/errors.js';
import { queryRows, sqlIdentifier } from '../../data/duckdb.js';
import { isDatetimeSourceType, isNumericSourceType } from '../../data/source-types.js';
import { withStagedTable } from '../../data/sources/read-table.js';
import { countRows, describeTable } from '../../data/sources/staged-table.js';

/** Rows the preview shows. */
export const PREVIEW_ROWS = 20;

export interface PreviewColumn {
  readonly name: string;
  /** What a person would call it: number, yes/no, date, text. */
  readonly type: 'number' | 'boolean' | 'date' | 'text';
  /** DuckDB's storage type (BIGINT, DOUBLE, VARCHAR, …). */
  readonly source_type: string;
}

export interface TablePreview {
  readonly rows: number;
  readonly columns: readonly PreviewColumn[];
  readonly preview: readonly Record<string, unknown>[];
}

export async function previewTable(source: string): Promise<TablePreview> {
  return withStagedTable(source, {}, async (conn, staged, ref) => {
    const schema = await describeTable(conn, staged.table);
    const rows = await countRows(conn, staged.table);
    if (rows === 0) throw new KilnError('DATA_EMPTY', { path: ref.text });
    const selectList = schema.map((c) => sqlIdentifier(c.name)).join(', ');
    const preview = (await queryRows(conn, `SELECT ${selectList} FROM ${staged.table} LIMIT ${PREVIEW_ROWS}`)).map(jsonSafeRow);
    return { rows, columns: schema.map((c) => ({ name: c.name, type: plainKind(c.type), source_type: c.type })), preview };
  });
}

function plainKind(type: string): PreviewColumn['type'] {
  if (type === 'BOOLEAN') return 'boolean';
  if (isNumericSourceType(type)) return 'number';
  if (isDatetimeSourceType(type)) return 'date';
  return 'text';
}

/** Values JSON can carry: dates as ISO text, non-finite numbers as null, anything exotic as text. */
function jsonSafeRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === null || v === undefined) out[k] = null;
    else if (typeof v === 'number') out[k] = Number.isFinite(v) ? v : null;
    else if (typeof v === 'string' || typeof v === 'boolean') out[k] = v;
    else if (v instanceof Date) out[k] = Number.isNaN(v.getTime()) ? null : v.toISOString();
    else out[k] = String(v);
  }
  return out;
}
