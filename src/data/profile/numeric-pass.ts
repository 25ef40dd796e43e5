/**
 * The numeric pass of a profile: every numeric column streamed once from DuckDB, chunk by chunk, into
 * a NumericAccumulator (numeric-accumulator.ts), which gathers min, max, mean, std, whether values are
 * whole, outliers, the histogram (per class of the target too) and the correlation with a numeric
 * target in one loop. Memory stays at one chunk (2,048 rows) whatever the table's size.
 *
 * Histogram bounds are needed before the first value. DuckDB keeps a min and max per column in its
 * table statistics (read with `stats()`, no scan); for a freshly staged table they are exact. They are
 * only trusted once the scan has found the same min and max; a column whose statistics were looser
 * (or missing) is streamed a second time with the exact bounds, so the histogram is always exact.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { forEachChunk, queryRows, sqlIdentifier, sqlString } from '../duckdb.js';
import type { ColumnType } from '../sources/staged-table.js';
import { NumericAccumulator, type NumericMeasures, type Range } from './numeric-accumulator.js';
import { readDoubles } from './read-doubles.js';
import { QUANTILES, valueExpression, type ColumnSummary } from './summary-pass.js';

const MEDIAN = QUANTILES.indexOf(0.5);
const Q25 = QUANTILES.indexOf(0.25);
const Q75 = QUANTILES.indexOf(0.75);
/** DuckDB's chunk size: the most rows a streamed chunk holds. */
const CHUNK_ROWS = 2048;

export interface NumericPassOptions {
  /** The table's row count: a column with fewer values has missing ones. */
  readonly rows: number;
  /** A class target and its classes: bins are also counted per class (code k + 1 is `classes[k]`). */
  readonly classTarget?: { readonly name: string; readonly classes: readonly string[] };
  /** A numeric target: each column's correlation with it is measured. */
  readonly regressionTarget?: string;
}

interface Planned {
  /** The column's position in the table. */
  readonly index: number;
  readonly column: ColumnType;
  readonly summary: ColumnSummary;
}

/** Measures of each numeric column with values (in table order; undefined for the other columns). */
export async function measureNumbers(
  conn: DuckDBConnection,
  table: string,
  columns: readonly ColumnType[],
  summaries: readonly ColumnSummary[],
  options: NumericPassOptions,
): Promise<(NumericMeasures | undefined)[]> {
  const planned: Planned[] = [];
  columns.forEach((column, index) => {
    const summary = summaries[index] as ColumnSummary;
    if (summary.kind === 'number' && summary.count > 0) planned.push({ index, column, summary });
  });
  const out: (NumericMeasures | undefined)[] = columns.map(() => undefined);
  if (planned.length === 0) return out;

  const statistics = await statisticsBounds(conn, table, planned.map((p) => p.column));
  const first = await scan(conn, table, planned, statistics, options);
  first.forEach((m, k) => (out[(planned[k] as Planned).index] = m));

  // Columns whose statistics were not their exact min and max: once more, binned over the exact ones.
  const again = planned.filter((_, k) => {
    const m = first[k] as NumericMeasures;
    return !m.boundsExact && Number.isFinite(m.min) && Number.isFinite(m.max) && m.min < m.max;
  });
  if (again.length > 0) {
    const exact = again.map((p) => {
      const m = out[p.index] as NumericMeasures;
      return { low: m.min, high: m.max };
    });
    const second = await scan(conn, table, again, exact, options);
    // Only the histograms are new (the target, needed for correlations, may not be among these columns).
    second.forEach((m, k) => {
      const index = (again[k] as Planned).index;
      out[index] = {
        ...(out[index] as NumericMeasures),
        boundsExact: m.boundsExact,
        ...(m.histogram === undefined ? {} : { histogram: m.histogram }),
        ...(m.classBins === undefined ? {} : { classBins: m.classBins }),
      };
    });
  }
  return out;
}

