import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getLearner } from '../../src/learners/registry.js';
import { learnerConformance, makeDataset } from './learner-conformance.js';

const members = [
  { learner: 'logistic-regression', params: { C: 1 } },
  { learner: 'logistic-regression', params: { C: 0.05 } },
];
learnerConformance(getLearner('soft-voting'), { params: { members } });
// Weighted members (as ensemble selection picks them) go through the same suite: ONNX agreement included.
learnerConformance(getLearner('soft-voting'), { params: { members: [{ ...members[0], weight: 3 }, { ...members[1], weight: 1 }] } });
learnerConformance(getLearner('soft-voting-regressor'), {
  params: { members: [{ learner: 'ridge', params: { alpha: 1 } }, { learner: 'ridge', params: { alpha: 30 } }] },
});

test('soft voting averages its members exactly', async () => {
  const { X, y, nClasses } = makeDataset('multiclass');
  const vote = await getLearner('soft-voting', 'multiclass').fit(X, y as Int32Array, nClasses, { members }, { seed: 1 });
  const a = await getLearner('logistic-regression', 'multiclass').fit(X, y as Int32Array, nClasses, { C: 1 }, { seed: 1 });
  const b = await getLearner('logistic-regression', 'multiclass').fit(X, y as Int32Array, nClasses, { C: 0.05 }, { seed: 1 });
  const pv = vote.predictProba(X).data;
  const pa = a.predictProba(X).data;
  const pb = b.predictProba(X).data;
  for (let i = 0; i < pv.length; i++) assert.ok(Math.abs(pv[i]! - (pa[i]! + pb[i]!) / 2) < 1e-12);
});

test('a soft-voting spec with one member or an unknown learner is refused', async () => {
  const { X, y, nClasses } = makeDataset('binary');
  await assert.rejects(getLearner('soft-voting', 'binary').fit(X, y as Int32Array, nClasses, { members: [members[0]] }), /members/);
  await assert.rejects(
    getLearner('soft-voting', 'binary').fit(X, y as Int32Array, nClasses, { members: [members[0], { learner: 'nope', params: {} }] }),
    (e: Error & { code?: string }) => e.code === 'UNKNOWN_LEARNER',
  );
});

test('weighted soft voting is the weighted average, and its weights survive a save and load', async () => {
  const { X, y } = makeDataset('regression');
  const weighted = [{ learner: 'ridge', params: { alpha: 1 }, weight: 3 }, { learner: 'ridge', params: { alpha: 30 }, weight: 1 }];
  const vote = await getLearner('soft-voting-regressor', 'regression').fit(X, y as Float64Array, { members: weighted }, { seed: 1 });
  const a = await getLearner('ridge', 'regression').fit(X, y as Float64Array, { alpha: 1 }, { seed: 1 });
  const b = await getLearner('ridge', 'regression').fit(X, y as Float64Array, { alpha: 30 }, { seed: 1 });
  const pv = vote.predict(X);
  const pa = a.predict(X);
  const pb = b.predict(X);
  for (let i = 0; i < pv.length; i++) assert.ok(Math.abs(pv[i]! - (0.75 * pa[i]! + 0.25 * pb[i]!)) < 1e-12);
  const back = getLearner('soft-voting-regressor', 'regression').load(JSON.parse(JSON.stringify(vote.toJSON())));
  assert.deepEqual(Array.from(back.predict(X)), Array.from(pv));
});
