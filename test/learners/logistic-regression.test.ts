import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMatrix, matrixFromRows, takeRows, type Matrix } from '../../src/core/matrix.js';
import { classificationMetrics } from '../../src/evaluate/metrics/index.js';
import type { Progress } from '../../src/learners/learner.js';
import { logisticRegression, logisticRegressionParams } from '../../src/learners/linear/logistic-regression.js';
import { loadPredictor } from '../../src/learners/registry.js';
import { GraphBuilder } from '../../src/onnx/graph-builder.js';
import { openSession, ort } from '../../src/onnx/session.js';
import { expectCode, maxAbsDiff } from '../helpers/assertions.js';

/** What test/fixtures/sklearn/make_fixtures.py writes for a logistic regression data set. */
interface LogisticFixture {
  sklearn_version: string;
  X: number[][];
  y: number[];
  nClasses: number;
  fits: {
    params: { C: number; fitIntercept: boolean; classWeight: 'balanced' | null };
    coef: number[][];
    intercept: number[];
    proba: number[][];
    metrics: { accuracy: number; log_loss: number; roc_auc: number };
  }[];
}

const loadFixture = (name: string): LogisticFixture =>
  JSON.parse(readFileSync(new URL(`../fixtures/sklearn/${name}.json`, import.meta.url), 'utf8')) as LogisticFixture;

const binary = loadFixture('logistic-binary'); // breast cancer: 250 rows, 30 standardised features
const multiclass = loadFixture('logistic-multiclass'); // wine: 178 rows, 13 standardised features, 3 classes

function data(fx: LogisticFixture): { X: Matrix; y: Int32Array } {
  return { X: matrixFromRows(fx.X), y: Int32Array.from(fx.y) };
}


for (const [label, fx] of [['binary (breast cancer)', binary], ['multinomial (wine)', multiclass]] as const) {
  for (const fit of fx.fits) {
    test(`${label} ${JSON.stringify(fit.params)}: matches scikit-learn ${fx.sklearn_version}'s coefficients and probabilities`, async () => {
      const { X, y } = data(fx);
      const model = await logisticRegression.fit(X, y, fx.nClasses, fit.params);
      const { weights, intercepts } = model.coefficients();

      // Coefficients, relative to the largest one (elementwise relative error is meaningless for
      // coefficients near 0), and elementwise with a small absolute floor.
      assert.equal(weights.length, fit.coef.length);
      const scale = Math.max(...fit.coef.flat().map(Math.abs));
      const coefDiff = maxAbsDiff(weights.flatMap((w) => Array.from(w)), fit.coef.flat());
      assert.ok(coefDiff / scale <= 1e-4, `coefficients differ by ${coefDiff} (scale ${scale})`);
      fit.coef.flat().forEach((ref, j) => {
        const got = weights[Math.floor(j / X.cols)]![j % X.cols]!;
        assert.ok(Math.abs(got - ref) <= 1e-4 * Math.abs(ref) + 1e-5, `coefficient ${j}: ${got} vs ${ref}`);
      });
      assert.ok(maxAbsDiff(intercepts, fit.intercept) <= 1e-4 * Math.max(1, ...fit.intercept.map(Math.abs)));

      const proba = model.predictProba(X);
      assert.equal(proba.cols, fx.nClasses);
      assert.ok(maxAbsDiff(proba.data, fit.proba.flat()) <= 1e-5, `probabilities differ by ${maxAbsDiff(proba.data, fit.proba.flat())}`);

      const metrics = classificationMetrics(y, proba);
      assert.equal(metrics.accuracy, fit.metrics.accuracy);
      assert.ok(Math.abs(metrics.log_loss - fit.metrics.log_loss) <= 1e-5);
      assert.ok(Math.abs(metrics.roc_auc - fit.metrics.roc_auc) <= 1e-6);
    });
  }
}

