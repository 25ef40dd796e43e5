/**
 * What the app's routes need from a job queue, whichever runs the jobs: the in-process runner
 * (training-jobs.ts, the default: one job at a time in the server's own worker threads) or the Redis
 * queue (redis-job-queue.ts, `kiln serve --queue redis://…`: jobs run by `kiln worker` processes on
 * other machines). job-routes.ts and model-routes.ts see only this.
 *
 * Answers may be promises: the in-process runner answers at once (its tests call it synchronously),
 * the Redis one after a round trip. Routes await every answer, so both fit.
 */
import type { ModuleSpec, LoadedSpec } from '../../modules/spec.js';
import type { VersionCurvesInput } from '../../modules/tabular/version-curves.js';
import type { JobError, JobListener, JobStatus, JobWork } from './training-jobs.js';

export type MaybePromise<T> = T | Promise<T>;

/** A job as the routes show it (jobJson): what it does, where it is, how it ended. */
export interface JobView {
  readonly id: string;
  readonly work: JobWork;
  readonly model: string;
  readonly status: JobStatus;
  readonly submittedAt: Date;
  readonly startedAt: Date | undefined;
  readonly finishedAt: Date | undefined;
  readonly spec: ModuleSpec;
  readonly result: Record<string, unknown> | undefined;
  readonly error: JobError | undefined;
  /** The id of its latest event (0 before any): a finished job's is its last, the one that says how it ended. */
  readonly lastEventId: number;
}

export interface JobQueue {
  /** Queues a validated spec (data paths already resolved and checked). */
  submit(loaded: LoadedSpec): MaybePromise<JobView>;
  /** Queues a version's learning curve; the same version's waiting, running or succeeded job is the answer. */
  submitCurves(input: VersionCurvesInput): MaybePromise<JobView>;
  /** JOB_NOT_FOUND when there is no such job. */
  get(id: string): MaybePromise<JobView>;
  /** Newest first. */
  list(): MaybePromise<readonly JobView[]>;
  /** Jobs ahead of a waiting job (0 = next to start); undefined when it is not waiting. */
  queuePosition(job: JobView): MaybePromise<number | undefined>;
  /** A waiting job ends `cancelled` at once, a running one when its training has unwound; JOB_FINISHED for an ended one. */
  cancel(id: string): MaybePromise<JobView>;
  /**
   * Replays the job's events after `afterEventId`, then follows it live until its last event
   * (`done`, `failed` or `cancelled`). `job` is a view this queue handed out. Returns the unsubscribe function.
   */
  subscribe(job: JobView, afterEventId: number, listener: JobListener): MaybePromise<() => void>;
  /** Server shutdown. */
  close(): Promise<void>;
}
