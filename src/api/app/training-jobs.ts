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
 *
 * Opened with a journal (`TrainingJobs.open`, the server's `<home>/jobs`, job-journal.ts), the jobs
 * outlive a restart: ended jobs come back as they ended, with their events to replay; a job that was
 * running ends `failed` JOB_INTERRUPTED (training cannot resume halfway, and running it again at start-up
 * could crash the server again if the job itself brought it down); a job that was waiting waits again
 * and runs once the server listens, unless its data is gone. Shutting down leaves waiting jobs waiting.
 */
import { randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import type { Logger } from 'pino';
import { asKilnError, KilnError } from '../../core/errors.js';
import { parseSourceRef } from '../../data/sources/source-ref.js';
import type { LoadedSpec } from '../../modules/spec.js';
import type { CurvePoint } from '../../evaluate/curves/curve-point.js';
import type { VersionCurvesInput, VersionCurvesResult } from '../../modules/tabular/version-curves.js';
import { keepDataNotes, notesJson } from '../../modules/data-notes.js';
import type { TrainEvent } from '../../modules/train-events.js';
import type { ModuleTrainResult, TrainContext } from '../../modules/train-module.js';
import { JobJournal, type JobRecord, type JournaledJob } from './job-journal.js';
import type { JobQueue, JobView } from './job-queue.js';
import { uploadPlaceOf } from './upload-store.js';

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
  /** The job's result document (`kiln train --json`; the runner adds the data's `notes`). */
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
  readonly id: string;
  readonly model: string;
  readonly submittedAt: Date;
  status: JobStatus = 'queued';
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
  result: Record<string, unknown> | undefined;
  error: JobError | undefined;
  readonly events: JobEvent[] = [];
  readonly controller = new AbortController();
  readonly listeners = new Set<JobListener>();
  private nextEventId = 1;

  /** A new job, or — given what the journal kept of one — a job of an earlier run of the server. */
  constructor(
    readonly work: JobWork,
    journaled?: JournaledJob,
  ) {
    this.model = work.kind === 'train' ? work.loaded.spec.name : work.input.model;
    if (journaled === undefined) {
      this.id = randomUUID();
      this.submittedAt = new Date();
      return;
    }
    const { record, events } = journaled;
    this.id = record.id;
    this.submittedAt = new Date(record.submittedAt);
    this.status = record.status;
    this.startedAt = record.startedAt === undefined ? undefined : new Date(record.startedAt);
    this.finishedAt = record.finishedAt === undefined ? undefined : new Date(record.finishedAt);
    this.result = record.result;
    this.error = record.error;
    this.events.push(...events, ...(record.end === undefined ? [] : [record.end]));
    // progress events past the cap were not stored but had their ids: the next one follows all of them
    this.nextEventId = Math.max(record.lastEventId, this.events.at(-1)?.id ?? 0) + 1;
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

  /** Records (up to `maxStored` events) and broadcasts one event; the event when it was stored for replay. */
  emit(event: JobEventName, data: unknown, maxStored: number): JobEvent | undefined {
    const e: JobEvent = { id: this.nextEventId++, event, data };
    const stored = this.events.length < maxStored || event !== 'progress';
    if (stored) this.events.push(e);
    for (const listener of this.listeners) {
      try {
        listener(e);
      } catch {
        this.listeners.delete(listener); // a listener that fails (a closed stream) is not training's problem
      }
    }
    return stored ? e : undefined;
  }

  /** The job as its journal record holds it. */
  record(): JobRecord {
    const end = this.finished ? this.events.at(-1) : undefined;
    return {
      format: 1,
      id: this.id,
      work: this.work,
      status: this.status,
      submittedAt: this.submittedAt.toISOString(),
      ...(this.startedAt === undefined ? {} : { startedAt: this.startedAt.toISOString() }),
      ...(this.finishedAt === undefined ? {} : { finishedAt: this.finishedAt.toISOString() }),
      ...(this.result === undefined ? {} : { result: this.result }),
      ...(this.error === undefined ? {} : { error: this.error }),
      lastEventId: this.lastEventId,
      ...(end === undefined ? {} : { end }),
    };
  }
}

export class TrainingJobs implements JobQueue {
  private readonly jobs = new Map<string, TrainingJob>();
  private readonly queue: TrainingJob[] = [];
  private running: { job: TrainingJob; settled: Promise<void> } | undefined;
  private closed = false;
  /** Jobs that waited when the server last stopped wait until it listens again (`resume`). */
  private held = false;
  private readonly maxQueued: number;
  private readonly keepFinished: number;
  private readonly maxStoredEvents: number;

  /** A runner that keeps its jobs in memory only; `open` gives one whose jobs outlive a restart. */
  constructor(
    private readonly options: TrainingJobsOptions,
    private readonly journal?: JobJournal,
  ) {
    this.maxQueued = options.maxQueued ?? 20;
    this.keepFinished = options.keepFinished ?? 100;
    this.maxStoredEvents = options.maxStoredEvents ?? 20_000;
  }

  /**
   * A runner that journals its jobs in `journalDir` (the server's `<home>/jobs`) and starts with those of
   * the server's earlier runs. Jobs that were waiting wait until `resume()`; a journal that cannot be
   * used (a folder that cannot be made, another server's) leaves the runner in memory only, with a warning.
   */
  static async open(options: TrainingJobsOptions, journalDir: string): Promise<TrainingJobs> {
    const journal = await JobJournal.open(journalDir, options.logger);
    const jobs = new TrainingJobs(options, journal);
    if (journal !== undefined) await jobs.restore(await journal.load());
    return jobs;
  }

  /** Starts the jobs that waited when the server last stopped (the server calls it once it listens). */
  resume(): void {
    this.held = false;
    this.startNext();
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
    this.journal?.write(job.record());
    const ahead = this.queue.length - 1 + (this.running === undefined ? 0 : 1);
    if (ahead > 0) this.emit(job, 'note', { type: 'note', message: `waiting for ${ahead} job(s) ahead to finish: one job trains at a time` });
    // a request means the server serves: jobs held since the restart need not wait for `resume` any longer
    this.held = false;
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
      this.forgetOldJobs();
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

  /**
   * Server shutdown: no new jobs; the running one is aborted, waited for, and ends `failed`
   * JOB_INTERRUPTED. Waiting jobs stay queued in the journal and run after the restart; without a journal
   * they would be lost, so they end `cancelled` as the server goes.
   */
  async close(): Promise<void> {
    this.closed = true;
    const waiting = this.queue.splice(0);
    if (this.journal === undefined) for (const job of waiting) this.finish(job, 'cancelled', { message: 'the server is shutting down' });
    const running = this.running;
    if (running !== undefined) {
      running.job.controller.abort(new KilnError('SERVER_CLOSING'));
      await running.settled;
    }
    await this.journal?.close();
  }

  /**
   * Takes back the jobs of the server's earlier runs (oldest first, as they were submitted): ended ones as
   * they ended; one that was running ends JOB_INTERRUPTED — the server stopped without shutting down, or
   * its record would say so; one that was waiting waits again, unless its data file is gone.
   */
  private async restore(journaled: readonly JournaledJob[]): Promise<void> {
    let interrupted = 0;
    let requeued = 0;
    for (const entry of journaled) {
      const job = new TrainingJob(entry.record.work, entry);
      this.jobs.set(job.id, job);
      if (job.status === 'running') {
        this.interrupt(job, 'stopped without shutting down (a crash, a kill or the machine going down)', entry.modifiedAt);
        interrupted++;
      } else if (job.status === 'queued') {
        const missing = await missingData(job.work).catch(asKilnError); // a source that no longer parses fails its job, not the start-up
        if (missing !== undefined) {
          this.fail(job, missing);
          continue;
        }
        this.queue.push(job);
        this.emit(job, 'note', { type: 'note', message: 'the server restarted before this job started: it waits its turn again' });
        requeued++;
      }
    }
    this.held = this.queue.length > 0;
    this.forgetOldJobs();
    if (journaled.length > 0) {
      this.options.logger.info({ journal: this.journal?.dir, jobs: this.jobs.size, interrupted, requeued }, 'training jobs of the earlier run restored');
    }
  }

  private startNext(): void {
    if (this.running !== undefined || this.closed || this.held) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    this.running = { job, settled: this.run(job) };
  }

  private async run(job: TrainingJob): Promise<void> {
    job.status = 'running';
    job.startedAt = new Date();
    this.journal?.write(job.record());
    const signal = job.controller.signal;
    try {
      job.result = await this.work(job, signal);
      this.finish(job, 'succeeded', { result: job.result });
    } catch (err) {
      if (signal.aborted && signal.reason instanceof KilnError && signal.reason.code === 'SERVER_CLOSING') {
        // not the user's choice: the job failed, and the words say to start it again
        this.interrupt(job, 'was shut down');
      } else if (signal.aborted) {
        this.finish(job, 'cancelled', { message: 'cancelled' });
      } else {
        const kiln = asKilnError(err);
        if (kiln.status >= 500) this.options.logger.error({ err, job: job.id, model: job.model }, 'training job failed');
        this.fail(job, kiln);
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
      const result = await curves(work.input, { signal, onPoint: (event) => this.emit(job, 'point', event) });
      return { ...result };
    }
    // the data's notes stream as events and are kept for the result, as `kiln train --json` has them
    const data = keepDataNotes((event) => this.emit(job, event.type, event));
    const result = await this.options.train(work.loaded, { signal, onEvent: data.onEvent });
    return { ...this.options.resultJson(result), ...notesJson(data.notes) };
  }

  /** Broadcasts an event of a job that goes on; a stored one is journaled too. */
  private emit(job: TrainingJob, event: JobEventName, data: unknown): void {
    const stored = job.emit(event, data, this.maxStoredEvents);
    if (stored !== undefined) this.journal?.append(job.id, stored);
  }

  /** Ends a job whose server stopped while it ran: `failed` JOB_INTERRUPTED, nothing registered. */
  private interrupt(job: TrainingJob, reason: string, at?: Date): void {
    this.fail(job, new KilnError('JOB_INTERRUPTED', { id: job.id, reason }), at);
  }

  private fail(job: TrainingJob, kiln: KilnError, at?: Date): void {
    job.error = { code: kiln.code, error: kiln.message, ...(kiln.hint === undefined ? {} : { hint: kiln.hint }) };
    this.finish(job, 'failed', { error: job.error }, at);
  }

  /** Ends a job with its last event, and journals it (the last event in its record). */
  private finish(job: TrainingJob, status: 'succeeded' | 'failed' | 'cancelled', data: Record<string, unknown>, at = new Date()): void {
    job.status = status;
    job.finishedAt = at;
    job.emit(status === 'succeeded' ? 'done' : status, data, Number.POSITIVE_INFINITY);
    job.listeners.clear();
    this.journal?.write(job.record());
  }

  private forgetOldJobs(): void {
    const finished = [...this.jobs.values()].filter((j) => j.finished);
    for (const job of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) {
      this.jobs.delete(job.id);
      this.journal?.remove(job.id);
    }
  }
}

/**
 * Whether a job that waited across a restart can still read its data: a file (or SQLite database) named
 * by its spec that is gone now fails the job at once, with the error it would meet when it runs.
 * Connections to databases are left to the job (reaching them may take a while).
 */
async function missingData(work: JobWork): Promise<KilnError | undefined> {
  if (work.kind !== 'train') return undefined; // a curve refits from a snapshot in the artifact store, checked when it runs
  for (const source of [work.loaded.dataPath, work.loaded.testDataPath]) {
    if (source === undefined) continue;
    const ref = parseSourceRef(source);
    if (ref.scheme !== 'file' && ref.scheme !== 'sqlite') continue;
    if (await access(ref.location).then(() => true, () => false)) continue;
    const upload = uploadPlaceOf(ref.location);
    return upload === undefined
      ? new KilnError('DATA_NOT_FOUND', { path: ref.location })
      : new KilnError('UPLOAD_NOT_FOUND', { name: upload.name, path: ref.location, reason: 'it was removed while the job waited for the server to restart' });
  }
  return undefined;
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
