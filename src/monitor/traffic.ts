/**
 * Traffic over time: how many predictions (rows) were served per hour of a window, and how many of them
 * failed — the "traffic" and "error rate over time" charts of the monitoring page.
 */
import type { PredictionRecord } from '../store/store.js';

export interface TrafficBucket {
  /** Epoch ms of the hour's start (UTC). */
  readonly start: number;
  readonly predictions: number;
  readonly errors: number;
}

const HOUR_MS = 3_600_000;
/** Hours shown at most (the newest ones): a month. */
export const MAX_TRAFFIC_HOURS = 24 * 31;

/** Per UTC hour from the first record's hour to the last one's, quiet hours included as zeros. */
export function trafficPerHour(records: readonly PredictionRecord[]): TrafficBucket[] {
  if (records.length === 0) return [];
  let first = Infinity;
  let last = -Infinity;
  for (const r of records) {
    first = Math.min(first, r.timestamp);
    last = Math.max(last, r.timestamp);
  }
  const lastHour = Math.floor(last / HOUR_MS) * HOUR_MS;
  const firstHour = Math.max(Math.floor(first / HOUR_MS) * HOUR_MS, lastHour - (MAX_TRAFFIC_HOURS - 1) * HOUR_MS);
  const hours = (lastHour - firstHour) / HOUR_MS + 1;
  const predictions = new Array<number>(hours).fill(0);
  const errors = new Array<number>(hours).fill(0);
  for (const r of records) {
    const k = Math.floor((r.timestamp - firstHour) / HOUR_MS);
    if (k < 0) continue;
    predictions[k] = (predictions[k] ?? 0) + 1;
    if (r.error !== undefined) errors[k] = (errors[k] ?? 0) + 1;
  }
  return predictions.map((n, k) => ({ start: firstHour + k * HOUR_MS, predictions: n, errors: errors[k] ?? 0 }));
}
