/**
 * Digits (10 classes, 64 pixel features): Kiln's MLP against scikit-learn's MLPClassifier with the same
 * architecture and settings (fixture from test/fixtures/sklearn/make_mlp_fixtures.py), and the
 * multiclass ONNX export of a real trained network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlpClassifier } from '../../src/learners/mlp/mlp-classifier.js';
import { maxAbsDiff } from '../helpers/assertions.js';
import { onnxOutputOf } from './learner-conformance.js';
import { accuracyOf, loadMlpFixture, type ClassifierFit } from './mlp-fixtures.js';

const digits = loadMlpFixture<ClassifierFit>('mlp-digits');

for (const fit of digits.fits) {
  test(`digits ${JSON.stringify(fit.params)}: accuracy within 1 point of scikit-learn ${digits.sklearn_version}; ONNX agrees`, async () => {
    const seeds = [0, 1];
    let sum = 0;
    for (const seed of seeds) {
      const model = await mlpClassifier.fit(digits.Xtrain, Int32Array.from(digits.ytrain), 10, fit.params, { seed });
      const proba = model.predictProba(digits.Xtest);
      sum += accuracyOf(proba, digits.ytest);
      if (seed === 0) {
        const diff = maxAbsDiff(await onnxOutputOf(model, digits.Xtest), proba.data);
        assert.ok(diff <= 1e-5, `ONNX differs by ${diff}`);
      }
    }
    const accuracy = sum / seeds.length;
    assert.ok(accuracy >= fit.meanAccuracy - 0.01, `kiln ${accuracy.toFixed(4)} vs scikit-learn ${fit.meanAccuracy.toFixed(4)}`);
  });
}
