/**
 * Serving latency and error rate over a window of the prediction log: p50/p95/p99 overall and per time
 * bucket (for the "latency over time" chart). Several rows of one request share its latency; each row
 * counts once, which weights a request by its size, as a per-row service level does.
 */
import type { PredictionRecord } from '../store/store.js';

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export interface LatencyBucket extends LatencySummary {
  /** Epoch ms of the bucket's start. */
  readonly start: number;
}

/** Linear-interpolation quantile (numpy's default) of unsorted values; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + (pos - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

export function summariseLatency(latencies: readonly number[]): LatencySummary {
  return { count: latencies.length, p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), p99: quantile(latencies, 0.99) };
}

/** Latency per equal time bucket between the first and last record (at most `buckets`, empty ones left out). */
export function latencyOverTime(records: readonly PredictionRecord[], buckets = 20): LatencyBucket[] {
  if (records.length === 0) return [];
  let first = Infinity;
  let last = -Infinity;
  for (const r of records) {
    first = Math.min(first, r.timestamp);
    last = Math.max(last, r.timestamp);
  }
  const width = Math.max(1, Math.ceil((last - first + 1) / buckets));
  const groups = new Map<number, number[]>();
  for (const r of records) {
    const k = Math.floor((r.timestamp - first) / width);
    const group = groups.get(k) ?? [];
    group.push(r.latencyMs);
    groups.set(k, group);
  }
  return [...groups].sort((a, b) => a[0] - b[0]).map(([k, values]) => ({ start: first + k * width, ...summariseLatency(values) }));
}

/**
 * The share of records that failed (logged with an `error` code), or null for no records. Failed requests
 * are logged by the server for exactly this; a log written before that holds successes only (rate 0).
 */
export function errorRate(records: readonly PredictionRecord[]): number | null {
  if (records.length === 0) return null;
  let failed = 0;
  for (const r of records) if (r.error !== undefined) failed++;
  return failed / records.length;
}
