/**
 * The registry of table sources, keyed by scheme (`sqlite`, `postgres`, `sql`) and by file extension
 * (`.csv`, `.parquet`, …). Built once when the module loads and frozen: what a source string means
 * cannot change while Kiln runs.
 */
import { KilnError } from '../../core/errors.js';
import { csvSource } from './csv.js';
import { jsonSource, ndjsonSource } from './json.js';
import { parquetSource } from './parquet.js';
import { postgresSource } from './postgres.js';
import type { SourceRef, TableSource } from './source.js';
import { sqlSource } from './sql.js';
import { sqliteSource } from './sqlite.js';
import { legacyExcelSource, xlsxSource } from './xlsx.js';

const SOURCES: readonly TableSource[] = Object.freeze([csvSource, jsonSource, ndjsonSource, parquetSource, xlsxSource, legacyExcelSource, sqliteSource, postgresSource, sqlSource]);

const BY_KEY: Readonly<Record<string, TableSource>> = Object.freeze(
  Object.fromEntries(SOURCES.flatMap((source) => source.keys.map((key) => [key, source]))),
);

const BY_NAME: Readonly<Record<string, TableSource>> = Object.freeze(Object.fromEntries(SOURCES.map((s) => [s.name, s])));

/** Every registered source kind (for help texts). */
export function tableSources(): readonly TableSource[] {
  return SOURCES;
}

/** The source that reads `ref`: by `as` when given, else by scheme, else by file extension. */
export function sourceFor(ref: SourceRef, as?: string): TableSource {
  if (as !== undefined) {
    const named = BY_NAME[as];
    if (named === undefined) {
      throw new KilnError('SOURCE_UNKNOWN', { source: `${ref.text} (as ${as})`, extensions: extensions(), schemes: schemes() });
    }
    return named;
  }
  const source = ref.scheme === 'file' ? BY_KEY[ref.extension] : BY_KEY[ref.scheme];
  if (source === undefined) throw new KilnError('SOURCE_UNKNOWN', { source: ref.text, extensions: extensions(), schemes: schemes() });
  return source;
}

function extensions(): string {
  return Object.keys(BY_KEY).filter((k) => k.startsWith('.')).join(', ');
}

function schemes(): string {
  return Object.keys(BY_KEY).filter((k) => !k.startsWith('.')).map((k) => (k === 'postgres' ? 'postgres://' : `${k}:`)).join(', ');
}
