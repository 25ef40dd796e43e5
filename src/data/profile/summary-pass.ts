/**
 * The first scan of a profile: one aggregate query over the whole table computes, for every column at
 * once, the counts, and per kind: an estimate of distinct values and lengths (text), the range
 * (dates). DuckDB runs it in a single parallel scan; no row reaches JavaScript. What a profile says about numbers comes from a sample (quantiles: quantile-sample.ts) and
 * the numeric pass (min, max, mean, std, histogram, outliers, distinct values: numeric-pass.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, sqlIdentifier } from '../duckdb.js';
import { isDatetimeSourceType, isIntegerSourceType, isNumericSourceType } from '../source-types.js';
import type { ColumnType } from '../sources/staged-table.js';

export type ProfileKind = 'number' | 'boolean' | 'datetime' | 'text';

export const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;

export interface ColumnSummary {
  readonly name: string;
  readonly sourceType: string;
  readonly kind: ProfileKind;
  readonly count: number;
  /**
   * HyperLogLog estimate of distinct values. Not for numbers (the numeric pass estimates those, more
   * closely and faster), except a numeric target: whether it holds classes is decided from this.
   */
  readonly approxDistinct?: number;
  /** At QUANTILES, from a sample of rows (quantile-sample.ts; not computed in this scan). */
  readonly quantiles?: readonly number[];
  /** Only for a numeric target (whether it holds classes depends on it) and integer-typed columns. */
  readonly allIntegers?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly firstTime?: string;
  readonly lastTime?: string;
}

export function profileKind(sourceType: string): ProfileKind {
  if (sourceType === 'BOOLEAN') return 'boolean';
  if (isNumericSourceType(sourceType)) return 'number';
  if (isDatetimeSourceType(sourceType)) return 'datetime';
  return 'text';
}

/** The SQL expression a column is profiled through: text for anything that is not a number or date. */
export function valueExpression(c: ColumnType): string {
  const col = sqlIdentifier(c.name);
  return profileKind(c.type) === 'text' && c.type !== 'VARCHAR' ? `CAST(${col} AS VARCHAR)` : col;
}

/** A `$1,200` or `12 %` is a number once symbols and separators are gone. */
export const NUMBER_DECORATIONS = `'^\\s*[$€£]|[,\\s%]|[$€£]\\s*$'`;

/**
 * `numericTarget`: a numeric column to predict; whether its values are all whole numbers (so it may hold
 * classes) is counted in this scan, since the scans that follow depend on it.
 */
export async function summarizeColumns(
  conn: DuckDBConnection,
  table: string,
  columns: readonly ColumnType[],
  numericTarget?: string,
): Promise<{ rows: number; columns: ColumnSummary[] }> {
  const parts: string[] = ['count(*) AS "rows"'];
  columns.forEach((c, i) => {
    const x = valueExpression(c);
    const p = `c${i}_`;
    const kind = profileKind(c.type);
    parts.push(`count(${x}) AS ${p}n`);
    if (kind !== 'number' || c.name === numericTarget) parts.push(`approx_count_distinct(${x}) AS ${p}d`);
    if (kind === 'number') {
      const d = `CAST(${x} AS DOUBLE)`;
      if (c.name === numericTarget && !isIntegerSourceType(c.type)) parts.push(`count_if(${d} <> round(${d})) AS ${p}nonint`);
    } else if (kind === 'text') {
      // Only cheap string functions in this scan, which reads every value of every column. Words
      // (text or identifier?) and numbers in text ("12", "$1,200") are counted afterwards, only for
      // the columns where they can matter (number-lead.ts, profile-table.ts).
      parts.push(`min(length(${x})) AS ${p}minlen`, `max(length(${x})) AS ${p}maxlen`);
    } else if (kind === 'datetime') {
      parts.push(`CAST(min(${x}) AS VARCHAR) AS ${p}tmin`, `CAST(max(${x}) AS VARCHAR) AS ${p}tmax`);
    }
  });
  const row = (await queryRows(conn, `SELECT ${parts.join(', ')} FROM ${table}`))[0] ?? {};
  const num = (k: string): number => Number(row[k] ?? 0);
  const summaries = columns.map((c, i): ColumnSummary => {
    const p = `c${i}_`;
    const kind = profileKind(c.type);
    const base = { name: c.name, sourceType: c.type, kind, count: num(p + 'n'), ...(p + 'd' in row ? { approxDistinct: num(p + 'd') } : {}) };
    if (kind === 'number' && base.count > 0) {
      const wholeNumbers = isIntegerSourceType(c.type) || (p + 'nonint' in row ? num(p + 'nonint') === 0 : undefined);
      return { ...base, ...(wholeNumbers === undefined ? {} : { allIntegers: wholeNumbers }) };
    }
    if (kind === 'text' && base.count > 0) {
      return {
        ...base,
        minLength: num(p + 'minlen'),
        maxLength: num(p + 'maxlen'),
      };
    }
    if (kind === 'datetime' && base.count > 0) {
      return { ...base, firstTime: String(row[p + 'tmin']), lastTime: String(row[p + 'tmax']) };
    }
    return base;
  });
  return { rows: num('rows'), columns: summaries };
}
