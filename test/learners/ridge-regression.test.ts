import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMatrix, matrixFromRows, takeRows, type Matrix } from '../../src/core/matrix.js';
import { regressionMetrics } from '../../src/evaluate/metrics/index.js';
import type { Progress } from '../../src/learners/learner.js';
import { ridgeRegression, ridgeRegressionParams } from '../../src/learners/linear/ridge-regression.js';
import { loadPredictor } from '../../src/learners/registry.js';
import { GraphBuilder } from '../../src/onnx/graph-builder.js';
import { openSession, ort } from '../../src/onnx/session.js';
import { expectCode, maxAbsDiff } from '../helpers/assertions.js';

/** What test/fixtures/sklearn/make_fixtures.py writes for ridge (diabetes: 200 rows, 10 standardised features). */
interface RidgeFixture {
  sklearn_version: string;
  X: number[][];
  y: number[];
  fits: {
    params: { alpha: number; fitIntercept: boolean };
    coef: number[];
    intercept: number;
    prediction: number[];
    metrics: { rmse: number; mae: number; r2: number };
  }[];
}

const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/ridge.json', import.meta.url), 'utf8')) as RidgeFixture;
const X = matrixFromRows(fx.X);
const y = Float64Array.from(fx.y);


for (const fit of fx.fits) {
  test(`${JSON.stringify(fit.params)}: matches scikit-learn ${fx.sklearn_version}'s Ridge exactly (to rounding)`, async () => {
    const model = await ridgeRegression.fit(X, y, fit.params);
    const { weights, intercept } = model.coefficients();
    // An exact solve on both sides: agreement is limited by float64 rounding only.
    const scale = Math.max(...fit.coef.map(Math.abs));
    assert.ok(maxAbsDiff(weights, fit.coef) <= 1e-10 * scale, `coefficients differ by ${maxAbsDiff(weights, fit.coef)}`);
    assert.ok(Math.abs(intercept - fit.intercept) <= 1e-10 * Math.abs(fit.intercept) + 1e-12);
    const prediction = model.predict(X);
    assert.ok(maxAbsDiff(prediction, fit.prediction) <= 1e-9);
    const metrics = regressionMetrics(y, prediction);
    assert.ok(Math.abs(metrics.rmse - fit.metrics.rmse) <= 1e-9);
    assert.ok(Math.abs(metrics.mae - fit.metrics.mae) <= 1e-9);
    assert.ok(Math.abs(metrics.r2 - fit.metrics.r2) <= 1e-12);
  });
}

test('alpha = 0 on well-posed data is ordinary least squares: the residual is orthogonal to every column', async () => {
  const model = await ridgeRegression.fit(X, y, { alpha: 0 });
  const residual = model.predict(X).map((p, i) => y[i]! - p);
  for (let j = 0; j < X.cols; j++) {
    let dot = 0;
    for (let i = 0; i < X.rows; i++) dot += X.data[i * X.cols + j]! * residual[i]!;
    assert.ok(Math.abs(dot) < 1e-7, `column ${j}: ${dot}`);
  }
  assert.ok(Math.abs(residual.reduce((a, b) => a + b)) < 1e-8, 'with an intercept, residuals sum to 0');
});

test('a larger alpha shrinks the coefficients; the intercept is not penalised', async () => {
  const weak = await ridgeRegression.fit(X, y, { alpha: 0.1 });
  const strong = await ridgeRegression.fit(X, y, { alpha: 1e6 });
  const norm = (w: Float64Array): number => Math.hypot(...w);
  assert.ok(norm(strong.coefficients().weights) < 0.01 * norm(weak.coefficients().weights));
  // Fully shrunk coefficients leave the intercept at the mean of y (the data are centred).
  const mean = y.reduce((a, b) => a + b) / y.length;
  assert.ok(Math.abs(strong.coefficients().intercept - mean) < 0.01);
});

test('parameters have scikit-learn defaults; unknown or invalid ones are refused', async () => {
  assert.deepEqual(ridgeRegressionParams.parse({}), { alpha: 1, fitIntercept: true, interactions: false, powerTransform: false });
  await assert.rejects(ridgeRegression.fit(X, y, { lambda: 1 }), expectCode('INVALID_PARAMS'));
  await assert.rejects(ridgeRegression.fit(X, y, { alpha: -1 }), expectCode('INVALID_PARAMS'));
});

test('collinear features with alpha = 0 fail with TRAINING_FAILED; any alpha > 0 solves them', async () => {
  // Column 2 = column 0 + column 1: XᵀX is singular.
  const Xc = matrixFromRows([[1, 2, 3], [2, 1, 3], [0, 1, 1], [3, 3, 6], [1, 0, 1]]);
  const yc = Float64Array.from([1, 2, 3, 4, 5]);
  await assert.rejects(ridgeRegression.fit(Xc, yc, { alpha: 0 }), expectCode('TRAINING_FAILED'));
  const model = await ridgeRegression.fit(Xc, yc, { alpha: 1e-3 });
  assert.ok(model.coefficients().weights.every(Number.isFinite));
});

