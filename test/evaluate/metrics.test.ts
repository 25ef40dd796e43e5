import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMatrix, matrixFromRows, type Matrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import { accuracy, argmaxRows, classificationMetrics, logLoss, mae, r2, regressionMetrics, rmse, rocAuc } from '../../src/evaluate/metrics/index.js';

/** What test/fixtures/sklearn/make_fixtures.py writes: inputs and scikit-learn's answers. */
interface MetricsFixture {
  sklearn_version: string;
  classification: { name: string; yTrue: number[]; proba: number[][]; accuracy: number; log_loss: number; roc_auc: number }[];
  regression: { yTrue: number[]; yPred: number[]; rmse: number; mae: number; r2: number };
}

const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/metrics.json', import.meta.url), 'utf8')) as MetricsFixture;

const close = (got: number, expected: number, tol: number, what: string): void =>
  assert.ok(Math.abs(got - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${got} vs ${expected}`);

/**
 * The naive reference for ROC AUC: the fraction of (positive, negative) pairs the scores order
 * correctly, a tie counting one half (the Mann–Whitney statistic). O(P·N), obviously right.
 */
function naiveBinaryAuc(positive: boolean[], scores: number[]): number {
  let good = 0;
  let pairs = 0;
  scores.forEach((sp, i) => {
    if (!positive[i]) return;
    scores.forEach((sn, j) => {
      if (positive[j]) return;
      pairs++;
      good += sp > sn ? 1 : sp === sn ? 0.5 : 0;
    });
  });
  return good / pairs;
}

function naiveAuc(yTrue: number[], proba: number[][]): number {
  const k = proba[0]!.length;
  if (k === 2) return naiveBinaryAuc(yTrue.map((y) => y === 1), proba.map((p) => p[1]!));
  let sum = 0;
  for (let c = 0; c < k; c++) sum += naiveBinaryAuc(yTrue.map((y) => y === c), proba.map((p) => p[c]!));
  return sum / k;
}

for (const c of fx.classification) {
  test(`${c.name}: accuracy, ROC AUC and log loss equal scikit-learn ${fx.sklearn_version}'s`, () => {
    const yTrue = Int32Array.from(c.yTrue);
    const proba = matrixFromRows(c.proba);
    const metrics = classificationMetrics(yTrue, proba);
    assert.deepEqual(Object.keys(metrics).slice(0, 3), ['accuracy', 'roc_auc', 'log_loss']);
    assert.equal(metrics.accuracy, c.accuracy);
    close(metrics.roc_auc, c.roc_auc, 1e-12, 'roc_auc');
    close(metrics.log_loss, c.log_loss, 1e-12, 'log_loss');
  });

  test(`${c.name}: ROC AUC equals the naive pair-counting reference`, () => {
    close(rocAuc(Int32Array.from(c.yTrue), matrixFromRows(c.proba)), naiveAuc(c.yTrue, c.proba), 1e-12, 'roc_auc');
  });
}

test('the fixtures really exercise ties, and exact 0/1 probabilities', () => {
  const rounded = fx.classification[1]!;
  assert.ok(new Set(rounded.proba.map((p) => p[1])).size <= 11);
  assert.ok(rounded.proba.some((p) => p[1] === 0 || p[1] === 1));
  assert.ok(Number.isFinite(rounded.log_loss));
});

test('ROC AUC matches the naive reference on random data with heavy ties, binary and multiclass', () => {
  const rng = new Rng(5);
  for (let trial = 0; trial < 20; trial++) {
    const n = 10 + rng.int(80);
    const k = 2 + rng.int(3);
    const yTrue = Array.from({ length: n }, () => rng.int(k));
    yTrue[0] = 0;
    yTrue[1] = k - 1;
    if (k > 2) yTrue[2] = 1;
    // Scores from a few levels only, so ties are everywhere; rows need not sum to 1 for this check.
    const proba = Array.from({ length: n }, () => Array.from({ length: k }, () => rng.int(4) / 4));
    close(rocAuc(Int32Array.from(yTrue), matrixFromRows(proba)), naiveAuc(yTrue, proba), 1e-12, `trial ${trial}`);
  }
});

