/**
 * Retention of the prediction log: a periodic pruning that keeps the log within an age (`retentionDays`)
 * and a size (`maxRows`), so that a long-running server does not fill its disk with monitoring data.
 *
 * Every `intervalMs` (and once shortly after start), it deletes the predictions older than the age limit,
 * then, when more than `maxRows` remain, the oldest ones down to `maxRows`. The store deletes by time
 * (`deletePredictions({before})`), so the size cut-off is the time before which exactly the excess lies:
 * found by bisecting on `countPredictions({until})`, whose counts cover only the old rows being cut,
 * small when pruning runs often. Rows sharing the cut-off millisecond go together, so a prune may take
 * a few more than the excess.
 *
 * Like the writer, it never throws into the server: a failed prune is logged and retried next time.
 */
import type { Logger } from 'pino';
import { KilnError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { PeriodicTask } from '../core/periodic-task.js';

export interface PredictionRetentionOptions {
  readonly store: Pick<Store, 'deletePredictions' | 'countPredictions'>;
  readonly logger: Logger;
  /** Predictions older than this many days are deleted; absent = no age limit. */
  readonly retentionDays?: number;
  /** At most this many predictions are kept (the newest); absent = no size limit. */
  readonly maxRows?: number;
  /** Time between prunes (default one minute). */
  readonly intervalMs?: number;
}

export interface PruneResult {
  /** Deleted for being older than `retentionDays`. */
  readonly byAge: number;
  /** Deleted to bring the log down to `maxRows`. */
  readonly bySize: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The first prune waits this long after start, so it does not compete with loading the models. */
const FIRST_PRUNE_DELAY_MS = 5_000;

export class PredictionRetention {
  private readonly store: PredictionRetentionOptions['store'];
  private readonly logger: Logger;
  private readonly maxAgeMs: number | undefined;
  private readonly maxRows: number | undefined;
  private readonly intervalMs: number;
  private readonly task: PeriodicTask<PruneResult>;
  /** The clock a `prune(now)` call asks for (tests), read by the next pass. */
  private pruneAt: number | undefined;
  private stopped = false;
  private deleted = 0;

  constructor(options: PredictionRetentionOptions) {
    const bad = (summary: string): never => {
      throw new KilnError('INVALID_PARAMS', { what: 'prediction log retention', summary });
    };
    if (options.retentionDays !== undefined && !(options.retentionDays > 0)) bad(`retentionDays must be a positive number of days, got ${options.retentionDays}`);
    if (options.maxRows !== undefined && !(Number.isInteger(options.maxRows) && options.maxRows >= 0)) bad(`maxRows must be a whole number ≥ 0, got ${options.maxRows}`);
    if (options.intervalMs !== undefined && !(options.intervalMs > 0)) bad(`intervalMs must be positive, got ${options.intervalMs}`);
    this.store = options.store;
    this.logger = options.logger;
    this.maxAgeMs = options.retentionDays === undefined ? undefined : options.retentionDays * DAY_MS;
    this.maxRows = options.maxRows;
    this.intervalMs = options.intervalMs ?? 60_000;
    this.task = new PeriodicTask(() => this.pruneAndReport(), {
      intervalMs: this.intervalMs,
      firstDelayMs: Math.min(FIRST_PRUNE_DELAY_MS, this.intervalMs),
      onError: (err) => this.logger.error({ err }, 'could not prune the prediction log; trying again later'),
    });
  }

  /** Whether there is anything to enforce. */
  get active(): boolean {
    return this.maxAgeMs !== undefined || this.maxRows !== undefined;
  }

  /** Starts the periodic pruning (the timers do not keep the process alive). */
  start(): void {
    if (!this.active || this.stopped) return;
    this.task.start();
  }

  /** Stops the pruning; resolves once a prune in progress has finished. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.task.stop();
  }

  /** Predictions deleted since start. */
  get totalDeleted(): number {
    return this.deleted;
  }

  /** Prunes now (one prune at a time: a call while one runs gets that one's result). */
  prune(now?: number): Promise<PruneResult> {
    this.pruneAt = now;
    // a pass already running has read its clock: the given one must not outlive this call
    return this.task.runNow().finally(() => (this.pruneAt = undefined));
  }

  /** The timer's pass (and `prune()`'s): prunes, then says what it removed. */
  private async pruneAndReport(): Promise<PruneResult> {
    const now = this.pruneAt ?? Date.now();
    this.pruneAt = undefined;
    const result = await this.pruneOnce(now);
    if (result.byAge + result.bySize > 0) this.logger.info({ ...result, totalDeleted: this.deleted }, 'pruned the prediction log');
    return result;
  }

  private async pruneOnce(now: number): Promise<PruneResult> {
    const byAge = this.maxAgeMs === undefined ? 0 : await this.store.deletePredictions({ before: now - this.maxAgeMs });
    let bySize = 0;
    if (this.maxRows !== undefined) {
      const excess = (await this.store.countPredictions()) - this.maxRows;
      if (excess > 0) bySize = await this.store.deletePredictions({ before: await this.cutoffFor(excess, now) });
    }
    this.deleted += byAge + bySize;
    return { byAge, bySize };
  }

  /** The earliest time `t` with at least `excess` predictions logged before it. */
  private async cutoffFor(excess: number, now: number): Promise<number> {
    // count(until t) grows with t; at now + 1 it is the whole log, which holds more than `excess`.
    let lo = 0;
    let hi = now + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await this.store.countPredictions({ until: mid })) >= excess) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
