import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKilnError } from '../../src/core/errors.js';
import { matrixFromRows } from '../../src/core/matrix.js';
import { getLearner, learnerNames, learnersFor, loadPredictor } from '../../src/learners/registry.js';
import { FAMILY_COMPLEXITY, trainingGapMeansMemorising } from '../../src/learners/learner-family.js';

test('learners are found by name and by task', () => {
  for (const name of ['logistic-regression', 'ridge', 'soft-voting']) assert.ok(learnerNames.includes(name), name);
  assert.equal(new Set(learnerNames).size, learnerNames.length, 'names are unique');
  assert.equal(getLearner('ridge').kind, 'regressor');
  assert.equal(getLearner('logistic-regression', 'multiclass').kind, 'classifier');
  // every learner is listed under exactly the tasks its kind serves
  const kinds = { binary: 'classifier', multiclass: 'classifier', regression: 'regressor', cluster: 'clusterer', anomaly: 'anomaly' } as const;
  for (const [task, kind] of Object.entries(kinds)) {
    const names = learnersFor(task as keyof typeof kinds).map((l) => l.name);
    assert.deepEqual(names, learnerNames.filter((n) => getLearner(n).kind === kind), task);
  }
  assert.ok(learnersFor('binary').some((l) => l.name === 'logistic-regression'));
  assert.ok(learnersFor('regression').some((l) => l.name === 'ridge'));
});

test('an unknown learner, or one that does not fit the task, is UNKNOWN_LEARNER listing what is available', () => {
  assert.throws(() => getLearner('xgboost'), (err: unknown) => {
    assert.ok(isKilnError(err, 'UNKNOWN_LEARNER'));
    assert.equal(err.details['learner'], 'xgboost');
    assert.equal(err.details['available'], learnerNames.join(', '));
    return true;
  });
  assert.throws(() => getLearner('ridge', 'binary'), (err: unknown) => {
    assert.ok(isKilnError(err, 'UNKNOWN_LEARNER'));
    assert.equal(err.details['task'], 'binary');
    assert.equal(err.details['available'], learnersFor('binary').map((l) => l.name).join(', '));
    assert.ok(!String(err.details['available']).split(', ').includes('ridge'));
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

test('every supervised learner declares its family; only bagged trees have a training score that says nothing', () => {
  const supervised = [...learnersFor('binary'), ...learnersFor('regression')];
  const families = new Map(supervised.map((l) => [l.name, l.kind === 'classifier' || l.kind === 'regressor' ? l.family : undefined]));
  assert.equal(families.get('random-forest'), 'bagged-trees');
  assert.equal(families.get('extra-trees-regressor'), 'bagged-trees');
  assert.equal(families.get('gradient-boosting'), 'boosted-trees');
  assert.equal(families.get('logistic-regression'), 'linear');
  assert.equal(families.get('soft-voting'), 'ensemble');
  for (const [name, family] of families) {
    assert.ok(family !== undefined && family in FAMILY_COMPLEXITY, `${name}: ${family}`);
    assert.equal(trainingGapMeansMemorising(family), family !== 'bagged-trees', name);
  }
});
