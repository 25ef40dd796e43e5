import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKilnError } from '../../src/core/errors.js';
import { matrixFromRows } from '../../src/core/matrix.js';
import { getLearner, learnerNames, learnersFor, loadPredictor } from '../../src/learners/registry.js';

test('learners are found by name and by task', () => {
  assert.deepEqual([...learnerNames], ['logistic-regression', 'ridge']);
  assert.equal(getLearner('ridge').kind, 'regressor');
  assert.equal(getLearner('logistic-regression', 'multiclass').kind, 'classifier');
  assert.deepEqual(learnersFor('binary').map((l) => l.name), ['logistic-regression']);
  assert.deepEqual(learnersFor('multiclass').map((l) => l.name), ['logistic-regression']);
  assert.deepEqual(learnersFor('regression').map((l) => l.name), ['ridge']);
});

test('an unknown learner, or one that does not fit the task, is UNKNOWN_LEARNER listing what is available', () => {
  assert.throws(() => getLearner('xgboost'), (err: unknown) => {
    assert.ok(isKilnError(err, 'UNKNOWN_LEARNER'));
    assert.equal(err.details['learner'], 'xgboost');
    assert.equal(err.details['available'], 'logistic-regression, ridge');
    return true;
  });
  assert.throws(() => getLearner('ridge', 'binary'), (err: unknown) => {
    assert.ok(isKilnError(err, 'UNKNOWN_LEARNER'));
    assert.equal(err.details['task'], 'binary');
    assert.equal(err.details['available'], 'logistic-regression');
    return true;
  });
  // Inherited object keys are not learners.
  assert.throws(() => getLearner('toString'), (err: unknown) => isKilnError(err, 'UNKNOWN_LEARNER'));
  assert.throws(() => loadPredictor({ learner: 'nope', format: 1, state: {} }), (err: unknown) => isKilnError(err, 'UNKNOWN_LEARNER'));
});

test('the registry is frozen', () => {
  assert.ok(Object.isFrozen(learnerNames));
  assert.throws(() => (learnerNames as string[]).push('mine'), TypeError);
});

test('loadPredictor rebuilds a predictor through the learner that saved it', async () => {
  const X = matrixFromRows([[0], [1], [2], [3]]);
  const model = await getLearner('ridge', 'regression').fit(X, Float64Array.from([1, 3, 5, 7]), { alpha: 0 });
  const loaded = loadPredictor(model.toJSON());
  assert.equal(loaded.kind, 'regressor');
  if (loaded.kind === 'regressor') assert.deepEqual(Array.from(loaded.predict(X), (v) => Math.round(v * 1e9) / 1e9), [1, 3, 5, 7]);
});
