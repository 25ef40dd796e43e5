/**
 * CSV and TSV files. DuckDB sniffs the dialect (delimiter, quoting, CRLF, UTF-8 BOM) and the column
 * types; this file adds what a person needs on top: a decimal comma recognised, a malformed row named
 * by its line number (or skipped and counted), an encoding problem explained.
 *
 * `readCsv` and `LoadedTable` stay here for the callers that read a CSV file into a Frame; new code
 * reads any source with `readTable` (read-table.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { isKilnError, KilnError } from '../../core/errors.js';
import type { Frame } from '../../core/frame.js';
import { duckdbReason, queryRows, sqlIdentifier, sqlString, uniqueTableName } from '../duckdb.js';
import type { IngestNote } from './ingest-note.js';
import { badRowError, binaryFileReason, checkReadableFile, sha256File } from './file-checks.js';
import type { ReadOptions, SourceRef, StagedTable, TableSource } from './source.js';
import { describeTable } from './staged-table.js';
import { bomEncoding, duckdbReadsEncoding, nodeDecodes, utf8Copy } from './transcode.js';

export { isNumericSourceType } from '../source-types.js';

export interface LoadedTable {
  readonly frame: Frame;
  /** DuckDB's type name per column (BIGINT, DOUBLE, VARCHAR, DATE, …): schema inference uses it. */
  readonly sourceTypes: Readonly<Record<string, string>>;
  readonly source: string;
  /** sha256 of the file's bytes (of the query and its result for databases). */
  readonly digest: string;
  /** Malformed rows left out (only with `onBadRows: 'skip'`). */
  readonly skippedRows?: number;
  /** What reading decided on the person's behalf (numbers read from text, a guessed encoding, …). */
  readonly notes?: readonly IngestNote[];
}

/** Reads a CSV file into a Frame (the same as `readTable(path, { as: 'csv' })`). */
export async function readCsv(path: string, options: ReadOptions = {}): Promise<LoadedTable> {
  const { readTable } = await import('./read-table.js');
  return readTable(path, { ...options, as: 'csv' });
}

type CsvArgs = Readonly<Record<string, string>>;

const DELIMITERS = [',', ';', '\t', '|'] as const;

export const csvSource: TableSource = {
  name: 'csv',
  keys: ['.csv', '.tsv', '.tab', '.txt', '.csv.gz', '.tsv.gz', '.csv.zst', '.tsv.zst'],
  example: 'data/train.csv',
  stage: stageCsv,
};

async function stageCsv(ref: SourceRef, conn: DuckDBConnection, options: ReadOptions): Promise<StagedTable> {
  const size = checkReadableFile(ref);
  options.onProgress?.(`reading ${ref.text} (${(size / 1e6).toFixed(1)} MB)`);
  // Hashing the bytes runs on Node's side while DuckDB parses on its own threads.
  const digesting = sha256File(ref.location);
  digesting.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  const named = ref.params['encoding'] ?? options.encoding;
  // A compressed file is decompressed by DuckDB: its bytes cannot be looked at or decoded here.
  const compressed = /\.(gz|zst)$/.test(ref.extension);
  if (compressed || (named !== undefined && duckdbReadsEncoding(named))) {
    return { ...(await stageCsvFile(ref, ref.location, named, conn, options)), digest: await digesting };
  }
  if (named !== undefined) {
    // An encoding DuckDB does not decode (windows-1252, iso-8859-15, shift_jis, …): Node decodes it.
    if (!nodeDecodes(named)) {
      throw new KilnError('DATA_ENCODING', { path: ref.text, reason: `"${named}" is not an encoding Kiln knows; try windows-1252, latin-1, iso-8859-15 or utf-16` });
    }
    return { ...(await stageDecoded(ref, named, conn, options)), digest: await digesting };
  }
  const bom = bomEncoding(ref.location);
  // an image or a workbook renamed .csv is refused by name before DuckDB (or the Windows-1252 guess,
  // where every byte decodes) reads it as text with NULs in its column names
  const binary = bom === undefined ? binaryFileReason(ref.location) : undefined;
  if (binary !== undefined) {
    throw new KilnError('DATA_UNREADABLE', { path: ref.text, reason: binary, hint: 'give the table itself: a CSV or TSV file saved as text, an Excel .xlsx workbook, Parquet or JSON' });
  }
  try {
    return { ...(await stageCsvFile(ref, ref.location, bom, conn, options)), digest: await digesting };
  } catch (err) {
    if (!isKilnError(err, 'DATA_ENCODING')) throw err;
  }
  // Not UTF-8 and no encoding named: what spreadsheets in Western Europe and the Americas save is
  // Windows-1252 (every byte decodes). The note says so, and how to name another encoding.
  const staged = await stageDecoded(ref, GUESSED_ENCODING, conn, options);
  const note: IngestNote = {
    code: 'encoding_guessed',
    severity: 'info',
    columns: [],
    message: `The file is not UTF-8 text; it is read as ${GUESSED_ENCODING} (Western European, what Excel saves on Windows).`,
    fix: `If accented letters look wrong, name the file's encoding: ${ref.text.split('?')[0] ?? ref.text}?encoding=NAME (e.g. iso-8859-15, shift_jis, utf-16), or save the file as UTF-8.`,
  };
  return { ...staged, digest: await digesting, notes: [note, ...(staged.notes ?? [])] };
}

