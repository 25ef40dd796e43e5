/**
 * Forests against scikit-learn 1.2's RandomForest/ExtraTrees (100 trees) on breast cancer, digits,
 * Titanic and Friedman #1, with the seeded splits and preprocessing of
 * test/fixtures/sklearn/make_forest_fixtures.py: accuracy and AUC no more than 1 point below
 * scikit-learn's (the mean over its seeds 0..4), RMSE no more than 3% above.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { matrixFromRows, type Matrix } from '../../src/core/matrix.js';
import { accuracy, argmaxRows, rocAuc } from '../../src/evaluate/metrics/classification.js';
import { extraTrees, extraTreesRegressor, randomForest, randomForestRegressor } from '../../src/learners/forest/forest.js';

interface ForestFixture {
  sklearn_version: string;
  nClasses?: number;
  X_train: number[][];
  y_train: number[];
  X_test: number[][];
  y_test: number[];
  forests: Record<'random_forest' | 'extra_trees', { accuracy?: number; auc?: number; rmse?: number }>;
}

const loadFixture = (name: string): ForestFixture =>
  JSON.parse(readFileSync(new URL(`../fixtures/sklearn/forest-${name}.json`, import.meta.url), 'utf8')) as ForestFixture;

/** Kiln's mean over these seeds, like the fixture's mean over scikit-learn's. */
const SEEDS = [0, 1, 2];

function rmse(a: Float64Array, b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s / a.length);
}

for (const name of ['breast-cancer', 'digits', 'titanic']) {
  const fx = loadFixture(name);
  const Xtr = matrixFromRows(fx.X_train);
  const ytr = Int32Array.from(fx.y_train);
  const Xte: Matrix = matrixFromRows(fx.X_test);
  const yte = Int32Array.from(fx.y_test);
  for (const [label, learner] of [['random_forest', randomForest], ['extra_trees', extraTrees]] as const) {
    test(`${name}: ${learner.name} (100 trees) is within 1 point of scikit-learn ${fx.sklearn_version}'s accuracy and AUC`, async () => {
      let acc = 0;
      let auc = 0;
      for (const seed of SEEDS) {
        const model = await learner.fit(Xtr, ytr, fx.nClasses!, { nEstimators: 100, threads: 1 }, { seed });
        const proba = model.predictProba(Xte);
        acc += accuracy(yte, argmaxRows(proba)) / SEEDS.length;
        auc += rocAuc(yte, proba) / SEEDS.length;
      }
      const ref = fx.forests[label];
      assert.ok(acc >= ref.accuracy! - 0.01, `accuracy ${acc.toFixed(4)} vs scikit-learn ${ref.accuracy!.toFixed(4)}`);
      assert.ok(auc >= ref.auc! - 0.01, `AUC ${auc.toFixed(4)} vs scikit-learn ${ref.auc!.toFixed(4)}`);
      console.log(`# ${name} ${learner.name}: accuracy ${acc.toFixed(4)} (sklearn ${ref.accuracy!.toFixed(4)}), AUC ${auc.toFixed(4)} (sklearn ${ref.auc!.toFixed(4)})`);
    });
  }
}

{
  const fx = loadFixture('friedman1');
  const Xtr = matrixFromRows(fx.X_train);
  const ytr = Float64Array.from(fx.y_train);
  const Xte = matrixFromRows(fx.X_test);
  for (const [label, learner] of [['random_forest', randomForestRegressor], ['extra_trees', extraTreesRegressor]] as const) {
    test(`friedman1: ${learner.name} (100 trees) has an RMSE at most 3% above scikit-learn ${fx.sklearn_version}'s`, async () => {
      let err = 0;
      for (const seed of SEEDS) {
        const model = await learner.fit(Xtr, ytr, { nEstimators: 100, threads: 1 }, { seed });
        err += rmse(model.predict(Xte), fx.y_test) / SEEDS.length;
      }
      const ref = fx.forests[label].rmse!;
      assert.ok(err <= ref * 1.03, `RMSE ${err.toFixed(4)} vs scikit-learn ${ref.toFixed(4)}`);
      console.log(`# friedman1 ${learner.name}: RMSE ${err.toFixed(4)} (sklearn ${ref.toFixed(4)})`);
    });
  }
}
