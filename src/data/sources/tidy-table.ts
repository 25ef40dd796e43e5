/**
 * What every staged table goes through before anyone sees it, whatever its source: spreadsheet
 * nested objects flattened into columns, leftovers removed (rows empty in every cell, trailing columns with neither a header nor a value), and
 * numbers written for people read as numbers — `$1,234.50`, `45 %`, `1 234`, `1.234,5`, with missing
 * markers such as `N/A` or `-`, and a few stray words, in a column that otherwise holds numbers; and
 * dates written in several ways (read-dates.ts).
 *
 * A column of such text would otherwise be a category with one value per row, or an "identifier"
 * left out of training: the most useful column of a business file, lost. Each change is returned as
 * a note (ingest-note.ts), so nothing happens silently. The same rules read a file scored later, so
 * a column is typed alike at training and at prediction time.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, sqlIdentifier, sqlString } from '../duckdb.js';
import { flattenNested } from './flatten-nested.js';
import type { IngestNote } from './ingest-note.js';
import { MISSING_MARKERS } from './missing-markers.js';
import { readDatesFromText, type DateOrder } from './read-dates.js';
import { COMMA_DECIMAL, POINT_DECIMAL, SIGNS, SPACES } from './written-numbers.js';
import { countRows, describeTable, inColumnBatches } from './staged-table.js';

/** At most this share of a number column's other values may be stray words read as missing. */
export const STRAY_SHARE = 0.05;

export interface TidyOptions {
  /** How `05/01/2024` reads when no value of a column decides: day first or month first (`?dates=dmy`). */
  readonly dateOrder?: DateOrder;
}

export async function tidyStagedTable(conn: DuckDBConnection, table: string, options: TidyOptions = {}): Promise<IngestNote[]> {
  const notes: IngestNote[] = [];
  notes.push(...(await flattenNested(conn, table)));
  notes.push(...(await dropBlankRows(conn, table)));
  notes.push(...(await dropUnnamedEmptyColumns(conn, table)));
  notes.push(...(await readNumbersFromText(conn, table)));
  notes.push(...(await readDatesFromText(conn, table, options.dateOrder)));
  return notes;
}

const blank = (name: string, type: string): string => {
  const col = sqlIdentifier(name);
  return type === 'VARCHAR' ? `(${col} IS NULL OR trim(${col}) = '')` : `${col} IS NULL`;
};

/** Rows with no value at all (`,,,,` under an Excel export) carry nothing but would count as rows. */
async function dropBlankRows(conn: DuckDBConnection, table: string): Promise<IngestNote[]> {
  const columns = await describeTable(conn, table);
  if (columns.length === 0) return [];
  const where = columns.map((c) => blank(c.name, c.type)).join(' AND ');
  const n = Number((await queryRows(conn, `SELECT count(*) AS n FROM ${table} WHERE ${where}`))[0]?.['n'] ?? 0);
  // A table of nothing but blank rows is left as it is: "no rows" is said once, by the caller.
  if (n === 0 || n === (await countRows(conn, table))) return [];
  await conn.run(`DELETE FROM ${table} WHERE ${where}`);
  return [{
    code: 'blank_rows_dropped',
    severity: 'info',
    columns: [],
    message: `${n} row(s) are empty in every column (left under the data by a spreadsheet); they are left out.`,
    fix: 'Nothing to do; delete the empty rows from the file to silence this note.',
  }];
}

/**
 * A column with no header and no value (`column5`, as DuckDB names a header cell that is empty; or
 * `column_5` from a sheet) is a stray separator at the end of each line, not data.
 */
async function dropUnnamedEmptyColumns(conn: DuckDBConnection, table: string): Promise<IngestNote[]> {
  const columns = await describeTable(conn, table);
  const unnamed = columns.filter((c, i) => c.name === `column${i}` || c.name === `column${String(i).padStart(2, '0')}` || c.name === `column_${i + 1}`);
  if (unnamed.length === 0 || unnamed.length === columns.length) return [];
  const counts = (await queryRows(conn, `SELECT ${unnamed.map((c, i) => `count_if(NOT ${blank(c.name, c.type)}) AS n${i}`).join(', ')} FROM ${table}`))[0] ?? {};
  const empty = unnamed.filter((_, i) => Number(counts[`n${i}`]) === 0);
  if (empty.length === 0 || empty.length === columns.length) return [];
  for (const c of empty) await conn.run(`ALTER TABLE ${table} DROP COLUMN ${sqlIdentifier(c.name)}`);
  return [{
    code: 'empty_columns_dropped',
    severity: 'info',
    columns: empty.map((c) => c.name),
    message: `${empty.length} column(s) have no header and no value in any row (extra separators at the ends of lines); they are left out.`,
    fix: 'Nothing to do; remove the trailing separators from the file to silence this note.',
  }];
}

