/**
 * Serving a Triton-layout folder of models trained elsewhere: signatures from the graph (no config) or
 * from config.pbtxt, version policies, the model configuration, statistics and classification
 * extensions, the repository extension (index, load, unload), failed loads reported while the others
 * serve, and a reload under load that loses no request.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { buildServer, type KilnServer } from '../../src/serve/server.js';
import { irisExpected, irisLike, tritonRepository, wideMlp, writeModel } from './foreign-models.js';

const IRIS_CONFIG = `
# a hand-written Triton configuration
name: "iris_cfg"
backend: "onnxruntime"
max_batch_size: 8
input [ { name: "float_input", data_type: TYPE_FP32, dims: [ 4 ] } ]
output [
  { name: "probabilities" data_type: TYPE_FP32 dims: [ 3 ] label_filename: "labels.txt" },
  { name: "label", data_type: TYPE_INT64, dims: [ ] }
]
dynamic_batching { preferred_batch_size: [ 4, 8 ] max_queue_delay_microseconds: 100 }
instance_group [ { count: 2, kind: KIND_CPU } ]
version_policy: { all { } }
`;

const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.7, 3.0, 5.2, 2.3],
];

describe('a Triton-layout model repository', () => {
  let app: KilnServer;
  let repo: Awaited<ReturnType<typeof tritonRepository>>;

  before(async () => {
    repo = await tritonRepository([
      { name: 'iris', versions: { 1: irisLike() } },
      { name: 'iris_cfg', versions: { 1: irisLike(), 2: irisLike() }, config: IRIS_CONFIG, files: { 'labels.txt': 'setosa\nversicolor\nvirginica\n' } },
      { name: 'broken', versions: { 1: new TextEncoder().encode('not an onnx file') } },
      { name: 'badconfig', versions: { 1: irisLike() }, config: 'max_batch_size: -3' },
    ]);
    app = await buildServer({ modelRepository: repo.dir, logger: pino({ level: 'silent' }) });
    await app.kiln.repository.warmUp();
  });
  after(async () => {
    await app.close();
    await repo.remove();
  });

  const infer = (model: string, body: unknown, version?: string) =>
    app.inject({ method: 'POST', url: `/v2/models/${model}${version === undefined ? '' : `/versions/${version}`}/infer`, payload: body as object });
  const irisRequest = (extra: Record<string, unknown> = {}) => ({ inputs: [{ name: 'float_input', shape: [2, 4], datatype: 'FP32', data: ROWS }], ...extra });

  test('the index lists every model with its state; failed loads carry their reason', async () => {
    const res = await app.inject({ method: 'POST', url: '/v2/repository/index' });
    assert.equal(res.statusCode, 200);
    const index = res.json() as { name: string; version?: string; state: string; reason: string }[];
    const entry = (name: string, version?: string) => index.find((e) => e.name === name && (version === undefined || e.version === version));
    assert.equal(entry('iris', '1')?.state, 'READY');
    assert.equal(entry('iris_cfg', '1')?.state, 'READY');
    assert.equal(entry('iris_cfg', '2')?.state, 'READY');
    assert.equal(entry('broken')?.state, 'UNAVAILABLE');
    assert.match(entry('broken')?.reason ?? '', /onnxruntime cannot open model\.onnx/);
    assert.equal(entry('badconfig')?.state, 'UNAVAILABLE');
    assert.match(entry('badconfig')?.reason ?? '', /max_batch_size must be a non-negative integer/);
    const ready = await app.inject({ method: 'POST', url: '/v2/repository/index', payload: { ready: true } });
    assert.deepEqual((ready.json() as { name: string }[]).map((e) => e.name).sort(), ['iris', 'iris_cfg', 'iris_cfg']);
  });

  test('a model without config.pbtxt gets its signature from the graph, batch dimension first', async () => {
    const res = await app.inject({ method: 'GET', url: '/v2/models/iris' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      name: 'iris',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'float_input', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [
        { name: 'label', datatype: 'INT64', shape: [-1] },
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
      ],
    });
  });

  test('v2 infer on a foreign model answers what the graph computes; v1 takes plain rows', async () => {
    const res = await infer('iris', irisRequest());
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { outputs: { name: string; shape: number[]; data: number[] }[] };
    const probabilities = body.outputs.find((o) => o.name === 'probabilities');
    const label = body.outputs.find((o) => o.name === 'label');
    assert.deepEqual(probabilities?.shape, [2, 3]);
    assert.deepEqual(label?.data, ROWS.map((r) => irisExpected(r).label));
    ROWS.forEach((r, i) => irisExpected(r).probabilities.forEach((p, c) => assert.ok(Math.abs((probabilities?.data[i * 3 + c] ?? NaN) - p) < 1e-5)));

    const v1 = await app.inject({ method: 'POST', url: '/v1/models/iris:predict', payload: { instances: ROWS } });
    assert.equal(v1.statusCode, 200, v1.body);
    const predictions = v1.json().predictions as { label: number; probabilities: number[] }[];
    assert.deepEqual(predictions.map((p) => p.label), ROWS.map((r) => irisExpected(r).label));
    assert.equal(predictions[0]?.probabilities.length, 3);
  });

  test('model configuration extension: config.pbtxt as read, completed from the graph', async () => {
    const res = await app.inject({ method: 'GET', url: '/v2/models/iris_cfg/config' });
    assert.equal(res.statusCode, 200);
    const config = res.json();
    assert.equal(config.max_batch_size, 8);
    assert.equal(config.platform, 'onnxruntime_onnx');
    assert.deepEqual(config.input, [{ name: 'float_input', data_type: 'TYPE_FP32', dims: [4] }]);
    assert.equal(config.output[0].label_filename, 'labels.txt');
    assert.deepEqual(config.dynamic_batching.preferred_batch_size, [4, 8]);
    assert.equal(config.dynamic_batching.max_queue_delay_microseconds, 100);
    assert.equal(config.instance_group[0].count, 2);
    assert.deepEqual(config.version_policy, { all: {} });
    const graphOnly = (await app.inject({ method: 'GET', url: '/v2/models/iris/config' })).json();
    assert.equal(graphOnly.max_batch_size, 1024, 'a batchable graph without config gets Kiln\'s default');
    assert.deepEqual(graphOnly.dynamic_batching.preferred_batch_size, []);
  });

  test('version policy "all" serves every version; others are 404', async () => {
    for (const v of ['1', '2']) assert.equal((await infer('iris_cfg', irisRequest(), v)).statusCode, 200);
    const missing = await infer('iris_cfg', irisRequest(), '3');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'VERSION_NOT_FOUND');
    assert.deepEqual((await app.inject({ method: 'GET', url: '/v2/models/iris_cfg' })).json().versions, ['1', '2']);
  });

  test('classification extension: top-k "score:index:label" strings from the label file', async () => {
    const res = await infer('iris_cfg', irisRequest({ outputs: [{ name: 'probabilities', parameters: { classification: 2 } }] }));
    assert.equal(res.statusCode, 200, res.body);
    const [out] = res.json().outputs as { name: string; datatype: string; shape: number[]; data: string[] }[];
    assert.equal(out?.datatype, 'BYTES');
    assert.deepEqual(out?.shape, [2, 2]);
    const labels = ['setosa', 'versicolor', 'virginica'];
    ROWS.forEach((r, i) => {
      const { probabilities } = irisExpected(r);
      const best = probabilities.indexOf(Math.max(...probabilities));
      const [score, index, label] = (out?.data[i * 2] ?? '').split(':');
      assert.ok(Math.abs(Number(score) - (probabilities[best] as number)) < 1e-5, out?.data[i * 2]);
      assert.equal(Number(index), best);
      assert.equal(label, labels[best]);
    });
    const bad = await infer('iris_cfg', irisRequest({ outputs: [{ name: 'probabilities', parameters: { classification: 0 } }] }));
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error, /classification/);
  });

  test('statistics extension counts requests, rows and batches per version', async () => {
    await infer('iris', irisRequest());
    const res = await app.inject({ method: 'GET', url: '/v2/models/iris/stats' });
    assert.equal(res.statusCode, 200);
    const [stats] = res.json().model_stats as Record<string, any>[];
    assert.equal(stats?.name, 'iris');
    assert.equal(stats?.version, '1');
    assert.ok(stats?.inference_stats.success.count >= 1);
    assert.ok(stats?.inference_count >= 2);
    assert.ok(stats?.execution_count >= 1);
    assert.ok(stats?.inference_stats.compute_infer.ns > 0);
    assert.ok((stats?.batch_stats as unknown[]).length >= 1);
    const all = (await app.inject({ method: 'GET', url: '/v2/models/stats' })).json().model_stats as { name: string }[];
    assert.ok(all.some((s) => s.name === 'iris_cfg'));
  });

  test('bad requests name the problem (shape, datatype, unknown model), and the model keeps serving', async () => {
    const shape = await infer('iris', { inputs: [{ name: 'float_input', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] }] });
    assert.equal(shape.statusCode, 400);
    assert.equal(shape.json().code, 'INPUT_SHAPE');
    assert.match(shape.json().error, /\[2, 3\].*\[N, 4\]/);
    const datatype = await infer('iris', { inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP64', data: [1, 2, 3, 4] }] });
    assert.equal(datatype.statusCode, 400);
    assert.match(datatype.json().error, /FP64, expected FP32/);
    const unknown = await infer('nope', irisRequest());
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'MODEL_NOT_FOUND');
    const tooBig = await infer('iris_cfg', { inputs: [{ name: 'float_input', shape: [9, 4], datatype: 'FP32', data: new Array(36).fill(0) }] });
    assert.equal(tooBig.statusCode, 400);
    assert.match(tooBig.json().error, /max_batch_size = 8/);
    assert.equal((await infer('iris', irisRequest())).statusCode, 200);
  });

  test('unload takes a model out of service; load brings it back; a fixed model loads after a failure', async () => {
    assert.equal((await app.inject({ method: 'POST', url: '/v2/repository/models/iris/unload' })).statusCode, 200);
    const gone = await infer('iris', irisRequest());
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().code, 'MODEL_UNAVAILABLE');
    assert.equal((await app.inject({ method: 'GET', url: '/v2/models/iris/ready' })).statusCode, 503);
    assert.equal((await app.inject({ method: 'POST', url: '/v2/repository/models/iris/load' })).statusCode, 200);
    assert.equal((await infer('iris', irisRequest())).statusCode, 200);

    const failing = await app.inject({ method: 'POST', url: '/v2/repository/models/broken/load' });
    assert.equal(failing.statusCode, 503);
    assert.match(failing.json().error, /onnxruntime cannot open/);
    await writeFile(join(repo.dir, 'broken', '1', 'model.onnx'), irisLike());
    assert.equal((await app.inject({ method: 'POST', url: '/v2/repository/models/broken/load' })).statusCode, 200);
    assert.equal((await infer('broken', irisRequest())).statusCode, 200);

    const missing = await app.inject({ method: 'POST', url: '/v2/repository/models/nothing_here/load' });
    assert.equal(missing.statusCode, 404);
  });

  test('reloading under load loses no request, and a new version folder is picked up by the latest policy', async () => {
    await writeModel(repo.dir, { name: 'iris', versions: { 2: irisLike() } });
    const statuses: number[] = [];
    const send = async (n: number) => {
      for (let i = 0; i < n; i++) statuses.push((await infer('iris', irisRequest())).statusCode);
    };
    const clients = Array.from({ length: 8 }, () => send(25));
    const reloads = (async () => {
      for (let i = 0; i < 2; i++) {
        const res = await app.inject({ method: 'POST', url: '/v2/repository/models/iris/load' });
        assert.equal(res.statusCode, 200, res.body);
      }
    })();
    await Promise.all([...clients, reloads]);
    assert.equal(statuses.length, 200);
    assert.deepEqual(statuses.filter((s) => s !== 200), [], 'every request during the reloads was answered');
    assert.deepEqual((await app.inject({ method: 'GET', url: '/v2/models/iris' })).json().versions, ['2']);
  });

  test('a model that does not batch (max_batch_size 0) takes its full shape', async () => {
    await writeModel(repo.dir, {
      name: 'fixed',
      versions: { 1: wideMlp([4, 3, 2]) },
      config: 'max_batch_size: 0\ninput [{ name: "x" data_type: TYPE_FP32 dims: [ -1, 4 ] }]',
    });
    assert.equal((await app.inject({ method: 'POST', url: '/v2/repository/models/fixed/load' })).statusCode, 200);
    const meta = (await app.inject({ method: 'GET', url: '/v2/models/fixed' })).json();
    assert.deepEqual(meta.inputs, [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }]);
    const res = await infer('fixed', { inputs: [{ name: 'x', shape: [3, 4], datatype: 'FP32', data: new Array(12).fill(1) }] });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().outputs[0].shape, [3, 2]);
  });
});
