/**
 * The linear learners' `powerTransform` option: Brent's scalar minimiser against a known minimum, the
 * Yeo–Johnson λ and transform against scikit-learn's PowerTransformer, the fitted models against
 * PowerTransformer → LogisticRegression / Ridge (fixture made by
 * test/fixtures/sklearn/make_power_fixtures.py), the ONNX export, saving and loading, and that such a
 * model is not offered to exact linear SHAP (it is not linear in its inputs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMatrix, matrixFromRows } from '../../src/core/matrix.js';
import { minimizeScalar } from '../../src/core/optimize/minimize-scalar.js';
import { Rng } from '../../src/core/rng.js';
import { exactShapMethod } from '../../src/evaluate/explain/shap-values.js';
import { logisticRegression } from '../../src/learners/linear/logistic-regression.js';
import { ridgeRegression } from '../../src/learners/linear/ridge-regression.js';
import { applyYeoJohnson, fitYeoJohnsonLambda, yeoJohnson } from '../../src/learners/linear/yeo-johnson.js';
import { assertSameLogisticFit, expectCode, maxAbsDiff } from '../helpers/assertions.js';
import { onnxOutputOf, outputOf } from './learner-conformance.js';

interface Fixture {
  sklearn_version: string;
  columns: { name: string; x: number[]; lambda: number; transformed: number[] }[];
  logistic: { X: number[][]; y: number[]; fits: { params: Record<string, unknown>; lambdas: number[]; coef: number[][]; intercept: number[]; proba: number[][] }[] };
  ridge: { X: number[][]; y: number[]; params: Record<string, unknown>; lambdas: number[]; prediction: number[] };
}

const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/linear-power-transform.json', import.meta.url), 'utf8')) as Fixture;

test("Brent's minimiser finds interior minima and minima at an end of the interval", () => {
  const inside = minimizeScalar((x) => (x - 1.2345) ** 2 + Math.cos(3 * x) * 0.01, -5, 5, 1e-12);
  // the exact minimiser of the perturbed parabola, by a fine naive scan refined by bisection on the derivative
  const derivative = (x: number) => 2 * (x - 1.2345) - 0.03 * Math.sin(3 * x);
  let lo = 0;
  let hi = 3;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (derivative(mid) > 0) hi = mid;
    else lo = mid;
  }
  assert.ok(Math.abs(inside.x - lo) < 1e-7, `${inside.x} vs ${lo}`);
  assert.ok(inside.evaluations < 60, `${inside.evaluations} evaluations`);
  const atEnd = minimizeScalar((x) => x, 2, 7);
  assert.ok(atEnd.x - 2 < 1e-6);
  assert.throws(() => minimizeScalar((x) => x, 1, 1), RangeError);
});

test('ψ(λ, x) follows its definition on both sides of 0, and λ = 1 is the identity', () => {
  for (const x of [-3.5, -1, -0.2, 0, 0.3, 2, 10]) {
    assert.ok(Math.abs(yeoJohnson(x, 1) - x) < 1e-12);
    const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${actual} vs ${expected}`);
    close(yeoJohnson(x, 0), x >= 0 ? Math.log(x + 1) : -((1 - x) ** 2 - 1) / 2);
    close(yeoJohnson(x, 0.5), x >= 0 ? ((x + 1) ** 0.5 - 1) / 0.5 : -((1 - x) ** 1.5 - 1) / 1.5);
    close(yeoJohnson(x, 2), x >= 0 ? ((x + 1) ** 2 - 1) / 2 : -Math.log(1 - x));
  }
});

for (const c of fx.columns) {
  test(`the λ and the transform of a ${c.name} column match scikit-learn ${fx.sklearn_version}'s PowerTransformer`, () => {
    const x = Float64Array.from(c.x);
    const lambda = fitYeoJohnsonLambda(x);
    assert.ok(Math.abs(lambda - c.lambda) < 1e-5, `λ ${lambda} vs ${c.lambda}`);
    const transformed = applyYeoJohnson(x, x.length, 1, Float64Array.of(lambda));
    const scale = Math.max(1, ...c.transformed.map(Math.abs));
    assert.ok(maxAbsDiff(transformed, c.transformed) <= 1e-5 * scale, `transform differs by ${maxAbsDiff(transformed, c.transformed)}`);
  });
}

test('a two-valued (one-hot) or constant column keeps λ = 1: nothing to reshape', () => {
  assert.equal(fitYeoJohnsonLambda(Float64Array.of(0, 1, 1, 0, 0, 1, 0)), 1);
  assert.equal(fitYeoJohnsonLambda(Float64Array.of(3, 3, 3, 3)), 1);
});

for (const fit of fx.logistic.fits) {
  test(`logistic regression ${JSON.stringify(fit.params)}: matches scikit-learn's PowerTransformer → LogisticRegression`, async () => {
    const X = matrixFromRows(fx.logistic.X);
    const model = await logisticRegression.fit(X, Int32Array.from(fx.logistic.y), 2, fit.params);
    const saved = model.toJSON().state as { powerLambdas: number[] };
    assert.ok(maxAbsDiff(saved.powerLambdas, fit.lambdas) < 1e-5, `λs differ by ${maxAbsDiff(saved.powerLambdas, fit.lambdas)}`);
    assertSameLogisticFit(model, X, fit, 1e-3);
  });
}

test("ridge with powerTransform matches scikit-learn's PowerTransformer → Ridge", async () => {
  const X = matrixFromRows(fx.ridge.X);
  const model = await ridgeRegression.fit(X, Float64Array.from(fx.ridge.y), fx.ridge.params);
  const saved = model.toJSON().state as { powerLambdas: number[] };
  assert.ok(maxAbsDiff(saved.powerLambdas, fx.ridge.lambdas) < 1e-5);
  const scale = Math.max(...fx.ridge.y.map(Math.abs));
  assert.ok(maxAbsDiff(model.predict(X), fx.ridge.prediction) <= 1e-6 * scale, `predictions differ by ${maxAbsDiff(model.predict(X), fx.ridge.prediction)}`);
});

test('one-hot columns are left as they are: the same model as without the transform when no column is skewed', async () => {
  const rng = new Rng(4);
  const n = 200;
  const X = createMatrix(n, 3, Float64Array.from({ length: n * 3 }, () => (rng.next() < 0.4 ? 1 : 0)));
  const y = Int32Array.from({ length: n }, (_, i) => (X.data[i * 3]! + X.data[i * 3 + 1]! + rng.normal() * 0.5 > 0.8 ? 1 : 0));
  const plain = await logisticRegression.fit(X, y, 2, {});
  const shaped = await logisticRegression.fit(X, y, 2, { powerTransform: true });
  assert.ok(maxAbsDiff(shaped.predictProba(X).data, plain.predictProba(X).data) < 1e-9);
});

test('ONNX export agrees with predict (including λ = 0 and λ = 2 columns, where the log branch is used), and saving keeps the λs', async () => {
  const X = matrixFromRows(fx.logistic.X);
  const y = Int32Array.from(fx.logistic.y);
  for (const params of [{ powerTransform: true }, { powerTransform: true, interactions: true, C: 0.3 }]) {
    const model = await logisticRegression.fit(X, y, 2, params);
    assert.ok(maxAbsDiff(await onnxOutputOf(model, X), outputOf(model, X)) <= 1e-5);
    assert.deepEqual(logisticRegression.load(model.toJSON()).predictProba(X).data, model.predictProba(X).data);
  }
  // λs of exactly 0 and 2 (the snapped cases) on values of both signs, through a saved model's λs
  const rng = new Rng(8);
  const Xs = createMatrix(50, 3, Float64Array.from({ length: 150 }, () => rng.normal() * 2));
  const model = await logisticRegression.fit(Xs, Int32Array.from({ length: 50 }, (_, i) => i % 2), 2, { powerTransform: true });
  const state = model.toJSON().state as Record<string, unknown>;
  const snapped = logisticRegression.load({ ...model.toJSON(), state: { ...state, powerLambdas: [0, 2, 0.5] } });
  assert.ok(maxAbsDiff(await onnxOutputOf(snapped, Xs), outputOf(snapped, Xs)) <= 1e-5);

  const Xd = matrixFromRows(fx.ridge.X);
  const ridge = await ridgeRegression.fit(Xd, Float64Array.from(fx.ridge.y), fx.ridge.params);
  const scale = Math.max(...fx.ridge.y.map(Math.abs));
  assert.ok(maxAbsDiff(await onnxOutputOf(ridge, Xd), outputOf(ridge, Xd)) <= 1e-5 * scale);
  assert.deepEqual(ridgeRegression.load(ridge.toJSON()).predict(Xd), ridge.predict(Xd));
});

test('the ONNX graph keeps its digits where float32 would cancel: tiny, strongly negative and snapped λs, large folded weights', async () => {
  // the fixture's skewed columns side by side; a ridge fit gives real weights, then the λs are swapped for hard ones
  const rows = fx.columns[0]!.x.length;
  const X = createMatrix(rows, fx.columns.length);
  fx.columns.forEach((c, j) => c.x.forEach((v, i) => (X.data[i * X.cols + j] = v)));
  const y = Float64Array.from({ length: rows }, (_, i) => fx.columns.reduce((sum, c) => sum + c.transformed[i]!, 0));
  const fitted = await ridgeRegression.fit(X, y, { powerTransform: true, alpha: 1e-3 });
  const state = fitted.toJSON().state as Record<string, unknown>;
  const hard = ridgeRegression.load({ ...fitted.toJSON(), state: { ...state, powerLambdas: [0.001, -9, 0.0003, 2, 0] } });
  const scale = Math.max(...Array.from(hard.predict(X), Math.abs));
  assert.ok(maxAbsDiff(await onnxOutputOf(hard, X), outputOf(hard, X)) <= 1e-6 * scale, `differs by ${maxAbsDiff(await onnxOutputOf(hard, X), outputOf(hard, X))} (scale ${scale})`);
});

test('a saved model with the wrong number of λs is refused with a coded error', async () => {
  const X = matrixFromRows(fx.logistic.X);
  const saved = (await logisticRegression.fit(X, Int32Array.from(fx.logistic.y), 2, { powerTransform: true })).toJSON();
  assert.throws(() => logisticRegression.load({ ...saved, state: { ...(saved.state as object), powerLambdas: [1, 2] } }), expectCode('INVALID_PREDICTOR'));
});

test('exact linear SHAP is offered for a plain linear model, not for one with reshaped columns or interactions', async () => {
  const X = matrixFromRows(fx.logistic.X);
  const y = Int32Array.from(fx.logistic.y);
  assert.notEqual(exactShapMethod(await logisticRegression.fit(X, y, 2, {})), undefined);
  assert.equal(exactShapMethod(await logisticRegression.fit(X, y, 2, { powerTransform: true })), undefined);
  assert.equal(exactShapMethod(await logisticRegression.fit(X, y, 2, { interactions: true })), undefined);
  assert.equal(exactShapMethod(await ridgeRegression.fit(X, Float64Array.from(y), { powerTransform: true })), undefined);
  assert.notEqual(exactShapMethod(await ridgeRegression.fit(X, Float64Array.from(y), {})), undefined);
});
