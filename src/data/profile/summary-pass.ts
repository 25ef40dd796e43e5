/**
 * Pass 1 of a profile: one aggregate query over the whole table computes, for every column at once,
 * the counts, an estimate of distinct values, and per kind: min/max/mean/std/quantiles (numbers),
 * lengths and how many values start like a number (text), the range (dates). DuckDB runs it in a
 * single parallel scan; no row reaches JavaScript.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, sqlIdentifier } from '../duckdb.js';
import { isDatetimeSourceType, isIntegerSourceType, isNumericSourceType } from '../source-types.js';
import type { ColumnType } from '../sources/staged-table.js';

export type ProfileKind = 'number' | 'boolean' | 'datetime' | 'text';

export const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;

/** Reservoir size for quantiles: exact below this many values, within about 1 % in rank above. */
const RESERVOIR = 8192;

export interface ColumnSummary {
  readonly name: string;
  readonly sourceType: string;
  readonly kind: ProfileKind;
  readonly count: number;
  readonly approxDistinct: number;
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
  readonly std?: number | null;
  readonly quantiles?: readonly number[];
  readonly allIntegers?: boolean;
  /** Pearson's r with a numeric target (regression). */
  readonly correlation?: number | null;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Values whose first character could start a number (a digit, sign, point, space, $ £ €). */
  readonly digitLed?: number;
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

export async function summarizeColumns(
  conn: DuckDBConnection,
  table: string,
  columns: readonly ColumnType[],
  regressionTarget?: string,
): Promise<{ rows: number; columns: ColumnSummary[] }> {
  const parts: string[] = ['count(*) AS "rows"'];
  const target = regressionTarget === undefined ? undefined : `CAST(${sqlIdentifier(regressionTarget)} AS DOUBLE)`;
  columns.forEach((c, i) => {
    const x = valueExpression(c);
    const p = `c${i}_`;
    parts.push(`count(${x}) AS ${p}n`, `approx_count_distinct(${x}) AS ${p}d`);
    const kind = profileKind(c.type);
    if (kind === 'number') {
      const d = `CAST(${x} AS DOUBLE)`;
      parts.push(
        `CAST(min(${x}) AS DOUBLE) AS ${p}min`,
        `CAST(max(${x}) AS DOUBLE) AS ${p}max`,
        `avg(${d}) AS ${p}mean`,
        `stddev_samp(${d}) AS ${p}std`,
        `reservoir_quantile(${d}, [${QUANTILES.join(', ')}], ${RESERVOIR}) AS ${p}q`,
      );
      if (!isIntegerSourceType(c.type)) parts.push(`count_if(${d} <> round(${d})) AS ${p}nonint`);
      if (target !== undefined && c.name !== regressionTarget) parts.push(`corr(${d}, ${target}) AS ${p}corr`);
    } else if (kind === 'text') {
      // Only cheap string functions in this scan, which reads every value of every column. Words
      // (text or identifier?) and numbers in text ("12", "$1,200") are counted afterwards, only for
      // the columns where they can matter (profile-table.ts).
      parts.push(
        `min(length(${x})) AS ${p}minlen`,
        `max(length(${x})) AS ${p}maxlen`,
        `count_if(ascii(${x}) BETWEEN 48 AND 57 OR ascii(${x}) IN (32, 36, 43, 45, 46, 163, 8364)) AS ${p}lead`,
      );
    } else if (kind === 'datetime') {
      parts.push(`CAST(min(${x}) AS VARCHAR) AS ${p}tmin`, `CAST(max(${x}) AS VARCHAR) AS ${p}tmax`);
    }
  });
  const row = (await queryRows(conn, `SELECT ${parts.join(', ')} FROM ${table}`))[0] ?? {};
  const num = (k: string): number => Number(row[k] ?? 0);
  const opt = (k: string): number | null => (row[k] === null || row[k] === undefined ? null : Number(row[k]));
  const summaries = columns.map((c, i): ColumnSummary => {
    const p = `c${i}_`;
    const kind = profileKind(c.type);
    const base = { name: c.name, sourceType: c.type, kind, count: num(p + 'n'), approxDistinct: num(p + 'd') };
    if (kind === 'number' && base.count > 0) {
      return {
        ...base,
        min: num(p + 'min'),
        max: num(p + 'max'),
        mean: num(p + 'mean'),
        std: opt(p + 'std'),
        quantiles: ((row[p + 'q'] as unknown[] | null) ?? []).map(Number),
        allIntegers: isIntegerSourceType(c.type) || num(p + 'nonint') === 0,
        ...(p + 'corr' in row ? { correlation: opt(p + 'corr') } : {}),
      };
    }
    if (kind === 'text' && base.count > 0) {
      return {
        ...base,
        minLength: num(p + 'minlen'),
        maxLength: num(p + 'maxlen'),
        digitLed: num(p + 'lead'),
      };
    }
    if (kind === 'datetime' && base.count > 0) {
      return { ...base, firstTime: String(row[p + 'tmin']), lastTime: String(row[p + 'tmax']) };
    }
    return base;
  });
  return { rows: num('rows'), columns: summaries };
}
