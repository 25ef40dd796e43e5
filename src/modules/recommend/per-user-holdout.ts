/**
 * The per-user holdout a recommender is judged on: every user keeps most of their interactions for
 * training and gives their latest ones (by the `time` column) to the test, so the model is asked to
 * predict each user's next choices from their past — as it will be used. Without a time column, each
 * user's test interactions are drawn at random (seeded).
 *
 * Each user gives ceil(fraction × n_u) interactions, but always keeps at least one for training (a user
 * with a single interaction is only trained on).
 */
import { KilnError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { testSize, type Split } from '../../data/split.js';

export interface HoldoutOptions {
  readonly fraction: number;
  readonly seed: number;
  /** One time per row (e.g. epoch milliseconds); without it the held-out interactions are random. */
  readonly times?: Float64Array;
}

/** `users` holds one user key per row (any small integer). Train and test rows are in row order. */
export function perUserHoldout(users: Int32Array, options: HoldoutOptions): Split {
  const { times } = options;
  if (times !== undefined) {
    for (let r = 0; r < times.length; r++) if (!Number.isFinite(times[r] as number)) throw new KilnError('TIME_MISSING', { row: r + 1 });
  }
  const rowsOf = new Map<number, number[]>();
  for (let r = 0; r < users.length; r++) {
    const u = users[r] as number;
    let rows = rowsOf.get(u);
    if (rows === undefined) rowsOf.set(u, (rows = []));
    rows.push(r);
  }
  const rng = new Rng(options.seed);
  const isTest = new Uint8Array(users.length);
  let tested = 0;
  for (const rows of rowsOf.values()) {
    const nTest = Math.min(rows.length - 1, testSize(rows.length, options.fraction));
    if (nTest <= 0) continue;
    tested++;
    // Stable sort: interactions at the same time keep their row order.
    const ordered = times === undefined ? rng.shuffle([...rows]) : [...rows].sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
    for (const r of ordered.slice(ordered.length - nTest)) isTest[r] = 1;
  }
  if (tested === 0) throw new KilnError('RECOMMEND_TOO_FEW_USERS', { needed: 2, users: rowsOf.size, rows: users.length });
  const train: number[] = [];
  const test: number[] = [];
  for (let r = 0; r < users.length; r++) (isTest[r] === 1 ? test : train).push(r);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}
