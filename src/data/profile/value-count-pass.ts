/**
 * The exact count of each value, for the columns with few distinct values (their top values, exact
 * distinct count, and the value → class table for leakage), in one scan for all of them.
 *
 * When the target is a set of classes, the scan is grouped by class: per class, the value counts tell
 * how well each of these columns alone separates the classes.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, sqlIdentifier } from '../duckdb.js';
import type { ColumnType } from '../sources/staged-table.js';
import { valueExpression } from './summary-pass.js';

/** Columns with at most this many distinct values get exact value counts. */
export const VALUE_COUNT_LIMIT = 1000;

export interface ValueCounts {
  /** Per column (same order as the table's): each value's count, for columns with few values. */
  readonly columns: readonly (ReadonlyMap<string, number> | undefined)[];
  /** Per column: per class, each value's count (only when grouped by a class target; not for the target). */
  readonly perClass: readonly (ReadonlyMap<string, ReadonlyMap<string, number>> | undefined)[];
}

/** Rows per class of a class target, keyed by the class as text; `null` marks rows without a class. */
export async function countClasses(conn: DuckDBConnection, table: string, target: string): Promise<Map<string | null, number>> {
  const rows = await queryRows(conn, `SELECT CAST(${sqlIdentifier(target)} AS VARCHAR) AS v, count(*) AS n FROM ${table} GROUP BY 1`);
  return new Map(rows.map((r) => [r['v'] === null ? null : String(r['v']), Number(r['n'])]));
}

/** `present` and `approxDistinct`: per column, its count of present values and estimated distinct values. */
export async function countValues(
  conn: DuckDBConnection,
  table: string,
  columns: readonly ColumnType[],
  present: readonly number[],
  approxDistinct: readonly number[],
  classTarget?: string,
): Promise<ValueCounts> {
  const counted = columns.map((_, i) => (present[i] ?? 0) > 0 && (approxDistinct[i] ?? Number.POSITIVE_INFINITY) <= VALUE_COUNT_LIMIT);
  if (!counted.includes(true)) return { columns: columns.map(() => undefined), perClass: columns.map(() => undefined) };

  const parts: string[] = [];
  columns.forEach((c, i) => {
    if (counted[i] === true) parts.push(`histogram(CAST(${valueExpression(c)} AS VARCHAR)) AS c${i}_v`);
  });
  const sql = classTarget === undefined
    ? `SELECT ${parts.join(', ')} FROM ${table}`
    : `SELECT CAST(${sqlIdentifier(classTarget)} AS VARCHAR) AS kiln_class, ${parts.join(', ')} FROM ${table} GROUP BY 1`;
  const groups = await queryRows(conn, sql);
  const values = columns.map((_, i) => {
    if (counted[i] !== true) return undefined;
    const all = new Map<string, number>();
    for (const g of groups) accumulate(all, g[`c${i}_v`]);
    return all;
  });
  const perClass = columns.map((c, i) => {
    if (counted[i] !== true || classTarget === undefined || c.name === classTarget) return undefined;
    const byClass = new Map<string, Map<string, number>>();
    for (const g of groups) {
      const cls = g['kiln_class'];
      if (typeof cls === 'string') byClass.set(cls, accumulate(new Map(), g[`c${i}_v`]));
    }
    return byClass;
  });
  return { columns: values, perClass };
}

/** Adds a DuckDB MAP (as `[{key, value}]`) into `into`; keys become text. */
function accumulate(into: Map<string, number>, map: unknown): Map<string, number> {
  if (!Array.isArray(map)) return into;
  for (const entry of map as { key: unknown; value: unknown }[]) {
    if (entry.key === null || entry.key === undefined) continue;
    const key = String(entry.key);
    into.set(key, (into.get(key) ?? 0) + Number(entry.value));
  }
  return into;
}
