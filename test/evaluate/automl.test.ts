import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKilnError, KilnError } from '../../src/core/errors.js';
import { Frame } from '../../src/core/frame.js';
import { parseParams } from '../../src/core/params.js';
import { Rng } from '../../src/core/rng.js';
import { stratifiedKFold, timeSeriesSplit } from '../../src/data/splits/k-fold.js';
import { searchModels } from '../../src/evaluate/search/automl.js';
import { checkFoldsFit, foldBytes, prepareFolds } from '../../src/evaluate/search/fold-data.js';
import { spacesFor } from '../../src/evaluate/search/search-space.js';
import { trialRunner } from '../../src/evaluate/search/trial-runner.js';
import { getLearner, learnerNames } from '../../src/learners/registry.js';

function blobs(n: number, seed: number) {
  const rng = new Rng(seed);
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  const a = Float64Array.from(y, (c) => c * 1.2 + rng.normal());
  const b = Float64Array.from(y, (c) => -c * 0.8 + rng.normal());
  const colour = Array.from(y, (c) => (rng.next() < 0.7 ? (c ? 'red' : 'blue') : 'green'));
  const frame = new Frame([
    { kind: 'numeric', name: 'a', values: a },
    { kind: 'numeric', name: 'b', values: b },
    { kind: 'categorical', name: 'colour', values: colour },
  ]);
  return { frame, y };
}

const plan = [
  { name: 'a', kind: 'numeric' as const },
  { name: 'b', kind: 'numeric' as const },
  { name: 'colour', kind: 'categorical' as const },
];

test('every search space samples parameters its learner accepts', () => {
  const rng = new Rng(5);
  for (const task of ['binary', 'multiclass', 'regression'] as const) {
    for (const space of spacesFor(task)) {
      assert.ok(learnerNames.includes(space.learner));
      for (let i = 0; i < 20; i++) {
        const params = space.sample(rng);
        assert.doesNotThrow(() => parseParams(getLearner(space.learner).paramsSchema, params), `${space.learner}: ${JSON.stringify(params)}`);
      }
    }
  }
});

test('the search scores defaults first, then halves, and returns a leaderboard of complete trials', async () => {
  const { frame, y } = blobs(300, 1);
  const folds = prepareFolds(frame, plan, y, stratifiedKFold(y, 2, 3, { seed: 1 }), 1);
  const seen: number[] = [];
  // k-nearest neighbours: no grid runs between its defaults and the halving (logistic regression's grid
  // of complete trials can take the whole 1.5 s on a loaded machine, and then no rung would run)
  const result = await searchModels(folds, {
    task: 'binary', nClasses: 2, metric: 'roc_auc', budgetSeconds: 1.5, seed: 2, learners: ['knn'], threads: 1,
    onTrial: (t) => { seen.push(t.id); },
  });
  assert.equal(result.trials[0]?.learner, 'knn');
  assert.deepEqual(result.trials[0]?.params, {}, 'defaults come first');
  assert.equal(result.trials[0]?.final, true);
  assert.ok(result.trials.some((t) => !t.final), 'subsample rungs ran');
  assert.deepEqual(seen, result.trials.map((t) => t.id), 'every trial was reported');
  const scores = result.leaderboard.map((t) => t.score);
  assert.deepEqual(scores, [...scores].sort((p, q) => q - p), 'leaderboard sorted best first');
  assert.ok(result.leaderboard.every((t) => t.final && t.folds === 3 && t.rows === folds[0]!.X.rows));
  // the best is the top trial, or a simpler one within its standard error
  const top = result.leaderboard[0]!;
  assert.ok(result.leaderboard.includes(result.best) && result.best.score >= top.score - top.standardError!);
  assert.ok(result.best.score >= result.trials[0]!.score, 'never worse than the defaults');
  assert.ok(result.best.value > 0.7, `cross-validated AUC ${result.best.value}`);
  // Fits in flight at the deadline are cancelled, so the search ends soon after its budget. The margin is
  // wide on purpose: on a loaded machine a cancellation waits for the fit's next check and a CPU share.
  assert.ok(result.seconds < 1.5 + 5, `took ${result.seconds} s for a 1.5 s budget`);
});

test('preprocessing inside the folds is fitted on each fold\'s training rows only', () => {
  const { frame, y } = blobs(60, 3);
  const splits = stratifiedKFold(y, 2, 3, { seed: 1 });
  const folds = prepareFolds(frame, plan, y, splits, 1);
  for (const [f, fold] of folds.entries()) {
    // the standardised column "a" has mean 0 over the fold's training rows, not over all rows
    let mean = 0;
    for (let i = 0; i < fold.X.rows; i++) mean += fold.X.data[i * fold.X.cols]!;
    assert.ok(Math.abs(mean / fold.X.rows) < 1e-9, `fold ${f}`);
    assert.equal(fold.X.rows + fold.Xval.rows, 60);
    assert.deepEqual(Array.from(fold.valRows), Array.from(splits[f]!.test));
  }
});