test('a tighter tol gets closer to the exact minimiser (tol is honoured)', async () => {
  const { X, y } = data(binary);
  const ref = binary.fits[0]!;
  const coarse = await logisticRegression.fit(X, y, 2, { tol: 1e-3 });
  const fine = await logisticRegression.fit(X, y, 2, { tol: 1e-9 });
  const err = (m: typeof fine): number => maxAbsDiff(m.coefficients().weights[0]!, ref.coef[0]!);
  assert.ok(err(fine) < 1e-6, `tight fit is ${err(fine)} away`);
  assert.ok(err(coarse) > 10 * err(fine));
});

test('parameters have scikit-learn-like defaults, and unknown or invalid ones are refused', async () => {
  assert.deepEqual(logisticRegressionParams.parse({}), { penalty: 'l2', C: 1, l1Ratio: 0.5, maxIter: 1000, tol: 1e-7, fitIntercept: true, classWeight: null, interactions: false, powerTransform: false });
  const { X, y } = data(binary);
  await assert.rejects(logisticRegression.fit(X, y, 2, { c: 1 }), expectCode('INVALID_PARAMS', (d) => assert.match(String(d['summary']), /unknown parameter "c"/)));
  await assert.rejects(logisticRegression.fit(X, y, 2, { C: -1 }), expectCode('INVALID_PARAMS'));
  await assert.rejects(logisticRegression.fit(X, y, 2, { classWeight: 'auto' }), expectCode('INVALID_PARAMS'));
});

test('training is deterministic: the same data and params give bit-identical models', async () => {
  const { X, y } = data(multiclass);
  const a = await logisticRegression.fit(X, y, 3, { C: 0.3 }, { seed: 1 });
  const b = await logisticRegression.fit(X, y, 3, { C: 0.3 }, { seed: 2 });
  assert.deepEqual(a.toJSON(), b.toJSON());
});

test('reports progress every iteration, with the training log loss and the validation loss', async () => {
  const { X, y } = data(binary);
  const train = Int32Array.from({ length: 200 }, (_, i) => i);
  const held = Int32Array.from({ length: 50 }, (_, i) => 200 + i);
  const validation = { X: takeRows(X, held), y: Int32Array.from(held, (i) => y[i]!) };
  const reports: Progress[] = [];
  const model = await logisticRegression.fit(takeRows(X, train), Int32Array.from(train, (i) => y[i]!), 2, { maxIter: 500 }, {
    validation,
    onProgress: (p) => reports.push(p),
  });
  assert.ok(reports.length > 5);
  assert.deepEqual(reports.map((r) => r.iteration), reports.map((_, i) => i + 1));
  assert.ok(reports.every((r) => r.maxIterations === 500 && Number.isFinite(r.trainLoss) && Number.isFinite(r.validationLoss)));
  const first = reports[0]!;
  const last = reports.at(-1)!;
  assert.ok(last.trainLoss < first.trainLoss);
  // The last report describes the returned model: its losses are the plain mean log loss of its
  // probabilities on each set.
  const trainMetrics = classificationMetrics(Int32Array.from(train, (i) => y[i]!), model.predictProba(takeRows(X, train)));
  const validationMetrics = classificationMetrics(validation.y, model.predictProba(validation.X));
  assert.ok(Math.abs(last.trainLoss - trainMetrics.log_loss) < 1e-12);
  assert.ok(Math.abs(last.validationLoss! - validationMetrics.log_loss) < 1e-12);
});

test('an already-aborted signal cancels training before it starts', async () => {
  const { X, y } = data(binary);
  const controller = new AbortController();
  controller.abort();
  let reports = 0;
  await assert.rejects(
    logisticRegression.fit(X, y, 2, {}, { signal: controller.signal, onProgress: () => reports++ }),
    expectCode('CANCELLED', (d) => assert.equal(d['what'], 'training')),
  );
  assert.equal(reports, 0);
});

