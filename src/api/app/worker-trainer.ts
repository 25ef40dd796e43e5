/**
 * Jobs in a worker thread each (see training-worker.ts for why): a JobTrainer (and a JobCurves) that
 * starts a worker on the job's work, relays its events, forwards cancellation, and turns its outcome
 * back into a result or a KilnError. A worker that dies without an answer (out of memory, a crash in native code)
 * is an INTERNAL error of that job; the server goes on serving.
 */
import { Worker } from 'node:worker_threads';
import { ERROR_CODES, KilnError, type ErrorCode } from '../../core/errors.js';
import { workerEntry } from '../../core/worker-pool.js';
import type { VersionCurvesResult } from '../../modules/tabular/version-curves.js';
import type { TrainEvent } from '../../modules/train-events.js';
import type { ModuleTrainResult } from '../../modules/train-module.js';
import type { CurvePointEvent, JobCurves, JobTrainer, JobWork } from './training-jobs.js';
import type { TrainingWorkerInit, WorkerError } from './training-worker.js';

const WORKER_URL = workerEntry(import.meta.url, './training-worker');

type WorkerMessage =
  | { readonly type: 'event'; readonly event: TrainEvent | CurvePointEvent }
  | { readonly type: 'result'; readonly result: unknown }
  | { readonly type: 'error'; readonly error: WorkerError };

export interface WorkerTrainerOptions {
  /** The Kiln home the worker opens (its artifacts folder). */
  readonly home: string;
  /** The store the worker opens: the same database the server uses. */
  readonly storeUrl: string;
  /** The artifact store the worker opens when not `<home>/artifacts`: the server's own. */
  readonly artifactsUrl?: string;
  /** Where a worker's unexpected failures (with their stacks) are logged. */
  readonly logError: (err: WorkerError) => void;
}

export function workerTrainer(options: WorkerTrainerOptions): JobTrainer {
  return async (loaded, ctx) =>
    (await inWorker({ kind: 'train', loaded }, options, ctx.signal, (event) => {
      if (event.type !== 'point') ctx.onEvent?.(event);
    })) as ModuleTrainResult;
}

export function workerCurves(options: WorkerTrainerOptions): JobCurves {
  return async (input, ctx) =>
    (await inWorker({ kind: 'curves', input }, options, ctx.signal, (event) => {
      if (event.type === 'point') ctx.onPoint?.(event);
    })) as VersionCurvesResult;
}

/** Runs `work` in a fresh worker thread; its result as the worker sent it. */
function inWorker(
  work: JobWork,
  options: WorkerTrainerOptions,
  signal: AbortSignal | undefined,
  onEvent: (event: TrainEvent | CurvePointEvent) => void,
): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    const init: TrainingWorkerInit = { work, home: options.home, storeUrl: options.storeUrl, ...(options.artifactsUrl === undefined ? {} : { artifactsUrl: options.artifactsUrl }) };
    const worker = spawn(init);
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', cancel);
      outcome();
      void worker.terminate();
    };
    const cancel = () => worker.postMessage({ type: 'cancel' });
    if (signal?.aborted === true) cancel();
    signal?.addEventListener('abort', cancel);

    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'event') onEvent(message.event);
      else if (message.type === 'result') settle(() => resolve(message.result));
      else settle(() => reject(fromWorkerError(message.error, options.logError)));
    });
    worker.on('error', (err) => settle(() => reject(fromWorkerError({ message: err.message, ...(err.stack === undefined ? {} : { stack: err.stack }) }, options.logError))));
    worker.on('exit', (code) =>
      settle(() => reject(new KilnError('INTERNAL', { reason: `the job's worker stopped (exit code ${code}) before it answered` }))),
    );
  });
}

function spawn(init: TrainingWorkerInit): Worker {
  if (WORKER_URL.pathname.endsWith('.ts')) {
    // tests and benches run from source under tsx, whose loader must be registered in the thread first
    const tsx = import.meta.resolve('tsx/esm/api');
    const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
    return new Worker(bootstrap, { eval: true, workerData: init });
  }
  return new Worker(WORKER_URL, { workerData: init });
}

/** The worker's error as the KilnError it was; anything uncoded is INTERNAL, its stack logged. */
function fromWorkerError(error: WorkerError, logError: (err: WorkerError) => void): KilnError {
  if (error.code !== undefined && error.code in ERROR_CODES) {
    return new KilnError(error.code as ErrorCode, error.details ?? {}, { problems: error.problems ?? [] });
  }
  logError(error);
  return new KilnError('INTERNAL', { reason: error.message });
}
