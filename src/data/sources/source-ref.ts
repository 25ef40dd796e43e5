/**
 * Taking a source string apart: scheme, location, parameters. Parameters follow a `?` like a URL's
 * (`?table=orders&sheet=2`), except that `query=` always runs to the end of the string, because SQL
 * may contain `&`, `+` and `#` that a URL parser would mangle.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { SourceRef } from './source.js';

const SCHEMES = ['sqlite', 'postgres', 'postgresql', 'sql'] as const;

/** File extensions made of two parts (compressed text files). */
const COMPOUND_EXTENSIONS = ['.csv.gz', '.tsv.gz', '.json.gz', '.ndjson.gz', '.jsonl.gz', '.csv.zst', '.tsv.zst'];

export function parseSourceRef(text: string, baseDir?: string): SourceRef {
  const trimmed = text.trim();
  const scheme = SCHEMES.find((s) => trimmed.toLowerCase().startsWith(s + ':'));
  if (scheme === 'sql') return { text, scheme: 'sql', location: trimmed.slice(4).trim(), extension: '', params: {} };
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const { head, params } = splitParams(trimmed);
    return { text, scheme: 'postgres', location: head, extension: '', params };
  }
  if (scheme === 'sqlite') {
    const { head, params } = splitParams(trimmed.slice('sqlite:'.length));
    return { text, scheme: 'sqlite', location: resolvePath(head, baseDir), extension: extensionOf(head), params };
  }
  // A file. A path that exists as written wins over reading `?` and `#` as parameters.
  const asWritten = resolvePath(trimmed, baseDir);
  if (existsSync(asWritten)) return { text, scheme: 'file', location: asWritten, extension: extensionOf(trimmed), params: {} };
  const hash = trimmed.lastIndexOf('#');
  const fragment = hash >= 0 ? trimmed.slice(hash + 1) : undefined;
  const { head, params } = splitParams(hash >= 0 ? trimmed.slice(0, hash) : trimmed);
  const all = fragment === undefined || fragment === '' ? params : { ...params, sheet: decode(fragment) };
  return { text, scheme: 'file', location: resolvePath(head, baseDir), extension: extensionOf(head), params: all };
}

function resolvePath(path: string, baseDir?: string): string {
  return isAbsolute(path) ? path : resolve(baseDir ?? process.cwd(), path);
}

function extensionOf(path: string): string {
  const lower = path.toLowerCase();
  const compound = COMPOUND_EXTENSIONS.find((e) => lower.endsWith(e));
  if (compound !== undefined) return compound;
  const slash = Math.max(lower.lastIndexOf('/'), lower.lastIndexOf('\\'));
  const dot = lower.lastIndexOf('.');
  return dot > slash ? lower.slice(dot) : '';
}

/** `head?k=v&k2=v2&query=…` → head and parameters. */
function splitParams(text: string): { head: string; params: Record<string, string> } {
  const q = text.indexOf('?');
  if (q < 0) return { head: text, params: {} };
  const head = text.slice(0, q);
  let rest = text.slice(q + 1);
  const params: Record<string, string> = {};
  const queryAt = rest.search(/(^|&)query=/);
  if (queryAt >= 0) {
    const start = rest.indexOf('query=', queryAt) + 'query='.length;
    params['query'] = decode(rest.slice(start));
    rest = rest.slice(0, queryAt);
  }
  for (const pair of rest.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    params[decode(key)] = eq < 0 ? '' : decode(pair.slice(eq + 1));
  }
  return { head, params };
}

/** Percent-decoding when the text was encoded; raw text (spaces, `%` in SQL) is kept as it is. */
function decode(text: string): string {
  if (!/%[0-9a-fA-F]{2}/.test(text)) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
