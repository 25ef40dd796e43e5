import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { matrixFromRows } from '../../src/core/matrix.js';
import { argmaxRows, logLoss, rocAuc } from '../../src/evaluate/metrics/classification.js';
import { daviesBouldinScore, silhouetteScore } from '../../src/evaluate/metrics/clustering.js';
import { averagedScores, balancedAccuracy, confusionMatrix } from '../../src/evaluate/metrics/confusion.js';
import { brierScore, calibrationCurve, prAuc } from '../../src/evaluate/metrics/probability.js';
import { rankingMetrics } from '../../src/evaluate/metrics/ranking.js';
import { mae, mape, r2, rmse } from '../../src/evaluate/metrics/regression.js';

// scikit-learn's values: test/fixtures/sklearn/make_eval_metric_fixtures.py
const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/eval-metrics.json', import.meta.url), 'utf8'));
const close = (got: number, want: number, what: string, tol = 1e-12) => assert.ok(Math.abs(got - want) <= tol, `${what}: ${got} vs scikit-learn ${want}`);

test('binary: confusion-matrix metrics, PR AUC, Brier score and calibration match scikit-learn', () => {
  const b = fx.binary;
  const y = Int32Array.from(b.y);
  const p1 = Float64Array.from(b.p1);
  const yhat = Int32Array.from(b.p1.map((p: number) => (p >= 0.5 ? 1 : 0)));
  assert.deepEqual(confusionMatrix(y, yhat, 2), b.confusion);
  const avg = averagedScores(y, yhat, 2);
  for (const key of ['precision_macro', 'recall_macro', 'f1_macro', 'precision_weighted', 'recall_weighted', 'f1_weighted'] as const) close(avg[key], b[key], key);
  close(balancedAccuracy(y, yhat, 2), b.balanced_accuracy, 'balanced accuracy');
  const proba = matrixFromRows(b.p1.map((p: number) => [1 - p, p]));
  close(prAuc(y, proba), b.pr_auc, 'PR AUC (average precision)');
  close(brierScore(y, p1), b.brier, 'Brier');
  const curve = calibrationCurve(y, p1, 10);
  assert.equal(curve.fractionPositive.length, b.calibration.fraction_positive.length);
  curve.fractionPositive.forEach((v, i) => close(v, b.calibration.fraction_positive[i], `calibration bin ${i}`));
  curve.meanPredicted.forEach((v, i) => close(v, b.calibration.mean_predicted[i], `calibration mean ${i}`));
});

test('multiclass with a rare class: averages, one-vs-rest ROC and PR AUC, log loss match scikit-learn', () => {
  const m = fx.multiclass;
  const y = Int32Array.from(m.y);
  const proba = matrixFromRows(m.proba);
  const yhat = argmaxRows(proba);
  assert.deepEqual(confusionMatrix(y, yhat, 4), m.confusion);
  const avg = averagedScores(y, yhat, 4);
  for (const key of ['precision_macro', 'recall_macro', 'f1_macro', 'precision_weighted', 'recall_weighted', 'f1_weighted'] as const) close(avg[key], m[key], key);
  close(balancedAccuracy(y, yhat, 4), m.balanced_accuracy, 'balanced accuracy');
  close(rocAuc(y, proba), m.roc_auc_ovr, 'ROC AUC ovr', 1e-12);
  close(prAuc(y, proba), m.pr_auc_macro, 'PR AUC macro', 1e-12);
  close(logLoss(y, proba), m.log_loss, 'log loss', 1e-12);
});

test('regression: RMSE, MAE, MAPE (with zero targets) and R² match scikit-learn', () => {
  const r = fx.regression;
  const y = Float64Array.from(r.y);
  const p = Float64Array.from(r.pred);
  close(rmse(y, p), r.rmse, 'rmse', 1e-9);
  close(mae(y, p), r.mae, 'mae', 1e-9);
  close(mape(y, p), r.mape, 'mape', Math.abs(r.mape) * 1e-12);
  close(r2(y, p), r.r2, 'r2', 1e-12);
});

test('clustering: silhouette and Davies–Bouldin match scikit-learn', () => {
  const c = fx.clustering;
  const X = matrixFromRows(c.X);
  const labels = Int32Array.from(c.labels);
  close(silhouetteScore(X, labels), c.silhouette, 'silhouette', 1e-10);
  close(daviesBouldinScore(X, labels), c.davies_bouldin, 'Davies–Bouldin', 1e-10);
});

test('top-k ranking metrics on hand-worked cases', () => {
  // user A: hits at ranks 1 and 3 of 3; 2 relevant items. user B: no hit. user C: nothing relevant → skipped.
  const m = rankingMetrics(
    [
      { recommended: ['a', 'x', 'b'], relevant: new Set(['a', 'b']) },
      { recommended: ['x', 'y', 'z'], relevant: new Set(['q']) },
      { recommended: ['a'], relevant: new Set<string>() },
    ],
    3,
  );
  assert.equal(m.users, 2);
  close(m.precision_at_k, (2 / 3 + 0) / 2, 'precision@3');
  close(m.recall_at_k, (1 + 0) / 2, 'recall@3');
  const dcgA = 1 + 1 / Math.log2(4);
  const idcgA = 1 + 1 / Math.log2(3);
  close(m.ndcg_at_k, (dcgA / idcgA + 0) / 2, 'NDCG@3');
  close(m.map_at_k, ((1 / 1 + 2 / 3) / 2 + 0) / 2, 'MAP@3');
  // a perfect ranking scores 1 everywhere
  const perfect = rankingMetrics([{ recommended: [1, 2, 3], relevant: new Set([1, 2, 3]) }], 3);
  assert.deepEqual([perfect.precision_at_k, perfect.recall_at_k, perfect.ndcg_at_k, perfect.map_at_k], [1, 1, 1, 1]);
});
