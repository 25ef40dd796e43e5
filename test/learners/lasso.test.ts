/** Lasso, elastic net and ordinary least squares against scikit-learn (classic-linear-regression.json). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMatrix, matrixFromRows, takeRows } from '../../src/core/matrix.js';
import type { Progress } from '../../src/learners/learner.js';
import { elasticNet, elasticNetParams, lasso, lassoParams } from '../../src/learners/linear/elastic-net.js';
import { linearRegression } from '../../src/learners/linear/linear-regression.js';
import { loadPredictor } from '../../src/learners/registry.js';
import { expectCode, maxAbsDiff } from '../helpers/assertions.js';
import { learnerConformance } from './learner-conformance.js';

interface Fixture {
  sklearn_version: string;
  X: number[][];
  y: number[];
  fits: { learner: 'lasso' | 'elastic-net' | 'linear-regression'; params: Record<string, unknown>; coef: number[]; intercept: number; prediction: number[] }[];
}

const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/classic-linear-regression.json', import.meta.url), 'utf8')) as Fixture;
const X = matrixFromRows(fx.X);
const y = Float64Array.from(fx.y);
const learners = { lasso, 'elastic-net': elasticNet, 'linear-regression': linearRegression } as const;

learnerConformance(lasso, { params: { alpha: 0.05 } });
learnerConformance(elasticNet, { params: { alpha: 0.05, l1Ratio: 0.7 } });
learnerConformance(linearRegression);

for (const fit of fx.fits) {
  test(`${fit.learner} ${JSON.stringify(fit.params)}: matches scikit-learn ${fx.sklearn_version}'s coefficients, zeros included`, async () => {
    // Tight tolerance: the reference is the exact minimiser, so ours must get there too.
    const params = fit.learner === 'linear-regression' ? fit.params : { ...fit.params, tol: 1e-12, maxIter: 100000 };
    const model = await learners[fit.learner].fit(X, y, params);
    const { weights, intercept } = model.coefficients();
    const scale = Math.max(...fit.coef.map(Math.abs));
    assert.ok(maxAbsDiff(weights, fit.coef) <= 1e-8 * scale, `coefficients differ by ${maxAbsDiff(weights, fit.coef)}`);
    fit.coef.forEach((c, j) => assert.equal(weights[j] === 0, c === 0, `coefficient ${j} is zero in exactly one of the two`));
    assert.ok(Math.abs(intercept - fit.intercept) <= 1e-8 * Math.max(1, Math.abs(fit.intercept)));
    assert.ok(maxAbsDiff(model.predict(X), fit.prediction) <= 1e-6);
  });
}

test('with default tol the lasso lands close to the exact minimiser (scikit-learn\'s duality-gap criterion)', async () => {
  const ref = fx.fits.find((f) => f.learner === 'lasso' && f.params['alpha'] === 2)!;
  const model = await lasso.fit(X, y, { alpha: 2 });
  const rel = maxAbsDiff(model.coefficients().weights, ref.coef) / Math.max(...ref.coef.map(Math.abs));
  assert.ok(rel < 1e-2, `relative difference ${rel}`);
});

test('a large alpha zeroes every coefficient and leaves the intercept at the mean of y', async () => {
  const model = await lasso.fit(X, y, { alpha: 1e4 });
  const { weights, intercept } = model.coefficients();
  assert.ok(weights.every((w) => w === 0));
  assert.ok(Math.abs(intercept - y.reduce((a, b) => a + b) / y.length) < 1e-9);
});

test('elastic net with l1Ratio 1 is the lasso', async () => {
  const a = await lasso.fit(X, y, { alpha: 0.7 });
  const b = await elasticNet.fit(X, y, { alpha: 0.7, l1Ratio: 1 });
  assert.deepEqual(a.coefficients(), b.coefficients());
});

test('parameters have scikit-learn defaults; invalid ones are refused', async () => {
  assert.deepEqual(lassoParams.parse({}), { alpha: 1, fitIntercept: true, maxIter: 1000, tol: 1e-4 });
  assert.deepEqual(elasticNetParams.parse({}), { alpha: 1, fitIntercept: true, maxIter: 1000, tol: 1e-4, l1Ratio: 0.5 });
  await assert.rejects(elasticNet.fit(X, y, { l1Ratio: 1.5 }), expectCode('INVALID_PARAMS'));
  await assert.rejects(lasso.fit(X, y, { l1Ratio: 0.5 }), expectCode('INVALID_PARAMS'));
});

test('reports progress per sweep: mean squared error falling, and the validation loss', async () => {
  const reports: Progress[] = [];
  const train = Int32Array.from({ length: 150 }, (_, i) => i);
  const held = Int32Array.from({ length: 50 }, (_, i) => 150 + i);
  const validation = { X: takeRows(X, held), y: Float64Array.from(held, (i) => y[i]!) };
  await lasso.fit(takeRows(X, train), Float64Array.from(train, (i) => y[i]!), { alpha: 0.1, tol: 1e-10 }, { validation, onProgress: (p) => reports.push(p) });
  assert.ok(reports.length > 3);
  assert.deepEqual(reports.map((r) => r.iteration), reports.map((_, i) => i + 1));
  assert.ok(reports.at(-1)!.trainLoss < reports[0]!.trainLoss);
  assert.ok(reports.every((r) => Number.isFinite(r.validationLoss)));
});

test('least squares refuses collinear features with TRAINING_FAILED naming the remedy', async () => {
  const Xc = matrixFromRows([[1, 2, 3], [2, 1, 3], [0, 1, 1], [3, 3, 6], [1, 0, 1]]);
  await assert.rejects(linearRegression.fit(Xc, Float64Array.from([1, 2, 3, 4, 5]), {}), expectCode('TRAINING_FAILED', (d) => assert.match(String(d['reason']), /ridge/)));
  // The lasso copes with them (its penalty makes the problem well posed).
  const model = await lasso.fit(Xc, Float64Array.from([1, 2, 3, 4, 5]), { alpha: 0.01 });
  assert.ok(model.coefficients().weights.every(Number.isFinite));
});

test('saved models load back through the registry under their own learner name', async () => {
  for (const learner of [lasso, elasticNet, linearRegression]) {
    const model = await learner.fit(X, y, {});
    const saved = JSON.parse(JSON.stringify(model.toJSON())) as ReturnType<typeof model.toJSON>;
    assert.equal(saved.learner, learner.name);
    const loaded = loadPredictor(saved);
    assert.equal(loaded.kind, 'regressor');
    if (loaded.kind === 'regressor') assert.deepEqual(loaded.predict(X), model.predict(X));
    assert.throws(() => learner.load({ ...saved, learner: 'ridge' }), expectCode('INVALID_PREDICTOR'));
  }
  const model = await lasso.fit(X, y, {});
  assert.throws(() => model.predict(createMatrix(1, 3)), expectCode('INPUT_SHAPE'));
});