test('reports one progress step with the training and validation mean squared error', async () => {
  const reports: Progress[] = [];
  const train = Int32Array.from({ length: 150 }, (_, i) => i);
  const held = Int32Array.from({ length: 50 }, (_, i) => 150 + i);
  const validation = { X: takeRows(X, held), y: Float64Array.from(held, (i) => y[i]!) };
  const model = await ridgeRegression.fit(takeRows(X, train), Float64Array.from(train, (i) => y[i]!), {}, { validation, onProgress: (p) => reports.push(p) });
  assert.equal(reports.length, 1);
  const [report] = reports;
  assert.equal(report!.iteration, 1);
  assert.equal(report!.maxIterations, 1);
  const trainRmse = regressionMetrics(Float64Array.from(train, (i) => y[i]!), model.predict(takeRows(X, train))).rmse;
  const validationRmse = regressionMetrics(validation.y, model.predict(validation.X)).rmse;
  assert.ok(Math.abs(report!.trainLoss - trainRmse ** 2) < 1e-8);
  assert.ok(Math.abs(report!.validationLoss! - validationRmse ** 2) < 1e-8);
});

test('an already-aborted signal cancels training', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(ridgeRegression.fit(X, y, {}, { signal: controller.signal }), expectCode('CANCELLED', (d) => assert.equal(d['what'], 'training')));
});

test('training is deterministic', async () => {
  const a = await ridgeRegression.fit(X, y, { alpha: 3 });
  const b = await ridgeRegression.fit(X, y, { alpha: 3 });
  assert.deepEqual(a.toJSON(), b.toJSON());
});

test('a saved model loads back (directly and through the registry) and predicts identically', async () => {
  const model = await ridgeRegression.fit(X, y, { alpha: 2 });
  const saved = JSON.parse(JSON.stringify(model.toJSON())) as ReturnType<typeof model.toJSON>;
  for (const loaded of [ridgeRegression.load(saved), loadPredictor(saved)]) {
    assert.equal(loaded.kind, 'regressor');
    if (loaded.kind !== 'regressor') continue;
    assert.deepEqual(loaded.predict(X), model.predict(X));
    assert.deepEqual(loaded.featureImportances(), model.featureImportances());
  }
  assert.throws(() => ridgeRegression.load({ ...saved, state: { nFeatures: 10, coef: [1, 2], intercept: 0 } }), expectCode('INVALID_PREDICTOR'));
  assert.throws(() => ridgeRegression.load({ ...saved, learner: 'logistic-regression' }), expectCode('INVALID_PREDICTOR'));
});

test('the ONNX export agrees with predict within 1e-5 relative to the target scale', async () => {
  for (const params of [{}, { fitIntercept: false }]) {
    const model = await ridgeRegression.fit(X, y, params);
    const g = new GraphBuilder('ridge');
    const features = g.input('features', 'float', ['N', X.cols]);
    const { prediction } = model.toOnnx(g, features);
    g.output(prediction, 'prediction', 'float', ['N', 1]);
    const session = await openSession(g.toBytes({ producerVersion: 'test' }));
    const out = await session.run({ features: new ort.Tensor('float32', Float32Array.from(X.data), [X.rows, X.cols]) });
    assert.deepEqual(out['prediction']!.dims, [X.rows, 1]);
    // Predictions are ~150 here; float32 carries ~7 significant digits, so compare relatively.
    const expected = model.predict(X);
    const got = out['prediction']!.data as Float32Array;
    const worst = Math.max(...Array.from(expected, (e, i) => Math.abs(got[i]! - e) / Math.max(1, Math.abs(e))));
    assert.ok(worst <= 1e-5, `ONNX differs by ${worst} (relative)`);
  }
});

test('feature importances are |coefficient|', async () => {
  const model = await ridgeRegression.fit(X, y, {});
  assert.deepEqual(model.featureImportances(), model.coefficients().weights.map(Math.abs));
});

test('bad training data is refused with a coded error naming the problem', async () => {
  const small = matrixFromRows([[0, 1], [1, 0], [2, 1]]);
  const values = Float64Array.from([1, 2, 3]);
  const withValue = (m: Matrix, row: number, col: number, v: number): Matrix => {
    const copy = createMatrix(m.rows, m.cols, m.data.slice());
    copy.data[row * m.cols + col] = v;
    return copy;
  };
  await assert.rejects(ridgeRegression.fit(createMatrix(0, 2), new Float64Array(0), {}), expectCode('DATA_EMPTY'));
  await assert.rejects(ridgeRegression.fit(createMatrix(3, 0), values, {}), expectCode('NO_FEATURES'));
  await assert.rejects(ridgeRegression.fit(small, Float64Array.from([1, 2]), {}), expectCode('TARGET_LENGTH_MISMATCH'));
  await assert.rejects(ridgeRegression.fit(withValue(small, 1, 1, Number.NaN), values, {}), expectCode('FEATURE_NOT_FINITE', (d) => assert.equal(d['column'], 1)));
  await assert.rejects(ridgeRegression.fit(small, Float64Array.from([1, Number.NaN, 3]), {}), expectCode('TARGET_NOT_FINITE', (d) => assert.equal(d['row'], 1)));
  const model = await ridgeRegression.fit(small, values, {});
  assert.throws(() => model.predict(matrixFromRows([[1, 2, 3]])), expectCode('INPUT_SHAPE'));
});
