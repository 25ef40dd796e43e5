import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openHome } from '../../src/store/open-store.js';
import { expectedProbability, registerFixture } from './fixture-module.js';
import { close, output, startHarness, titanicRequest, V1_WEIGHT, V2_WEIGHT, type Harness, type OipResponse } from './harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

const get = (url: string) => h.app.inject({ method: 'GET', url });
const post = (url: string, payload: unknown) => h.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });

describe('server routes', () => {
  test('GET /v2 is the server metadata', async () => {
    const res = await get('/v2');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.name, 'kiln');
    assert.equal(typeof body.version, 'string');
    assert.deepEqual([...body.extensions].sort(), ['binary_tensor_data', 'classification', 'model_configuration', 'model_repository', 'parameters', 'schedule_policy', 'statistics']);
  });

  test('health: live and ready', async () => {
    assert.deepEqual((await get('/v2/health/live')).json(), { live: true });
    const ready = await get('/v2/health/ready');
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { ready: true });
  });
});

describe('model metadata and readiness', () => {
  test('GET /v2/models/:name describes the latest version in OIP shape', async () => {
    const res = await get('/v2/models/titanic');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      name: 'titanic',
      versions: ['1', '2'],
      platform: 'onnxruntime_onnx',
      inputs: [
        { name: 'Age', datatype: 'FP32', shape: [-1, 1] },
        { name: 'Sex', datatype: 'BYTES', shape: [-1, 1] },
      ],
      outputs: [
        { name: 'label', datatype: 'BYTES', shape: [-1, 1] },
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
      ],
    });
  });

  test('GET /v2/models/:name/versions/:version describes that version (by number or alias)', async () => {
    const v1 = (await get('/v2/models/titanic/versions/1')).json();
    assert.equal(v1.outputs[0].datatype, 'INT64');
    const champion = (await get('/v2/models/titanic/versions/champion')).json();
    assert.deepEqual(champion, v1);
  });

  test('model ready, with and without a version', async () => {
    assert.deepEqual((await get('/v2/models/titanic/ready')).json(), { name: 'titanic', ready: true });
    const res = await get('/v2/models/titanic/versions/2/ready');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { name: 'titanic', ready: true });
  });

  test('a model that cannot load is not ready (503), with its reason on infer; others keep serving', async () => {
    const ready = await get('/v2/models/broken/ready');
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), { name: 'broken', ready: false });
    const infer = await post('/v2/models/broken/infer', titanicRequest());
    assert.equal(infer.statusCode, 503);
    assert.equal(infer.json().code, 'MODEL_NOT_READY');
    assert.match(infer.json().error, /broken/);
    assert.match(infer.json().error, /onnxruntime cannot open model\.onnx/);
    assert.equal((await post('/v2/models/titanic/infer', titanicRequest())).statusCode, 200);
  });
});

