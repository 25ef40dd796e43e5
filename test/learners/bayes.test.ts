/** Gaussian and multinomial naive Bayes against scikit-learn (classic-bayes.json). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { matrixFromRows } from '../../src/core/matrix.js';
import type { Progress } from '../../src/learners/learner.js';
import { gaussianNb, gaussianNbParams } from '../../src/learners/bayes/gaussian-nb.js';
import { multinomialNb, multinomialNbParams } from '../../src/learners/bayes/multinomial-nb.js';
import { loadPredictor } from '../../src/learners/registry.js';
import { expectCode, maxAbsDiff } from '../helpers/assertions.js';
import { learnerConformance, makeDataset, onnxOutputOf } from './learner-conformance.js';

interface Fixture {
  sklearn_version: string;
  gaussian: { X: number[][]; y: number[]; fits: { params: { varSmoothing: number }; theta: number[][]; var: number[][]; prior: number[]; proba: number[][]; accuracy: number }[] };
  multinomial: { X: number[][]; y: number[]; fits: { params: { alpha: number }; featureLogProb: number[][]; proba: number[][]; accuracy: number }[] };
}
const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/classic-bayes.json', import.meta.url), 'utf8')) as Fixture;

/** Non-negative counts for the multinomial conformance run. */
function countData(): ReturnType<typeof makeDataset> {
  const base = makeDataset('multiclass');
  return { ...base, X: { ...base.X, data: base.X.data.map((v) => Math.round(Math.abs(v) * 3)) } };
}

learnerConformance(gaussianNb);
learnerConformance(gaussianNb, { data: makeDataset('multiclass'), params: { varSmoothing: 1e-3 } });
learnerConformance(multinomialNb, { data: countData() });

const accuracy = (proba: { data: Float64Array; cols: number; rows: number }, y: number[]): number => {
  let correct = 0;
  for (let i = 0; i < proba.rows; i++) {
    const row = Array.from(proba.data.subarray(i * proba.cols, (i + 1) * proba.cols));
    if (row.indexOf(Math.max(...row)) === y[i]) correct++;
  }
  return correct / proba.rows;
};

for (const fit of fx.gaussian.fits) {
  test(`gaussian ${JSON.stringify(fit.params)} on wine: scikit-learn ${fx.sklearn_version}'s means, variances and probabilities`, async () => {
    const X = matrixFromRows(fx.gaussian.X);
    const model = await gaussianNb.fit(X, Int32Array.from(fx.gaussian.y), 3, fit.params);
    assert.ok(maxAbsDiff(model.means.data, fit.theta.flat()) <= 1e-9 * Math.max(...fit.theta.flat().map(Math.abs)));
    fit.var.flat().forEach((v, k) => assert.ok(Math.abs(model.variances.data[k]! - v) <= 1e-9 * v, `variance ${k}`));
    assert.ok(maxAbsDiff(model.priors, fit.prior) <= 1e-15);
    const proba = model.predictProba(X);
    assert.ok(maxAbsDiff(proba.data, fit.proba.flat()) <= 1e-8, `probabilities differ by ${maxAbsDiff(proba.data, fit.proba.flat())}`);
    assert.equal(accuracy(proba, fx.gaussian.y), fit.accuracy);
    // The export on raw wine features (magnitudes up to ~1,700) agrees too.
    assert.ok(maxAbsDiff(await onnxOutputOf(model, X), proba.data) <= 1e-5);
  });
}

for (const fit of fx.multinomial.fits) {
  test(`multinomial ${JSON.stringify(fit.params)} on digits: scikit-learn ${fx.sklearn_version}'s log-probabilities and probabilities`, async () => {
    const X = matrixFromRows(fx.multinomial.X);
    const model = await multinomialNb.fit(X, Int32Array.from(fx.multinomial.y), 10, fit.params);
    assert.ok(maxAbsDiff(model.featureLogProb.data, fit.featureLogProb.flat()) <= 1e-12);
    const proba = model.predictProba(X);
    assert.ok(maxAbsDiff(proba.data, fit.proba.flat()) <= 1e-9, `multinomial probabilities differ by ${maxAbsDiff(proba.data, fit.proba.flat())}`);
    assert.equal(accuracy(proba, fx.multinomial.y), fit.accuracy);
    // The export on real counts (64 features, 10 classes) agrees too.
    assert.ok(maxAbsDiff(await onnxOutputOf(model, X), proba.data) <= 1e-5);
  });
}

test('multinomial naive Bayes refuses negative features, naming the cell', async () => {
  const X = matrixFromRows([[1, 2], [0, -1], [3, 0]]);
  await assert.rejects(multinomialNb.fit(X, Int32Array.from([0, 1, 0]), 2, {}), expectCode('FEATURE_NEGATIVE', (d) => {
    assert.equal(d['row'], 1);
    assert.equal(d['column'], 1);
  }));
});

test('parameters, progress and saving', async () => {
  assert.deepEqual(gaussianNbParams.parse({}), { varSmoothing: 1e-9 });
  assert.deepEqual(multinomialNbParams.parse({}), { alpha: 1 });
  await assert.rejects(multinomialNb.fit(matrixFromRows([[1], [2]]), Int32Array.from([0, 1]), 2, { alpha: 0 }), expectCode('INVALID_PARAMS'));
  const X = matrixFromRows(fx.gaussian.X);
  const y = Int32Array.from(fx.gaussian.y);
  const reports: Progress[] = [];
  const model = await gaussianNb.fit(X, y, 3, {}, { onProgress: (p) => reports.push(p), validation: { X, y } });
  assert.equal(reports.length, 1);
  assert.ok(reports[0]!.trainLoss > 0 && reports[0]!.trainLoss === reports[0]!.validationLoss);
  const importances = model.featureImportances();
  assert.ok(importances.every((v) => v >= 0) && importances.some((v) => v > 0));
  for (const m of [model, await multinomialNb.fit(matrixFromRows(fx.multinomial.X), Int32Array.from(fx.multinomial.y), 10, {})]) {
    const loaded = loadPredictor(JSON.parse(JSON.stringify(m.toJSON())) as ReturnType<typeof m.toJSON>);
    assert.equal(loaded.kind, 'classifier');
  }
  assert.throws(() => gaussianNb.load({ ...model.toJSON(), state: { nFeatures: 13, means: [], variances: [], priors: [1] } }), expectCode('INVALID_PREDICTOR'));
});
