/**
 * The prediction log writer: every served row goes to the store for monitoring (drift, accuracy), but
 * never at the cost of a response.
 *
 * `record()` only appends to an in-memory buffer; writing happens later, in batches, on a timer
 * (`flushIntervalMs`) or as soon as a full batch (`maxBatchSize`) is waiting, one batch at a time so a
 * slow store sees a steady trickle rather than a pile of concurrent writes. The log is best-effort
 * monitoring data, so when the store falls far behind the buffer is bounded (`maxBuffered`): the oldest
 * records are dropped, counted and reported in a warning, and a batch the store refuses is dropped and
 * reported too (retrying it could jam every later batch behind a record the store will never accept).
 * Nothing here throws into the server. `close()` writes what is left.
 *
 * Sampling (`sampleRate`, 0..1) is decided per request, before any record is built, by a hash of the
 * request id: a request is logged whole or not at all, the same request id gets the same answer on every
 * replica (so a shadow answer is logged exactly when its champion's is), and feedback can only refer to
 * logged requests. Failed requests are always logged (the caller records them without asking), so the
 * error rate is measured on every request.
 */
import type { Logger } from 'pino';
import { KilnError } from '../core/errors.js';
import type { LoggedRecord } from '../store/prediction-batch.js';
import type { Store } from '../store/store.js';
import { finalMix32 } from '../core/hash-mix.js';

/** Where served rows go. */
export interface PredictionSink {
  /** Must return at once: called on the response path. */
  record(records: readonly LoggedRecord[]): void;
}

/** The sampling decision, asked by the data plane before it builds a request's records. */
export interface PredictionSampler {
  /** Whether a request's rows are to be logged. Failures are logged without asking. */
  sampled(requestId: string): boolean;
}

export interface PredictionLoggerOptions {
  readonly store: Pick<Store, 'logPredictions'>;
  readonly logger: Logger;
  /** The longest a record waits in the buffer when traffic is light. */
  readonly flushIntervalMs?: number;
  /** Records per store write; a full batch is written without waiting for the timer. */
  readonly maxBatchSize?: number;
  /** Records held at most while the store lags; beyond that the oldest are dropped. */
  readonly maxBuffered?: number;
  /** The share of requests whose rows are logged, 0..1 (default 1: all). */
  readonly sampleRate?: number;
}

export interface PredictionLogStats {
  readonly buffered: number;
  readonly written: number;
  /** Dropped because the buffer was full or the logger was closed. */
  readonly dropped: number;
  /** Dropped because the store refused them. */
  readonly failed: number;
  /** Requests left out by sampling (requests, not rows). */
  readonly sampledOut: number;
}

/**
 * A request id's place in [0, 1): 32-bit FNV-1a over its UTF-16 code units, then MurmurHash3's finaliser,
 * without which ids that differ only in their last characters (`req-1`, `req-2`, counters) land in
 * clumps. Stable across processes and versions, so a sampling decision can be reproduced from the id alone.
 */
export function requestIdFraction(requestId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < requestId.length; i++) {
    hash ^= requestId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return finalMix32(hash) / 0x100000000;
}

/** How often at most the "dropping records" warning is repeated while the store lags. */
const DROP_WARNING_EVERY_MS = 10_000;

export class PredictionLogger implements PredictionSink, PredictionSampler {
  private readonly store: Pick<Store, 'logPredictions'>;
  private readonly logger: Logger;
  private readonly flushIntervalMs: number;
  private readonly maxBatchSize: number;
  private readonly maxBuffered: number;
  private readonly sampleRate: number;

  private buffer: LoggedRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerIsImmediate = false;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private written = 0;
  private dropped = 0;
  private failed = 0;
  private sampledOut = 0;
  private lastDropWarning = 0;

  constructor(options: PredictionLoggerOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.maxBatchSize = options.maxBatchSize ?? 1000;
    this.maxBuffered = Math.max(options.maxBuffered ?? 50_000, this.maxBatchSize);
    const rate = options.sampleRate ?? 1;
    if (!(rate >= 0 && rate <= 1)) throw new KilnError('INVALID_PARAMS', { what: 'prediction log', summary: `sampleRate must be from 0 to 1, got ${rate}` });
    this.sampleRate = rate;
  }

  sampled(requestId: string): boolean {
    if (this.sampleRate >= 1) return true;
    if (this.sampleRate > 0 && requestIdFraction(requestId) < this.sampleRate) return true;
    this.sampledOut++;
    return false;
  }

  record(records: readonly LoggedRecord[]): void {
    if (this.closed) {
      this.dropped += records.length;
      return;
    }
    for (const record of records) this.buffer.push(record);
    if (this.buffer.length > this.maxBuffered) this.dropOldest();
    this.schedule();
  }

  /** Writes everything buffered now; resolves when written (or dropped on error). Never rejects. */
  flush(): Promise<void> {
    this.clearTimer();
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
      if (this.buffer.length > 0 && !this.closed) this.schedule();
    });
    return this.flushing;
  }

  /** Stops accepting records and writes what is left. */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    if (this.flushing !== undefined) await this.flushing;
    await this.flush();
  }

  stats(): PredictionLogStats {
    return { buffered: this.buffer.length, written: this.written, dropped: this.dropped, failed: this.failed, sampledOut: this.sampledOut };
  }

  /** Arms the timer: right away when a full batch waits, else after the flush interval. */
  private schedule(): void {
    if (this.flushing !== undefined) return; // the running flush re-schedules when it ends
    const full = this.buffer.length >= this.maxBatchSize;
    if (this.timer !== undefined && (this.timerIsImmediate || !full)) return;
    this.clearTimer();
    // setTimeout(…, 0) rather than flushing here: record() runs on the response path and must not write.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, full ? 0 : this.flushIntervalMs);
    this.timer.unref();
    this.timerIsImmediate = full;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Takes the whole buffer and writes it batch by batch; records arriving meanwhile wait for the next flush. */
  private async drain(): Promise<void> {
    const pending = this.buffer;
    this.buffer = [];
    let failed = 0;
    let firstError: unknown;
    for (let start = 0; start < pending.length; start += this.maxBatchSize) {
      const batch = pending.slice(start, start + this.maxBatchSize);
      try {
        await this.store.logPredictions(batch);
        this.written += batch.length;
      } catch (err) {
        failed += batch.length;
        firstError ??= err;
      }
    }
    if (failed > 0) {
      this.failed += failed;
      this.logger.error({ err: firstError, records: failed, totalFailed: this.failed }, 'could not write prediction records to the store; they are dropped');
    }
  }

  /**
   * Drops the oldest records down to three quarters of the bound. Dropping a quarter at once (rather
   * than one record per call) keeps the cost of a saturated buffer low per request.
   */
  private dropOldest(): void {
    const excess = this.buffer.length - Math.floor(this.maxBuffered * 0.75);
    this.buffer.splice(0, excess);
    this.dropped += excess;
    const now = Date.now();
    if (now - this.lastDropWarning >= DROP_WARNING_EVERY_MS) {
      this.lastDropWarning = now;
      this.logger.warn(
        { dropped: excess, totalDropped: this.dropped, maxBuffered: this.maxBuffered },
        'the store is not keeping up with the prediction log; the oldest records are dropped',
      );
    }
  }
}
