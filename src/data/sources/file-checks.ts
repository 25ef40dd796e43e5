/** What every file source checks first: the file is there, is a file, is not empty; and its digest. */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { KilnError } from '../../core/errors.js';
import type { SourceRef } from './source.js';

/** Throws DATA_NOT_FOUND / DATA_UNREADABLE / DATA_EMPTY; returns the file's size in bytes. */
export function checkReadableFile(ref: SourceRef): number {
  let size: number;
  try {
    const st = statSync(ref.location);
    if (!st.isFile()) throw new KilnError('DATA_UNREADABLE', { path: ref.text, reason: 'it is a folder, not a file', folder: true });
    size = st.size;
  } catch (err) {
    if (err instanceof KilnError) throw err;
    throw new KilnError('DATA_NOT_FOUND', { path: ref.text });
  }
  if (size === 0) throw new KilnError('DATA_EMPTY', { path: ref.text });
  return size;
}

/** sha256 of a file's bytes, streamed (a file larger than memory is fine). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A malformed row, named by its line. The code stays DATA_UNREADABLE (what callers and tests already
 * expect for a broken file); the reason carries the line, what is wrong with it, and the way out.
 */
export function badRowError(path: string, line: number, problem: string, badRows: number, hint?: string): KilnError {
  const others = badRows > 1 ? `${badRows} malformed lines in all; ` : '';
  return new KilnError('DATA_UNREADABLE', {
    path,
    line,
    badRows,
    reason: `line ${line} ${problem} (${others}fix the file, or leave malformed rows out with \`--on-bad-rows skip\` / onBadRows: 'skip')`,
    ...(hint === undefined ? {} : { hint }),
  });
}

/** Formats people rename to .csv by mistake, known by their first bytes. */
const SIGNATURES: readonly [bytes: readonly number[], what: string][] = [
  [[0x50, 0x4b, 0x03, 0x04], 'a zip archive (an Excel .xlsx workbook is one: keep its .xlsx name)'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an old Excel .xls workbook (save it as .xlsx or CSV)'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x50, 0x41, 0x52, 0x31], 'a Parquet file (name it .parquet)'],
];

/**
 * Why a file given as text is not text, or undefined when it may be: a known binary format by its first
 * bytes, or NUL bytes, which no text encoding Kiln guesses ever writes (UTF-16 is recognised earlier by
 * its byte-order mark). Without this, a binary file "decoded" as Windows-1252 reached DuckDB with NULs
 * in its column names.
 */
export function binaryFileReason(file: string): string | undefined {
  const head = Buffer.alloc(8192);
  const fd = openSync(file, 'r');
  let length: number;
  try {
    length = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const bytes = head.subarray(0, length);
  for (const [signature, what] of SIGNATURES) {
    if (signature.every((b, i) => bytes[i] === b)) return `it is ${what}, not a table saved as text`;
  }
  return bytes.includes(0) ? 'it holds NUL bytes, which a table saved as text never does: it looks like a binary file (an image, an archive, a program)' : undefined;
}
