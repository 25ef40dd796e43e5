/** L1 and elastic-net logistic regression against scikit-learn's saga optimum (classic-logistic-sparse.json). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { matrixFromRows } from '../../src/core/matrix.js';
import type { Progress } from '../../src/learners/learner.js';
import { logisticRegression } from '../../src/learners/linear/logistic-regression.js';
import { maxAbsDiff } from '../helpers/assertions.js';
import { learnerConformance, makeDataset } from './learner-conformance.js';

interface Fixture {
  sklearn_version: string;
  sets: {
    label: string;
    X: number[][];
    y: number[];
    nClasses: number;
    fits: { params: { penalty: 'l1' | 'elasticnet'; C: number; l1Ratio?: number; classWeight: 'balanced' | null }; coef: number[][]; intercept: number[]; proba: number[][]; accuracy: number }[];
  }[];
}

const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/classic-logistic-sparse.json', import.meta.url), 'utf8')) as Fixture;

learnerConformance(logisticRegression, { params: { penalty: 'l1', C: 0.5 } });
learnerConformance(logisticRegression, { params: { penalty: 'elasticnet', l1Ratio: 0.5 }, data: makeDataset('multiclass') });

for (const set of fx.sets) {
  for (const fit of set.fits) {
    test(`${set.label} ${JSON.stringify(fit.params)}: the optimum of scikit-learn ${fx.sklearn_version}'s saga, zeros included`, async () => {
      const X = matrixFromRows(set.X);
      const y = Int32Array.from(set.y);
      const model = await logisticRegression.fit(X, y, set.nClasses, { ...fit.params, tol: 1e-9, maxIter: 100000 });
      const { weights, intercepts } = model.coefficients();
      const ours = weights.flatMap((w) => Array.from(w));
      const ref = fit.coef.flat();
      const scale = Math.max(...ref.map(Math.abs));
      assert.ok(maxAbsDiff(ours, ref) <= 1e-4 * scale, `coefficients differ by ${maxAbsDiff(ours, ref)} (scale ${scale})`);
      // The same coefficients are exactly zero (saga's own tolerance leaves tiny values near the boundary).
      ref.forEach((c, j) => assert.equal(ours[j] === 0, Math.abs(c) < 1e-6 * scale, `coefficient ${j}: ours ${ours[j]}, saga ${c}`));
      assert.ok(maxAbsDiff(intercepts, fit.intercept) <= 1e-4 * Math.max(1, ...fit.intercept.map(Math.abs)));
      const proba = model.predictProba(X);
      assert.ok(maxAbsDiff(proba.data, fit.proba.flat()) <= 1e-4, `probabilities differ by ${maxAbsDiff(proba.data, fit.proba.flat())}`);
      let correct = 0;
      for (let i = 0; i < X.rows; i++) {
        const row = Array.from(proba.data.subarray(i * set.nClasses, (i + 1) * set.nClasses));
        if (row.indexOf(Math.max(...row)) === y[i]) correct++;
      }
      assert.ok(correct / X.rows >= fit.accuracy - 0.01, `accuracy ${correct / X.rows} vs ${fit.accuracy}`);
    });
  }
}

test("penalty 'none' fits the plain likelihood: a tiny-penalty L2 fit approaches it", async () => {
  const set = fx.sets[1]!;
  // Wine on its first 3 features only: the classes overlap, so the unpenalised optimum is finite.
  const X = matrixFromRows(set.X.map((r) => r.slice(0, 3)));
  const y = Int32Array.from(set.y);
  const none = await logisticRegression.fit(X, y, 3, { penalty: 'none', tol: 1e-9 });
  const weak = await logisticRegression.fit(X, y, 3, { penalty: 'l2', C: 1e8, tol: 1e-9 });
  const a = none.coefficients().weights.flatMap((w) => Array.from(w));
  const b = weak.coefficients().weights.flatMap((w) => Array.from(w));
  assert.ok(maxAbsDiff(a, b) < 1e-3 * Math.max(...a.map(Math.abs)), `differ by ${maxAbsDiff(a, b)}`);
  // ... and C no longer matters.
  const otherC = await logisticRegression.fit(X, y, 3, { penalty: 'none', C: 0.01, tol: 1e-9 });
  assert.deepEqual(otherC.toJSON(), none.toJSON());
});

test('a stronger L1 penalty zeroes more coefficients', async () => {
  const set = fx.sets[0]!;
  const X = matrixFromRows(set.X);
  const y = Int32Array.from(set.y);
  const zeros = async (C: number): Promise<number> =>
    (await logisticRegression.fit(X, y, 2, { penalty: 'l1', C })).coefficients().weights[0]!.filter((w) => w === 0).length;
  const [weak, strong] = [await zeros(10), await zeros(0.05)];
  assert.ok(strong > weak, `${strong} zeros at C=0.05, ${weak} at C=10`);
});

test('L1 fits report progress every iteration with falling training loss', async () => {
  const set = fx.sets[0]!;
  const reports: Progress[] = [];
  await logisticRegression.fit(matrixFromRows(set.X), Int32Array.from(set.y), 2, { penalty: 'l1', maxIter: 200 }, { onProgress: (p) => reports.push(p) });
  assert.ok(reports.length > 5);
  assert.deepEqual(reports.map((r) => r.iteration), reports.map((_, i) => i + 1));
  assert.ok(reports.at(-1)!.trainLoss < reports[0]!.trainLoss);
  assert.ok(reports.every((r) => r.maxIterations === 200));
});
