/**
 * bench/automl: how many trials a search completes with its fits on one thread against one worker per
 * core, on the same folds and budget (Titanic's training part from bench/automl/automl.ts). More trials
 * is what parallel fits buy; the chosen model is not compared here (automl.ts does that).
 *
 *   node --import tsx bench/automl/parallel-trials.ts [--budget 20] [--data titanic]
 */
import { join } from 'node:path';
import { stratifiedKFold } from '../../src/data/splits/k-fold.js';
import { inferSchema } from '../../src/data/infer-schema.js';
import { readTable } from '../../src/data/sources/read-table.js';
import { searchModels } from '../../src/evaluate/search/automl.js';
import { prepareFolds } from '../../src/evaluate/search/fold-data.js';
import { defaultThreads } from '../../src/core/worker-pool.js';
import { validateSpec } from '../../src/modules/spec.js';
import { encodeTarget, planColumns } from '../../src/modules/tabular/plan-columns.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const budget = Number(flag('--budget') ?? 20);
const data = flag('--data') ?? 'titanic';
const targets: Record<string, string> = { titanic: 'Survived', breast_cancer: 'target' };
const file = join(import.meta.dirname, '..', 'out', 'automl', data, 'train.csv');
const { spec } = validateSpec({ name: data, data: file, target: targets[data] }, null, '.');
const table = await readTable(file);
const target = encodeTarget(table.frame, spec);
const { features } = planColumns(inferSchema(table.frame, table.sourceTypes), spec);
const y = target.classIndex;
const folds = prepareFolds(table.frame, features, y, stratifiedKFold(y, target.classes.length, 5, { seed: 42 }), 42, target.classes.length);

const rows: string[] = [];
for (const threads of [1, defaultThreads()]) {
  const result = await searchModels(folds, { task: target.task === 'multiclass' ? 'multiclass' : 'binary', nClasses: target.classes.length, metric: 'roc_auc', budgetSeconds: budget, seed: 42, threads });
  const complete = result.trials.filter((t) => t.final && t.status === 'ok').length;
  rows.push(`| ${data} | ${threads} | ${result.trials.length} | ${complete} | ${result.seconds.toFixed(1)} | ${result.leaderboard[0]?.value.toFixed(4)} |`);
  console.error(rows.at(-1));
  // where the time went, per learner: trials and the fits' own seconds
  const byLearner = new Map<string, { n: number; s: number }>();
  for (const t of result.trials) {
    const e = byLearner.get(t.learner) ?? { n: 0, s: 0 };
    byLearner.set(t.learner, { n: e.n + 1, s: e.s + t.seconds });
  }
  console.error(`  ${[...byLearner].map(([l, e]) => `${l} ${e.n} trials ${e.s.toFixed(1)} s`).join('; ')}`);
}
console.log(['| data | fit threads | trials | complete trials | seconds | best cv roc_auc |', '|---|---|---|---|---|---|', ...rows].join('\n'));
