/** Ensemble selection: a diverse library, and a paired test of the mix against the leader. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import type { Trial } from '../../src/evaluate/search/automl.js';
import { chooseEnsemble, ensembleLibrary, foldScores, meanAndStandardError } from '../../src/evaluate/search/ensemble-selection.js';
import type { Fold } from '../../src/evaluate/search/fold-data.js';
import { classificationMetrics } from '../../src/evaluate/metrics/index.js';

const trial = (id: number, learner: string, score: number, params: Record<string, unknown> = { id }): Trial => ({
  id, learner, params, rung: 2, final: true, rows: 100, folds: 5, status: 'ok', value: score, score, seconds: 1,
});

test('the library holds the best trial of every learner before the runners-up of the leading one', () => {
  const boosters = Array.from({ length: 15 }, (_, k) => trial(k + 1, 'gradient-boosting', 0.9 - k * 0.001));
  const board = [...boosters, trial(16, 'random-forest', 0.85), trial(17, 'logistic-regression', 0.84), trial(18, 'logistic-regression', 0.83)];
  const library = ensembleLibrary(board, () => true, 12);
  assert.equal(library.length, 12);
  const ids = library.map((t) => t.id);
  assert.ok(ids.includes(16) && ids.includes(17), 'each other learner brings its best trial');
  assert.ok(!ids.includes(18), "a learner's second trial waits behind the leaders");
  assert.deepEqual(ids.slice(0, 10), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'then the best remaining trials, best first');
  assert.deepEqual(library.map((t) => t.score), [...library.map((t) => t.score)].sort((a, b) => b - a));
  // the same learner and parameters twice count once; trials without out-of-fold outputs are left out
  const twins = [trial(1, 'ridge', 0.9, { alpha: 1 }), trial(2, 'ridge', 0.89, { alpha: 1 }), trial(3, 'lasso', 0.8)];
  assert.deepEqual(ensembleLibrary(twins, (t) => t.id !== 3).map((t) => t.id), [1]);
});

/**
 * 5 folds of 200 rows whose difficulty differs a lot (the signal's strength varies by fold), and models
 * that see the signal through their own independent noise: averaging two of them helps on every fold,
 * by less than the fold-to-fold spread of either one's score.
 */
function foldsOfVaryingDifficulty() {
  const rng = new Rng(11);
  const nFolds = 5;
  const perFold = 200;
  const n = nFolds * perFold;
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  const strength = Float64Array.from({ length: n }, (_, i) => [0.4, 0.8, 1.2, 1.8, 2.6][Math.floor(i / perFold)] as number);
  const folds: Fold[] = Array.from({ length: nFolds }, (_, f) => {
    const valRows = Int32Array.from({ length: perFold }, (_, k) => f * perFold + k);
    // training parts sized as in 5-fold cross-validation: the overlap correction reads their row counts
    return { X: createMatrix(n - perFold, 1), y: new Int32Array(1), Xval: createMatrix(perFold, 1), yval: y.slice(f * perFold, (f + 1) * perFold), valRows, sourceRows: n - perFold, order: new Int32Array(1) };
  });
  // `noise`: one level for every row, or one per fold
  const model = (noise: number | readonly number[]) => {
    const out = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      const level = typeof noise === 'number' ? noise : (noise[Math.floor(i / perFold)] as number);
      const z = ((y[i] as number) * 2 - 1) * (strength[i] as number) + level * rng.normal();
      const p = 1 / (1 + Math.exp(-z));
      out[i * 2] = 1 - p;
      out[i * 2 + 1] = p;
    }
    return out;
  };
  return { folds, model };
}

const options = { task: 'binary' as const, nClasses: 2, metric: 'roc_auc', size: 3 };

function trialOf(id: number, learner: string, outputs: Float64Array, folds: readonly Fold[]): Trial {
  const { mean, standardError } = meanAndStandardError(foldScores(outputs, folds, options));
  return { ...trial(id, learner, mean), standardError };
}

