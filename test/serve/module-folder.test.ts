/**
 * A module in a Triton-layout folder, its manifest.json beside model.onnx (as `kiln export --format triton`
 * writes it), is served as a module, not as a plain tensor model: rows over v1 are read as its columns
 * (a column left out is missing, an unknown key is named), its labels come from the manifest, and its
 * metadata is its signature — the same as when the module is served from the registry. A folder without a manifest stays a plain tensor model, and a manifest that
 * cannot be read leaves the model not ready with the reason.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { buildServer, type KilnServer } from '../../src/serve/server.js';
import { buildFixtureModule, expectedProbability } from './fixture-module.js';
import { tritonRepository } from './foreign-models.js';

describe('a module served from a model repository folder', () => {
  let app: KilnServer;
  let repo: Awaited<ReturnType<typeof tritonRepository>>;

  before(async () => {
    const module = buildFixtureModule({ name: 'titanic', classes: ['died', 'survived'] });
    const bare = buildFixtureModule({ name: 'bare' });
    const spoilt = buildFixtureModule({ name: 'spoilt' });
    repo = await tritonRepository([
      { name: 'titanic', versions: { 3: module.onnx } },
      { name: 'bare', versions: { 1: bare.onnx } },
      { name: 'spoilt', versions: { 1: spoilt.onnx } },
    ]);
    await writeFile(join(repo.dir, 'titanic', '3', 'manifest.json'), JSON.stringify(module.manifest));
    await writeFile(join(repo.dir, 'spoilt', '1', 'manifest.json'), '{"format": 1, "name": ');
    app = await buildServer({ modelRepository: repo.dir, logger: pino({ level: "silent" }) });
    await app.kiln.repository.warmUp().catch(() => undefined); // "spoilt" fails to load, as meant
  });
  after(async () => {
    await app.close();
    await repo.remove();
  });

  const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });

  test('v1 rows are read as the module\'s columns, with its class labels', async () => {
    // (a plain tensor model answers probabilities as a list; a module names each class)
    const res = await post('/v1/models/titanic:predict', { instances: [{ Age: 22, Sex: 'male' }, { Sex: 'female' }] });
    assert.equal(res.statusCode, 200, res.body);
    const predictions = (res.json() as { predictions: { label: string; probabilities: Record<string, number> }[] }).predictions;
    assert.equal(predictions.length, 2);
    assert.ok(Math.abs((predictions[0]?.probabilities['survived'] ?? NaN) - expectedProbability(22, 'male')) < 1e-5);
    assert.ok(Math.abs((predictions[1]?.probabilities['survived'] ?? NaN) - expectedProbability(null, 'female')) < 1e-5, 'a column left out is missing');
    assert.equal(predictions[1]?.label, expectedProbability(null, 'female') > 0.5 ? 'survived' : 'died');

    const typo = await post('/v1/models/titanic:predict', { instances: [{ Age: 22, Sexx: 'male' }] });
    assert.equal(typo.statusCode, 400);
    assert.equal((typo.json() as { code: string }).code, 'INPUT_UNKNOWN');
  });

  test('its metadata is the module\'s signature, under the folder\'s version', async () => {
    const res = await app.inject({ method: 'GET', url: '/v2/models/titanic' });
    assert.equal(res.statusCode, 200, res.body);
    const meta = res.json() as { versions: string[]; inputs: { name: string; datatype: string; shape: number[] }[] };
    assert.deepEqual(meta.versions, ['3']);
    assert.deepEqual(meta.inputs.map((i) => [i.name, i.datatype, i.shape]), [['Age', 'FP32', [-1, 1]], ['Sex', 'BYTES', [-1, 1]]]);
  });

  test('without a manifest the folder is a plain tensor model: an object row must carry every input', async () => {
    const res = await post('/v1/models/bare:predict', { instances: [{ Sex: 'female' }] });
    assert.equal(res.statusCode, 400);
    assert.equal((res.json() as { code: string }).code, 'INPUT_MISSING');
  });

  test('a manifest that cannot be read: the model is not ready, and says why', async () => {
    const res = await post('/v1/models/spoilt:predict', { instances: [{ Sex: 'female' }] });
    assert.equal(res.statusCode, 404, res.body);
    const error = res.json() as { code: string; error: string };
    assert.equal(error.code, 'MODEL_UNAVAILABLE');
    assert.match(error.error, /"spoilt:1" is not ready: manifest\.json is not valid JSON/);
  });
});