/** What the scan found about one text column. */
export interface NumberCounts {
  readonly present: number;
  readonly markers: number;
  readonly point: number;
  readonly comma: number;
  readonly currency: number;
  readonly percent: number;
  /** Values such as `007`: a code, not an amount. */
  readonly leadingZeros: number;
}

async function readNumbersFromText(conn: DuckDBConnection, table: string): Promise<IngestNote[]> {
  const text = (await describeTable(conn, table)).filter((c) => c.type === 'VARCHAR').map((c) => c.name);
  if (text.length === 0) return [];
  // The first rows rule out most text columns (names, categories) without reading the whole table;
  // a column with no value there is still in question.
  const sampled = await inColumnBatches(text, (batch) => countNumbers(conn, `(SELECT * FROM ${table} LIMIT ${SAMPLE_ROWS})`, batch));
  const candidates = text.filter((_, i) => {
    const c = sampled[i] as NumberCounts;
    return c.present === c.markers || (c.leadingZeros === 0 && decimalMarkOf(c) !== undefined);
  });
  if (candidates.length === 0) return [];
  const counted = await inColumnBatches(candidates, (batch) => countNumbers(conn, table, batch));
  const notes: IngestNote[] = [];
  for (const [i, name] of candidates.entries()) {
    const counts = counted[i] as NumberCounts;
    // `007`, `01234`: codes (zip codes, account numbers) written as text on purpose, not amounts.
    if (counts.leadingZeros > 0) continue;
    const decimal = decimalMarkOf(counts);
    if (decimal === undefined) continue;
    notes.push(await convertColumn(conn, table, name, decimal, counts));
  }
  return notes;
}

/** Rows looked at first to rule columns out. */
const SAMPLE_ROWS = 2048;

/** The counts `decimalMarkOf` decides from, for each of `columns` of `from`, in one scan. */
async function countNumbers(conn: DuckDBConnection, from: string, columns: readonly string[]): Promise<NumberCounts[]> {
  const markerList = MISSING_MARKERS.map(sqlString).join(', ');
  const parts = columns.map((name, i) => {
    const x = `trim(${sqlIdentifier(name)})`;
    const core = coreOf(x);
    return [
      `count_if(${x} <> '') AS p${i}`,
      `count_if(lower(${x}) IN (${markerList})) AS m${i}`,
      `count_if(regexp_full_match(${core}, ${sqlString(POINT_DECIMAL)})) AS d${i}`,
      `count_if(regexp_full_match(${core}, ${sqlString(COMMA_DECIMAL)})) AS c${i}`,
      `count_if(regexp_matches(${x}, '[$€£¥₹]')) AS s${i}`,
      `count_if(contains(${x}, '%')) AS q${i}`,
      `count_if(regexp_matches(${core}, '^-?0[0-9]')) AS z${i}`,
    ].join(', ');
  });
  const row = (await queryRows(conn, `SELECT ${parts.join(', ')} FROM ${from}`))[0] ?? {};
  return columns.map((_, i) => ({
    present: Number(row[`p${i}`]),
    markers: Number(row[`m${i}`]),
    point: Number(row[`d${i}`]),
    comma: Number(row[`c${i}`]),
    currency: Number(row[`s${i}`]),
    percent: Number(row[`q${i}`]),
    leadingZeros: Number(row[`z${i}`]),
  }));
}

/** A value without currency and percent signs, and without the spaces around them. */
function coreOf(x: string): string {
  return `trim(regexp_replace(${x}, ${sqlString(SIGNS)}, '', 'g'))`;
}