test('ROC AUC: perfect, reversed and all-tied scores', () => {
  const y = Int32Array.from([0, 0, 1, 1]);
  const binary = (p1: number[]): Matrix => matrixFromRows(p1.map((p) => [1 - p, p]));
  assert.equal(rocAuc(y, binary([0.1, 0.2, 0.8, 0.9])), 1);
  assert.equal(rocAuc(y, binary([0.9, 0.8, 0.2, 0.1])), 0);
  assert.equal(rocAuc(y, binary([0.5, 0.5, 0.5, 0.5])), 0.5);
});

test('ROC AUC is NaN with a single class (scikit-learn raises); absent classes are left out of the macro average', () => {
  assert.ok(Number.isNaN(rocAuc(Int32Array.from([1, 1]), matrixFromRows([[0.2, 0.8], [0.6, 0.4]]))));
  // Class 2 never occurs: the average is over classes 0 and 1, each perfectly separated here.
  const proba = matrixFromRows([[0.8, 0.1, 0.1], [0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.6, 0.2]]);
  assert.equal(rocAuc(Int32Array.from([0, 0, 1, 1]), proba), 1);
  assert.throws(() => rocAuc(Int32Array.from([0, 1]), matrixFromRows([[0.5, Number.NaN], [0.5, 0.5]])), RangeError);
});

test('log loss clips like scikit-learn: a certain mistake costs -log(eps), not infinity', () => {
  const loss = logLoss(Int32Array.from([1]), matrixFromRows([[1, 0]]));
  // p = [1 − ε, ε] after clipping, renormalised by their sum (1).
  close(loss, -Math.log(Number.EPSILON), 1e-12, 'log_loss');
  close(logLoss(Int32Array.from([0, 1]), matrixFromRows([[0.5, 0.5], [0.25, 0.75]])), -(Math.log(0.5) + Math.log(0.75)) / 2, 1e-15, 'log_loss');
});

test('argmaxRows picks the first of tied maxima, like numpy; accuracy compares labels', () => {
  assert.deepEqual(Array.from(argmaxRows(matrixFromRows([[0.2, 0.5, 0.3], [0.4, 0.2, 0.4], [1 / 3, 1 / 3, 1 / 3]]))), [1, 0, 0]);
  assert.equal(accuracy(Int32Array.from([0, 1, 2, 2]), Int32Array.from([0, 1, 1, 2])), 0.75);
  assert.throws(() => accuracy(Int32Array.from([0]), Int32Array.from([0, 1])), RangeError);
  assert.deepEqual(Array.from(argmaxRows(createMatrix(0, 3))), []);
});

test(`rmse, mae and r2 equal scikit-learn ${fx.sklearn_version}'s`, () => {
  const { yTrue, yPred } = fx.regression;
  const metrics = regressionMetrics(Float64Array.from(yTrue), Float64Array.from(yPred));
  assert.deepEqual(Object.keys(metrics).slice(0, 3), ['rmse', 'mae', 'r2']);
  close(metrics.rmse, fx.regression.rmse, 1e-12, 'rmse');
  close(metrics.mae, fx.regression.mae, 1e-12, 'mae');
  close(metrics.r2, fx.regression.r2, 1e-12, 'r2');
});

test('regression metrics on small known cases, and r2 for a constant target as scikit-learn', () => {
  const y = Float64Array.from([1, 2, 3, 4]);
  const p = Float64Array.from([1, 2, 3, 6]);
  assert.equal(rmse(y, p), 1);
  assert.equal(mae(y, p), 0.5);
  assert.equal(r2(y, p), 1 - 4 / 5);
  assert.equal(r2(y, y), 1);
  // Predicting the mean scores 0; worse than the mean is negative.
  assert.equal(r2(y, new Float64Array(4).fill(2.5)), 0);
  assert.ok(r2(y, Float64Array.from([4, 3, 2, 1])) < 0);
  const constant = new Float64Array(3).fill(7);
  assert.equal(r2(constant, constant), 1);
  assert.equal(r2(constant, Float64Array.from([7, 7, 8])), 0);
  assert.throws(() => rmse(y, new Float64Array(3)), RangeError);
});
