/**
 * The worker thread one job runs in (started by worker-trainer.ts): a training, or the learning curve
 * of a registered version, which refits its model again and again. Both are long, CPU-bound
 * JavaScript; on the server's main thread they would hold up every prediction for as long as a learner
 * computes between two awaits (measured: requests waiting over a second). Here the job has its own
 * thread and its own connection to the store; the main thread only relays events.
 *
 * Messages in: `{type: 'cancel'}`. Messages out: `{type: 'event', event}` while working, then exactly
 * one `{type: 'result', result}` or `{type: 'error', error}`, sent after the store is closed.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { KilnError } from '../../core/errors.js';
import { versionCurves } from '../../modules/tabular/version-curves.js';
import { trainModule } from '../../modules/train-module.js';
import { openHome } from '../../store/open-store.js';
import type { CurvePointEvent, JobWork } from './training-jobs.js';

export interface TrainingWorkerInit {
  readonly work: JobWork;
  readonly home: string;
  readonly storeUrl: string;
  /** Where artifacts live when not in `<home>/artifacts` (another folder or `s3://BUCKET/PREFIX`). */
  readonly artifactsUrl?: string;
}

/** A thrown error as plain data that can cross to the main thread. */
export interface WorkerError {
  readonly code?: string;
  readonly details?: Record<string, unknown>;
  readonly problems?: readonly { path: string; message: string; code: string }[];
  readonly message: string;
  readonly stack?: string;
}

if (parentPort === null) throw new Error('training-worker.ts must run in a worker thread');
const port: MessagePort = parentPort;
const init = workerData as TrainingWorkerInit;
const controller = new AbortController();
port.on('message', (message: { type?: string }) => {
  if (message.type === 'cancel') controller.abort(new KilnError('CANCELLED', { what: init.work.kind === 'train' ? 'training' : 'the learning curve' }));
});

async function main(): Promise<void> {
  let outcome: { type: 'result'; result: unknown } | { type: 'error'; error: WorkerError };
  try {
    const { store, artifacts } = await openHome(init.home, init.storeUrl, {}, init.artifactsUrl);
    try {
      const { work } = init;
      const result =
        work.kind === 'train'
          ? await trainModule(work.loaded, {
              store,
              artifacts,
              signal: controller.signal,
              onEvent: (event) => port.postMessage({ type: 'event', event }),
            })
          : await versionCurves(work.input, artifacts, {
              signal: controller.signal,
              onPoint: (curve, point, done, total) => port.postMessage({ type: 'event', event: { type: 'point', curve, point, done, total } satisfies CurvePointEvent }),
            });
      outcome = { type: 'result', result };
    } finally {
      await store.close();
    }
  } catch (err) {
    outcome = { type: 'error', error: asWorkerError(err) };
  }
  try {
    port.postMessage(outcome);
  } catch (err) {
    // a result or error detail that cannot be copied across threads is itself the error to report
    port.postMessage({ type: 'error', error: asWorkerError(err) });
  }
  port.close();
}

function asWorkerError(err: unknown): WorkerError {
  if (err instanceof KilnError) {
    return { code: err.code, details: err.details, problems: err.problems, message: err.message, ...(err.stack === undefined ? {} : { stack: err.stack }) };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { message: e.message, ...(e.stack === undefined ? {} : { stack: e.stack }) };
}

void main();
