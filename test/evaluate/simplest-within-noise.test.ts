/** The one-standard-error rule: the simplest complete trial the folds cannot tell apart from the top one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Trial } from '../../src/evaluate/search/automl.js';
import { complexityRank, simplestWithinNoise, withinNoiseOf } from '../../src/evaluate/search/simplest-within-noise.js';
import { overlapCorrectedStandardError } from '../../src/evaluate/search/ensemble-selection.js';

const SHARE = 1 / 4; // 5-fold cross-validation: a fifth of the rows validates, four fifths train

const trial = (id: number, learner: string, foldScores: readonly number[]): Trial => {
  const score = foldScores.reduce((a, b) => a + b, 0) / foldScores.length;
  return { id, learner, params: {}, rung: 2, final: true, rows: 100, folds: foldScores.length, status: 'ok', value: score, score, seconds: 1, foldScores, standardError: overlapCorrectedStandardError(foldScores, SHARE) };
};
const single = (id: number, learner: string, score: number, standardError?: number): Trial => ({
  id, learner, params: {}, rung: 2, final: true, rows: 100, folds: 1, status: 'ok', value: score, score, seconds: 1,
  ...(standardError === undefined ? {} : { standardError }),
});

// folds of very different difficulty: the spread of either trial's score is large (≈ 0.03)
const boosted = [0.8, 0.84, 0.88, 0.92, 0.86];

test('a simpler model below the leader in every fold is not within noise, however much the folds differ', () => {
  const linear = boosted.map((s) => s - 0.02);
  const top = trial(1, 'gradient-boosting', boosted);
  const lower = trial(2, 'logistic-regression', linear);
  // the unpaired rule would keep it: its shortfall (0.02) is below the top's own standard error
  assert.ok(top.score - lower.score < (top.standardError as number), `${top.score - lower.score} vs ${top.standardError}`);
  assert.equal(withinNoiseOf(top, lower, SHARE), false);
  assert.equal(simplestWithinNoise([top, lower], SHARE)?.id, 1);
});

test('a simpler model ahead in some folds and behind in others is within noise, and chosen', () => {
  const linear = [0.81, 0.83, 0.885, 0.91, 0.862];
  const board = [trial(1, 'gradient-boosting', boosted), trial(2, 'mlp', boosted.map((s) => s - 0.001)), trial(3, 'logistic-regression', linear)];
  assert.equal(withinNoiseOf(board[0]!, board[2]!, SHARE), true);
  assert.equal(simplestWithinNoise(board, SHARE)?.id, 3);
});

test('without per-fold scores the top trial\'s own standard error decides; without one, the top stands', () => {
  assert.equal(simplestWithinNoise([single(1, 'gradient-boosting', 0.85, 0.01), single(3, 'logistic-regression', 0.842)], SHARE)?.id, 3);
  assert.equal(simplestWithinNoise([single(1, 'gradient-boosting', 0.85, 0.01), single(3, 'logistic-regression', 0.835)], SHARE)?.id, 1);
  assert.equal(simplestWithinNoise([single(1, 'random-forest', 0.9), single(2, 'ridge', 0.89)], SHARE)?.id, 1);
  assert.equal(simplestWithinNoise([], SHARE), undefined);
});

test('complexity ranks: linear < naive Bayes < trees and neighbours < ensembles of trees < networks < the rest', () => {
  const order = ['ridge', 'gaussian-nb', 'decision-tree', 'random-forest', 'mlp', 'soft-voting'].map(complexityRank);
  assert.deepEqual([...order].sort((a, b) => a - b), order);
  assert.ok(new Set(order).size >= 5);
});
