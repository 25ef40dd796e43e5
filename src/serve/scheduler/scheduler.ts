/**
 * The per-model scheduler (Triton's dynamic batcher), implemented once for every model and declared per
 * model by its configuration:
 *
 *   - requests wait in one queue per priority level (level 1 is served first);
 *   - whenever an instance is free, the scheduler forms a batch from the head of the queues: as many
 *     whole requests as fit in max_batch_size, stacking only requests whose shapes agree past the batch
 *     dimension;
 *   - with preferred batch sizes, or a max queue delay, it may wait (at most max_queue_delay µs, counted
 *     from the oldest request's arrival) for a fuller batch; with neither, it sends what is queued at once,
 *     so batches grow by themselves exactly when instances are busy;
 *   - without dynamic batching every request runs alone, in arrival order;
 *   - a full queue (max_queue_size) refuses new requests with QUEUE_FULL (503); a request that waited past
 *     its timeout is refused with REQUEST_TIMEOUT (503) and never runs.
 *
 * `drain()` stops taking requests and resolves when every accepted one has been answered, which is how a
 * model is unloaded or replaced without losing requests.
 */
import { KilnError } from '../../core/errors.js';
import type { DynamicBatching } from '../model-config.js';
import type { ModelStatistics } from '../statistics.js';
import { canJoin, joinFeeds, splitOutputs, type Feeds } from './batch-tensors.js';
import { InstanceDiedError, type ModelInstance as Instance } from './instance.js';

export interface SchedulerOptions {
  /** `name:version`, for error messages. */
  readonly model: string;
  /** 0 = the model has no batch dimension: requests never merge. */
  readonly maxBatchSize: number;
  /** Absent = no dynamic batching. */
  readonly batching?: DynamicBatching;
  readonly instances: readonly Instance[];
  readonly statistics: ModelStatistics;
}

export interface Submission {
  readonly feeds: Feeds;
  /** Rows in this request (its batch dimension), 1 for models without one. */
  readonly rows: number;
  /** 1 = highest; absent = the model's default level. */
  readonly priority?: number;
  /** Longest wait in the queue, in microseconds; absent = the model's default. */
  readonly timeoutMicroseconds?: number;
}

interface Pending {
  readonly feeds: Feeds;
  readonly rows: number;
  readonly arrivedNs: bigint;
  /** performance.now() deadline, or Infinity. */
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly resolve: (outputs: Feeds) => void;
  readonly reject: (err: Error) => void;
}

export class Scheduler {
  private readonly model: string;
  private readonly maxBatchSize: number;
  private readonly batching: DynamicBatching | undefined;
  private readonly statistics: ModelStatistics;
  /** The model's instances (read by diagnostics and tests). */
  readonly instances: readonly Instance[];
  private readonly idle: Instance[];
  /** One FIFO per priority level; index 0 is level 1. */
  private readonly queues: Pending[][];
  private queued = 0;
  private running = 0;
  private accepting = true;
  private delayTimer: NodeJS.Timeout | undefined;
  private timeoutTimer: NodeJS.Timeout | undefined;
  private drained: (() => void) | undefined;

  constructor(options: SchedulerOptions) {
    this.model = options.model;
    this.maxBatchSize = options.maxBatchSize;
    this.batching = options.maxBatchSize > 0 ? options.batching : undefined;
    this.statistics = options.statistics;
    this.instances = options.instances;
    this.idle = [...options.instances];
    this.queues = Array.from({ length: Math.max(1, this.batching?.priorityLevels ?? 0) }, () => []);
  }

  get queueLength(): number {
    return this.queued;
  }

  get inFlight(): number {
    return this.running;
  }

