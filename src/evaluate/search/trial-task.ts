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
}

/** A fit's validation outputs, and the seconds it took (fit + predict, not counting any wait in a queue). */
export interface FoldOutputs {
  readonly outputs: Float64Array;
  readonly seconds: number;
}

export async function fitAndPredict(t: TrialTask, signal?: AbortSignal): Promise<FoldOutputs> {
  const started = performance.now();
  const data = subsample(t.fold, t.rows);
  // the budget reaches a fit through `signal` (automl.ts); on a worker thread, through the pool, which
  // stops the worker
  const predictor = await fitByTask(t.learner, t.task, t.nClasses, data.X, data.y, t.params, { seed: t.seed, ...(signal === undefined ? {} : { signal }) });
  const outputs = predictOutputs(predictor, t.fold.Xval);
  return { outputs, seconds: (performance.now() - started) / 1000 };
}
