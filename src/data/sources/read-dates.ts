/**
 * Dates written for people: a column mixing `2024-01-05`, `05/01/2024` and Excel's day numbers
 * (`45296`, what a date cell becomes when a sheet is saved as CSV without its format) is text to
 * DuckDB. When every value is a date in one of those forms it is read as a date column. `05/01/2024`
 * is 5 January in Europe and 1 May in the US: the column decides (a first part above 12 means day
 * first); when no value decides, `?dates=dmy` (or `mdy`) on the source says, else the column stays
 * text and a warning says how to decide.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, sqlIdentifier, sqlString } from '../duckdb.js';
import type { IngestNote } from './ingest-note.js';
import { describeTable, inColumnBatches } from './staged-table.js';
import { MISSING_MARKERS } from './missing-markers.js';

const ISO = '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?';
const ISO_WITH_TIME = '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[ T].*';
const SLASHED = '([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})';
/** Excel day numbers from 1954 to 2119: a whole number of five digits. */
const SERIAL = '[2-7][0-9]{4}';
/** Share of a column's values (missing markers aside) that must be dates. */
const DATE_SHARE = 0.98;

export type DateOrder = 'dmy' | 'mdy';

export async function readDatesFromText(conn: DuckDBConnection, table: string, order?: DateOrder): Promise<IngestNote[]> {
  const text = (await describeTable(conn, table)).filter((c) => c.type === 'VARCHAR').map((c) => c.name);
  if (text.length === 0) return [];
  // The first rows rule out most text columns; one with no value there is still in question.
  const sampled = await inColumnBatches(text, (batch) => countDates(conn, `(SELECT * FROM ${table} LIMIT ${SAMPLE_ROWS})`, batch));
  const candidates = text.filter((_, i) => {
    const n = sampled[i] ?? {};
    const v = n['v'] ?? 0;
    return v === 0 || (n['i'] ?? 0) + (n['s'] ?? 0) + (n['e'] ?? 0) >= DATE_SHARE * v;
  });
  if (candidates.length === 0) return [];
  const counted = await inColumnBatches(candidates, (batch) => countDates(conn, table, batch));
  const notes: IngestNote[] = [];
  for (const [i, name] of candidates.entries()) {
    const n = (key: string) => counted[i]?.[key] ?? 0;
    const values = n('v');
    const [iso, slashed, serial] = [n('i'), n('s'), n('e')];
    // Five-digit numbers alone are numbers, not dates: they count only beside written dates.
    if (values === 0 || iso + slashed === 0 || iso + slashed + serial < DATE_SHARE * values) continue;
    const decided = n('d') > 0 !== n('m') > 0;
    const dayFirst = decided ? n('d') > 0 : order === 'dmy';
    const monthFirst = decided ? n('m') > 0 : order === 'mdy';
    if (slashed > 0 && dayFirst === monthFirst) {
      notes.push({
        code: dayFirst ? 'mixed_date_formats' : 'ambiguous_dates',
        severity: 'warning',
        columns: [name],
        message: dayFirst
          ? `"${name}" holds dates written both day first and month first (like "25/01/2024" and "01/25/2024"); it is kept as text, which a model cannot use as a date.`
          : `"${name}" holds dates such as "05/01/2024" that could be 5 January or 1 May, and no value tells which; it is kept as text, which a model cannot use as a date.`,
        fix: dayFirst
          ? `Write the dates of "${name}" one way, best as YYYY-MM-DD (2024-01-05), in the file.`
          : `Say which it is: add ?dates=dmy (day first) or ?dates=mdy (month first) to the source, e.g. data.csv?dates=dmy; or write the dates as YYYY-MM-DD in the file.`,
      });
      continue;
    }
    await convertToDates(conn, table, name, dayFirst ? '%d' : '%m', n('t') > 0);
    const forms = [iso > 0 ? 'YYYY-MM-DD' : '', slashed > 0 ? (dayFirst ? 'DD/MM/YYYY' : 'MM/DD/YYYY') : '', serial > 0 ? 'Excel day numbers (45296 is 2024-01-05)' : ''].filter((s) => s !== '');
    notes.push({
      code: 'dates_read_from_text',
      severity: forms.length > 1 ? 'warning' : 'info',
      columns: [name],
      message: `"${name}" holds dates written as ${forms.join(', ')}; it is read as a date column${slashed > 0 ? ` (${dayFirst ? 'day' : 'month'} first, ${decided ? 'because some values only fit that way' : 'as the source says'})` : ''}.`,
      fix: `Check a few dates of "${name}" in the profile; writing them all as YYYY-MM-DD in the file removes any doubt.`,
    });
  }
  return notes;
}

