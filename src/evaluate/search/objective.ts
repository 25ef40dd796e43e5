/**
 * What a search optimises: one metric by its scikit-learn name, turned into a higher-is-better
 * score so that every comparison in the search reads the same way.
 */
import { KilnError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import type { SupervisedPredictor } from '../../learners/learner.js';
import { classificationMetrics, regressionMetrics } from '../metrics/index.js';

export const CLASSIFICATION_METRICS = ['roc_auc', 'accuracy', 'log_loss', 'balanced_accuracy', 'f1_macro', 'pr_auc'] as const;
export const REGRESSION_METRICS = ['rmse', 'mae', 'r2', 'mape'] as const;
const LOWER_IS_BETTER: ReadonlySet<string> = new Set(['log_loss', 'rmse', 'mae', 'mape']);

export type SearchTask = 'binary' | 'multiclass' | 'regression';

export function defaultMetric(task: SearchTask): string {
  return task === 'binary' ? 'roc_auc' : task === 'multiclass' ? 'accuracy' : 'rmse';
}

export function checkMetric(task: SearchTask, metric: string): void {
  const allowed: readonly string[] = task === 'regression' ? REGRESSION_METRICS : CLASSIFICATION_METRICS;
  if (!allowed.includes(metric)) {
    throw new KilnError('INVALID_PARAMS', { what: 'metric', summary: `"${metric}" is not a ${task} metric; use one of ${allowed.join(', ')}` });
  }
}

/** The metric's value as a score where higher is better (lower-is-better metrics are negated). */
export function toScore(metric: string, value: number): number {
  return LOWER_IS_BETTER.has(metric) ? -value : value;
}

export function fromScore(metric: string, score: number): number {
  return LOWER_IS_BETTER.has(metric) ? -score : score;
}

/** The model's outputs on X: probabilities (rows × classes) or predictions. */
export function predictOutputs(predictor: SupervisedPredictor, X: Matrix): Float64Array {
  return predictor.kind === 'classifier' ? predictor.predictProba(X).data : predictor.predict(X);
}

/** Every metric of the task from outputs (flattened probabilities or predictions) and the truth. */
export function metricsOf(task: SearchTask, y: Int32Array | Float64Array, outputs: Float64Array, nClasses: number): Record<string, number> {
  if (task === 'regression') return { ...regressionMetrics(y as Float64Array, outputs) };
  return { ...classificationMetrics(y as Int32Array, { rows: y.length, cols: nClasses, data: outputs }) };
}
