/**
 * Outcomes as people send them, turned into the store's `FeedbackInput`s:
 *
 *   feedbackFromJson(body)    an HTTP body or a JSON file: `{items: [...]}`, a list, or one item, each
 *                             `{request_id, outcome, timestamp?}` (`requestId` is accepted too);
 *                             `timestamp` is epoch milliseconds or an ISO date.
 *   readFeedbackFile(path)    a CSV (any columns; the id and outcome columns are named by options),
 *                             a JSON file as above, or NDJSON (one item per line).
 *
 * CSV cells are read as text (DuckDB with all_varchar), so a request id like `00123` keeps its zeros;
 * an outcome cell that is a number becomes a number and `true`/`false` a boolean, so it compares with
 * the logged labels as JSON would have sent it.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { KilnError, type Problem } from '../core/errors.js';
import { duckdbReason, queryRows, sqlIdentifier, sqlString, withDuckDB } from '../data/duckdb.js';
import { MAX_EPOCH_MS } from '../store/monitoring-inputs.js';
import type { FeedbackInput } from '../store/store.js';

/** Items per call at most (an HTTP body or a file is split by the caller beyond this). */
export const MAX_FEEDBACK_ITEMS = 100_000;

export interface FeedbackColumns {
  /** Default `request_id`. */
  readonly idColumn?: string;
  /** Default `outcome`. */
  readonly outcomeColumn?: string;
  /** Used when present; default `timestamp`. */
  readonly timestampColumn?: string;
}

/** `{items: [...]}`, `[...]` or one item. Throws FEEDBACK_INVALID naming every bad item. */
export function feedbackFromJson(body: unknown): FeedbackInput[] {
  const list = Array.isArray(body)
    ? (body as unknown[])
    : isObject(body) && 'items' in body
      ? body['items']
      : isObject(body)
        ? [body]
        : undefined;
  if (!Array.isArray(list)) throw new KilnError('FEEDBACK_INVALID', { summary: 'expected {items: [{request_id, outcome}]}, a list of items, or one item' });
  if (list.length > MAX_FEEDBACK_ITEMS) {
    throw new KilnError('FEEDBACK_INVALID', { summary: `${list.length} items in one call; send at most ${MAX_FEEDBACK_ITEMS} at a time` });
  }
  const problems: Problem[] = [];
  const items: FeedbackInput[] = [];
  list.forEach((raw: unknown, i) => {
    if (!isObject(raw)) {
      problems.push({ path: `items.${i}`, message: 'expected an object {request_id, outcome, timestamp?}', code: 'invalid_type' });
      return;
    }
    const unknown = Object.keys(raw).filter((k) => !['request_id', 'requestId', 'outcome', 'timestamp'].includes(k));
    if (unknown.length > 0) problems.push({ path: `items.${i}`, message: `unknown field(s) ${unknown.join(', ')}`, code: 'unrecognized_keys' });
    const id = raw['request_id'] ?? raw['requestId'];
    const requestId = typeof id === 'number' && Number.isFinite(id) ? String(id) : id;
    if (typeof requestId !== 'string' || requestId === '') {
      problems.push({ path: `items.${i}.request_id`, message: 'expected the request id the prediction was served with', code: 'invalid_type' });
    }
    const outcome = raw['outcome'];
    if (!(typeof outcome === 'string' || typeof outcome === 'boolean' || (typeof outcome === 'number' && Number.isFinite(outcome)))) {
      problems.push({ path: `items.${i}.outcome`, message: 'expected a number, text or true/false', code: 'invalid_type' });
    }
    const timestamp = raw['timestamp'] === undefined || raw['timestamp'] === null ? undefined : toEpochMs(raw['timestamp']);
    if (timestamp === null) problems.push({ path: `items.${i}.timestamp`, message: `expected epoch milliseconds or an ISO date, from 1970 to the year 275760, got ${JSON.stringify(raw['timestamp'])}`, code: 'invalid_type' });
    if (typeof requestId === 'string' && requestId !== '' && (typeof outcome === 'string' || typeof outcome === 'boolean' || typeof outcome === 'number')) {
      items.push({ requestId, outcome, ...(typeof timestamp === 'number' ? { timestamp } : {}) });
    }
  });
  throwIfProblems(problems);
  return items;
}

/** Reads outcomes from a CSV, JSON or NDJSON file (by extension; anything else is read as CSV). */
export async function readFeedbackFile(path: string, columns: FeedbackColumns = {}): Promise<FeedbackInput[]> {
  checkFeedbackFile(path);
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return feedbackFromJson(parseJson(readFileSync(path, 'utf8'), path));
  if (ext === '.ndjson' || ext === '.jsonl') {
    const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
    return feedbackFromJson(lines.map((line, i) => parseJson(line, `${path} line ${i + 1}`)));
  }
  return readFeedbackCsv(path, columns);
}

