/**
 * The linear learners' `interactions` option: the widened columns against a naive reference and
 * scikit-learn's PolynomialFeatures, the fitted models against scikit-learn's
 * PolynomialFeatures → StandardScaler → LogisticRegression / Ridge (fixture made by
 * test/fixtures/sklearn/make_interaction_fixtures.py), the ONNX export, and the column cap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMatrix, matrixFromRows, takeRows, type Matrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/rng.js';
import { classificationMetrics } from '../../src/evaluate/metrics/index.js';
import type { Progress } from '../../src/learners/learner.js';
import { logisticRegression } from '../../src/learners/linear/logistic-regression.js';
import {
  checkInteractionInputs,
  inputImportances,
  interactionScores,
  interactionWidth,
  MAX_INTERACTION_INPUTS,
  withInteractions,
} from '../../src/learners/linear/pairwise-interactions.js';
import { ridgeRegression } from '../../src/learners/linear/ridge-regression.js';
import { linearScores } from '../../src/learners/linear/linear-scores.js';
import { assertSameLogisticFit, expectCode, maxAbsDiff } from '../helpers/assertions.js';
import { onnxOutputOf, outputOf } from './learner-conformance.js';

interface LogisticCase {
  X: number[][];
  y: number[];
  nClasses: number;
  widenedFirstRows?: number[][];
  fits: { params: Record<string, unknown>; coef: number[][]; intercept: number[]; proba: number[][] }[];
}
interface Fixture {
  sklearn_version: string;
  logisticBinary: LogisticCase;
  logisticMulticlass: LogisticCase;
  ridge: { X: number[][]; y: number[]; fits: { params: Record<string, unknown>; coef: number[]; intercept: number; prediction: number[] }[] };
}

const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/linear-interactions.json', import.meta.url), 'utf8')) as Fixture;

/** The obvious widening, one row and one pair at a time: every x_j·x_k with j < k, j-major. */
function naiveWidening(X: Matrix): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < X.rows; i++) {
    const x = Array.from(X.data.subarray(i * X.cols, (i + 1) * X.cols));
    const products: number[] = [];
    x.forEach((xj, j) => x.forEach((xk, k) => (k > j ? products.push(xj * xk) : undefined)));
    rows.push([...x, ...products]);
  }
  return rows;
}

test('the widened columns equal a naive reference and scikit-learn PolynomialFeatures(interaction_only) in its column order', () => {
  const rng = new Rng(5);
  const X = createMatrix(7, 6, Float64Array.from({ length: 42 }, () => rng.normal()));
  const widened = withInteractions(X);
  assert.equal(widened.cols, interactionWidth(6));
  assert.equal(interactionWidth(6), 6 + 15);
  assert.deepEqual(Array.from(widened.data), naiveWidening(X).flat());
  // a row range widens just those rows
  assert.deepEqual(Array.from(withInteractions(X, 2, 5).data), naiveWidening(takeRows(X, [2, 3, 4])).flat());

  const passengers = matrixFromRows(fx.logisticBinary.X.slice(0, 5));
  const sklearn = fx.logisticBinary.widenedFirstRows!;
  assert.ok(maxAbsDiff(withInteractions(passengers).data, sklearn.flat()) <= 1e-12);
});

test('scores are computed chunk by chunk without changing them', () => {
  const rng = new Rng(9);
  const X = createMatrix(2500, 4, Float64Array.from({ length: 10_000 }, () => rng.normal()));
  const width = interactionWidth(4);
  const model = { nFeatures: width, nOutputs: 2, weights: Float64Array.from({ length: 2 * width }, () => rng.normal()), intercepts: Float64Array.of(0.3, -1) };
  assert.deepEqual(interactionScores(X, model).data, linearScores(withInteractions(X), model).data);
});

for (const [label, c] of [['binary (seeded passengers, one-hot groups)', fx.logisticBinary], ['multinomial (wine, 5 features)', fx.logisticMulticlass]] as const) {
  for (const fit of c.fits) {
    test(`logistic regression ${label} ${JSON.stringify(fit.params)}: matches scikit-learn ${fx.sklearn_version}'s PolynomialFeatures → StandardScaler → LogisticRegression`, async () => {
      const X = matrixFromRows(c.X);
      const model = await logisticRegression.fit(X, Int32Array.from(c.y), c.nClasses, fit.params);
      assert.equal(model.coefficients().weights[0]!.length, interactionWidth(X.cols));
      // coefficients on the unscaled widened columns
      assertSameLogisticFit(model, X, fit, 1e-4);
    });
  }
}

for (const fit of fx.ridge.fits) {
  test(`ridge ${JSON.stringify(fit.params)}: matches scikit-learn ${fx.sklearn_version}'s PolynomialFeatures → StandardScaler → Ridge (to rounding)`, async () => {
    const X = matrixFromRows(fx.ridge.X);
    const model = await ridgeRegression.fit(X, Float64Array.from(fx.ridge.y), fit.params);
    const { weights, intercept } = model.coefficients();
    const scale = Math.max(...fit.coef.map(Math.abs));
    assert.ok(maxAbsDiff(weights, fit.coef) <= 1e-9 * scale, `coefficients differ by ${maxAbsDiff(weights, fit.coef)}`);
    assert.ok(Math.abs(intercept - fit.intercept) <= 1e-9 * Math.abs(fit.intercept));
    assert.ok(maxAbsDiff(model.predict(X), fit.prediction) <= 1e-8);
  });
}

