/**
 * Export round trip: a registered module exported as a Triton model repository is served by
 * `--model-repository` with the same answers as from the registry; the config.pbtxt is what Triton reads.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { parsePbtxt } from '../../src/serve/config-pbtxt.js';
import { exportModel } from '../../src/serve/export.js';
import { declarationFromPbtxt } from '../../src/serve/model-config.js';
import { buildServer } from '../../src/serve/server.js';
import { registerFixture, tempHome } from './fixture-module.js';
import { titanicRequest } from './harness.js';

test('kiln export --format triton writes a repository that serves the same answers', async () => {
  const home = await tempHome();
  const out = await mkdtemp(join(tmpdir(), 'kiln-export-'));
  try {
    await registerFixture(home, { name: 'titanic', weight: 0.1, classes: ['died', 'survived'] });
    const result = await exportModel({ ref: { name: 'titanic', kind: 'latest' }, format: 'triton', out, store: home.store, artifacts: home.artifacts });
    assert.deepEqual(result.files.map((f) => f.slice(out.length + 1)).sort(), ['titanic/1/manifest.json', 'titanic/1/model.onnx', 'titanic/config.pbtxt', 'titanic/labels.txt']);

    const configText = await readFile(join(out, 'titanic', 'config.pbtxt'), 'utf8');
    const declared = declarationFromPbtxt(parsePbtxt(configText), 'titanic');
    assert.equal(declared.maxBatchSize, 1024);
    assert.deepEqual(declared.inputs, [
      { name: 'Age', datatype: 'FP32', dims: [1] },
      { name: 'Sex', datatype: 'BYTES', dims: [1] },
    ]);
    assert.deepEqual(declared.outputs?.map((o) => o.name), ['label', 'probabilities']);
    assert.equal(declared.outputs?.[1]?.labelFilename, 'labels.txt');
    assert.ok(declared.dynamicBatching !== undefined);
    assert.match(configText, /data_type: TYPE_STRING/);
    assert.equal(await readFile(join(out, 'titanic', 'labels.txt'), 'utf8'), 'died\nsurvived\n');

    const fromRegistry = await buildServer({ store: home.store, artifacts: home.artifacts, logger: pino({ level: 'silent' }) });
    const fromFolder = await buildServer({ modelRepository: out, logger: pino({ level: 'silent' }) });
    await fromFolder.kiln.repository.warmUp();
    try {
      const ask = (app: typeof fromRegistry) => app.inject({ method: 'POST', url: '/v2/models/titanic/infer', payload: titanicRequest({ id: 'same' }) });
      const [a, b] = await Promise.all([ask(fromRegistry), ask(fromFolder)]);
      assert.equal(a.statusCode, 200, a.body);
      assert.equal(b.statusCode, 200, b.body);
      assert.deepEqual(b.json(), a.json());
      const classified = await fromFolder.inject({
        method: 'POST',
        url: '/v2/models/titanic/infer',
        payload: { ...titanicRequest(), outputs: [{ name: 'probabilities', parameters: { classification: 1 } }] },
      });
      assert.match(classified.json().outputs[0].data[0], /^0\.\d+:[01]:(died|survived)$/);
      // the manifest beside the graph: rows over v1 are read as the module's columns, as from the registry
      const rows = (app: typeof fromRegistry) => app.inject({ method: 'POST', url: '/v1/models/titanic:predict', payload: { instances: [{ Age: 40, Sex: 'female' }, { Sex: 'male' }] } });
      const [r, f] = await Promise.all([rows(fromRegistry), rows(fromFolder)]);
      assert.equal(f.statusCode, 200, f.body);
      assert.deepEqual(f.json().predictions, r.json().predictions);
    } finally {
      await fromRegistry.close();
      await fromFolder.close();
    }

    const onnx = await exportModel({ ref: { name: 'titanic', kind: 'version', version: 1 }, format: 'onnx', out: join(out, 'plain'), store: home.store, artifacts: home.artifacts });
    assert.deepEqual(onnx.files.map((f) => f.slice(out.length + 1)).sort(), ['plain/manifest.json', 'plain/model.onnx']);
    assert.equal(JSON.parse(await readFile(join(out, 'plain', 'manifest.json'), 'utf8')).name, 'titanic');
  } finally {
    await home.remove();
    await rm(out, { recursive: true, force: true });
  }
});

test('a config.pbtxt is read field by field, and a bad one is refused with the field named', () => {
  const tree = parsePbtxt(`
    name: "m"  # comment
    platform: "onnxruntime_onnx"
    max_batch_size: 16
    input [ { name: "x", data_type: TYPE_FP16, dims: [ -1, 3 ] } ]
    dynamic_batching {
      preferred_batch_size: [ 4, 8 ]
      max_queue_delay_microseconds: 500
      priority_levels: 3
      default_priority_level: 2
      default_queue_policy { max_queue_size: 10 default_timeout_microseconds: 2000 allow_timeout_override: false }
    }
    instance_group [ { count: 2 kind: KIND_CPU }, { count: 1 } ]
    version_policy: { latest: { num_versions: 2 } }
  `);
  const d = declarationFromPbtxt(tree, 'm');
  assert.equal(d.maxBatchSize, 16);
  assert.deepEqual(d.inputs, [{ name: 'x', datatype: 'FP16', dims: [-1, 3] }]);
  assert.deepEqual(d.dynamicBatching, {
    preferredBatchSizes: [4, 8],
    maxQueueDelayMicroseconds: 500,
    priorityLevels: 3,
    defaultPriorityLevel: 2,
    defaultQueuePolicy: { maxQueueSize: 10, defaultTimeoutMicroseconds: 2000, allowTimeoutOverride: false },
  });
  assert.equal(d.instanceCount, 3);
  assert.deepEqual(d.versionPolicy, { kind: 'latest', numVersions: 2 });
  assert.deepEqual(declarationFromPbtxt(parsePbtxt('version_policy { specific { versions: [1, 3] } }'), 'm').versionPolicy, { kind: 'specific', versions: [1, 3] });

  const refused: [string, RegExp][] = [
    ['name: "other"', /differs from the folder name/],
    ['platform: "tensorflow_savedmodel"', /only "onnxruntime_onnx"/],
    ['input [ { name: "x" data_type: TYPE_COMPLEX dims: [1] } ]', /TYPE_COMPLEX/],
    ['dynamic_batching { priority_levels: 2 default_priority_level: 5 }', /default_priority_level/],
    ['instance_group [ { kind: KIND_GPU } ]', /KIND_GPU/],
  ];
  for (const [text, mentions] of refused) assert.throws(() => declarationFromPbtxt(parsePbtxt(text), 'm'), (err: Error) => mentions.test(err.message), text);
  assert.throws(() => parsePbtxt('input [ { name: "x" '), /expected "}"|expected/);
  assert.throws(() => parsePbtxt('name: "unterminated'), /unterminated string at line 1/);
});