/** Rows looked at first to rule columns out. */
const SAMPLE_ROWS = 2048;

/**
 * Per column of `from`, in one scan: values (v), ISO dates (i), with a time (t), slashed dates (s),
 * Excel day numbers (e), slashed dates whose first (d) or second (m) part is above 12.
 */
async function countDates(conn: DuckDBConnection, from: string, columns: readonly string[]): Promise<Record<string, number>[]> {
  const markers = MISSING_MARKERS.map(sqlString).join(', ');
  const parts = columns.map((name, i) => {
    const x = `trim(${sqlIdentifier(name)})`;
    const slashed = `regexp_full_match(${x}, ${sqlString(SLASHED)})`;
    const part = (k: number) => `TRY_CAST(regexp_extract(${x}, ${sqlString(SLASHED)}, ${k}) AS INTEGER)`;
    return [
      `count_if(${x} <> '' AND lower(${x}) NOT IN (${markers})) AS v${i}`,
      `count_if(regexp_full_match(${x}, ${sqlString(ISO)}) AND TRY_CAST(${x} AS TIMESTAMP) IS NOT NULL) AS i${i}`,
      `count_if(regexp_full_match(${x}, ${sqlString(ISO_WITH_TIME)})) AS t${i}`,
      `count_if(${slashed}) AS s${i}`,
      `count_if(regexp_full_match(${x}, ${sqlString(SERIAL)})) AS e${i}`,
      `count_if(${slashed} AND ${part(1)} > 12) AS d${i}`,
      `count_if(${slashed} AND ${part(2)} > 12) AS m${i}`,
    ].join(', ');
  });
  const row = (await queryRows(conn, `SELECT ${parts.join(', ')} FROM ${from}`))[0] ?? {};
  return columns.map((_, i) => Object.fromEntries(['v', 'i', 't', 's', 'e', 'd', 'm'].map((k) => [k, Number(row[`${k}${i}`] ?? 0)])));
}

async function convertToDates(conn: DuckDBConnection, table: string, name: string, first: '%d' | '%m', withTime: boolean): Promise<void> {
  const col = sqlIdentifier(name);
  const x = `trim(${col})`;
  const type = withTime ? 'TIMESTAMP' : 'DATE';
  const second = first === '%d' ? '%m' : '%d';
  const slashedFormat = (sep: string) => sqlString(`${first}${sep}${second}${sep}%Y`);
  await conn.run(`ALTER TABLE ${table} ALTER ${col} SET DATA TYPE ${type} USING (CASE
    WHEN regexp_full_match(${x}, ${sqlString(ISO)}) THEN TRY_CAST(${x} AS ${type})
    WHEN regexp_full_match(${x}, ${sqlString(SLASHED)}) THEN CAST(coalesce(try_strptime(${x}, ${slashedFormat('/')}), try_strptime(${x}, ${slashedFormat('.')}), try_strptime(${x}, ${slashedFormat('-')})) AS ${type})
    WHEN regexp_full_match(${x}, ${sqlString(SERIAL)}) THEN CAST(DATE '1899-12-30' + CAST(${x} AS INTEGER) AS ${type})
  END)`);
}
