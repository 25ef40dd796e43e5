import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectedProbability } from './fixture-module.js';
import { close, startHarness, V1_WEIGHT, V2_WEIGHT, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

const predict = (ref: string, payload: unknown) =>
  h.app.inject({ method: 'POST', url: `/v1/models/${ref}:predict`, payload: payload as Record<string, unknown> });

interface ClassPrediction {
  label: number | string;
  probabilities: Record<string, number>;
}

test('a single row gets a label and class probabilities keyed by class label', async () => {
  const res = await predict('titanic', { instances: [{ Age: 22, Sex: 'male' }] });
  assert.equal(res.statusCode, 200, res.body);
  const [row, ...rest] = res.json().predictions as ClassPrediction[];
  assert.equal(rest.length, 0);
  const p = expectedProbability(22, 'male', V2_WEIGHT);
  assert.equal(row!.label, p > 0.5 ? 'survived' : 'died');
  assert.deepEqual(Object.keys(row!.probabilities), ['died', 'survived']);
  assert.ok(close(row!.probabilities['survived']!, p));
  assert.ok(close(row!.probabilities['died']!, 1 - p));
});

test('a batch answers one prediction per row, in order; a version can be named by reference', async () => {
  const instances = [
    { Age: 5, Sex: 'male' },
    { Age: 70, Sex: 'female' },
    { Age: 40, Sex: 'male' },
  ];
  const res = await predict('titanic@champion', { instances });
  assert.equal(res.statusCode, 200, res.body);
  const predictions = res.json().predictions as ClassPrediction[];
  assert.equal(predictions.length, 3);
  instances.forEach((row, i) => {
    const p = expectedProbability(row.Age, row.Sex, V1_WEIGHT);
    assert.equal(predictions[i]!.label, p > 0.5 ? 1 : 0);
    assert.deepEqual(Object.keys(predictions[i]!.probabilities), ['0', '1']);
    assert.ok(close(predictions[i]!.probabilities['1']!, p));
  });
  const byVersion = await predict('titanic:1', { instances });
  assert.deepEqual(byVersion.json(), res.json());
});

test('a partial row treats the absent columns as missing values', async () => {
  const res = await predict('titanic:1', { instances: [{ Sex: 'female' }, { Age: 22 }, {}] });
  assert.equal(res.statusCode, 200, res.body);
  const predictions = res.json().predictions as ClassPrediction[];
  assert.ok(close(predictions[0]!.probabilities['1']!, expectedProbability(null, 'female', V1_WEIGHT)));
  assert.ok(close(predictions[1]!.probabilities['1']!, expectedProbability(22, null, V1_WEIGHT)));
  assert.ok(close(predictions[2]!.probabilities['1']!, expectedProbability(null, null, V1_WEIGHT)));
  // null is the same as absent
  const withNulls = await predict('titanic:1', { instances: [{ Age: null, Sex: 'female' }] });
  assert.deepEqual(withNulls.json().predictions[0], predictions[0]);
});

test('a regressor answers {prediction}', async () => {
  const res = await predict('fare', { instances: [{ Age: 22, Sex: 'female' }, { Age: 10 }] });
  assert.equal(res.statusCode, 200, res.body);
  const predictions = res.json().predictions as { prediction: number }[];
  assert.deepEqual(Object.keys(predictions[0]!), ['prediction']);
  assert.ok(close(predictions[0]!.prediction, 2 * 22 + 10));
  assert.ok(close(predictions[1]!.prediction, 2 * 10));
});

test('unknown keys are refused with a 400 naming every one of them', async () => {
  const res = await predict('titanic', { instances: [{ Age: 22, Sexx: 'male' }, { Age: 3, Fare: 7.25, Sexx: 'female' }] });
  assert.equal(res.statusCode, 400);
  const body = res.json();
  assert.equal(body.code, 'INPUT_UNKNOWN');
  assert.match(body.error, /"Sexx"/);
  assert.match(body.error, /"Fare"/);
  assert.deepEqual(body.problems.map((p: { path: string }) => p.path), ['instances[0].Sexx', 'instances[1].Fare']);
});

test('bad rows are refused clearly, and the server keeps answering', async () => {
  const bad: [unknown, string, RegExp][] = [
    [{ instances: [] }, 'MALFORMED_REQUEST', /at least one row/],
    [{ rows: [{ Age: 1 }] }, 'MALFORMED_REQUEST', /instances/],
    [{ instances: [[22, 'male']] }, 'MALFORMED_REQUEST', /object of column values/],
    [{ instances: [{ Age: 'old', Sex: 'male' }] }, 'INPUT_DATA', /instances\[0\]\.Age.*"old"/],
  ];
  for (const [payload, code, mentions] of bad) {
    const res = await predict('titanic', payload);
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, code);
    assert.match(res.json().error, mentions);
    assert.equal((await predict('titanic', { instances: [{ Age: 1, Sex: 'male' }] })).statusCode, 200);
  }
});

test('categorical values sent as numbers are taken as their text', async () => {
  // Sex is categorical: 1 becomes "1", an unseen category (treated like "male" by the fixture graph)
  const res = await predict('titanic:1', { instances: [{ Age: 22, Sex: 1 }] });
  assert.equal(res.statusCode, 200, res.body);
  assert.ok(close(res.json().predictions[0].probabilities['1'], expectedProbability(22, 'male', V1_WEIGHT)));
});

test('unknown model → 404; other verbs than :predict → 404', async () => {
  const res = await predict('nope', { instances: [{ Age: 1 }] });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().code, 'MODEL_NOT_FOUND');
  const verb = await h.app.inject({ method: 'POST', url: '/v1/models/titanic:explain', payload: { instances: [{}] } });
  assert.equal(verb.statusCode, 404);
  assert.equal(verb.json().code, 'ROUTE_NOT_FOUND');
});

test('GET /v1/models/:name tells whether the model is ready', async () => {
  const ready = await h.app.inject({ method: 'GET', url: '/v1/models/titanic' });
  assert.equal(ready.statusCode, 200);
  assert.deepEqual(ready.json(), { name: 'titanic', ready: true });
  const broken = await h.app.inject({ method: 'GET', url: '/v1/models/broken' });
  assert.equal(broken.statusCode, 503);
  assert.deepEqual(broken.json(), { name: 'broken', ready: false });
  assert.equal((await h.app.inject({ method: 'GET', url: '/v1/models/nope' })).statusCode, 404);
});