/** The encoding a file that is not UTF-8 is read as when none is named. */
const GUESSED_ENCODING = 'windows-1252';

async function stageDecoded(ref: SourceRef, encoding: string, conn: DuckDBConnection, options: ReadOptions): Promise<Omit<StagedTable, 'digest'>> {
  const copy = await utf8Copy(ref.location, encoding);
  try {
    return await stageCsvFile(ref, copy.path, undefined, conn, options);
  } finally {
    copy.dispose();
  }
}

/** Reads `file` (the source's file, or a UTF-8 copy of it) with DuckDB, in `encoding` when given. */
async function stageCsvFile(ref: SourceRef, file: string, encoding: string | undefined, conn: DuckDBConnection, options: ReadOptions): Promise<Omit<StagedTable, 'digest'>> {
  const table = uniqueTableName('kiln_csv');
  const load = (args: CsvArgs) => loadCsv(conn, table, file, args);

  let args: CsvArgs = baseArgs(ref, encoding);
  let failure = await load(args);
  if (failure !== undefined) throwIfFatal(failure, ref);
  if (failure !== undefined) {
    // DuckDB guesses types from a sample; a later row may not fit the guess. Look at every row.
    args = { ...args, sample_size: '-1' };
    failure = await load(args);
  }
  if (failure === undefined && args['delim'] === undefined) {
    // When the dialect sniffer finds no consistent layout it reads each whole line as one column.
    // The header then still shows the real delimiter: read with it, so the bad line gets named.
    const columns = await describeTable(conn, table);
    const delimiter = columns.length === 1 ? DELIMITERS.find((d) => columns[0]?.name.includes(d)) : undefined;
    if (delimiter !== undefined) {
      args = { ...args, delim: sqlString(delimiter), quote: sqlString('"'), sample_size: '-1' };
      failure = await load(args);
    }
  }
  let skippedRows = 0;
  if (failure !== undefined) {
    throwIfFatal(failure, ref);
    const rejects = await readRejects(conn, table, file, args, await delimiterOf(conn, file, args));
    if ((options.onBadRows ?? 'stop') === 'stop' || rejects.failure !== undefined) {
      const first = rejects.first;
      if (first === undefined) throw new KilnError('DATA_UNREADABLE', { path: ref.text, reason: duckdbReason(rejects.failure ?? failure) }, { cause: failure });
      throw badRowError(ref.text, first.line, first.reason, rejects.count);
    }
    skippedRows = rejects.count;
  } else if (args['decimal_separator'] === undefined && (await holdsDecimalCommas(conn, table))) {
    // `3,5` in a semicolon-separated file is a number written with a decimal comma (European locales).
    const reread = await load({ ...args, decimal_separator: sqlString(',') });
    if (reread !== undefined) await load(args);
  }
  return { table, skippedRows };
}

function baseArgs(ref: SourceRef, encoding: string | undefined): CsvArgs {
  const args: Record<string, string> = { header: ref.params['header'] === 'false' ? 'false' : 'true' };
  if (ref.extension.startsWith('.tsv') || ref.extension === '.tab') args['delim'] = sqlString('\t');
  const delim = ref.params['delim'] ?? ref.params['delimiter'];
  if (delim !== undefined) args['delim'] = sqlString(delim === '\\t' || delim === 'tab' ? '\t' : delim);
  if (encoding !== undefined) args['encoding'] = sqlString(encoding);
  const decimal = ref.params['decimal'];
  if (decimal !== undefined) args['decimal_separator'] = sqlString(decimal);
  return args;
}