/**
 * The decimal mark the column is written with, when it holds numbers: every value not a missing
 * marker reads as a number but for a few stray words. `1,234` fits both marks; the point wins ties
 * (as pandas' and Excel's default English locale read it).
 */
export function decimalMarkOf(c: NumberCounts): '.' | ',' | undefined {
  const values = c.present - c.markers;
  const best = Math.max(c.point, c.comma);
  if (best === 0) return undefined;
  const strays = values - best;
  if (strays > STRAY_SHARE * values) return undefined;
  return c.point >= c.comma ? '.' : ',';
}

async function convertColumn(conn: DuckDBConnection, table: string, name: string, decimal: '.' | ',', counts: NumberCounts): Promise<IngestNote> {
  const col = sqlIdentifier(name);
  const x = `trim(${col})`;
  const core = coreOf(x);
  const pattern = sqlString(decimal === '.' ? POINT_DECIMAL : COMMA_DECIMAL);
  const digits = decimal === '.'
    ? `regexp_replace(${core}, ${sqlString(`[,${SPACES}]`)}, '', 'g')`
    : `replace(regexp_replace(${core}, ${sqlString(`[.${SPACES}]`)}, '', 'g'), ',', '.')`;
  const isNumber = `regexp_full_match(${core}, ${pattern})`;
  // Examples are taken before the column changes: what was written, for the note.
  const strays = await queryRows(conn, `SELECT DISTINCT ${x} AS v FROM ${table} WHERE ${x} <> '' AND lower(${x}) NOT IN (${MISSING_MARKERS.map(sqlString).join(', ')}) AND NOT ${isNumber} ORDER BY 1 LIMIT 3`);
  const markers = await queryRows(conn, `SELECT DISTINCT ${x} AS v FROM ${table} WHERE lower(${x}) IN (${MISSING_MARKERS.map(sqlString).join(', ')}) ORDER BY 1 LIMIT 5`);
  const formatted = await queryRows(conn, `SELECT ${x} AS v FROM ${table} WHERE ${isNumber} AND TRY_CAST(${x} AS DOUBLE) IS NULL LIMIT 2`);
  await conn.run(`ALTER TABLE ${table} ALTER ${col} SET DATA TYPE DOUBLE USING (CASE WHEN ${isNumber} THEN CAST(${digits} AS DOUBLE) END)`);
  // Whole numbers are stored as such, as DuckDB's CSV reader would have typed them (`1234`, not `1234.0`).
  const whole = (await queryRows(conn, `SELECT count_if(${col} <> round(${col}) OR abs(${col}) > 9007199254740991) AS n FROM ${table}`))[0];
  if (Number(whole?.['n'] ?? 1) === 0) await conn.run(`ALTER TABLE ${table} ALTER ${col} SET DATA TYPE BIGINT`);

  const quoted = (rows: Record<string, unknown>[]) => rows.map((r) => `"${String(r['v'])}"`).join(', ');
  const strayCount = counts.present - counts.markers - (decimal === '.' ? counts.point : counts.comma);
  const how = [
    formatted.length > 0 ? `written like ${quoted(formatted)}` : '',
    decimal === ',' ? 'with a decimal comma' : '',
    counts.currency > 0 ? 'currency signs dropped' : '',
    counts.percent > 0 ? 'percent signs dropped (45% is read as 45)' : '',
    markers.length > 0 ? `${quoted(markers)} read as missing` : '',
  ].filter((s) => s !== '');
  if (strayCount > 0) {
    return {
      code: 'text_in_number_column',
      severity: 'warning',
      columns: [name],
      message: `"${name}" holds numbers, but ${strayCount} of its values are not numbers (${quoted(strays)}); it is read as a number column and those values as missing${how.length > 0 ? ` (${how.join('; ')})` : ''}.`,
      fix: `Correct those cells in the file (or leave them empty) if they are typing slips; if they carry meaning, put it in a separate column.`,
    };
  }
  return {
    code: 'numbers_read_from_text',
    severity: 'info',
    columns: [name],
    message: `"${name}" holds numbers stored as text; it is read as a number column (${how.join('; ') || 'the values are plain numbers'}).`,
    fix: `Nothing to do; store "${name}" as plain numbers in the file to silence this note.`,
  };
}