test('ONNX export agrees with predict within 1e-5, including constant product columns (two categories of one group)', async () => {
  const X = matrixFromRows(fx.logisticBinary.X);
  const logistic = await logisticRegression.fit(X, Int32Array.from(fx.logisticBinary.y), 2, { interactions: true, C: 0.05 });
  assert.ok(maxAbsDiff(await onnxOutputOf(logistic, X), outputOf(logistic, X)) <= 1e-5);
  const Xd = matrixFromRows(fx.ridge.X);
  const ridge = await ridgeRegression.fit(Xd, Float64Array.from(fx.ridge.y), { interactions: true });
  // regression: within 1e-5 of the target's scale (the graph computes in float32)
  const scale = Math.max(...fx.ridge.y.map(Math.abs));
  assert.ok(maxAbsDiff(await onnxOutputOf(ridge, Xd), outputOf(ridge, Xd)) <= 1e-5 * scale);
});

test('interactions learn what a plain linear model cannot (a sign interaction)', async () => {
  const rng = new Rng(11);
  const n = 400;
  const X = createMatrix(n, 3, Float64Array.from({ length: n * 3 }, () => rng.normal()));
  const y = Int32Array.from({ length: n }, (_, i) => ((X.data[i * 3]! * X.data[i * 3 + 1]!) > 0 ? 1 : 0));
  const auc = async (params: Record<string, unknown>) => classificationMetrics(y, (await logisticRegression.fit(X, y, 2, params)).predictProba(X)).roc_auc;
  assert.ok((await auc({})) < 0.65, 'plain: near chance');
  assert.ok((await auc({ interactions: true })) > 0.9, 'with the product x0·x1');
});

test('feature importances: one per input, its own |weight| plus half of each of its products', async () => {
  const model = { nFeatures: interactionWidth(3), nOutputs: 1, weights: Float64Array.of(1, -2, 0, 4, -6, 10), intercepts: Float64Array.of(0) };
  // products in order x0·x1 (4), x0·x2 (−6), x1·x2 (10)
  assert.deepEqual(Array.from(inputImportances(model, 3)), [1 + 2 + 3, 2 + 2 + 5, 0 + 3 + 5]);
  const X = matrixFromRows(fx.logisticBinary.X);
  const fitted = await logisticRegression.fit(X, Int32Array.from(fx.logisticBinary.y), 2, { interactions: true });
  assert.equal(fitted.featureImportances().length, X.cols);
});

test('progress reports the validation loss of the widened model (validation rows are widened and scaled like the training rows)', async () => {
  const X = matrixFromRows(fx.logisticBinary.X);
  const y = Int32Array.from(fx.logisticBinary.y);
  const train = Int32Array.from({ length: 180 }, (_, i) => i);
  const held = Int32Array.from({ length: X.rows - 180 }, (_, i) => 180 + i);
  const validation = { X: takeRows(X, held), y: Int32Array.from(held, (i) => y[i]!) };
  const reports: Progress[] = [];
  const model = await logisticRegression.fit(takeRows(X, train), Int32Array.from(train, (i) => y[i]!), 2, { interactions: true, C: 0.1 }, {
    validation,
    onProgress: (p) => reports.push(p),
  });
  const last = reports.at(-1)!;
  const expected = classificationMetrics(validation.y, model.predictProba(validation.X)).log_loss;
  assert.ok(Math.abs(last.validationLoss! - expected) < 1e-9, `${last.validationLoss} vs ${expected}`);
});

test(`more than ${MAX_INTERACTION_INPUTS} input columns are refused with a coded error that says what to do`, async () => {
  assert.doesNotThrow(() => checkInteractionInputs(MAX_INTERACTION_INPUTS, 'ridge'));
  const cols = MAX_INTERACTION_INPUTS + 1;
  const rng = new Rng(2);
  const X = createMatrix(40, cols, Float64Array.from({ length: 40 * cols }, () => rng.normal()));
  const y = Int32Array.from({ length: 40 }, (_, i) => i % 2);
  await assert.rejects(
    logisticRegression.fit(X, y, 2, { interactions: true }),
    expectCode('TOO_MANY_INTERACTION_INPUTS', (d) => {
      assert.equal(d['columns'], cols);
      assert.equal(d['max'], MAX_INTERACTION_INPUTS);
    }),
  );
  await assert.rejects(ridgeRegression.fit(X, Float64Array.from(y), { interactions: true }), expectCode('TOO_MANY_INTERACTION_INPUTS'));
  // without interactions the same data is fine
  assert.equal((await ridgeRegression.fit(X, Float64Array.from(y), {})).nFeatures, cols);
});

test('a plain model saved before interactions existed (no "interactions" field) still loads as a plain model', async () => {
  const X = matrixFromRows(fx.logisticBinary.X);
  const plain = await logisticRegression.fit(X, Int32Array.from(fx.logisticBinary.y), 2, {});
  const saved = plain.toJSON();
  assert.equal(Object.hasOwn(saved.state as object, 'interactions'), false);
  assert.deepEqual(logisticRegression.load(saved).predictProba(X).data, plain.predictProba(X).data);
  // and a model with interactions refuses coefficients of the plain width
  const widened = (await logisticRegression.fit(X, Int32Array.from(fx.logisticBinary.y), 2, { interactions: true })).toJSON();
  assert.throws(() => logisticRegression.load({ ...widened, state: { ...(widened.state as object), coef: (saved.state as { coef: number[][] }).coef } }), expectCode('INVALID_PREDICTOR'));
});
