/**
 * Training jobs inside the server: one trains at a time (training uses both cores; two at once would
 * only make both slower and starve serving), the others wait in submission order. The learning curve
 * of a registered version (its model refitted at growing sizes, version-curves.ts) is a job of the same
 * queue for the same reason. Each job keeps every event it produced, so a page opened late — or a
 * dropped connection — replays the job from the start (or from the last event it saw) before following
 * it live.
 *
 * A job never takes the server down: whatever its trainer throws becomes the job's coded failure
 * (`{code, error, hint}`), and listeners that throw (a closed connection) are dropped, never felt by
 * the training. Cancelling aborts the job's AbortSignal; training checks it between stages and inside
 * learners' loops, so a cancelled job ends `cancelled` without registering a version.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { asKilnError, KilnError } from '../../core/errors.js';
import type { LoadedSpec } from '../../modules/spec.js';
import type { CurvePoint } from '../../evaluate/curves/curve-point.js';
import type { VersionCurvesInput, VersionCurvesResult } from '../../modules/tabular/version-curves.js';
import type { TrainEvent } from '../../modules/train-events.js';
import type { ModuleTrainResult, TrainContext } from '../../modules/train-module.js';
import type { JobQueue, JobView } from './job-queue.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** SSE event names: a TrainEvent's type, a curve's `point`, or how the job ended. */
export type JobEventName = TrainEvent['type'] | 'point' | 'done' | 'failed' | 'cancelled';

/** A curves job's event: one more point of a curve (`done` of `total`). */
export interface CurvePointEvent {
  readonly type: 'point';
  readonly curve: 'size' | 'validation';
  readonly point: CurvePoint;
  readonly done: number;
  readonly total: number;
}

/** What a job does: train a spec, or draw the learning curve of a registered version. */
export type JobWork =
  | { readonly kind: 'train'; readonly loaded: LoadedSpec }
  | { readonly kind: 'curves'; readonly input: VersionCurvesInput };

export interface JobEvent {
  /** 1, 2, 3, … within the job: the SSE `id`, so a reconnecting client resumes after the last it saw. */
  readonly id: number;
  readonly event: JobEventName;
  readonly data: unknown;
}

export interface JobError {
  readonly code: string;
  readonly error: string;
  readonly hint?: string;
}

export type JobListener = (event: JobEvent) => void;

/** Runs one spec: the server passes trainModule with its store and artifacts; tests may pass a fake. */
export type JobTrainer = (loaded: LoadedSpec, ctx: Pick<TrainContext, 'onEvent' | 'signal'>) => Promise<ModuleTrainResult>;

/** Draws a version's learning curve, reporting each point. */
export type JobCurves = (
  input: VersionCurvesInput,
  ctx: { readonly signal?: AbortSignal; readonly onPoint?: (event: CurvePointEvent) => void },
) => Promise<VersionCurvesResult>;

export interface TrainingJobsOptions {
  readonly train: JobTrainer;
  /** Runs curves jobs; without it the runner takes training jobs only. */
  readonly curves?: JobCurves;
  /** The job's result document (`kiln train --json`). */
  readonly resultJson: (result: ModuleTrainResult) => Record<string, unknown>;
  readonly logger: Logger;
  /** Most jobs waiting at once (default 20). */
  readonly maxQueued?: number;
  /** Finished jobs remembered (default 100; the oldest are forgotten first). */
  readonly keepFinished?: number;
  /** Events a job keeps for replay (default 20,000; later progress events are sent live only). */
  readonly maxStoredEvents?: number;
}

/** The statuses of a job that has ended: its last event (done, failed, cancelled) says how. */
export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

export class TrainingJob {
  readonly id = randomUUID();
  readonly model: string;
  readonly submittedAt = new Date();
  status: JobStatus = 'queued';
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
  result: Record<string, unknown> | undefined;
  error: JobError | undefined;
  readonly events: JobEvent[] = [];
  readonly controller = new AbortController();
  readonly listeners = new Set<JobListener>();
  private nextEventId = 1;

  constructor(readonly work: JobWork) {
    this.model = work.kind === 'train' ? work.loaded.spec.name : work.input.model;
  }