/** One streamed scan of the planned columns, each binned over its `bounds` entry. */
async function scan(
  conn: DuckDBConnection,
  table: string,
  planned: readonly Planned[],
  bounds: readonly (Range | undefined)[],
  options: NumericPassOptions,
): Promise<NumericMeasures[]> {
  const classCount = options.classTarget?.classes.length ?? 0;
  const targetAt = planned.findIndex((p) => p.column.name === options.regressionTarget);
  const targetShift = targetAt < 0 ? undefined : middleOf(planned[targetAt] as Planned);
  const accumulators = planned.map((p, k) => {
    const b = bounds[k];
    const correlate = targetShift !== undefined && k !== targetAt;
    return new NumericAccumulator({
      ...(b === undefined ? {} : { bounds: b }),
      fences: fencesOf(p.summary),
      shift: middleOf(p),
      classes: p.column.name === options.classTarget?.name ? 0 : classCount,
      missing: options.rows - p.summary.count,
      ...(correlate ? { targetShift } : {}),
    });
  });

  const select = planned.map((p) => {
    const value = `CAST(${valueExpression(p.column)} AS DOUBLE)`;
    // A missing value arrives as NaN: one loop then serves columns with and without gaps.
    return p.summary.count < options.rows ? `coalesce(${value}, 'NaN'::DOUBLE)` : value;
  });
  const classTarget = options.classTarget;
  if (classTarget !== undefined) {
    const classes = `[${classTarget.classes.map(sqlString).join(', ')}]`;
    select.push(`CAST(coalesce(list_position(${classes}, CAST(${sqlIdentifier(classTarget.name)} AS VARCHAR)), 0) AS DOUBLE)`);
  }

  const values = new Float64Array(CHUNK_ROWS);
  const target = new Float64Array(CHUNK_ROWS);
  const codes = new Float64Array(CHUNK_ROWS);
  await forEachChunk(conn, `SELECT ${select.join(', ')} FROM ${table}`, (chunk) => {
    const rows = chunk.rowCount;
    if (classTarget !== undefined) readDoubles(chunk, planned.length, codes);
    if (targetAt >= 0) readDoubles(chunk, targetAt, target);
    accumulators.forEach((a, k) => {
      readDoubles(chunk, k, values);
      a.add(values, rows, classTarget === undefined ? undefined : codes, targetAt >= 0 ? target : undefined);
    });
  });
  return accumulators.map((a) => a.finish());
}

/**
 * Each column's min and max as DuckDB's table statistics record them: no scan, and exact for a table
 * that was only ever appended to (a staged table). Undefined where they are not plain finite numbers.
 */
async function statisticsBounds(conn: DuckDBConnection, table: string, columns: readonly ColumnType[]): Promise<(Range | undefined)[]> {
  const parts = columns.map((c, k) => `stats(CAST(${valueExpression(c)} AS DOUBLE)) AS s${k}`);
  const row = (await queryRows(conn, `SELECT ${parts.join(', ')} FROM ${table} LIMIT 1`))[0];
  return columns.map((_, k) => {
    // e.g. "[Min: -4.50222, Max: 4.52283][Has Null: false, Has No Null: true][Approx Unique: 119366]"
    const m = /^\[Min: ([^,\]]+), Max: ([^,\]]+)\]/.exec(String(row?.[`s${k}`] ?? ''));
    const low = Number(m?.[1]);
    const high = Number(m?.[2]);
    return m !== null && Number.isFinite(low) && Number.isFinite(high) && low <= high ? { low, high } : undefined;
  });
}

/** Outlier fences: 3 interquartile ranges beyond the quartiles. */
export function fencesOf(s: ColumnSummary): Range | null {
  const q25 = s.quantiles?.[Q25];
  const q75 = s.quantiles?.[Q75];
  if (q25 === undefined || q75 === undefined || !(q75 > q25)) return null;
  const iqr = q75 - q25;
  return { low: q25 - 3 * iqr, high: q75 + 3 * iqr };
}

/** The median when it is a finite number: the shift that keeps sums of squares accurate. */
function middleOf(p: Planned): number {
  const median = p.summary.quantiles?.[MEDIAN];
  return median !== undefined && Number.isFinite(median) ? median : 0;
}