describe('inference', () => {
  test('latest version answers by default, with the OIP response shape', async () => {
    const res = await post('/v2/models/titanic/infer', titanicRequest({ id: 'req-42' }));
    assert.equal(res.statusCode, 200);
    const body = res.json() as OipResponse;
    assert.equal(body.model_name, 'titanic');
    assert.equal(body.model_version, '2');
    assert.equal(body.id, 'req-42');
    assert.deepEqual(body.outputs.map((o) => o.name), ['label', 'probabilities']);
    const label = output(body, 'label');
    assert.deepEqual([label.datatype, label.shape], ['BYTES', [2, 1]]);
    const probabilities = output(body, 'probabilities');
    assert.deepEqual([probabilities.datatype, probabilities.shape], ['FP32', [2, 2]]);
    const p1 = [expectedProbability(22, 'male', V2_WEIGHT), expectedProbability(null, 'female', V2_WEIGHT)];
    assert.ok(close(probabilities.data[1] as number, p1[0]!));
    assert.ok(close(probabilities.data[3] as number, p1[1]!));
    assert.ok(close(probabilities.data[0] as number, 1 - p1[0]!));
    assert.deepEqual(label.data, p1.map((p) => (p > 0.5 ? 'survived' : 'died')));
  });

  test('an explicit version, an alias segment and name@alias all pick their version', async () => {
    for (const url of ['/v2/models/titanic/versions/1/infer', '/v2/models/titanic/versions/champion/infer', '/v2/models/titanic@champion/infer']) {
      const res = await post(url, titanicRequest());
      assert.equal(res.statusCode, 200, url);
      const body = res.json() as OipResponse;
      assert.equal(body.model_version, '1', url);
      const label = output(body, 'label');
      assert.equal(label.datatype, 'INT64');
      const expected = [expectedProbability(22, 'male', V1_WEIGHT), expectedProbability(null, 'female', V1_WEIGHT)];
      assert.deepEqual(label.data, expected.map((p) => (p > 0.5 ? 1 : 0)), url);
      expected.forEach((p, i) => assert.ok(close(output(body, 'probabilities').data[2 * i + 1] as number, p), url));
    }
  });

  test('the id defaults to the request id when the body has none', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v2/models/titanic/infer', payload: titanicRequest(), headers: { 'x-request-id': 'abc-123' } });
    assert.equal(res.headers['x-request-id'], 'abc-123');
    assert.equal(res.json().id, 'abc-123');
  });

  test('shape [N] is accepted as well as [N, 1], and nested data is read row-major', async () => {
    const res = await post('/v2/models/titanic/versions/1/infer', {
      inputs: [
        { name: 'Age', shape: [3], datatype: 'FP32', data: [10, 50, 80] },
        { name: 'Sex', shape: [3, 1], datatype: 'BYTES', data: [['male'], ['male'], ['female']] },
      ],
    });
    assert.equal(res.statusCode, 200, res.body);
    const probabilities = output(res.json(), 'probabilities');
    assert.deepEqual(probabilities.shape, [3, 2]);
    const expected = [expectedProbability(10, 'male', V1_WEIGHT), expectedProbability(50, 'male', V1_WEIGHT), expectedProbability(80, 'female', V1_WEIGHT)];
    expected.forEach((p, i) => assert.ok(close(probabilities.data[2 * i + 1] as number, p)));
  });

  test('requested outputs filter the response', async () => {
    const res = await post('/v2/models/titanic/infer', { ...titanicRequest(), outputs: [{ name: 'probabilities' }] });
    assert.equal(res.statusCode, 200);
    assert.deepEqual((res.json() as OipResponse).outputs.map((o) => o.name), ['probabilities']);
  });

  test('a regressor answers its prediction', async () => {
    const res = await post('/v2/models/fare/infer', titanicRequest());
    assert.equal(res.statusCode, 200);
    const prediction = output(res.json(), 'prediction');
    assert.deepEqual([prediction.datatype, prediction.shape], ['FP32', [2, 1]]);
    assert.ok(close(prediction.data[0] as number, 44));
    assert.ok(close(prediction.data[1] as number, 2 * 30 + 10));
  });

  test('a version registered by another process after the server started is served within about a second', async () => {
    const other = await openHome(h.home.home); // a second connection, as `kiln train` in another process would have
    try {
      const before = (await post('/v2/models/titanic/infer', titanicRequest())).json() as OipResponse;
      assert.equal(before.model_version, '2');
      const registered = await registerFixture(other, { name: 'titanic', weight: 0.2, classes: [0, 1] });
      assert.equal(registered.version, 3);
      assert.equal(await servedVersionWithin(5000, '/v2/models/titanic/infer', '3'), '3');
      // explicit versions and aliases are unaffected
      assert.equal(((await post('/v2/models/titanic/versions/2/infer', titanicRequest())).json() as OipResponse).model_version, '2');
      assert.equal(((await post('/v2/models/titanic@champion/infer', titanicRequest())).json() as OipResponse).model_version, '1');
      // and an alias moved by the other process is followed too
      await other.store.setAlias('titanic', 'champion', 3);
      assert.equal(await servedVersionWithin(5000, '/v2/models/titanic@champion/infer', '3'), '3');
    } finally {
      await other.store.close();
    }
  });
});

