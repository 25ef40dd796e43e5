/** Which learner a tabular module trains when the spec names none, and its parameters with defaults filled in. */
import { parseParams } from '../../core/params.js';
import { getLearner } from '../../learners/registry.js';
import type { TabularTask } from '../manifest.js';

export const DEFAULT_LEARNER = { binary: 'logistic-regression', multiclass: 'logistic-regression', regression: 'ridge' } as const;

/** The learner's parameters validated by its schema, defaults filled in (what a run records to be reproducible). */
export function effectiveParams(learner: string, task: TabularTask, params: Record<string, unknown>): Record<string, unknown> {
  return parseParams(getLearner(learner, task).paramsSchema, params, `${learner} parameters`) as Record<string, unknown>;
}
