/**
 * Where CLI output goes. With `--json`, stdout carries exactly one JSON document (the result, or the
 * error) and nothing else; human-readable output, progress and logs go to stderr.
 */
import { asKilnError, type KilnError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

export interface Output {
  readonly json: boolean;
  /** The command's result: JSON on stdout with --json, else the human text on stderr. */
  result(data: unknown, human: () => string): void;
  /** A line for people (stderr); silent with --json. */
  info(line: string): void;
}

/** Whether this process has printed its result or its error, so that an interruption adds no second one. */
let printed = false;
export const hasPrintedOutcome = (): boolean => printed;

export function createOutput(json: boolean): Output {
  return {
    json,
    result(data, human) {
      printed = true;
      if (json) process.stdout.write(JSON.stringify(data, null, 2) + '\n');
      else process.stderr.write(human() + '\n');
    },
    info(line) {
      if (!json) process.stderr.write(line + '\n');
    },
  };
}

/**
 * Fields a verb puts beside `error` in its --json error document, by the error it throws: what it had
 * already said on stderr before failing (train: the notes on how reading the data changed values), so
 * that the one document says it too. Errors still become documents and exit codes in one place.
 */
const ERROR_DOCUMENT_FIELDS = new WeakMap<object, Record<string, unknown>>();

/** `err`, with `fields` to add to its --json error document (nothing is kept for an empty `fields`). */
export function withErrorDocumentFields(err: unknown, fields: Record<string, unknown>): unknown {
  if (typeof err === 'object' && err !== null && Object.keys(fields).length > 0) {
    ERROR_DOCUMENT_FIELDS.set(err, { ...ERROR_DOCUMENT_FIELDS.get(err), ...fields });
  }
  return err;
}

/** Shows an error the way a user should see it (never a stack trace) and returns the exit code. */
export function reportError(err: unknown, json: boolean, logger?: Logger): number {
  const error: KilnError = asKilnError(err);
  printed = true;
  if (error.code === 'INTERNAL') logger?.error({ err }, 'internal error');
  if (json) {
    const fields = typeof err === 'object' && err !== null ? ERROR_DOCUMENT_FIELDS.get(err) : undefined;
    process.stdout.write(JSON.stringify({ error: error.toJSON(), ...fields }, null, 2) + '\n');
  } else {
    const lines = [`error [${error.code}]: ${error.message}`];
    // a single problem the message already states would only be said twice
    const repeated = error.problems.length === 1 && error.message.includes(error.problems[0]?.message ?? '');
    if (!repeated) for (const p of error.problems) lines.push(`  - ${p.path ? `${p.path}: ` : ''}${p.message}`);
    const hint = error.hint;
    if (hint !== undefined) lines.push(`  hint: ${hint}`);
    process.stderr.write(lines.join('\n') + '\n');
  }
  return error.exitCode;
}

/** A plain text table with aligned columns. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, j) => c.padEnd(widths[j] ?? 0)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Training and held-out scores side by side, one row per metric the held-out part has (4 decimals). */
export function metricsTable(metrics: { readonly train: Readonly<Record<string, number>>; readonly test: Readonly<Record<string, number>> }, testHeading: string): string {
  const fmt = (v: number | undefined) => (v === undefined ? '' : v.toFixed(4));
  return table(['metric', 'train', testHeading], Object.keys(metrics.test).map((n) => [n, fmt(metrics.train[n]), fmt(metrics.test[n])]));
}

/**
 * "key  value" lines with the values lined up, as a summary's section shows facts about one thing;
 * a pair whose value is undefined is left out, so optional facts need no branches at the call.
 */
export function fields(pairs: readonly (readonly [string, string | undefined])[], indent = '  '): string[] {
  const present = pairs.filter((p): p is readonly [string, string] => p[1] !== undefined);
  const width = Math.max(0, ...present.map(([key]) => key.length));
  return present.map(([key, value]) => `${indent}${key.padEnd(width)}  ${value}`.trimEnd());
}

/** A stored ISO time (UTC) to read: "2026-11-28 06:35", or to the second when asked; the caller says it is UTC. */
export function utcTime(iso: string, precision: 'minute' | 'second' = 'minute'): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const text = new Date(t).toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, precision === 'minute' ? 16 : 19)}`;
}
