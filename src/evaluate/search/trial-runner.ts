/**
 * Where a search's fits run: one after the other on this thread, or in parallel on a pool of worker
 * threads (src/core/worker-pool.ts). In parallel, every fold of a complete trial and every candidate
 * of a halving rung is its own task, so the cores stay busy; the folds' matrices are put in shared
 * memory once, and each learner that can use several threads itself (forests, the MLP) is asked for
 * one, since the pool already fills the cores. Either way the fitted models are the same: every fit
 * is seeded, and the thread count of a forest or an MLP does not change its model.
 */
import { KilnError } from '../../core/errors.js';
import { defaultThreads, WorkerPool, workerEntry } from '../../core/worker-pool.js';
import type { Matrix } from '../../core/matrix.js';
import { getLearner } from '../../learners/registry.js';
import type { Fold } from './fold-data.js';
import { fitAndPredict, type FoldOutputs, type TrialTask } from './trial-task.js';

/** What a trial asks for, besides the fold. */
export type TrialFit = Omit<TrialTask, 'fold'>;

export interface TrialRunner {
  /** How many fits run at once. */
  readonly threads: number;
  /** Resolves once the runner can fit at once (its worker threads have loaded the code). */
  ready(): Promise<void>;
  /** Fits on each of `folds` and returns each fold's validation outputs (and fit time), in fold order. */
  fitFolds(fit: TrialFit, folds: readonly number[]): Promise<FoldOutputs[]>;
  close(): Promise<void>;
}

/** `threads` 1 fits on this thread; more starts that many worker threads (default: one per core). */
export function trialRunner(folds: readonly Fold[], threads = defaultThreads(), signal?: AbortSignal): TrialRunner {
  if (threads <= 1) return inlineRunner(folds, signal);
  return pooledRunner(folds.map(sharedFold), threads, signal);
}

function inlineRunner(folds: readonly Fold[], signal: AbortSignal | undefined): TrialRunner {
  return {
    threads: 1,
    ready: async () => {},
    async fitFolds(fit, which) {
      const outputs: FoldOutputs[] = [];
      for (const f of which) {
        // a stop between two folds: the next fit would only begin its set-up to notice it
        if (signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'the fit' });
        outputs.push(await fitAndPredict({ ...fit, fold: folds[f] as Fold }, signal));
      }
      return outputs;
    },
    close: async () => {},
  };
}

function pooledRunner(folds: readonly Fold[], threads: number, signal: AbortSignal | undefined): TrialRunner {
  const pool = new WorkerPool(workerEntry(import.meta.url, './trial-worker'), threads);
  return {
    threads,
    ready: () => pool.start(signal ? { signal } : {}),
    fitFolds(fit, which) {
      const params = hasThreadsParam(fit.learner) ? { ...fit.params, threads: 1 } : fit.params;
      return Promise.all(which.map((f) => pool.run<FoldOutputs>({ ...fit, params, fold: folds[f] as Fold } satisfies TrialTask, signal ? { signal } : {})));
    },
    close: () => pool.close(),
  };
}

/** Learners with their own `threads` setting (forests, the MLP). */
function hasThreadsParam(learner: string): boolean {
  const schema = getLearner(learner).paramsSchema as { shape?: Record<string, unknown> };
  return schema.shape !== undefined && Object.hasOwn(schema.shape, 'threads');
}

/** The fold with its arrays copied to shared memory: worker threads then read them in place. */
function sharedFold(fold: Fold): Fold {
  return { X: sharedMatrix(fold.X), y: shared(fold.y), Xval: sharedMatrix(fold.Xval), yval: shared(fold.yval), valRows: shared(fold.valRows), sourceRows: fold.sourceRows, order: shared(fold.order) };
}

function sharedMatrix(m: Matrix): Matrix {
  return { ...m, data: shared(m.data) };
}

function shared<T extends Float64Array | Int32Array>(a: T): T {
  const copy = new (a.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  copy.set(a);
  return copy;
}