/** A missing file, a folder and an empty file each get their own error (DuckDB's would name a glob pattern or a column0). */
function checkFeedbackFile(path: string): void {
  const st = statSync(path, { throwIfNoEntry: false });
  if (st === undefined) throw new KilnError('DATA_NOT_FOUND', { path });
  if (!st.isFile()) throw new KilnError('DATA_UNREADABLE', { path, reason: 'it is a folder, not a file', folder: true });
  if (st.size === 0) throw new KilnError('DATA_EMPTY', { path });
}

async function readFeedbackCsv(path: string, columns: FeedbackColumns): Promise<FeedbackInput[]> {
  const idColumn = columns.idColumn ?? 'request_id';
  const outcomeColumn = columns.outcomeColumn ?? 'outcome';
  const timestampColumn = columns.timestampColumn ?? 'timestamp';
  const rows = await withDuckDB(async (conn) => {
    let header: string[];
    try {
      const described = await queryRows(conn, `DESCRIBE SELECT * FROM read_csv(${sqlString(path)}, header = true, all_varchar = true)`);
      header = described.map((r) => String(r['column_name']));
    } catch (err) {
      throw new KilnError('DATA_UNREADABLE', { path, reason: duckdbReason(err) }, { cause: err });
    }
    for (const [flag, name] of [['--id-column', idColumn], ['--outcome-column', outcomeColumn]] as const) {
      if (!header.includes(name)) {
        throw new KilnError('FEEDBACK_INVALID', { summary: `${path} has no column "${name}" (columns: ${header.join(', ')}); name the right one with ${flag}` });
      }
    }
    const select = [idColumn, outcomeColumn, ...(header.includes(timestampColumn) ? [timestampColumn] : [])].map(sqlIdentifier).join(', ');
    return queryRows(conn, `SELECT ${select} FROM read_csv(${sqlString(path)}, header = true, all_varchar = true)`);
  });
  const problems: Problem[] = [];
  const items: FeedbackInput[] = [];
  rows.forEach((row, i) => {
    const line = i + 2; // the header is line 1
    const requestId = row[idColumn];
    const cell = row[outcomeColumn];
    if (typeof requestId !== 'string' || requestId === '') {
      problems.push({ path: `line ${line}`, message: `no request id in column "${idColumn}"`, code: 'invalid_value' });
      return;
    }
    if (typeof cell !== 'string' || cell === '') {
      problems.push({ path: `line ${line}`, message: `no outcome in column "${outcomeColumn}"`, code: 'invalid_value' });
      return;
    }
    const stamp = row[timestampColumn];
    const timestamp = typeof stamp === 'string' && stamp !== '' ? toEpochMs(stamp) : undefined;
    if (timestamp === null) {
      problems.push({ path: `line ${line}`, message: `"${String(stamp)}" in column "${timestampColumn}" is not epoch milliseconds or an ISO date from 1970 to the year 275760`, code: 'invalid_value' });
      return;
    }
    items.push({ requestId, outcome: outcomeFromText(cell), ...(timestamp === undefined ? {} : { timestamp }) });
  });
  throwIfProblems(problems);
  return items;
}

/** A CSV cell as the value JSON would have carried: a number, true/false, or the text itself. */
export function outcomeFromText(text: string): number | string | boolean {
  const trimmed = text.trim();
  if (/^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === 'true';
  if (trimmed !== '' && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed)) return Number(trimmed);
  return text;
}


/**
 * Whole epoch ms from a number, a text of digits, or an ISO date; null when it is none of them or lies
 * outside 1970 … the year 275760. Fractions of a millisecond are rounded off: the store keeps whole ms
 * (PostgreSQL's BIGINT refuses 1.5, and 1e20 is beyond it — both were internal errors, not the caller's
 * slip). A text of digits is a number: Date.parse would read "1.5" as 5 January 2001.
 */
function toEpochMs(value: unknown): number | null {
  const ms =
    typeof value === 'number' ? value
    : typeof value === 'string' && /^\s*\d+(\.\d*)?\s*$/.test(value) ? Number(value)
    : typeof value === 'string' ? Date.parse(value)
    : Number.NaN;
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_EPOCH_MS ? Math.round(ms) : null;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new KilnError('DATA_UNREADABLE', { path: where, reason: err instanceof Error ? err.message : String(err) }, { cause: err });
  }
}

function throwIfProblems(problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  const shown = problems.slice(0, 10).map((p) => `${p.path}: ${p.message}`);
  if (problems.length > 10) shown.push(`… and ${problems.length - 10} more`);
  throw new KilnError('FEEDBACK_INVALID', { summary: shown.join('; ') }, { problems });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