test('aborting while training stops it with CANCELLED', async () => {
  const { X, y } = data(multiclass);
  const controller = new AbortController();
  let reports = 0;
  await assert.rejects(
    logisticRegression.fit(X, y, 3, {}, {
      signal: controller.signal,
      onProgress: (p) => {
        reports++;
        if (p.iteration === 3) controller.abort();
      },
    }),
    expectCode('CANCELLED'),
  );
  assert.equal(reports, 3);
});

test('a saved model loads back (directly and through the registry) and predicts identically', async () => {
  for (const fx of [binary, multiclass]) {
    const { X, y } = data(fx);
    const model = await logisticRegression.fit(X, y, fx.nClasses, { C: 0.5 });
    const saved = JSON.parse(JSON.stringify(model.toJSON())) as ReturnType<typeof model.toJSON>;
    assert.equal(saved.learner, 'logistic-regression');
    for (const loaded of [logisticRegression.load(saved), loadPredictor(saved)]) {
      assert.equal(loaded.kind, 'classifier');
      assert.equal(loaded.nFeatures, X.cols);
      if (loaded.kind !== 'classifier') continue;
      assert.equal(loaded.nClasses, fx.nClasses);
      assert.deepEqual(loaded.predictProba(X).data, model.predictProba(X).data);
      assert.deepEqual(loaded.featureImportances(), model.featureImportances());
    }
  }
});

test('a damaged saved model is refused with INVALID_PREDICTOR', async () => {
  const { X, y } = data(binary);
  const saved = (await logisticRegression.fit(X, y, 2, {})).toJSON();
  const state = saved.state as { coef: number[][] };
  assert.throws(() => logisticRegression.load({ ...saved, state: { ...state, coef: [state.coef[0]!.slice(1)] } }), expectCode('INVALID_PREDICTOR'));
  assert.throws(() => logisticRegression.load({ ...saved, format: 99 }), expectCode('INVALID_PREDICTOR'));
  assert.throws(() => logisticRegression.load({ ...saved, state: null }), expectCode('INVALID_PREDICTOR'));
});

async function runOnnx(model: Awaited<ReturnType<typeof logisticRegression.fit>>, X: Matrix): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const g = new GraphBuilder('logreg');
  const features = g.input('features', 'float', ['N', X.cols]);
  const { probabilities } = model.toOnnx(g, features);
  g.output(probabilities, 'probabilities', 'float', ['N', model.nClasses]);
  const session = await openSession(g.toBytes({ producerVersion: 'test' }));
  const out = await session.run({ features: new ort.Tensor('float32', Float32Array.from(X.data), [X.rows, X.cols]) });
  const p = out['probabilities']!;
  return { data: p.data as Float32Array, dims: p.dims };
}

test('the ONNX export (float32, plain ai.onnx ops) agrees with predictProba within 1e-5', async () => {
  for (const [fx, params] of [[binary, {}], [binary, { fitIntercept: false }], [multiclass, {}], [multiclass, { C: 10 }]] as const) {
    const { X, y } = data(fx);
    const model = await logisticRegression.fit(X, y, fx.nClasses, params);
    const onnx = await runOnnx(model, X);
    assert.deepEqual(onnx.dims, [X.rows, fx.nClasses]);
    const diff = maxAbsDiff(onnx.data, model.predictProba(X).data);
    assert.ok(diff <= 1e-5, `ONNX differs by ${diff}`);
  }
});

test('feature importances are |coefficient|, the largest over classes for multinomial', async () => {
  const { X, y } = data(multiclass);
  const model = await logisticRegression.fit(X, y, 3, {});
  const { weights } = model.coefficients();
  const importances = model.featureImportances();
  assert.equal(importances.length, X.cols);
  importances.forEach((v, j) => assert.equal(v, Math.max(...weights.map((w) => Math.abs(w[j]!)))));
});

