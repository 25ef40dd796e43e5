/**
 * The MLP against scikit-learn's MLPClassifier / MLPRegressor on the same seeded splits, same
 * architectures and settings (fixtures from test/fixtures/sklearn/make_mlp_fixtures.py). Initial
 * weights come from different generators, so single seeds differ; means over seeds are compared:
 * accuracy no more than 1 point lower, RMSE no more than 3% higher. Digits is in mlp-digits.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlpClassifier } from '../../src/learners/mlp/mlp-classifier.js';
import { mlpRegressor } from '../../src/learners/mlp/mlp-regressor.js';
import { loadMlpFixture, meanAccuracy, type ClassifierFit, type RegressorFit } from './mlp-fixtures.js';

const SEEDS = [0, 1, 2];

const breastCancer = loadMlpFixture<ClassifierFit>('mlp-breast-cancer');
for (const fit of breastCancer.fits) {
  test(`breast cancer ${JSON.stringify(fit.params)}: accuracy within 1 point of scikit-learn ${breastCancer.sklearn_version}`, async () => {
    const accuracy = await meanAccuracy(mlpClassifier, breastCancer, fit.params, SEEDS);
    assert.ok(accuracy >= fit.meanAccuracy - 0.01, `kiln ${accuracy.toFixed(4)} vs scikit-learn ${fit.meanAccuracy.toFixed(4)}`);
  });
}

const diabetes = loadMlpFixture<RegressorFit>('mlp-diabetes');
for (const fit of diabetes.fits) {
  test(`diabetes regression ${JSON.stringify(fit.params)}: test RMSE within 3% of scikit-learn's`, async () => {
    let sum = 0;
    for (const seed of SEEDS) {
      const model = await mlpRegressor.fit(diabetes.Xtrain, Float64Array.from(diabetes.ytrain), fit.params, { seed });
      const predicted = model.predict(diabetes.Xtest);
      let squared = 0;
      diabetes.ytest.forEach((y, i) => (squared += (y - predicted[i]!) ** 2));
      sum += Math.sqrt(squared / diabetes.ytest.length);
    }
    const rmse = sum / SEEDS.length;
    assert.ok(rmse <= fit.meanRmse * 1.03, `kiln ${rmse.toFixed(2)} vs scikit-learn ${fit.meanRmse.toFixed(2)}`);
  });
}
