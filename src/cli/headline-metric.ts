/**
 * The one metric a model or run is judged by in a list: what its search optimised (the `metric` param of
 * an automl run), else the usual one for its task — the search's default for a table's model, and for
 * the templates what their reports lead with. A list with every metric as a column does not fit a
 * terminal; one well-chosen number per row does.
 */
import { defaultMetric } from '../evaluate/search/objective.js';
import { metricValue } from './metric-words.js';

/** Preferred metrics per task, first present wins; patterns for names that carry a cut-off (`ndcg_at_10`). */
const PREFERRED: Readonly<Record<string, readonly (string | RegExp)[]>> = {
  binary: [defaultMetric('binary'), 'accuracy'],
  multiclass: [defaultMetric('multiclass')],
  regression: [defaultMetric('regression'), 'r2'],
  // text models: the ranking for yes/no questions, else the share right (as their report scores them)
  'text-classify': ['roc_auc', 'accuracy'],
  recommend: [/^ndcg_at_\d+$/, 'rmse'],
  cluster: ['silhouette'],
  // with a label column to check against, how well it ranks the unusual rows; without, what it flags
  'detect-anomalies': ['roc_auc', 'precision_at_k', 'flagged_share'],
};

/**
 * The headline metric's name among `available` (names without their `test.` prefix), or undefined when
 * there is none. `searched` is the metric a search was told to optimise, when there was a search.
 */
export function headlineMetric(task: string | undefined, available: readonly string[], searched?: unknown): string | undefined {
  if (typeof searched === 'string' && available.includes(searched)) return searched;
  for (const wanted of PREFERRED[task ?? ''] ?? []) {
    const found = typeof wanted === 'string' ? available.find((n) => n === wanted) : available.find((n) => wanted.test(n));
    if (found !== undefined) return found;
  }
  // a task this table does not know yet: its first own metric (a baseline's score is not the model's)
  return available.find((n) => !n.startsWith('baseline_'));
}

/** The names a flat metrics record has a held-out (`test.`) or cross-validated (`cv.`) value for, unprefixed. */
export function scoredMetricNames(metrics: Readonly<Record<string, number>>): string[] {
  const names = new Set<string>();
  for (const key of Object.keys(metrics)) {
    for (const prefix of ['test.', 'cv.']) if (key.startsWith(prefix)) names.add(key.slice(prefix.length));
  }
  return [...names];
}

/**
 * A metric's value for a table cell: the held-out value of `name`, or its cross-validated one marked
 * "(cv)" (a search's trials have only those); a name with a dot (`train.accuracy`, `cv.roc_auc`) is
 * taken as the full key. Empty when the metrics have none of them.
 */
export function metricCell(metrics: Readonly<Record<string, number>>, name: string): string {
  if (name.includes('.')) return valueOrEmpty(metrics[name]);
  const test = metrics[`test.${name}`];
  if (test !== undefined) return metricValue(test);
  const cv = metrics[`cv.${name}`];
  return cv === undefined ? '' : `${metricValue(cv)} (cv)`;
}

function valueOrEmpty(value: number | undefined): string {
  return value === undefined ? '' : metricValue(value);
}
