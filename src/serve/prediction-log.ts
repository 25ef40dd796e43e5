/**
 * The prediction log writer: every served row goes to the store for monitoring (drift, accuracy), but
 * never at the cost of a response.
 *
 * Logging a request only appends to in-memory buffers; writing happens later, in batches, on a timer
 * (`flushIntervalMs`) or as soon as a full batch (`maxBatchSize`) is waiting, one batch at a time so a
 * slow store sees a steady trickle rather than a pile of concurrent writes. The log is best-effort
 * monitoring data, so when the store falls far behind the buffer is bounded (`maxBuffered`): the oldest
 * records are dropped, counted and reported in a warning, and a batch the store refuses is dropped and
 * reported too (retrying it could jam every later batch behind a record the store will never accept).
 * Nothing here throws into the server. `close()` writes what is left.
 *
 * A served request of a Kiln module (`served()`) and a failed one (`failed()`) go into the column buffer
 * of their model version and experiment (prediction-log-columns.ts): a few numeric writes, no objects per
 * row. At a flush the buffers are handed over whole: to the writer thread (moved, not copied), which
 * makes the stored batches from them, or, with no writer thread, read back as records here and written
 * to the store. Records given whole (`record()`, for tools and tests) wait beside the buffers.
 *
 * Sampling (`sampleRate`, 0..1) is decided per request, before any record is built, by a hash of the
 * request id: a request is logged whole or not at all, the same request id gets the same answer on every
 * replica (so a shadow answer is logged exactly when its champion's is), and feedback can only refer to
 * logged requests. Failed requests are always logged (the caller records them without asking), so the
 * error rate is measured on every request.
 */
import type { Logger } from 'pino';
import { KilnError } from '../core/errors.js';
import { finalMix32 } from '../core/hash-mix.js';
import type { LoggedRecord } from '../store/prediction-batch.js';
import type { ExperimentArm, Store } from '../store/store.js';
import { rowInputsJson, rowOutputJsonReader, rowOutputLayout, type DecodedBatch, type ModelOutputs, type RowOutputLayout } from './batch.js';
import type { LoadedModel } from './loaded-model.js';
import { ColumnBuffer, type LoggedColumns } from './prediction-log-columns.js';
import { columnsToRecords } from './prediction-log-encode.js';

/** Who asked and, for A/B-routed requests, which experiment and arm answered (the data plane's RequestContext fits). */
export interface LoggedContext {
  readonly userKey?: string | undefined;
  readonly experiment?: { readonly experiment: string; readonly arm: ExperimentArm; readonly shadow?: true } | undefined;
}

/** A failed request, logged as one record with its error code and no inputs or outputs. */
export interface FailedRequest extends LoggedContext {
  readonly model: string;
  readonly version: number;
  readonly requestId: string;
  readonly latencyMs: number;
  /** The error's code (KilnError code, or INTERNAL). */
  readonly error: string;
}

/** Where served rows go. Every method must return at once: they are called on the response path. */
export interface PredictionSink {
  /** A served request of a Kiln module: its rows' inputs and answers. */
  served(model: LoadedModel, batch: DecodedBatch, outputs: ModelOutputs, requestId: string, latencyMs: number, context: LoggedContext): void;
  /** A failed request (failures are logged whatever the sampling). */
  failed(failure: FailedRequest): void;
  /** Records given whole (tools, tests). */
  record(records: readonly LoggedRecord[]): void;
}

/**
 * Where the logger's flushes go: a store (written on this thread, record by record), or the writer
 * thread, which takes the column buffers themselves (`writeColumns`).
 */
export interface PredictionLogTarget extends Pick<Store, 'logPredictions'> {
  writeColumns?(columns: readonly LoggedColumns[], records: readonly LoggedRecord[]): Promise<void>;
}

/** The sampling decision, asked by the data plane before it builds a request's records. */
export interface PredictionSampler {
  /** Whether a request's rows are to be logged. Failures are logged without asking. */
  sampled(requestId: string): boolean;
}

export interface PredictionLoggerOptions {
  readonly store: PredictionLogTarget;
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
  private readonly store: PredictionLogTarget;
  private readonly logger: Logger;
  private readonly flushIntervalMs: number;
  private readonly maxBatchSize: number;
  private readonly maxBuffered: number;
  private readonly sampleRate: number;

  /** Column buffers in the order they were opened (one open buffer per model version, experiment and layout). */
  private buffers: ColumnBuffer[] = [];
  /** The buffer the last request went to: most requests go to the same one. */
  private last: ColumnBuffer | undefined;
  private records: LoggedRecord[] = [];
  /** Records waiting in the buffers and in `records`. */
  private buffered = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerIsImmediate = false;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private written = 0;
  private dropped = 0;
  private failedRecords = 0;
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

  served(model: LoadedModel, batch: DecodedBatch, outputs: ModelOutputs, requestId: string, latencyMs: number, context: LoggedContext): void {
    const rows = batch.rows;
    if (rows === 0) return;
    if (this.closed) {
      this.dropped += rows;
      return;
    }
    const layout = rowOutputLayout(model, outputs, rows);
    if (layout === undefined) {
      // an answer whose elements do not divide into rows (not a module's): logged as text, as rowOutputJsonReader reads it
      this.record(textRecords(model, batch, outputs, requestId, latencyMs, context));
      return;
    }
    const experiment = context.experiment;
    const buffer = this.bufferFor(model.name, model.version, experiment?.experiment ?? null, batch, layout);
    buffer.appendServed(batch, outputs, layout, requestId, Date.now(), latencyMs, { userKey: context.userKey, arm: experiment?.arm, shadow: experiment?.shadow });
    this.added(rows);
  }