/** Polls `url` until it is served by `version` or `ms` have passed; returns the last version served. */
async function servedVersionWithin(ms: number, url: string, version: string): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const served = ((await post(url, titanicRequest())).json() as OipResponse).model_version;
    if (served === version || Date.now() > deadline) return served;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('bad requests are refused with a coded 4xx naming the problem, and the server keeps answering', () => {
  const valid = async () => {
    const res = await post('/v2/models/titanic/infer', titanicRequest());
    assert.equal(res.statusCode, 200, 'a valid request right after the bad one');
  };
  const inputs = (age: Record<string, unknown>, sex: Record<string, unknown> = {}) => ({
    inputs: [
      { name: 'Age', shape: [2, 1], datatype: 'FP32', data: [22, 30], ...age },
      { name: 'Sex', shape: [2, 1], datatype: 'BYTES', data: ['male', 'female'], ...sex },
    ],
  });

  const cases: { what: string; url?: string; body: unknown; status: number; code: string; mentions: RegExp }[] = [
    { what: 'unknown model', url: '/v2/models/nope/infer', body: titanicRequest(), status: 404, code: 'MODEL_NOT_FOUND', mentions: /nope/ },
    { what: 'unknown version', url: '/v2/models/titanic/versions/99/infer', body: titanicRequest(), status: 404, code: 'VERSION_NOT_FOUND', mentions: /99/ },
    { what: 'unknown alias', url: '/v2/models/titanic/versions/nobody/infer', body: titanicRequest(), status: 404, code: 'ALIAS_NOT_FOUND', mentions: /nobody/ },
    { what: 'invalid version segment', url: '/v2/models/titanic/versions/-1/infer', body: titanicRequest(), status: 400, code: 'INVALID_MODEL_REF', mentions: /-1/ },
    { what: 'wrong shape', body: inputs({ shape: [2, 2] }), status: 400, code: 'INPUT_SHAPE', mentions: /"Age".*\[2, 2\]/ },
    { what: 'data length ≠ product(shape)', body: inputs({ data: [1, 2, 3] }), status: 400, code: 'INPUT_SHAPE', mentions: /"Age".*3 element/ },
    { what: 'different batch sizes', body: inputs({}, { shape: [1, 1], data: ['male'] }), status: 400, code: 'INPUT_SHAPE', mentions: /"Sex".*batch size/ },
    { what: 'wrong datatype (FP64 for FP32)', body: inputs({ datatype: 'FP64' }), status: 400, code: 'INPUT_DATATYPE', mentions: /"Age".*FP64.*FP32/ },
    { what: 'missing input', body: { inputs: [inputs({}).inputs[0]] }, status: 400, code: 'INPUT_MISSING', mentions: /"Sex"/ },
    { what: 'unknown input', body: { inputs: [...inputs({}).inputs, { name: 'Fare', shape: [2], datatype: 'FP32', data: [1, 2] }] }, status: 400, code: 'INPUT_UNKNOWN', mentions: /"Fare"/ },
    { what: 'non-numeric data', body: inputs({ data: [22, 'old'] }), status: 400, code: 'INPUT_DATA', mentions: /"Age".*element 1.*"old"/ },
    { what: 'number in a BYTES tensor', body: inputs({}, { data: ['male', 1] }), status: 400, code: 'INPUT_DATA', mentions: /"Sex".*element 1/ },
    { what: 'unknown output', body: { ...titanicRequest(), outputs: [{ name: 'shap' }] }, status: 400, code: 'OUTPUT_UNKNOWN', mentions: /"shap"/ },
    { what: 'no inputs list', body: { id: 'x' }, status: 400, code: 'MALFORMED_REQUEST', mentions: /inputs/ },
    { what: 'shape not a list', body: inputs({ shape: 'two' }), status: 400, code: 'MALFORMED_REQUEST', mentions: /inputs\[0\]\.shape/ },
    { what: 'data not a list', body: inputs({ data: 22 }), status: 400, code: 'INPUT_DATA', mentions: /"Age".*array/ },
  ];

  for (const c of cases) {
    test(c.what, async () => {
      const res = await post(c.url ?? '/v2/models/titanic/infer', c.body);
      assert.equal(res.statusCode, c.status, res.body);
      const body = res.json();
      assert.equal(body.code, c.code);
      assert.match(body.error, c.mentions);
      assert.ok(!/\n\s+at /.test(res.body), 'no stack trace');
      await valid();
    });
  }

  test('unknown model in metadata and readiness is a 404 too', async () => {
    assert.equal((await get('/v2/models/nope')).statusCode, 404);
    assert.equal((await get('/v2/models/nope/ready')).statusCode, 404);
    assert.equal((await get('/v2/models/titanic/versions/7/ready')).statusCode, 404);
    await valid();
  });
});
