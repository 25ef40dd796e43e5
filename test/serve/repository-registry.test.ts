/**
 * Triton's repository extension on registered modules: the index lists them (loaded or not, the broken
 * one with its reason), unload takes one out of service, load brings it back; /metrics and the
 * configuration of a module follow.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, titanicRequest, type Harness } from './harness.js';

describe('repository extension over the registry', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h.close());

  const post = (url: string) => h.app.inject({ method: 'POST', url });
  const infer = () => h.app.inject({ method: 'POST', url: '/v2/models/titanic/infer', payload: titanicRequest() });

  test('index, unload, load', async () => {
    assert.equal((await infer()).statusCode, 200);
    await h.app.inject({ method: 'GET', url: '/v2/models/broken/ready' });
    const index = (await post('/v2/repository/index')).json() as { name: string; version?: string; state: string; reason: string }[];
    assert.deepEqual(index.find((e) => e.name === 'titanic'), { name: 'titanic', version: '2', state: 'READY', reason: '' });
    assert.equal(index.find((e) => e.name === 'fare')?.state, 'UNAVAILABLE');
    assert.match(index.find((e) => e.name === 'fare')?.reason ?? '', /loads on first request/);
    assert.match(index.find((e) => e.name === 'broken')?.reason ?? '', /onnxruntime cannot open model\.onnx/);

    assert.equal((await post('/v2/repository/models/titanic/unload')).statusCode, 200);
    const refused = await infer();
    assert.equal(refused.statusCode, 404);
    assert.equal(refused.json().code, 'MODEL_UNAVAILABLE');
    assert.equal((await h.app.inject({ method: 'GET', url: '/v2/models/titanic/ready' })).statusCode, 503);
    assert.equal((await post('/v2/repository/models/titanic/load')).statusCode, 200);
    assert.equal((await infer()).statusCode, 200);
    assert.equal((await post('/v2/repository/models/nobody/unload')).statusCode, 404);
  });

  test('a module\'s configuration: batchable columns, dynamic batching, class labels', async () => {
    const config = (await h.app.inject({ method: 'GET', url: '/v2/models/titanic/config' })).json();
    assert.equal(config.max_batch_size, 1024);
    assert.deepEqual(config.input, [
      { name: 'Age', data_type: 'TYPE_FP32', dims: [1] },
      { name: 'Sex', data_type: 'TYPE_STRING', dims: [1] },
    ]);
    assert.equal(config.output[1].label_filename, 'labels.txt');
    assert.equal(config.dynamic_batching.max_queue_delay_microseconds, 0);
    const classified = await h.app.inject({
      method: 'POST',
      url: '/v2/models/titanic/infer',
      payload: { ...titanicRequest(), outputs: [{ name: 'probabilities', parameters: { classification: 2 } }] },
    });
    const out = classified.json().outputs[0];
    assert.deepEqual(out.shape, [2, 2]);
    assert.match(out.data[0], /^0\.\d{6}:[01]:(died|survived)$/);
  });
});