test('time-ordered folds, whose validation parts leave the first rows out, still give complete trials', async () => {
  const { frame, y } = blobs(240, 4);
  const times = Float64Array.from({ length: 240 }, (_, i) => i);
  const folds = prepareFolds(frame, plan, y, timeSeriesSplit(times, 3), 1, 2);
  const result = await searchModels(folds, {
    task: 'binary', nClasses: 2, metric: 'roc_auc', budgetSeconds: 1, seed: 3, learners: ['logistic-regression', 'gaussian-nb'], ensembleSize: 2, threads: 1,
  });
  assert.ok(result.leaderboard.length >= 2, 'every default trial completed');
  assert.ok(result.leaderboard.every((t) => t.folds === 3 && t.status === 'ok'));
});

test('folds drawn several times (repeated cross-validation): complete trials are scored on every fold', async () => {
  const { frame, y } = blobs(150, 5);
  const splits = [...stratifiedKFold(y, 2, 3, { seed: 1 }), ...stratifiedKFold(y, 2, 3, { seed: 2 })];
  const folds = prepareFolds(frame, plan, y, splits, 1, 2);
  const result = await searchModels(folds, {
    task: 'binary', nClasses: 2, metric: 'roc_auc', budgetSeconds: 1, seed: 3, learners: ['logistic-regression', 'gaussian-nb'], threads: 1,
  });
  assert.ok(result.leaderboard.length >= 2);
  assert.ok(result.leaderboard.every((t) => t.folds === 6 && t.standardError !== undefined));
});

test('trials in parallel on worker threads: the same models as one after the other, and the search completes', async () => {
  const { frame, y } = blobs(200, 6);
  const folds = prepareFolds(frame, plan, y, stratifiedKFold(y, 2, 3, { seed: 1 }), 1, 2);
  const inline = trialRunner(folds, 1);
  const pooled = trialRunner(folds, 2);
  try {
    // a forest also grows its trees on its own workers inline, on one thread in the pool
    for (const [learner, params] of [['logistic-regression', {}], ['random-forest', { nEstimators: 10 }]] as const) {
      const fit = { learner, task: 'binary' as const, nClasses: 2, params, seed: 4, rows: 150 };
      const [a, b] = await Promise.all([inline.fitFolds(fit, [0, 2]), pooled.fitFolds(fit, [0, 2])]);
      assert.equal(b.length, 2);
      for (let f = 0; f < 2; f++) assert.deepEqual(Array.from(b[f]!.outputs), Array.from(a[f]!.outputs), `${learner}, fold ${f}`);
    }
  } finally {
    await Promise.all([inline.close(), pooled.close()]);
  }
  // The budget's clock starts before the pool's workers have loaded Kiln (~1.4 s on this 2-core machine
  // when busy, 4-5 s when loaded 6 to 1), and fits starting after the deadline are cancelled, defaults
  // included: 2 s let the defaults be cancelled now and then. 6 s keeps them in on a loaded CI machine.
  const result = await searchModels(folds, { task: 'binary', nClasses: 2, metric: 'roc_auc', budgetSeconds: 6, seed: 2, learners: ['logistic-regression', 'gaussian-nb'], threads: 2 });
  assert.ok(result.leaderboard.length >= 2 && result.leaderboard.every((t) => t.status === 'ok' && t.folds === 3));
  assert.deepEqual(result.trials.map((t) => t.id), result.trials.map((_, k) => k + 1), 'numbered as they finished');
});

test('after an abort no trial is recorded, even one whose fits had already finished', async () => {
  const { frame, y } = blobs(300, 4);
  const folds = prepareFolds(frame, plan, y, stratifiedKFold(y, 2, 3, { seed: 1 }), 1);
  for (const threads of [1, 2]) {
    const controller = new AbortController();
    let recorded = 0;
    await assert.rejects(
      searchModels(folds, {
        task: 'binary', nClasses: 2, metric: 'roc_auc', budgetSeconds: 30, seed: 2, threads,
        learners: ['logistic-regression', 'gaussian-nb', 'knn', 'decision-tree'],
        signal: controller.signal,
        onTrial: () => {
          recorded++;
          controller.abort(new KilnError('CANCELLED', { what: 'the search' }));
        },
      }),
      (e: unknown) => isKilnError(e, 'CANCELLED'),
    );
    assert.equal(recorded, 1, `${threads} thread(s): trials recorded after the abort`);
  }
});

