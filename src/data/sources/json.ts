/**
 * JSON files: an array of objects (`.json`) or one object per line (`.ndjson`, `.jsonl`). DuckDB reads
 * and types them; when it cannot, the first bad line is found here, so the person gets a line number.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DuckDBConnection } from '@duckdb/node-api';
import { KilnError } from '../../core/errors.js';
import { duckdbReason, sqlString, uniqueTableName } from '../duckdb.js';
import { badRowError, checkReadableFile, sha256File } from './file-checks.js';
import type { ReadOptions, SourceRef, StagedTable, TableSource } from './source.js';
import { countRows, runStaging } from './staged-table.js';

export const jsonSource: TableSource = {
  name: 'json',
  keys: ['.json', '.json.gz'],
  example: 'data/rows.json',
  stage: (ref, conn, options) => stageJson(ref, conn, options, 'array'),
};

export const ndjsonSource: TableSource = {
  name: 'ndjson',
  keys: ['.ndjson', '.jsonl', '.ndjson.gz', '.jsonl.gz'],
  example: 'data/events.ndjson',
  stage: (ref, conn, options) => stageJson(ref, conn, options, 'newline_delimited'),
};

async function stageJson(ref: SourceRef, conn: DuckDBConnection, options: ReadOptions, format: 'array' | 'newline_delimited'): Promise<StagedTable> {
  const size = checkReadableFile(ref);
  options.onProgress?.(`reading ${ref.text} (${(size / 1e6).toFixed(1)} MB)`);
  const digesting = sha256File(ref.location);
  digesting.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  const table = uniqueTableName('kiln_json');
  const load = (file: string) =>
    `CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * FROM read_json(${sqlString(file)}, format = '${format}', sample_size = -1)`;
  let failure: unknown;
  await runStaging(conn, load(ref.location), ref.text, (err) => {
    failure = err;
    return undefined as never;
  });
  let skippedRows = 0;
  if (failure !== undefined) {
    const bad = ref.extension.endsWith('.gz') ? undefined : await firstBadJsonLine(ref.location, format);
    const hint = format === 'array'
      ? 'a .json file must hold one JSON array of row objects ([{"a": 1}, {"a": 2}]); a file with one object per line is NDJSON: name it .ndjson'
      : 'a .ndjson file holds one JSON object per line; check the line named (a line break inside an object?)';
    if (bad === undefined) throw new KilnError('DATA_UNREADABLE', { path: ref.text, reason: duckdbReason(failure), hint }, { cause: failure });
    if ((options.onBadRows ?? 'stop') === 'stop' || format === 'array') {
      throw badRowError(ref.text, bad.line, bad.reason, bad.count, hint);
    }
    // DuckDB's ignore_errors turns a bad line into a row of nulls; leave the bad lines out instead.
    const dir = mkdtempSync(join(tmpdir(), 'kiln-ndjson-'));
    try {
      const clean = join(dir, 'clean.ndjson');
      skippedRows = await copyGoodLines(ref.location, clean);
      await runStaging(conn, load(clean), ref.text, (err) => {
        throw new KilnError('DATA_UNREADABLE', { path: ref.text, reason: duckdbReason(err) }, { cause: err });
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if ((await countRows(conn, table)) === 0) throw new KilnError('DATA_EMPTY', { path: ref.text });
  return { table, digest: await digesting, skippedRows };
}

/** Streams the lines that are JSON objects into `to`; returns how many others were left out. */
async function copyGoodLines(from: string, to: string): Promise<number> {
  const out = createWriteStream(to);
  let bad = 0;
  for await (const text of createInterface({ input: createReadStream(from), crlfDelay: Infinity })) {
    if (text.trim() === '') continue;
    if (jsonLineProblem(text) !== undefined) bad++;
    else if (!out.write(text + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bad;
}

/** Why one NDJSON line is not a row, or undefined when it is one. */
function jsonLineProblem(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value === null || typeof value !== 'object' || Array.isArray(value) ? 'is not a JSON object' : undefined;
  } catch (err) {
    return `is not valid JSON (${String((err as Error).message)})`;
  }
}

interface BadLine {
  readonly line: number;
  readonly reason: string;
  readonly count: number;
}

/** The first line that is not valid JSON (NDJSON), or where a JSON array breaks; streamed. */
async function firstBadJsonLine(file: string, format: 'array' | 'newline_delimited'): Promise<BadLine | undefined> {
  if (format === 'array') {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(file, 'utf8');
    try {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) ? undefined : { line: 1, reason: 'holds a single JSON value, not an array of rows', count: 1 };
    } catch (err) {
      const at = /position (\d+)/.exec(String(err));
      const line = at ? text.slice(0, Number(at[1])).split('\n').length : 1;
      return { line, reason: `is not valid JSON (${String((err as Error).message).split('\n')[0]})`, count: 1 };
    }
  }
  let line = 0;
  let first: { line: number; reason: string } | undefined;
  let count = 0;
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    const reason = jsonLineProblem(text);
    if (reason !== undefined) {
      count++;
      first ??= { line, reason };
    }
  }
  return first === undefined ? undefined : { ...first, count };
}
