/**
 * The current data of a monitoring check: a window over the prediction log, by count (the last N
 * predictions) or by time (those of the last DURATION), turned into columns that line up with the
 * reference profile, plus the model's outputs (for prediction drift) and the serving latency.
 */
import { KilnError } from '../core/errors.js';
import { Frame, type Column } from '../core/frame.js';
import type { PredictionQuery, PredictionRecord, Store } from '../store/store.js';

export type MonitorWindow =
  | { readonly kind: 'count'; readonly last: number }
  /** Predictions logged between `now − sinceMs` and `now`; at most `maxRows` of the newest are read. */
  | { readonly kind: 'time'; readonly sinceMs: number; readonly maxRows?: number };

/** The default window: the last 10,000 predictions. */
export const DEFAULT_WINDOW: MonitorWindow = { kind: 'count', last: 10_000 };
/** How many of the newest predictions a time window reads at most. */
export const DEFAULT_TIME_WINDOW_ROWS = 200_000;

/** Parses `30s`, `15m`, `24h`, `7d` (or plain milliseconds) into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (m === null) throw new KilnError('INVALID_WINDOW', { reason: `"${text}" is not a duration` });
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[(m[2] ?? 'ms') as 'ms'];
  const ms = Number(m[1]) * unit;
  if (!(ms > 0)) throw new KilnError('INVALID_WINDOW', { reason: `the duration "${text}" must be positive` });
  return ms;
}

/** The window's records, oldest first. */
export async function readWindow(store: Pick<Store, 'listPredictions'>, model: string, version: number, window: MonitorWindow, now = Date.now()): Promise<PredictionRecord[]> {
  return (await store.listPredictions(windowQuery(model, version, window, now))).reverse();
}

/**
 * The store query of a window: the newest `last` predictions, or those logged in [now − since, now].
 * The same query over labelled predictions gives the window's outcomes (performance drift).
 */
export function windowQuery(model: string, version: number, window: MonitorWindow, now = Date.now()): PredictionQuery {
  if (window.kind === 'count') {
    if (!Number.isInteger(window.last) || window.last < 1) throw new KilnError('INVALID_WINDOW', { reason: `the window must be a positive whole number of predictions, got ${window.last}` });
    return { model, version, limit: window.last };
  }
  if (!(window.sinceMs > 0)) throw new KilnError('INVALID_WINDOW', { reason: `the duration must be positive, got ${window.sinceMs} ms` });
  // A duration longer than the time since 1970 (`--since 99999999999d`) means "everything": start at 0,
  // as PostgreSQL's BIGINT would refuse -8.6e27 with an internal error.
  return { model, version, since: Math.max(0, now - window.sinceMs), until: now + 1, limit: window.maxRows ?? DEFAULT_TIME_WINDOW_ROWS };
}

/** What the person typed the window with: the CLI's flags, or the HTTP API's query parameters. */
export interface WindowNames {
  readonly window: string;
  readonly since: string;
}

export const CLI_WINDOW_NAMES: WindowNames = { window: '--window', since: '--since' };
export const QUERY_WINDOW_NAMES: WindowNames = { window: '?window=', since: '?since=' };

/**
 * The window a person asked for, as text from a CLI flag or a query string: `window` (the last N
 * predictions) or `since` (a duration such as 24h), not both; neither gives the default. Errors name
 * the settings as the person wrote them (`names`): an HTTP caller has no `--window` flag.
 */
export function parseWindow(asked: { readonly window?: string | undefined; readonly since?: string | undefined }, names: WindowNames = CLI_WINDOW_NAMES): MonitorWindow {
  const invalid = (reason: string): KilnError => new KilnError('INVALID_WINDOW', { reason, window: names.window, since: names.since });
  if (asked.window !== undefined && asked.since !== undefined) throw invalid(`give either ${names.window} or ${names.since}, not both`);
  if (asked.since !== undefined) {
    try {
      return { kind: 'time', sinceMs: parseDuration(asked.since) };
    } catch (err) {
      if (err instanceof KilnError && err.code === 'INVALID_WINDOW') throw invalid(`${names.since}: ${String(err.details['reason'])}`);
      throw err;
    }
  }
  if (asked.window !== undefined) {
    const last = Number(asked.window);
    if (!Number.isInteger(last) || last < 1) throw invalid(`${names.window} must be a positive whole number, got "${asked.window}"`);
    return { kind: 'count', last };
  }
  return DEFAULT_WINDOW;
}

export function describeWindow(window: MonitorWindow): string {
  return window.kind === 'count' ? `last ${window.last.toLocaleString('en-US')} predictions` : `predictions of the last ${formatDuration(window.sinceMs)}`;
}

function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** The logged inputs as columns, by name: numbers stay numbers, anything else becomes text, null is missing. */
export function inputColumns(records: readonly PredictionRecord[]): Map<string, (string | number | null)[]> {
  return collect(records.map((r) => (isObject(r.inputs) ? r.inputs : {})));
}

/** The logged outputs flattened (see `flattenOutputs`) as columns, by name. */
export function outputColumns(records: readonly PredictionRecord[]): Map<string, (string | number | null)[]> {
  return collect(records.map((r) => flattenOutputs(r.outputs)));
}

/**
 * One prediction's outputs as flat columns: classification `{label, probabilities: {c: p}}` becomes
 * `label` and `probability[c]`; regression `{prediction}` stays `prediction`; other scalar outputs keep
 * their names. The reference profile's predictions must be built with the same names (`outputsFrame`).
 */
export function flattenOutputs(outputs: unknown): Record<string, string | number | null> {
  const flat: Record<string, string | number | null> = {};
  if (!isObject(outputs)) return flat;
  for (const [key, value] of Object.entries(outputs)) {
    if (key === 'probabilities' && isObject(value)) {
      for (const [cls, p] of Object.entries(value)) flat[`probability[${cls}]`] = typeof p === 'number' ? p : null;
    } else if (typeof value === 'number' || typeof value === 'string') {
      flat[key] = value;
    } else if (typeof value === 'boolean') {
      flat[key] = String(value);
    }
  }
  return flat;
}

/**
 * The model's outputs on the training rows as a Frame for `buildReferenceProfile({predictions})`: pass
 * one output object per row, shaped as the server answers (`{label, probabilities}` or `{prediction}`).
 */
export function outputsFrame(outputs: readonly unknown[]): Frame {
  const columns = collect(outputs.map(flattenOutputs));
  return new Frame(
    [...columns].map(([name, values]): Column =>
      values.every((v) => v === null || typeof v === 'number')
        ? { kind: 'numeric', name, values: Float64Array.from(values, (v) => (v === null ? NaN : (v as number))) }
        : { kind: 'categorical', name, values: values.map((v) => (v === null ? null : String(v))) },
    ),
  );
}

function collect(rows: readonly Record<string, unknown>[]): Map<string, (string | number | null)[]> {
  const columns = new Map<string, (string | number | null)[]>();
  rows.forEach((row, i) => {
    for (const [name, value] of Object.entries(row)) {
      let column = columns.get(name);
      if (column === undefined) {
        column = new Array<string | number | null>(rows.length).fill(null);
        columns.set(name, column);
      }
      column[i] = typeof value === 'number' ? value : value === null || value === undefined ? null : String(value);
    }
  });
  return columns;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