/** Loads the file into `table`; returns DuckDB's error instead of throwing it. */
async function loadCsv(conn: DuckDBConnection, table: string, file: string, args: CsvArgs): Promise<unknown> {
  const list = Object.entries(args).map(([k, v]) => `${k} = ${v}`).join(', ');
  try {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * FROM read_csv(${sqlString(file)}, ${list})`);
    return undefined;
  } catch (err) {
    return err ?? new Error('unknown DuckDB error');
  }
}

/** Errors no retry can fix: encoding, memory, and an encoding name DuckDB does not know. */
function throwIfFatal(err: unknown, ref: SourceRef): void {
  const message = String(err);
  if (/invalid unicode|not utf-8 encoded/i.test(message)) {
    throw new KilnError('DATA_ENCODING', { path: ref.text, reason: 'some bytes are not valid UTF-8' }, { cause: err });
  }
  if (/encoding/i.test(message) && /not (supported|found)|unknown|invalid/i.test(message) && ref.params['encoding'] !== undefined) {
    throw new KilnError('DATA_ENCODING', { path: ref.text, reason: duckdbReason(err) }, { cause: err });
  }
  if (/out of memory/i.test(message)) {
    throw new KilnError('DATA_TOO_LARGE', { path: ref.text, what: 'read', reason: duckdbReason(err) }, { cause: err });
  }
}

interface Rejects {
  readonly count: number;
  readonly first?: { line: number; reason: string };
  /** Set when even a forgiving read failed. */
  readonly failure?: unknown;
}

/** Reads the file again leaving out malformed rows, and collects DuckDB's record of each one. */
async function readRejects(conn: DuckDBConnection, table: string, file: string, args: CsvArgs, delimiter: string): Promise<Rejects> {
  const scans = uniqueTableName('kiln_reject_scans');
  const errors = uniqueTableName('kiln_reject_errors');
  const failure = await loadCsv(conn, table, file, {
    ...args,
    ignore_errors: 'true',
    store_rejects: 'true',
    rejects_table: sqlString(errors),
    rejects_scan: sqlString(scans),
  });
  if (failure !== undefined) return { count: 0, failure };
  try {
    const counted = await queryRows(conn, `SELECT count(DISTINCT line) AS n FROM ${errors}`);
    const rows = await queryRows(conn, `SELECT line, error_type, error_message, column_name, csv_line FROM ${errors} ORDER BY line LIMIT 1`);
    const r = rows[0];
    const count = Number(counted[0]?.['n'] ?? 0);
    if (r === undefined) return { count };
    const reason = plainReason(String(r['error_type']), String(r['error_message']), r['column_name'], String(r['csv_line'] ?? ''), delimiter);
    return { count, first: { line: Number(r['line']), reason } };
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${errors}; DROP TABLE IF EXISTS ${scans}`);
  }
}

/** DuckDB's reject record in the words of a person fixing the file. */
function plainReason(type: string, message: string, column: unknown, line: string, delimiter: string): string {
  const counts = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if ((type === 'TOO MANY COLUMNS' || type === 'TOO FEW COLUMNS') && counts) {
    // DuckDB stops counting at one field too many; count the line's fields for the message.
    const found = line === '' ? Number(counts[2]) : countFields(line, delimiter);
    return `has ${found} fields but the header has ${counts[1]}`;
  }
  if (type === 'UNQUOTED VALUE') return 'opens or closes a quote in the middle of a field';
  if (type === 'LINE SIZE OVER MAXIMUM') return 'is longer than the reader allows (an unclosed quote?)';
  if (type === 'INVALID UNICODE') return 'holds bytes that are not valid UTF-8';
  if (type === 'CAST') return `has a value in column "${String(column)}" of the wrong type (${message.split('\n')[0] ?? ''})`;
  return `is malformed: ${message.split('\n')[0] ?? type.toLowerCase()}`;
}

/** The delimiter a read uses: the one given, else the one DuckDB's sniffer finds. */
async function delimiterOf(conn: DuckDBConnection, file: string, args: CsvArgs): Promise<string> {
  const given = args['delim'];
  if (given !== undefined) return given.slice(1, -1).replaceAll("''", "'");
  try {
    const sniffed = (await queryRows(conn, `SELECT Delimiter AS d FROM sniff_csv(${sqlString(file)})`))[0]?.['d'];
    return typeof sniffed === 'string' && sniffed.length === 1 ? sniffed : ',';
  } catch {
    return ',';
  }
}

/** Fields in one CSV line, honouring double quotes. */
function countFields(line: string, delimiter: string): number {
  let fields = 1;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) fields++;
  }
  return fields;
}

/** Rows looked at first: a text column with one value here that is not a decimal-comma number is out. */
const DECIMAL_COMMA_SAMPLE = 2048;

/** Whether some text column holds only numbers written with a decimal comma (`3,5`). */
async function holdsDecimalCommas(conn: DuckDBConnection, table: string): Promise<boolean> {
  const varchar = (await describeTable(conn, table)).filter((c) => c.type === 'VARCHAR').map((c) => c.name);
  if (varchar.length === 0) return false;
  // The first rows rule out most text columns (names, categories) without reading the whole table.
  const candidates = await onlyDecimalCommas(conn, `(SELECT * FROM ${table} LIMIT ${DECIMAL_COMMA_SAMPLE})`, varchar, true);
  if (candidates.length === 0) return false;
  return (await onlyDecimalCommas(conn, table, candidates, false)).length > 0;
}

/**
 * The columns of `from` whose values are all decimal-comma numbers; with `allowEmpty`, also those with
 * no value at all there (a sample of missing values says nothing yet).
 */
async function onlyDecimalCommas(conn: DuckDBConnection, from: string, columns: readonly string[], allowEmpty: boolean): Promise<string[]> {
  const parts = columns.map((name, i) => {
    const col = sqlIdentifier(name);
    return `count(${col}) AS n${i}, count_if(regexp_full_match(${col}, '-?[0-9]*,[0-9]+')) AS d${i}`;
  });
  const row = (await queryRows(conn, `SELECT ${parts.join(', ')} FROM ${from}`))[0] ?? {};
  return columns.filter((_, i) => {
    const n = Number(row[`n${i}`]);
    return n === Number(row[`d${i}`]) && (n > 0 || allowEmpty);
  });
}
