/**
 * One unit of a search's work — fit a learner with given settings on (a prefix of) one fold's training
 * rows and predict that fold's validation rows — as plain data, so that it can cross to a worker thread
 * (trial-runner.ts puts the folds' matrices in shared memory first, so no task copies them).
 */
import { fitByTask } from '../../learners/fit-by-task.js';
import { subsample, type Fold } from './fold-data.js';
import { predictOutputs, type SearchTask } from './objective.js';
import type { Params } from './search-space.js';

export interface TrialTask {
  readonly learner: string;
  readonly task: SearchTask;
  readonly nClasses: number;
  readonly params: Params;
  readonly seed: number;
  readonly fold: Fold;
  /** Training rows to use: the first `rows` of the fold's seeded order. */
  readonly rows: number;
  /** When the fit is cancelled, in epoch milliseconds (`Date.now()`: the same clock in every thread). */
  readonly deadline: number;
}

/** A fit's validation outputs, and the seconds it took (fit + predict, not counting any wait in a queue). */
export interface FoldOutputs {
  readonly outputs: Float64Array;
  readonly seconds: number;
}

export async function fitAndPredict(t: TrialTask, signal?: AbortSignal): Promise<FoldOutputs> {
  const started = performance.now();
  const data = subsample(t.fold, t.rows);
  // measured when the fit starts: a task may have waited in a worker pool's queue
  const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(t.deadline - Date.now())));
  const predictor = await fitByTask(t.learner, t.task, t.nClasses, data.X, data.y, t.params, { seed: t.seed, signal: signal ? AbortSignal.any([timeout, signal]) : timeout });
  const outputs = predictOutputs(predictor, t.fold.Xval);
  return { outputs, seconds: (performance.now() - started) / 1000 };
}