  /** The spec the job trains, or the one the version was trained from (its learner settled). */
  get spec(): LoadedSpec['spec'] {
    return this.work.kind === 'train' ? this.work.loaded.spec : this.work.input.spec;
  }

  get finished(): boolean {
    return FINAL_STATUSES.has(this.status);
  }

  get lastEventId(): number {
    return this.nextEventId - 1;
  }

  /** Records (up to `maxStored` events) and broadcasts one event. */
  emit(event: JobEventName, data: unknown, maxStored: number): void {
    const e: JobEvent = { id: this.nextEventId++, event, data };
    if (this.events.length < maxStored || event !== 'progress') this.events.push(e);
    for (const listener of this.listeners) {
      try {
        listener(e);
      } catch {
        this.listeners.delete(listener); // a listener that fails (a closed stream) is not training's problem
      }
    }
  }
}

export class TrainingJobs implements JobQueue {
  private readonly jobs = new Map<string, TrainingJob>();
  private readonly queue: TrainingJob[] = [];
  private running: { job: TrainingJob; settled: Promise<void> } | undefined;
  private closed = false;
  private readonly maxQueued: number;
  private readonly keepFinished: number;
  private readonly maxStoredEvents: number;

  constructor(private readonly options: TrainingJobsOptions) {
    this.maxQueued = options.maxQueued ?? 20;
    this.keepFinished = options.keepFinished ?? 100;
    this.maxStoredEvents = options.maxStoredEvents ?? 20_000;
  }

  /** Queues a validated spec; it starts at once when no other job trains. */
  submit(loaded: LoadedSpec): TrainingJob {
    return this.enqueue({ kind: 'train', loaded });
  }

  /**
   * Queues the learning curve of a version. A version never changes, so while a curves job of the same
   * version waits, runs or has succeeded, that job is the answer: asking twice does not fit twice.
   */
  submitCurves(input: VersionCurvesInput): TrainingJob {
    if (this.options.curves === undefined) throw new KilnError('INTERNAL', { reason: 'this job runner was started without a curves runner' });
    const same = [...this.jobs.values()].find(
      (j) => j.work.kind === 'curves' && j.work.input.model === input.model && j.work.input.version === input.version && (j.status === 'succeeded' || !j.finished),
    );
    return same ?? this.enqueue({ kind: 'curves', input });
  }

  private enqueue(work: JobWork): TrainingJob {
    if (this.closed) throw new KilnError('SERVER_CLOSING');
    if (this.queue.length >= this.maxQueued) throw new KilnError('JOB_QUEUE_FULL', { queued: this.queue.length });
    const job = new TrainingJob(work);
    this.jobs.set(job.id, job);
    this.queue.push(job);
    if (this.running !== undefined) {
      job.emit('note', { type: 'note', message: `waiting for ${this.queue.length} job(s) ahead to finish: one job trains at a time` }, this.maxStoredEvents);
    }
    this.startNext();
    return job;
  }

  get(id: string): TrainingJob {
    const job = this.jobs.get(id);
    if (job === undefined) throw new KilnError('JOB_NOT_FOUND', { id });
    return job;
  }

  /** Newest first. */
  list(): TrainingJob[] {
    return [...this.jobs.values()].reverse();
  }

  /** Jobs ahead of a queued job (0 = next to start); undefined when it is not waiting. */
  queuePosition(job: TrainingJob): number | undefined {
    const at = this.queue.indexOf(job);
    return at < 0 ? undefined : at;
  }

  /**
   * Cancels a job: a waiting one ends `cancelled` at once; a running one is asked to stop and ends
   * `cancelled` when training has unwound (nothing registered). A finished job is JOB_FINISHED.
   */
  cancel(id: string): TrainingJob {
    const job = this.get(id);
    if (job.finished) throw new KilnError('JOB_FINISHED', { id, status: job.status });
    const at = this.queue.indexOf(job);
    if (at >= 0) {
      this.queue.splice(at, 1);
      this.finish(job, 'cancelled', { message: 'cancelled before it started' });
    } else {
      job.controller.abort(new KilnError('CANCELLED', { what: `training job ${id}` }));
    }
    return job;
  }

