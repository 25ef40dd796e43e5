/**
 * Fitting a registered learner by name for a task, whatever its kind: classifiers take the class count,
 * regressors do not. The search, the curves and the tabular trainer all fit through here.
 */
import type { Matrix } from '../core/matrix.js';
import type { FitOptions, SupervisedPredictor } from './learner.js';
import { getLearner } from './registry.js';

export type SupervisedTask = 'binary' | 'multiclass' | 'regression';

export function fitByTask(
  learner: string,
  task: SupervisedTask,
  nClasses: number,
  X: Matrix,
  y: Int32Array | Float64Array,
  params: Record<string, unknown>,
  options: FitOptions,
): Promise<SupervisedPredictor> {
  return task === 'regression'
    ? getLearner(learner, 'regression').fit(X, y as Float64Array, params, options)
    : getLearner(learner, task).fit(X, y as Int32Array, nClasses, params, options);
}