test('probabilities are valid on every row, even far outside the training range', async () => {
  const { X, y } = data(multiclass);
  const model = await logisticRegression.fit(X, y, 3, { C: 100 });
  const extreme = createMatrix(3, X.cols, new Float64Array(3 * X.cols).map((_, k) => (k % 2 === 0 ? 1e4 : -1e4) * (1 + (k % 3))));
  const p = model.predictProba(extreme);
  for (let i = 0; i < 3; i++) {
    const row = Array.from(p.data.subarray(i * 3, i * 3 + 3));
    assert.ok(row.every((v) => v >= 0 && v <= 1));
    assert.ok(Math.abs(row.reduce((a, b) => a + b) - 1) < 1e-12);
  }
});

test('bad training data is refused with a coded error naming the problem', async () => {
  const X = matrixFromRows([[0, 1, 2], [1, 0, 2], [2, 1, 0], [0, 2, 1]]);
  const y = Int32Array.from([0, 1, 0, 1]);
  const withValue = (row: number, col: number, v: number): Matrix => {
    const copy = createMatrix(X.rows, X.cols, X.data.slice());
    copy.data[row * X.cols + col] = v;
    return copy;
  };
  await assert.rejects(logisticRegression.fit(createMatrix(0, 3), new Int32Array(0), 2, {}), expectCode('DATA_EMPTY'));
  await assert.rejects(logisticRegression.fit(X, Int32Array.from([0, 1, 0]), 2, {}), expectCode('TARGET_LENGTH_MISMATCH', (d) => {
    assert.equal(d['rows'], 4);
    assert.equal(d['targets'], 3);
  }));
  await assert.rejects(logisticRegression.fit(withValue(2, 1, Number.NaN), y, 2, {}), expectCode('FEATURE_NOT_FINITE', (d) => {
    assert.equal(d['column'], 1);
    assert.equal(d['row'], 2);
  }));
  await assert.rejects(logisticRegression.fit(withValue(3, 2, Infinity), y, 2, {}), expectCode('FEATURE_NOT_FINITE', (d) => assert.equal(d['column'], 2)));
  await assert.rejects(logisticRegression.fit(X, Int32Array.from([0, 1, 2, 1]), 2, {}), expectCode('CLASS_OUT_OF_RANGE', (d) => assert.equal(d['row'], 2)));
  await assert.rejects(logisticRegression.fit(X, Int32Array.from([0, -1, 0, 1]), 2, {}), expectCode('CLASS_OUT_OF_RANGE', (d) => assert.equal(d['value'], -1)));
  await assert.rejects(logisticRegression.fit(X, Int32Array.from([1, 1, 1, 1]), 2, {}), expectCode('SINGLE_CLASS'));
  await assert.rejects(logisticRegression.fit(X, Int32Array.from([0, 2, 0, 2]), 3, {}), expectCode('CLASS_WITHOUT_ROWS', (d) => assert.equal(d['class'], 1)));
  await assert.rejects(
    logisticRegression.fit(X, y, 2, {}, { validation: { X: matrixFromRows([[1, 2]]), y: Int32Array.from([0]) } }),
    expectCode('INPUT_SHAPE'),
  );
});

test('predicting checks its input: the trained column count, finite values; no rows gives no rows', async () => {
  const { X, y } = data(binary);
  const model = await logisticRegression.fit(X, y, 2, {});
  assert.throws(() => model.predictProba(matrixFromRows([[1, 2, 3]])), expectCode('INPUT_SHAPE'));
  const withNaN = createMatrix(2, X.cols);
  withNaN.data[X.cols + 4] = Number.NaN;
  assert.throws(() => model.predictProba(withNaN), expectCode('FEATURE_NOT_FINITE', (d) => {
    assert.equal(d['row'], 1);
    assert.equal(d['column'], 4);
  }));
  const none = model.predictProba(createMatrix(0, X.cols));
  assert.equal(none.rows, 0);
  assert.equal(none.cols, 2);
});