  /**
   * Follows a job: replays its stored events after `afterEventId`, then calls `listener` for each new
   * one. Returns the unsubscribe function; a finished job replays and needs no unsubscribing.
   */
  subscribe(job: TrainingJob, afterEventId: number, listener: JobListener): () => void {
    try {
      for (const e of job.events) if (e.id > afterEventId) listener(e);
    } catch {
      return () => {}; // a listener that fails while catching up is not followed any further
    }
    if (job.finished) return () => {};
    job.listeners.add(listener);
    return () => job.listeners.delete(listener);
  }

  /** Server shutdown: no new jobs, waiting ones cancelled, the running one aborted and waited for. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.finish(job, 'cancelled', { message: 'the server is shutting down' });
    const running = this.running;
    if (running === undefined) return;
    running.job.controller.abort(new KilnError('SERVER_CLOSING'));
    await running.settled;
  }

  private startNext(): void {
    if (this.running !== undefined || this.closed) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    this.running = { job, settled: this.run(job) };
  }

  private async run(job: TrainingJob): Promise<void> {
    job.status = 'running';
    job.startedAt = new Date();
    const signal = job.controller.signal;
    try {
      job.result = await this.work(job, signal);
      this.finish(job, 'succeeded', { result: job.result });
    } catch (err) {
      if (signal.aborted) {
        this.finish(job, 'cancelled', { message: signal.reason instanceof KilnError && signal.reason.code === 'SERVER_CLOSING' ? 'the server is shutting down' : 'cancelled' });
      } else {
        const kiln = asKilnError(err);
        if (kiln.status >= 500) this.options.logger.error({ err, job: job.id, model: job.model }, 'training job failed');
        job.error = { code: kiln.code, error: kiln.message, ...(kiln.hint === undefined ? {} : { hint: kiln.hint }) };
        this.finish(job, 'failed', { error: job.error });
      }
    } finally {
      this.running = undefined;
      this.forgetOldJobs();
      // the next job starts on a fresh tick, so a long queue never deepens the stack
      setImmediate(() => this.startNext());
    }
  }

  /** Does the job's work; its result document. */
  private async work(job: TrainingJob, signal: AbortSignal): Promise<Record<string, unknown>> {
    const { work } = job;
    if (work.kind === 'curves') {
      const curves = this.options.curves as JobCurves; // submitCurves refuses curves jobs without it
      const result = await curves(work.input, { signal, onPoint: (event) => job.emit('point', event, this.maxStoredEvents) });
      return { ...result };
    }
    const result = await this.options.train(work.loaded, {
      signal,
      onEvent: (event) => job.emit(event.type, event, this.maxStoredEvents),
    });
    return this.options.resultJson(result);
  }

  private finish(job: TrainingJob, status: 'succeeded' | 'failed' | 'cancelled', data: Record<string, unknown>): void {
    job.status = status;
    job.finishedAt = new Date();
    job.emit(status === 'succeeded' ? 'done' : status, data, Number.POSITIVE_INFINITY);
    job.listeners.clear();
  }

  private forgetOldJobs(): void {
    const finished = [...this.jobs.values()].filter((j) => j.finished);
    for (const job of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) this.jobs.delete(job.id);
  }
}

/** A job as the API shows it (GET /api/jobs/:id), from either queue (job-queue.ts). */
export function jobJson(job: JobView, queuePosition: number | undefined): Record<string, unknown> {
  return {
    id: job.id,
    kind: job.work.kind,
    model: job.model,
    ...(job.work.kind === 'curves' ? { version: job.work.input.version } : {}),
    status: job.status,
    ...(queuePosition === undefined ? {} : { queue_position: queuePosition }),
    submitted_at: job.submittedAt.toISOString(),
    started_at: job.startedAt?.toISOString() ?? null,
    finished_at: job.finishedAt?.toISOString() ?? null,
    spec: job.spec,
    ...(job.result === undefined ? {} : { result: job.result }),
    ...(job.error === undefined ? {} : { error: job.error }),
  };
}
