/**
 * Whether a text column could hold numbers at all: how many of its values start like one (a digit, a
 * space, a sign, a point, $ £ €). Only columns where some do are searched for numbers stored as text
 * (a regular expression and a cast per value: profile-table.ts). A column whose values were counted one
 * by one is answered from its counts; the other text columns share one scan.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../duckdb.js';
import type { ColumnType } from '../sources/staged-table.js';
import { valueExpression, type ColumnSummary } from './summary-pass.js';

/** Code points besides the digits that can start a number: space + - . $ £ €. */
const LEAD_CODES = [32, 36, 43, 45, 46, 163, 8364] as const;

function startsLikeNumber(value: string): boolean {
  const c = value.codePointAt(0);
  return c !== undefined && ((c >= 48 && c <= 57) || (LEAD_CODES as readonly number[]).includes(c));
}

/**
 * Per column, its text values that start like a number (0 for columns that are not text): from the
 * value counts where a column has them, else from one scan of the remaining text columns.
 */
export async function numberLedPerColumn(
  conn: DuckDBConnection,
  table: string,
  columns: readonly ColumnType[],
  summaries: readonly ColumnSummary[],
  valueCounts: readonly (ReadonlyMap<string, number> | undefined)[],
): Promise<number[]> {
  const isText = (i: number): boolean => summaries[i]?.kind === 'text' && (summaries[i]?.count ?? 0) > 0;
  const uncounted = columns.flatMap((column, i) => (isText(i) && valueCounts[i] === undefined ? [{ column, i }] : []));
  const scanned = await numberLedInColumns(conn, table, uncounted.map((u) => u.column));
  return columns.map((_, i) => {
    const values = valueCounts[i];
    if (!isText(i)) return 0;
    if (values !== undefined) return numberLedInCounts(values);
    return scanned[uncounted.findIndex((u) => u.i === i)] ?? 0;
  });
}

/** Values (counted) that start like a number. */
function numberLedInCounts(values: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const [value, count] of values) if (startsLikeNumber(value)) n += count;
  return n;
}

/** The same count for each column, in one scan (DuckDB's `ascii` is the first character's code point). */
async function numberLedInColumns(conn: DuckDBConnection, table: string, columns: readonly ColumnType[]): Promise<number[]> {
  if (columns.length === 0) return [];
  const parts = columns.map((c, k) => {
    const x = valueExpression(c);
    return `count_if(ascii(${x}) BETWEEN 48 AND 57 OR ascii(${x}) IN (${LEAD_CODES.join(', ')})) AS l${k}`;
  });
  const row = (await queryRows(conn, `SELECT ${parts.join(', ')} FROM ${table}`))[0] ?? {};
  return columns.map((_, k) => Number(row[`l${k}`] ?? 0));
}
