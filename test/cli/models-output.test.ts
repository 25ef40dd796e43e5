/**
 * What `kiln models`, `kiln models show` and `kiln runs` print for people: tables of a few columns that
 * fit the terminal (the headline metric, not every metric), a readable summary of one version — and, with
 * --json, the same documents as before.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fittedTable } from '../../src/cli/fit-table.js';
import { headlineMetric, metricCell, scoredMetricNames } from '../../src/cli/headline-metric.js';
import { metricInWords } from '../../src/cli/metric-words.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { kiln, tempHome, type CliResult } from '../helpers/kiln-cli.js';

const SPEC = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'kiln.yaml');
/** What a table may take when stderr is not a terminal (fit-table.ts). */
const PIPE_WIDTH = 120;

const ok = (r: CliResult): string => {
  assert.equal(r.code, 0, r.stderr);
  return r.stderr;
};

describe('kiln models and kiln runs, for people', () => {
  const home = tempHome('kiln-models-output-');
  let trainedRun = '';
  let searchRun = '';

  before(async () => {
    // a version registered without a manifest, from a search that optimised accuracy: the views must
    // take its task and learner from the run, and its headline metric from the search
    const store = SqliteStore.open(join(home, 'kiln.db'));
    const run = await store.createRun({ name: 'churn', task: 'binary', learner: 'automl', params: { metric: 'accuracy', budget_s: 10, folds: 5 } });
    await store.logMetrics(run.id, { 'test.roc_auc': 0.91, 'test.accuracy': 0.8 });
    await store.finishRun(run.id, 'finished');
    await store.createModelVersion({ model: 'churn', runId: run.id, artifacts: {}, signature: null, metrics: { 'test.roc_auc': 0.91, 'test.accuracy': 0.8 } });
    await store.close();
    searchRun = run.id;
    const trained = await kiln(['train', SPEC, '--json', '--home', home]);
    assert.equal(trained.code, 0, trained.stderr);
    trainedRun = (JSON.parse(trained.stdout) as { run_id: string }).run_id;
    ok(await kiln(['models', 'alias', 'titanic', 'champion', '1', '--home', home]));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  test('kiln models: one row per version with aliases, task, learner, the headline metric and the time, within the width', async () => {
    const [table, chosen, typo, listed] = await Promise.all([
      kiln(['models', '--home', home]),
      kiln(['models', '--metrics', 'accuracy,roc_auc', '--home', home]),
      kiln(['models', '--metrics', 'auc', '--home', home]),
      kiln(['models', '--json', '--home', home]),
    ]);
    const lines = ok(table).trimEnd().split('\n');
    assert.equal(table.stdout, '', 'the table goes to stderr');
    assert.match(lines[0] ?? '', /^model +version +aliases +task +learner +metric +created \(UTC\)$/);
    assert.match(table.stderr, /\nchurn +1 +binary +automl +accuracy 0\.8000 +\d{4}-\d\d-\d\d \d\d:\d\d\n/, 'the metric its search optimised');
    assert.match(table.stderr, /\ntitanic +1 +champion +binary +logistic-regression +roc_auc 0\.\d{4} +\d{4}-\d\d-\d\d \d\d:\d\d\n/, "a yes/no model's usual one");
    for (const line of lines) assert.ok(line.length <= PIPE_WIDTH, `${line.length} characters: ${line}`);
    assert.doesNotMatch(table.stderr, /log_loss|pr_auc/, 'not every metric');

    assert.match(ok(chosen), /^model +version +aliases +task +learner +accuracy +roc_auc +created \(UTC\)\n/);
    assert.match(chosen.stderr, /\nchurn +1 +binary +automl +0\.8000 +0\.9100 /);

    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /^error \[INVALID_PARAMS\]: invalid --metrics: no version listed has "auc"; the metrics they have are .*roc_auc/);

    // --json keeps the full data, as before: every metric of every version
    ok(listed);
    const models = (JSON.parse(listed.stdout) as { models: { name: string; versions: Record<string, unknown>[] }[] }).models;
    const titanic = models.find((m) => m.name === 'titanic')?.versions[0];
    assert.deepEqual(Object.keys(titanic ?? {}), ['model', 'version', 'status', 'created_at', 'aliases', 'run_id', 'metrics', 'signature', 'artifacts', 'description', 'tags']);
    for (const m of ['test.roc_auc', 'test.log_loss', 'test.pr_auc', 'train.accuracy']) assert.equal(typeof (titanic?.['metrics'] as Record<string, unknown>)[m], 'number', m);
  });

  test('kiln models show: a readable summary; --json the registry record as before', async () => {
    const [shown, json, bare] = await Promise.all([
      kiln(['models', 'show', 'titanic@champion', '--home', home]),
      kiln(['models', 'show', 'titanic@champion', '--json', '--home', home]),
      kiln(['models', 'show', 'churn', '--home', home]),
    ]);
    const text = ok(shown);
    assert.equal(shown.stdout, '');
    assert.match(text, /^titanic:1 — Probability that a passenger survived/);
    assert.doesNotMatch(text, /^\s*[{"]/m, 'no JSON');
    for (const line of [
      /\n {2}aliases +champion\n/,
      /\n {2}task +binary \(a yes\/no answer\)\n/,
      /\n {2}learner +logistic-regression\n/,
      /\n {2}data +\S*titanic\.csv \(891 rows, 12 columns\)\n/,
      /\n {2}target +Survived \(classes 0, 1\)\n/,
      /\n {2}inputs +7: Pclass, Sex, Age, SibSp, Parch, Fare, Embarked\n/,
      /\nheld-out test \(20 % of the rows, stratified\)\n {2}area under the ROC curve \(roc_auc\) +0\.\d{4} {2}← the headline metric\n {2}accuracy +0\.\d{4}\n/,
      /\n {2}log loss \(log_loss\) +0\.\d{4} {2}lower is better\n/,
      /\ntraining\n {2}settings +penalty l2, C 1, /,
      /\n {2}seed +42\n/,
      /\n {2}dropped columns +PassengerId, Name, Ticket, Cabin\n/,
      new RegExp(`\\nlineage\\n {2}run +${trainedRun}\\n`),
      /\n {2}trained +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC with Kiln /,
    ]) {
      assert.match(text, line);
    }
    // where the files are: the paths of a local home
    const onnx = /\n {2}model\.onnx +(\S+)\n/.exec(text)?.[1] ?? '';
    assert.ok(onnx.startsWith(join(home, 'artifacts', 'sha256')), onnx);
    assert.ok(existsSync(onnx), onnx);

    ok(json);
    const record = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(record), ['model', 'version', 'status', 'created_at', 'aliases', 'run_id', 'metrics', 'signature', 'artifacts', 'description', 'tags']);
    assert.deepEqual([record['model'], record['version'], record['aliases'], record['run_id']], ['titanic', 1, ['champion'], trainedRun]);

    // no manifest, no spec, no files: the run says what it can
    const little = ok(bare);
    assert.match(little, /\n {2}task +binary \(a yes\/no answer\)\n {2}learner +automl\n/);
    assert.match(little, /\n {2}accuracy +0\.8000 {2}← what the search optimised\n {2}area under the ROC curve \(roc_auc\) +0\.9100\n/);
    assert.match(little, /\n {2}search +10 s budget, 5-fold cross-validation, optimising accuracy\n/);
    assert.match(little, new RegExp(`\\n {2}run +${searchRun}\\n`));
    assert.doesNotMatch(little, /\nfiles/);
  });

  test('kiln runs: the run id whole, the headline metric, --metrics for chosen ones', async () => {
    const [table, chosen] = await Promise.all([kiln(['runs', '--home', home]), kiln(['runs', '--metrics', 'accuracy,train.accuracy', '--home', home])]);
    const lines = ok(table).trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^run +name +learner +status +metric +started \(UTC\)$/);
    assert.match(table.stderr, new RegExp(`\\n${trainedRun} +titanic +logistic-regression +finished +roc_auc 0\\.\\d{4} `));
    assert.match(table.stderr, new RegExp(`\\n${searchRun} +churn +automl +finished +accuracy 0\\.8000 `));
    for (const line of lines) assert.ok(line.length <= PIPE_WIDTH, `${line.length} characters: ${line}`);
    assert.match(ok(chosen), /^run +name +learner +status +accuracy +train\.accuracy +started \(UTC\)\n/);
    assert.match(chosen.stderr, new RegExp(`\\n${searchRun} +churn +automl +finished +0\\.8000 +\\d{4}-`), 'no train.accuracy: an empty cell');
  });
});

describe('the pieces', () => {
  test('fittedTable cuts long cells, then leaves out the least needed columns, to fit the width', () => {
    const columns = [
      { header: 'name', shrinkTo: 8, cutAt: 'middle' as const },
      { header: 'kind', dropOrder: 2 },
      { header: 'note', shrinkTo: 6, dropOrder: 1 },
      { header: 'score' },
    ];
    const rows = [['titanic trial 385', 'binary', 'a long note about it', '0.8673']];
    assert.equal(fittedTable(columns, rows, 200).split('\n')[2], 'titanic trial 385  binary  a long note about it  0.8673');
    // cutting is enough: the longest cells give first, the name keeps its end
    assert.equal(fittedTable(columns, rows, 40).split('\n')[2], 'titani…l 385  binary  a long no…  0.8673');
    const narrow = fittedTable(columns, rows, 30).split('\n');
    assert.deepEqual(narrow, ['name            kind    score', '--------------  ------  ------', 'titanic…al 385  binary  0.8673'], 'the note goes first');
    assert.deepEqual(fittedTable(columns, rows, 20).split('\n'), ['name          score', '------------  ------', 'titani…l 385  0.8673'], 'then the kind');
    // what cannot be cut or left out is kept whole, even past the width
    assert.equal(fittedTable([{ header: 'run' }], [['3f1c0a7e-b9b3-4682-a511-aace16d9688f']], 10).split('\n')[2], '3f1c0a7e-b9b3-4682-a511-aace16d9688f');
  });

  test('the headline metric: what the search optimised, else the usual one for the task', () => {
    assert.equal(headlineMetric('binary', ['accuracy', 'roc_auc', 'log_loss']), 'roc_auc');
    assert.equal(headlineMetric('binary', ['accuracy', 'roc_auc'], 'accuracy'), 'accuracy');
    assert.equal(headlineMetric('binary', ['accuracy', 'roc_auc'], 'f1_macro'), 'roc_auc', 'a metric it does not have is passed over');
    assert.equal(headlineMetric('multiclass', ['roc_auc', 'accuracy']), 'accuracy');
    assert.equal(headlineMetric('regression', ['r2', 'rmse', 'mae']), 'rmse');
    assert.equal(headlineMetric('recommend', ['rmse', 'mae', 'precision_at_10', 'ndcg_at_10', 'baseline_ndcg_at_10']), 'ndcg_at_10');
    assert.equal(headlineMetric('cluster', ['davies_bouldin', 'silhouette']), 'silhouette');
    assert.equal(headlineMetric('detect-anomalies', ['flagged_share', 'baseline_roc_auc', 'roc_auc']), 'roc_auc');
    assert.equal(headlineMetric('detect-anomalies', ['baseline_flagged_share', 'flagged_share']), 'flagged_share');
    assert.equal(headlineMetric('something-new', ['baseline_x', 'x']), 'x');
    assert.equal(headlineMetric('binary', []), undefined);

    const trial = { 'cv.roc_auc': 0.83819, seconds: 0.1 };
    assert.deepEqual(scoredMetricNames(trial), ['roc_auc']);
    assert.equal(metricCell(trial, 'roc_auc'), '0.8382 (cv)');
    assert.equal(metricCell({ 'test.rmse': 35210.26 }, 'rmse'), '35210.3');
    assert.equal(metricCell({ 'train.accuracy': 1 }, 'train.accuracy'), '1.0000');
    assert.equal(metricCell({}, 'accuracy'), '');
  });

  test('metric names in words', () => {
    assert.equal(metricInWords('roc_auc'), 'area under the ROC curve');
    assert.equal(metricInWords('ndcg_at_10'), 'NDCG in the top 10');
    assert.equal(metricInWords('some_new_metric'), 'some new metric');
  });
});
