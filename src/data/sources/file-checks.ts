/** What every file source checks first: the file is there, is a file, is not empty; and its digest. */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
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
export function badRowError(path: string, line: number, problem: string, badRows: number): KilnError {
  const others = badRows > 1 ? `${badRows} malformed lines in all; ` : '';
  return new KilnError('DATA_UNREADABLE', {
    path,
    line,
    badRows,
    reason: `line ${line} ${problem} (${others}fix the file, or leave malformed rows out with \`--on-bad-rows skip\` / onBadRows: 'skip')`,
  });
}
