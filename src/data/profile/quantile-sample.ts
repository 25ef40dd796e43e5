/**
 * Quantiles of the numeric columns from one uniform sample of rows: DuckDB draws 8,192 rows at random
 * (`USING SAMPLE reservoir(…) REPEATABLE`, so the same table gives the same sample), the values come to
 * JavaScript, and each column's quantile q is its sorted present value at floor(q · (n − 1)). Below 8,192
 * rows the sample is the whole table and the quantiles are exact.
 *
 * Not DuckDB's `reservoir_quantile`: its reservoir keeps the first values it sees, so on a column
 * ordered like the rows (an id, a timestamp, a running total) its quartiles of 10 million ids came out as
 * 2,047 and 6,143, and nearly every row counted as an outlier.
 *
 * A column with missing values has fewer values in a sample of rows; the sample grows (up to 65,536 rows)
 * so that the sparsest numeric column still gets about 8,192 values.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { forEachChunk } from '../duckdb.js';
import type { ColumnType } from '../sources/staged-table.js';
import { readDoubles } from './read-doubles.js';
import { QUANTILES, valueExpression } from './summary-pass.js';

/** Values per column the quantiles are read from (the reservoir size the profile has always used). */
const SAMPLE_VALUES = 8192;
const MAX_SAMPLE_ROWS = 65_536;
/**
 * Any fixed seed: it makes the sample, and so the profile, the same on every run. (DuckDB promises that
 * only single-threaded; with two threads it held in every run we made, fresh processes included.)
 */
const SEED = 20_240_601;

/**
 * `columns` with their present-value counts; `rows`: the table's. Returns each column's quantiles at
 * QUANTILES (in the same order as `columns`), empty for a column with no numbers in the sample.
 */
export async function sampleQuantiles(
  conn: DuckDBConnection,
  table: string,
  columns: readonly { readonly column: ColumnType; readonly count: number }[],
  rows: number,
): Promise<number[][]> {
  if (columns.length === 0) return [];
  const sparsest = Math.max(1, Math.min(...columns.map((c) => c.count)));
  const sampleRows = Math.min(MAX_SAMPLE_ROWS, Math.max(SAMPLE_VALUES, Math.ceil((SAMPLE_VALUES * rows) / sparsest)));
  const select = columns.map((c) => `coalesce(CAST(${valueExpression(c.column)} AS DOUBLE), 'NaN'::DOUBLE)`).join(', ');
  const values = columns.map(() => [] as number[]);
  const chunkValues = new Float64Array(2048);
  const sql = `SELECT ${select} FROM ${table} USING SAMPLE reservoir(${sampleRows} ROWS) REPEATABLE (${SEED})`;
  await forEachChunk(conn, sql, (chunk) => {
    values.forEach((into, k) => {
      readDoubles(chunk, k, chunkValues);
      for (let r = 0; r < chunk.rowCount; r++) {
        const x = chunkValues[r] as number;
        if (x === x) into.push(x); // NaN: a missing value
      }
    });
  });
  return values.map((v) => quantilesOf(Float64Array.from(v).sort()));
}

/** The value at floor(q · (n − 1)) of sorted values, for each q in QUANTILES. */
function quantilesOf(sorted: Float64Array): number[] {
  if (sorted.length === 0) return [];
  return QUANTILES.map((q) => sorted[Math.floor(q * (sorted.length - 1))] as number);
}
