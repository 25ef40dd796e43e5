/**
 * Metric names as a reader says them — "area under the ROC curve" for `roc_auc` — and metric values as
 * the terminal shows them. The registry keeps scikit-learn's names (`test.roc_auc`); those stay what a
 * filter (`--where metrics.test.roc_auc > 0.8`) and `--metrics` take, so a summary shows both.
 */

const WORDS: Readonly<Record<string, string>> = {
  // classification (src/evaluate/metrics/index.ts)
  accuracy: 'accuracy',
  balanced_accuracy: 'balanced accuracy',
  roc_auc: 'area under the ROC curve',
  pr_auc: 'area under the precision-recall curve',
  log_loss: 'log loss',
  f1: 'F1 score',
  f1_macro: 'F1 score, averaged over classes',
  precision: 'precision',
  precision_macro: 'precision, averaged over classes',
  recall: 'recall',
  recall_macro: 'recall, averaged over classes',
  // regression
  rmse: 'root mean squared error',
  mae: 'mean absolute error',
  r2: 'R², share of the variance explained',
  mape: 'mean absolute percentage error',
  // segments (src/modules/cluster)
  silhouette: 'silhouette',
  davies_bouldin: 'Davies–Bouldin index',
  inertia_per_row: 'inertia per row',
  adjusted_rand: 'adjusted Rand index',
  // unusual rows (src/modules/anomaly)
  flagged_share: 'share of rows flagged',
  precision_at_k: 'precision among the rows flagged',
};

/** Ranking metrics of recommenders carry their cut-off: `ndcg_at_10`. */
const AT_K: Readonly<Record<string, string>> = {
  precision: 'precision',
  recall: 'recall',
  ndcg: 'NDCG',
  map: 'mean average precision',
  coverage: 'catalogue coverage',
};

/** Lower values are better for these; a reader of a bare number cannot know that. */
const LOWER_IS_BETTER: ReadonlySet<string> = new Set(['log_loss', 'rmse', 'mae', 'mape', 'davies_bouldin', 'inertia_per_row']);

/** A metric's name in words, e.g. "root mean squared error"; unknown names are spelt out. */
export function metricInWords(name: string): string {
  return WORDS[name] ?? atK(name) ?? name.replace(/_/g, ' ');
}

/** Whether lower values of the metric are the better ones (errors, losses, spread). */
export function lowerIsBetter(name: string): boolean {
  return LOWER_IS_BETTER.has(name);
}

function atK(name: string): string | undefined {
  const match = /^([a-z]+)_at_(\d+)$/.exec(name);
  const words = match === null ? undefined : AT_K[match[1] ?? ''];
  return words === undefined ? undefined : `${words} in the top ${match?.[2] ?? ''}`;
}

/** A metric's value with four decimals (as `kiln train` and `kiln report` print them), big ones with one. */
export function metricValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1000 ? value.toFixed(1) : value.toFixed(4);
}