  submit(submission: Submission): Promise<Feeds> {
    if (!this.accepting) return Promise.reject(new KilnError('MODEL_UNAVAILABLE', { model: this.model, reason: 'it is being unloaded' }));
    if (this.maxBatchSize > 0 && submission.rows > this.maxBatchSize) {
      return Promise.reject(
        new KilnError('INPUT_SHAPE', { input: '(batch)', got: `a batch of ${submission.rows}`, expected: `at most max_batch_size = ${this.maxBatchSize} rows per request` }),
      );
    }
    const policy = this.batching?.defaultQueuePolicy;
    if (policy !== undefined && policy.maxQueueSize > 0 && this.queued >= policy.maxQueueSize) {
      return Promise.reject(new KilnError('QUEUE_FULL', { model: this.model, queued: this.queued }));
    }
    let level: number;
    try {
      level = this.priorityLevel(submission.priority);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const timeoutUs =
      submission.timeoutMicroseconds !== undefined && (policy?.allowTimeoutOverride ?? true) ? submission.timeoutMicroseconds : (policy?.defaultTimeoutMicroseconds ?? 0);
    return new Promise<Feeds>((resolve, reject) => {
      const pending: Pending = {
        feeds: submission.feeds,
        rows: submission.rows,
        arrivedNs: process.hrtime.bigint(),
        deadline: timeoutUs > 0 ? performance.now() + timeoutUs / 1000 : Infinity,
        timeoutMs: timeoutUs / 1000,
        resolve,
        reject,
      };
      (this.queues[level - 1] as Pending[]).push(pending);
      this.queued++;
      this.dispatch();
      if (pending.deadline !== Infinity) this.armTimeout();
    });
  }

  /** Stops taking requests; resolves once every accepted request has been answered. */
  drain(): Promise<void> {
    this.accepting = false;
    if (this.queued === 0 && this.running === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const previous = this.drained;
      this.drained = () => {
        previous?.();
        resolve();
      };
    });
  }

  /** Drains, then stops the instances. */
  async close(): Promise<void> {
    await this.drain();
    clearTimeout(this.delayTimer);
    clearTimeout(this.timeoutTimer);
    await Promise.all(this.instances.map((i) => i.close()));
  }

  private priorityLevel(requested: number | undefined): number {
    const levels = this.queues.length;
    if (levels === 1) return 1;
    const fallback = this.batching?.defaultPriorityLevel || Math.ceil(levels / 2);
    if (requested === undefined || requested === 0) return fallback;
    if (!Number.isInteger(requested) || requested < 1 || requested > levels) {
      throw new KilnError('MALFORMED_REQUEST', { reason: `parameter "priority" must be an integer from 1 (highest) to ${levels}, got ${requested}` });
    }
    return requested;
  }

  /** Sends batches to idle instances while there is work and a reason not to wait. */
  private dispatch(): void {
    while (this.idle.length > 0 && this.queued > 0) {
      this.rejectExpired();
      if (this.queued === 0) break;
      const batch = this.takeBatch();
      if (batch === undefined) return; // waiting for a fuller batch; a timer calls back
      const instance = this.idle.pop() as Instance;
      void this.execute(instance, batch);
    }
    this.settleDrain();
  }

  /** The next batch, or undefined when it is better to wait for more requests. */
  private takeBatch(): Pending[] | undefined {
    const batching = this.batching;
    if (batching === undefined) return [this.shift() as Pending];

    // What could be sent now: whole requests in priority order, compatible with the first, within the limit.
    const candidates: Pending[] = [];
    let rows = 0;
    for (const queue of this.queues) {
      for (const pending of queue) {
        if (rows + pending.rows > this.maxBatchSize) break;
        if (candidates.length > 0 && !canJoin((candidates[0] as Pending).feeds, pending.feeds)) continue;
        candidates.push(pending);
        rows += pending.rows;
      }
    }
    const preferred = batching.preferredBatchSizes;
    const full = rows >= this.maxBatchSize || preferred.includes(rows) || (preferred.length > 0 && rows >= Math.max(...preferred));
    const oldest = this.oldestArrival();
    const waitedUs = Number(process.hrtime.bigint() - oldest) / 1000;
    const mayWait = batching.maxQueueDelayMicroseconds > 0 || preferred.length > 0;
    if (!full && mayWait && waitedUs < batching.maxQueueDelayMicroseconds) {
      this.armDelay(batching.maxQueueDelayMicroseconds - waitedUs);
      return undefined;
    }
    // Prefer the largest preferred size that fits, when there is one and the batch is not full.
    let take = candidates;
    if (!full && preferred.length > 0) {
      const target = Math.max(0, ...preferred.filter((p) => p <= rows));
      if (target > 0) {
        take = [];
        let sum = 0;
        for (const c of candidates) {
          if (sum + c.rows > target) break;
          take.push(c);
          sum += c.rows;
        }
        if (take.length === 0) take = candidates;
      }
    }
    for (const pending of take) this.remove(pending);
    return take;
  }

