/**
 * Gradient boosting against scikit-learn's HistGradientBoosting with the same settings, on the seeded
 * splits committed by test/fixtures/sklearn/make_gbdt_fixtures.py: accuracy and AUC at most 1 point
 * below scikit-learn's (means over 5 splits for the small sets, where one split is too noisy), RMSE at
 * most 3% above.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMatrix, type Matrix } from '../../src/core/matrix.js';
import { accuracy, argmaxRows, rocAuc } from '../../src/evaluate/metrics/classification.js';
import { mae, rmse } from '../../src/evaluate/metrics/regression.js';
import { gradientBoosting, gradientBoostingRegressor } from '../../src/learners/gbdt/gradient-boosting.js';

interface Split {
  readonly seed: number;
  readonly train?: number[];
  readonly test?: number[];
  readonly X_train?: (number | null)[][];
  readonly y_train?: number[];
  readonly X_test?: (number | null)[][];
  readonly y_test?: number[];
  readonly sklearn: { readonly accuracy: number; readonly roc_auc: number };
}

interface ClassificationFixture {
  readonly kiln_params: Record<string, unknown>;
  readonly n_classes: number;
  readonly X?: (number | null)[][];
  readonly y?: number[];
  readonly splits: Split[];
}

interface RegressionFixture {
  readonly kiln_params: Record<string, unknown>;
  readonly X_train: (number | null)[][];
  readonly y_train: number[];
  readonly X_test: (number | null)[][];
  readonly y_test: number[];
  readonly sklearn: Record<string, { readonly rmse: number; readonly mae: number }>;
}

const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/sklearn/${name}`, import.meta.url), 'utf8')) as T;

/** JSON null is a missing value. */
function toMatrix(rows: readonly (number | null)[][]): Matrix {
  const cols = rows[0]?.length ?? 0;
  const m = createMatrix(rows.length, cols);
  rows.forEach((row, i) => row.forEach((v, j) => (m.data[i * cols + j] = v ?? Number.NaN)));
  return m;
}

/** A split's training and test parts: stored as matrices, or as row indices into the fixture's data. */
function parts(f: ClassificationFixture, s: Split): { Xtr: Matrix; ytr: Int32Array; Xte: Matrix; yte: Int32Array } {
  if (s.X_train !== undefined && s.y_train !== undefined && s.X_test !== undefined && s.y_test !== undefined) {
    return { Xtr: toMatrix(s.X_train), ytr: Int32Array.from(s.y_train), Xte: toMatrix(s.X_test), yte: Int32Array.from(s.y_test) };
  }
  const X = f.X ?? [];
  const y = f.y ?? [];
  const rows = (idx: number[]): (number | null)[][] => idx.map((i) => X[i] ?? []);
  const targets = (idx: number[]): Int32Array => Int32Array.from(idx, (i) => y[i] ?? -1);
  return { Xtr: toMatrix(rows(s.train ?? [])), ytr: targets(s.train ?? []), Xte: toMatrix(rows(s.test ?? [])), yte: targets(s.test ?? []) };
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Every set with the default parameters (data this small trains on exact gradients), and again on
 * quantised gradients (`quantizedGradients: true`, what data from 100,000 rows gets by default): breast
 * cancer with missing values (plain breast cancer passes too; left out to keep this file fast) and
 * Titanic. Digits is left out of the quantised round (its ten outputs make it the slowest set): on
 * quantised gradients its single split scored 0.967–0.973 over rounding seeds 0–5 against scikit-learn's
 * 0.973 and the 0.963 asked here, but rounding breaks its many near-tied pixel splits differently per
 * seed, and an earlier scaling of the levels gave 0.962 on seed 0.
 */
const classificationRounds = [
  ...['gbdt-breast-cancer.json', 'gbdt-breast-cancer-missing.json', 'gbdt-titanic.json', 'gbdt-digits.json'].map((name) => ({ name, quantizedGradients: 'auto' as const })),
  ...['gbdt-breast-cancer-missing.json', 'gbdt-titanic.json'].map((name) => ({ name, quantizedGradients: true })),
];

for (const { name, quantizedGradients } of classificationRounds) {
  test(`classification on ${name} (quantizedGradients ${quantizedGradients}): mean accuracy and AUC over its splits within 1 point of scikit-learn's HistGradientBoosting`, async () => {
    const f = load<ClassificationFixture>(name);
    const kiln = { accuracy: [] as number[], auc: [] as number[] };
    for (const split of f.splits) {
      const { Xtr, ytr, Xte, yte } = parts(f, split);
      const model = await gradientBoosting.fit(Xtr, ytr, f.n_classes, { ...f.kiln_params, quantizedGradients }, { seed: split.seed });
      const proba = model.predictProba(Xte);
      kiln.accuracy.push(accuracy(yte, argmaxRows(proba)));
      kiln.auc.push(rocAuc(yte, proba));
    }
    const acc = mean(kiln.accuracy);
    const auc = mean(kiln.auc);
    const skAcc = mean(f.splits.map((s) => s.sklearn.accuracy));
    const skAuc = mean(f.splits.map((s) => s.sklearn.roc_auc));
    assert.ok(acc >= skAcc - 0.01, `accuracy ${acc} vs scikit-learn ${skAcc}`);
    assert.ok(auc >= skAuc - 0.01, `AUC ${auc} vs scikit-learn ${skAuc}`);
  });
}

for (const loss of ['squared_error', 'absolute_error'] as const) {
  for (const quantizedGradients of ['auto', true] as const) {
    test(`regression (${loss}, quantizedGradients ${quantizedGradients}): RMSE at most 3% above scikit-learn's HistGradientBoosting`, async () => {
      const f = load<RegressionFixture>('gbdt-regression.json');
      const model = await gradientBoostingRegressor.fit(toMatrix(f.X_train), Float64Array.from(f.y_train), { ...f.kiln_params, loss, quantizedGradients }, { seed: 0 });
      const pred = model.predict(toMatrix(f.X_test));
      const yTest = Float64Array.from(f.y_test);
      const sk = f.sklearn[loss] as { rmse: number; mae: number };
      const r = rmse(yTest, pred);
      assert.ok(r <= sk.rmse * 1.03, `RMSE ${r} vs scikit-learn ${sk.rmse}`);
      if (loss === 'absolute_error') assert.ok(mae(yTest, pred) <= sk.mae * 1.03, `MAE ${mae(yTest, pred)} vs scikit-learn ${sk.mae}`);
    });
  }
}
