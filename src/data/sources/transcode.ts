/**
 * Text files that are not UTF-8. DuckDB reads UTF-8, UTF-16 and Latin-1; an Excel "CSV" saved on a
 * Western-European Windows machine is Windows-1252 (Latin-1 plus `€ ’ “ ” …` in bytes 0x80–0x9F),
 * and other encodings exist. Those are decoded here, by Node's own decoders, into a UTF-8 copy that
 * DuckDB reads; the digest stays the one of the original bytes.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, openSync, readSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Encodings DuckDB's CSV reader decodes itself (compared lower-cased, without `-` and `_`). */
const DUCKDB_ENCODINGS = new Set(['utf8', 'utf16', 'latin1']);

export function duckdbReadsEncoding(name: string): boolean {
  return DUCKDB_ENCODINGS.has(name.toLowerCase().replace(/[-_]/g, ''));
}

/** Whether Node can decode `name` (a WHATWG label: `windows-1252`, `cp1252`, `iso-8859-15`, `shift_jis`, …). */
export function nodeDecodes(name: string): boolean {
  try {
    new TextDecoder(name);
    return true;
  } catch {
    return false;
  }
}

/** The encoding a byte-order mark announces (`utf-16` for either byte order), if any. */
export function bomEncoding(file: string): 'utf-16' | undefined {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const n = readSync(fd, head, 0, 2, 0);
    if (n === 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) return 'utf-16';
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Decodes `file` as `encoding` into a UTF-8 copy; `dispose` removes it. Streamed: any size. */
export async function utf8Copy(file: string, encoding: string): Promise<{ path: string; dispose: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-utf8-'));
  const path = join(dir, 'utf8.csv');
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    const decoder = new TextDecoder(encoding);
    const out = createWriteStream(path);
    for await (const chunk of createReadStream(file)) {
      if (!out.write(decoder.decode(chunk as Buffer, { stream: true }))) await once(out, 'drain');
    }
    out.end(decoder.decode());
    await once(out, 'finish');
    return { path, dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}