  private async execute(instance: Instance, batch: Pending[]): Promise<void> {
    this.running += batch.length;
    const now = process.hrtime.bigint();
    for (const pending of batch) this.statistics.recordQueue(Number(now - pending.arrivedNs));
    try {
      const feeds = joinFeeds(batch.map((p) => p.feeds));
      const rows = batch.reduce((sum, p) => sum + p.rows, 0);
      const result = await instance.run(feeds, batch.length > 1); // joined arrays are this batch's own
      this.statistics.recordBatch(rows, result.computeNs);
      const parts = splitOutputs(result.outputs, batch.map((p) => p.rows));
      batch.forEach((pending, i) => pending.resolve(parts[i] as Feeds));
    } catch (err) {
      const failure =
        err instanceof InstanceDiedError
          ? new KilnError('MODEL_INSTANCE_DIED', { model: this.model, reason: err.message }, { cause: err })
          : new KilnError('INFERENCE_FAILED', { model: this.model, reason: (err as Error).message }, { cause: err });
      for (const pending of batch) pending.reject(failure);
    } finally {
      this.running -= batch.length;
      this.idle.push(instance);
      this.dispatch();
    }
  }

  private shift(): Pending | undefined {
    for (const queue of this.queues) {
      const pending = queue.shift();
      if (pending !== undefined) {
        this.queued--;
        return pending;
      }
    }
    return undefined;
  }

  private remove(pending: Pending): void {
    for (const queue of this.queues) {
      const i = queue.indexOf(pending);
      if (i >= 0) {
        queue.splice(i, 1);
        this.queued--;
        return;
      }
    }
  }

  private oldestArrival(): bigint {
    let oldest: bigint | undefined;
    for (const queue of this.queues) {
      const head = queue[0];
      if (head !== undefined && (oldest === undefined || head.arrivedNs < oldest)) oldest = head.arrivedNs;
    }
    return oldest ?? process.hrtime.bigint();
  }

  private armDelay(microseconds: number): void {
    if (this.delayTimer !== undefined) return;
    this.delayTimer = setTimeout(() => {
      this.delayTimer = undefined;
      this.dispatch();
    }, Math.max(0, microseconds / 1000));
  }

  /** Wakes up at the earliest deadline so that a request that times out is answered even when nothing moves. */
  private armTimeout(): void {
    clearTimeout(this.timeoutTimer);
    let earliest = Infinity;
    for (const queue of this.queues) for (const p of queue) earliest = Math.min(earliest, p.deadline);
    if (earliest === Infinity) return;
    this.timeoutTimer = setTimeout(() => {
      this.timeoutTimer = undefined;
      this.rejectExpired();
      this.armTimeout();
      this.settleDrain();
    }, Math.max(0, earliest - performance.now()) + 1);
  }

  private rejectExpired(): void {
    const now = performance.now();
    for (const queue of this.queues) {
      for (let i = 0; i < queue.length; ) {
        const pending = queue[i] as Pending;
        if (pending.deadline <= now) {
          queue.splice(i, 1);
          this.queued--;
          pending.reject(new KilnError('REQUEST_TIMEOUT', { model: this.model, timeoutMs: pending.timeoutMs }));
        } else i++;
      }
    }
  }

  private settleDrain(): void {
    if (this.drained !== undefined && this.queued === 0 && this.running === 0) {
      const done = this.drained;
      this.drained = undefined;
      done();
    }
  }
}
