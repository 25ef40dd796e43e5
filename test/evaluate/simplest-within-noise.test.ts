/** The one-standard-error rule: the simplest complete trial whose score is within the top one's noise. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Trial } from '../../src/evaluate/search/automl.js';
import { complexityRank, simplestWithinNoise } from '../../src/evaluate/search/simplest-within-noise.js';

const trial = (id: number, learner: string, score: number, standardError?: number): Trial => ({
  id, learner, params: {}, rung: 2, final: true, rows: 100, folds: 5, status: 'ok', value: score, score, seconds: 1,
  ...(standardError === undefined ? {} : { standardError }),
});

test('a linear model within one standard error of a boosted leader is chosen; one below it is not', () => {
  const board = [trial(1, 'gradient-boosting', 0.85, 0.01), trial(2, 'mlp', 0.845, 0.01), trial(3, 'logistic-regression', 0.842, 0.01)];
  assert.equal(simplestWithinNoise(board)?.id, 3);
  const far = [trial(1, 'gradient-boosting', 0.85, 0.01), trial(3, 'logistic-regression', 0.835, 0.01)];
  assert.equal(simplestWithinNoise(far)?.id, 1);
  // no standard error (a single fold): the top trial stands
  assert.equal(simplestWithinNoise([trial(1, 'random-forest', 0.9), trial(2, 'ridge', 0.89)])?.id, 1);
  assert.equal(simplestWithinNoise([]), undefined);
});

test('complexity ranks: linear < naive Bayes < trees and neighbours < ensembles of trees < networks < the rest', () => {
  const order = ['ridge', 'gaussian-nb', 'decision-tree', 'random-forest', 'mlp', 'soft-voting'].map(complexityRank);
  assert.deepEqual([...order].sort((a, b) => a - b), order);
  assert.ok(new Set(order).size >= 5);
});