  failed(failure: FailedRequest): void {
    if (this.closed) {
      this.dropped += 1;
      return;
    }
    const experiment = failure.experiment;
    const buffer = this.bufferFor(failure.model, failure.version, experiment?.experiment ?? null, undefined, undefined);
    buffer.appendFailure(failure.requestId, Date.now(), failure.latencyMs, { userKey: failure.userKey, arm: experiment?.arm, shadow: experiment?.shadow }, failure.error);
    this.added(1);
  }

  record(records: readonly LoggedRecord[]): void {
    if (this.closed) {
      this.dropped += records.length;
      return;
    }
    for (const record of records) this.records.push(record);
    this.added(records.length);
  }

  /** Writes everything buffered now; resolves when written (or dropped on error). Never rejects. */
  flush(): Promise<void> {
    this.clearTimer();
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
      if (this.buffered > 0 && !this.closed) this.schedule();
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
    return { buffered: this.buffered, written: this.written, dropped: this.dropped, failed: this.failedRecords, sampledOut: this.sampledOut };
  }

  /**
   * The open buffer for a model version and experiment that takes rows of this layout (any, for a
   * failure). A buffer whose layout differs is closed to new rows and written at the next flush, before
   * the new one.
   */
  private bufferFor(model: string, version: number, experiment: string | null, batch: DecodedBatch | undefined, layout: RowOutputLayout | undefined): ColumnBuffer {
    const last = this.last;
    if (last !== undefined && last.holds(model, version, experiment) && (layout === undefined || last.accepts(batch as DecodedBatch, layout))) return last;
    // (a loop, not find() with an arrow function: this runs per request, and a closure per call costs)
    let buffer: ColumnBuffer | undefined;
    for (const b of this.buffers) if (b.holds(model, version, experiment)) buffer = b;
    if (buffer !== undefined && layout !== undefined && !buffer.accepts(batch as DecodedBatch, layout)) {
      buffer.open = false;
      buffer = undefined;
    }
    if (buffer === undefined) {
      buffer = new ColumnBuffer(model, version, experiment);
      this.buffers.push(buffer);
    }
    this.last = buffer;
    return buffer;
  }

  private added(records: number): void {
    this.buffered += records;
    if (this.buffered > this.maxBuffered) this.dropOldest();
    this.schedule();
  }

  /** Arms the timer: right away when a full batch waits, else after the flush interval. */
  private schedule(): void {
    if (this.flushing !== undefined) return; // the running flush re-schedules when it ends
    const full = this.buffered >= this.maxBatchSize;
    if (this.timer !== undefined && (this.timerIsImmediate || !full)) return;
    this.clearTimer();
    // setTimeout(…, 0) rather than flushing here: this runs on the response path and must not write.
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

  /** Takes everything buffered and writes it; records arriving meanwhile wait for the next flush. */
  private async drain(): Promise<void> {
    const columns = this.buffers.filter((b) => b.records > 0).map((b) => b.seal());
    const records = this.records;
    const count = this.buffered;
    this.buffers = [];
    this.last = undefined;
    this.records = [];
    this.buffered = 0;
    if (count === 0) return;
    let failed = 0;
    let firstError: unknown;
    if (this.store.writeColumns !== undefined) {
      try {
        await this.store.writeColumns(columns, records);
        this.written += count;
      } catch (err) {
        failed = count;
        firstError = err;
      }
    } else {
      // no writer thread: the buffers are read back as records here, and written batch by batch
      const pending = [...columns.flatMap(columnsToRecords), ...records];
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
    }
    if (failed > 0) {
      this.failedRecords += failed;
      this.logger.error({ err: firstError, records: failed, totalFailed: this.failedRecords }, 'could not write prediction records to the store; they are dropped');
    }
  }

  /**
   * Drops the oldest records down to three quarters of the bound: records given whole first, then each
   * buffer's oldest requests, buffers in the order they were opened. Dropping a quarter at once (rather
   * than one record per call) keeps the cost of a saturated buffer low per request.
   */
  private dropOldest(): void {
    const excess = this.buffered - Math.floor(this.maxBuffered * 0.75);
    let dropped = Math.min(excess, this.records.length);
    this.records.splice(0, dropped);
    for (const buffer of this.buffers) {
      if (dropped >= excess) break;
      dropped += buffer.dropOldest(excess - dropped);
    }
    this.buffered -= dropped;
    this.dropped += dropped;
    const now = Date.now();
    if (now - this.lastDropWarning >= DROP_WARNING_EVERY_MS) {
      this.lastDropWarning = now;
      this.logger.warn(
        { dropped, totalDropped: this.dropped, maxBuffered: this.maxBuffered },
        'the store is not keeping up with the prediction log; the oldest records are dropped',
      );
    }
  }
}

/** A request's rows as records with their inputs and outputs as JSON text (the path for answers without a row layout). */
function textRecords(model: LoadedModel, batch: DecodedBatch, outputs: ModelOutputs, requestId: string, latencyMs: number, context: LoggedContext): LoggedRecord[] {
  const timestamp = Date.now();
  const rowOutputs = rowOutputJsonReader(model, outputs, batch.rows);
  const { userKey, experiment } = context;
  return Array.from({ length: batch.rows }, (_, i) => ({
    requestId: batch.rows === 1 ? requestId : `${requestId}#${i}`,
    model: model.name,
    version: model.version,
    timestamp,
    latencyMs,
    inputsJson: rowInputsJson(batch, i),
    outputsJson: rowOutputs(i),
    ...(userKey === undefined ? {} : { userKey }),
    ...(experiment === undefined ? {} : { experiment: experiment.experiment, arm: experiment.arm, ...(experiment.shadow === true ? { shadow: true } : {}) }),
  }));
}
