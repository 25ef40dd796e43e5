/**
 * What every recommender's training loop shares: seeded initial factors, the cancellation check
 * between epochs (which also yields to the event loop, so that an abort signalled from a timer or a
 * request arrives), and the rating-error summaries reported as training and validation loss.
 */
import { KilnError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { IndexedPairs } from './interactions.js';

/** n × factors values drawn from N(0, std²). */
export function randomFactors(n: number, factors: number, std: number, rng: Rng): Float64Array {
  const out = new Float64Array(n * factors);
  for (let k = 0; k < out.length; k++) out[k] = std * rng.normal();
  return out;
}

/** Throws CANCELLED when the signal has aborted; otherwise lets pending events run first. */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'training' });
}

/** Root mean squared error of `predict` on the pairs whose user and item are both known (NaN if none). */
export function pairsRmse(pairs: IndexedPairs, predict: (u: number, i: number) => number): number {
  let sum = 0;
  let n = 0;
  for (let k = 0; k < pairs.users.length; k++) {
    const u = pairs.users[k] as number;
    const i = pairs.items[k] as number;
    if (u < 0 || i < 0) continue;
    const e = (pairs.values[k] as number) - predict(u, i);
    sum += e * e;
    n++;
  }
  return n === 0 ? Number.NaN : Math.sqrt(sum / n);
}

/** Refuses parameters that cannot work with this much data, naming the parameter. */
export function requireRows(what: string, rows: number, needed: number): void {
  if (rows < needed) throw new KilnError('TOO_FEW_ROWS', { what, rows, needed });
}