test('a search whose prepared folds would fill more than half of memory is refused before the work, saying what to lower', () => {
  const frame = new Frame([
    { kind: 'numeric', name: 'a', values: Float64Array.from({ length: 40 }, (_, i) => i) },
    { kind: 'numeric', name: 'b', values: Float64Array.from({ length: 40 }, (_, i) => i % 7) },
  ]);
  const y = Int32Array.from({ length: 40 }, (_, i) => i % 2);
  const plan = [{ name: 'a', kind: 'numeric' }, { name: 'b', kind: 'numeric' }] as const;
  const seen: number[] = [];
  const [fold] = prepareFolds(frame, plan, y, stratifiedKFold(y, 2, 4, { seed: 1 }), 1, 2, { afterFirst: (first) => seen.push(foldBytes(first)) });
  // the search measures the first fold before the others are made
  assert.deepEqual(seen, [foldBytes(fold!)]);
  // 40 rows (30 training + 10 validation) × 2 columns × 8 bytes
  assert.equal(foldBytes(fold!), 40 * 2 * 8);
  checkFoldsFit(640, 15, 64 * 15 * 2 * 10); // well within
  assert.throws(() => checkFoldsFit(2 ** 30, 60, 24 * 2 ** 30), (err: unknown) => {
    assert.ok(isKilnError(err, 'SEARCH_TOO_LARGE'));
    assert.match(err.message, /60 cross-validation folds would hold about 60\.0 GB .* 24\.0 GB/);
    assert.match(err.hint ?? '', /folds.*repeats/);
    return true;
  });
});

test("a trial the budget cut short is recorded as stopped by the budget, not as a failure of its learner", async () => {
  const { trialEnd } = await import('../../src/modules/tabular/search-learner.js');
  assert.deepEqual(trialEnd({ status: 'ok' }, 60), { status: 'finished', tags: {} });
  assert.deepEqual(trialEnd({ status: 'cancelled', error: 'training was cancelled' }, 10), {
    status: 'failed',
    error: "stopped: the search's 10 s ran out before this trial finished",
    tags: { stopped: 'budget' },
  });
  assert.deepEqual(trialEnd({ status: 'failed', error: 'the fit diverged' }, 10), { status: 'failed', error: 'the fit diverged', tags: {} });
});

/** 40 numeric columns × 9,000 rows in 3 folds: a kNN fold takes about a second (it never checks its signal while it predicts). */
function wideFolds() {
  const rng = new Rng(8);
  const n = 9000;
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  const columns = Array.from({ length: 40 }, (_, j) => ({ kind: 'numeric' as const, name: `x${j}`, values: Float64Array.from(y, (c) => c * (j % 3 === 0 ? 0.5 : 0) + rng.normal()) }));
  return prepareFolds(new Frame(columns), columns.map((c) => ({ name: c.name, kind: 'numeric' as const })), y, stratifiedKFold(y, 2, 3, { seed: 1 }), 1);
}

test('past the deadline, once a complete trial exists, fits still running are stopped (even a learner that never looks at the clock)', async () => {
  // The naive Bayes defaults are complete within milliseconds. Before the stop, the kNN folds ran to the
  // end and the search went on long after its budget.
  const folds = wideFolds();
  const result = await searchModels(folds, { task: 'binary', nClasses: 2, metric: 'roc_auc', budgetSeconds: 0.3, seed: 2, learners: ['gaussian-nb', 'knn'], threads: 2 });
  const knn = result.trials.find((t) => t.learner === 'knn');
  assert.equal(result.best.learner, 'gaussian-nb');
  assert.equal(knn?.status, 'cancelled', `the kNN defaults were ${knn?.status}: not stopped at the deadline`);
});

test('when no trial is complete by the deadline, the first one to complete is the answer and the others are stopped', async () => {
  // A budget far shorter than any fit: before, every fit was cut at its learner's first look at the
  // clock (logistic regression's included), and only kNN, which never looks, could finish — after a
  // second or more per fold. Now logistic regression's fits go on, complete, and end the search.
  const folds = wideFolds();
  const result = await searchModels(folds, { task: 'binary', nClasses: 2, metric: 'roc_auc', budgetSeconds: 0.001, seed: 2, learners: ['logistic-regression', 'knn'], threads: 2, ensembleSize: 0 });
  assert.equal(result.best.learner, 'logistic-regression');
  assert.equal(result.trials.find((t) => t.learner === 'knn')?.status, 'cancelled');
  assert.ok(result.firstModelLate !== undefined && result.firstModelLate > 0, 'the search says how late its first model was');
});
