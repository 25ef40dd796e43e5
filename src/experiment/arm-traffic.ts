/**
 * What each arm of an experiment served, from the prediction log: requests, failures and latency. The
 * canary watcher judges the challenger on it; `status` shows it beside the outcome analysis.
 *
 * The log holds one record per row (`REQUEST#i` for the rows of a multi-row request, all with the
 * request's latency) and one record per failed request (with `error`). Error rate and latency are per
 * request: a 100-row batch is one answer that was fast or slow, failed or not.
 */
import { quantile } from '../monitor/latency.js';
import type { PredictionRecord } from '../store/store.js';

export type ArmName = 'champion' | 'challenger';

export interface ArmTraffic {
  readonly requests: number;
  readonly rows: number;
  readonly errors: number;
  /** errors / requests; null before the first request. */
  readonly error_rate: number | null;
  /** Latency of answered requests in milliseconds (null when none answered). */
  readonly p50_ms: number | null;
  readonly p99_ms: number | null;
}

interface RequestSummary {
  rows: number;
  latencyMs: number;
  failed: boolean;
  timestamp: number;
}

/** The request a record belongs to: rows of one request share the id before `#`. */
export function requestOf(requestId: string): string {
  const hash = requestId.lastIndexOf('#');
  return hash < 0 ? requestId : requestId.slice(0, hash);
}

/**
 * Traffic of one arm. `lastRequests` keeps only that many of the arm's most recent requests (a sliding
 * window for the canary); shadow records count for the challenger of a shadow experiment only when
 * `shadow` says so.
 */
export function armTraffic(records: readonly PredictionRecord[], arm: ArmName, options: { readonly shadow?: boolean; readonly lastRequests?: number } = {}): ArmTraffic {
  const requests = new Map<string, RequestSummary>();
  for (const r of records) {
    if (r.arm !== arm || (options.shadow !== undefined && (r.shadow === true) !== options.shadow)) continue;
    const id = requestOf(r.requestId);
    const summary = requests.get(id);
    if (summary === undefined) {
      requests.set(id, { rows: 1, latencyMs: r.latencyMs, failed: r.error !== undefined && r.error !== null, timestamp: r.timestamp });
    } else {
      summary.rows++;
      summary.failed ||= r.error !== undefined && r.error !== null;
      summary.timestamp = Math.max(summary.timestamp, r.timestamp);
    }
  }
  let kept = [...requests.values()];
  if (options.lastRequests !== undefined && kept.length > options.lastRequests) {
    kept = kept.sort((a, b) => b.timestamp - a.timestamp).slice(0, options.lastRequests);
  }
  const errors = kept.filter((s) => s.failed).length;
  const latencies = kept.filter((s) => !s.failed).map((s) => s.latencyMs);
  return {
    requests: kept.length,
    rows: kept.reduce((sum, s) => sum + s.rows, 0),
    errors,
    error_rate: kept.length === 0 ? null : errors / kept.length,
    p50_ms: latencies.length === 0 ? null : quantile(latencies, 0.5),
    p99_ms: latencies.length === 0 ? null : quantile(latencies, 0.99),
  };
}