test('fold scores are the metric on each fold\'s validation rows', () => {
  const { folds, model } = foldsOfVaryingDifficulty();
  const outputs = model(2);
  const scores = foldScores(outputs, folds, options);
  const fold = folds[3] as Fold;
  const proba = { rows: 200, cols: 2, data: outputs.slice(3 * 400, 4 * 400) };
  assert.ok(Math.abs((scores[3] as number) - (classificationMetrics(fold.yval as Int32Array, proba).roc_auc as number)) < 1e-12);
  assert.ok((scores[0] as number) < (scores[4] as number), 'the weak-signal fold is the hardest');
});

test('two models erring on different rows are mixed when the gain holds fold by fold, even within the leader\'s spread', () => {
  const { folds, model } = foldsOfVaryingDifficulty();
  const a = model(2);
  const b = model(2);
  const oof = new Map([[1, a], [2, b]]);
  const leader = trialOf(1, 'gradient-boosting', a, folds);
  const other = trialOf(2, 'logistic-regression', b, folds);
  const board = [leader, other].sort((p, q) => q.score - p.score);
  const choice = chooseEnsemble(board, oof, folds, options);
  assert.ok(choice !== undefined, 'the ensemble is kept');
  assert.deepEqual(new Set(choice.members.map((m) => m.id)), new Set([1, 2]));
  assert.ok(choice.gain > choice.gainStandardError && choice.gain > 0);
  assert.ok(choice.score > (board[0] as Trial).score);
  // the unpaired rule (gain above the leader's own fold-to-fold standard error) would have refused it
  assert.ok(choice.gain < ((board[0] as Trial).standardError as number), `gain ${choice.gain} vs spread ${(board[0] as Trial).standardError}`);
});

test('a mix that beats the leader fold by fold on average is kept, even by less than the standard error of the gain', () => {
  const { folds, model } = foldsOfVaryingDifficulty();
  const a = model(2);
  // as good a view as the leader's on three folds, a much noisier one on the last two: the mix gains a
  // lot on some folds and little on others, so its gain is uncertain but positive
  const b = model([2, 2, 2, 6, 6]);
  const board = [trialOf(1, 'gradient-boosting', a, folds), trialOf(2, 'logistic-regression', b, folds)].sort((p, q) => q.score - p.score);
  assert.equal(board[0]?.id, 1, 'the less noisy model leads');
  const choice = chooseEnsemble(board, new Map([[1, a], [2, b]]), folds, options);
  assert.ok(choice !== undefined, 'the ensemble is kept');
  assert.ok(choice.gain > 0 && choice.score > (board[0] as Trial).score);
  // a bar at one standard error of the gain (the earlier rule) would have refused it
  assert.ok(choice.gain < choice.gainStandardError, `gain ${choice.gain} vs its standard error ${choice.gainStandardError}`);
});

test('no ensemble of a model with its own copy, nor with a model that only adds noise', () => {
  const { folds, model } = foldsOfVaryingDifficulty();
  const a = model(1);
  const copy = Float64Array.from(a);
  const noise = model(40); // nearly pure noise
  const board = [trialOf(1, 'gradient-boosting', a, folds), trialOf(2, 'random-forest', copy, folds), trialOf(3, 'knn', noise, folds)];
  assert.equal(chooseEnsemble(board, new Map([[1, a], [2, copy], [3, noise]]), folds, options), undefined);
  assert.equal(chooseEnsemble(board, new Map([[1, a], [2, copy]]), folds, { ...options, size: 0 }), undefined, 'size 0 turns it off');
});

test('the standard error over folds is corrected for their overlap (Nadeau and Bengio)', async () => {
  const { overlapCorrectedStandardError, meanAndStandardError } = await import('../../src/evaluate/search/ensemble-selection.js');
  const gains = [0.01, 0.03, -0.01, 0.02, 0.0];
  const plain = meanAndStandardError(gains).standardError;
  // 5-fold: (1/5 + 1/4) s² against s²/5, i.e. 1.5 times the plain standard error
  assert.ok(Math.abs(overlapCorrectedStandardError(gains, 1 / 4) - 1.5 * plain) < 1e-12);
  assert.equal(overlapCorrectedStandardError(gains, 0), plain, 'no overlap correction without training overlap');
  assert.equal(overlapCorrectedStandardError([0.2], 0.25), 0);
});
