/** Tiny data files written into a fresh temp folder per test file, so tests never share state. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'kiln-data-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `content` to `dir/name` and returns the path. */
export function writeFixture(dir: string, name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A CSV from a header and rows (values written as they are; strings must not need quoting). */
export function csvText(header: readonly string[], rows: readonly (readonly unknown[])[], eol = '\n'): string {
  return [header.join(','), ...rows.map((r) => r.map((v) => (v === null || v === undefined ? '' : String(v))).join(','))].join(eol) + eol;
}
