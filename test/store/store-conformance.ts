/**
 * The behaviour every `Store` implementation must have. An implementation's test file calls
 * `storeConformance('sqlite', makeStore)`; a PostgreSQL store runs the very same suite.
 *
 * Each test gets a fresh, empty store from `makeStore` and closes it afterwards; disposing of whatever
 * `makeStore` created (temp folders, schemas) is the caller's job.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KilnError, type ErrorCode } from '../../src/core/errors.js';
import type {
  ModelVersionInput,
  PredictionRecord,
  RunInput,
  Store,
} from '../../src/store/store.js';

/** Every store implementation runs this suite. */
export type ConformanceStore = Store;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function runInput(overrides: Partial<RunInput> = {}): RunInput {
  return { name: 'titanic-logreg', task: 'classify', learner: 'logistic', params: { C: 1 }, ...overrides };
}

export function versionInput(model: string, overrides: Partial<ModelVersionInput> = {}): ModelVersionInput {
  return {
    model,
    runId: null,
    artifacts: { 'model.onnx': 'a'.repeat(64) },
    signature: { inputs: [{ name: 'age', datatype: 'FP32', shape: [-1, 1] }] },
    metrics: { 'test.accuracy': 0.8 },
    ...overrides,
  };
}

export function prediction(i: number, overrides: Partial<PredictionRecord> = {}): PredictionRecord {
  return {
    requestId: `req-${i}`,
    model: 'titanic',
    version: 1,
    timestamp: 1_700_000_000_000 + i,
    latencyMs: 1.5,
    inputs: { age: [i] },
    outputs: { survived: [i % 2] },
    ...overrides,
  };
}

/** Awaits `promise`, expecting a KilnError with `code` whose details include `details`. */
export async function assertKilnError(
  promise: Promise<unknown>,
  code: ErrorCode,
  details: Record<string, unknown> = {},
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof KilnError, `expected a KilnError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    for (const [key, value] of Object.entries(details)) assert.deepEqual(err.details[key], value, `details.${key}`);
    return true;
  });
}

export function storeConformance(name: string, makeStore: () => Promise<ConformanceStore>): void {
  describe(`Store conformance: ${name}`, () => {
    let store: ConformanceStore;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('runs', () => {
      test('createRun starts a running run that getRun returns unchanged', async () => {
        const before = Date.now();
        const run = await store.createRun(runInput());
        assert.match(run.id, UUID);
        assert.equal(run.status, 'running');
        assert.ok(Date.parse(run.startedAt) >= before - 1000, 'startedAt is now');
        assert.equal(new Date(run.startedAt).toISOString(), run.startedAt, 'startedAt is an ISO string');
        assert.equal(run.finishedAt, null);
        assert.deepEqual(run.metrics, {});
        assert.deepEqual(run.tags, {});
        assert.deepEqual(run.environment, {});
        assert.equal(run.dataset, null);
        assert.equal(run.error, null);
        assert.deepEqual(await store.getRun(run.id), run);
      });

      test('every run gets its own id', async () => {
        const a = await store.createRun(runInput());
        const b = await store.createRun(runInput());
        assert.notEqual(a.id, b.id);
      });

      test('params, tags, dataset and environment round-trip', async () => {
        const input = runInput({
          params: { C: 0.5, penalty: 'l2', layers: [64, 32], nested: { seed: 7, early: true } },
          tags: { team: 'risk', purpose: 'baseline' },
          dataset: { source: 'data/titanic.csv', digest: 'b'.repeat(64), rows: 891, columns: 12 },
          environment: { kiln: '0.1.0', node: 'v20.19.0', platform: 'linux-x64' },
        });
        const run = await store.getRun((await store.createRun(input)).id);
        assert.deepEqual(run.params, input.params);
        assert.deepEqual(run.tags, input.tags);
        assert.deepEqual(run.dataset, input.dataset);
        assert.deepEqual(run.environment, input.environment);
        assert.equal(run.name, input.name);
        assert.equal(run.task, input.task);
        assert.equal(run.learner, input.learner);
      });

      test('logMetrics merges into the metrics already logged', async () => {
        const run = await store.createRun(runInput());
        await store.logMetrics(run.id, { 'test.accuracy': 0.7, 'test.roc_auc': 0.75 });
        await store.logMetrics(run.id, { 'test.accuracy': 0.8, fit_s: 1.25 });
        assert.deepEqual((await store.getRun(run.id)).metrics, { 'test.accuracy': 0.8, 'test.roc_auc': 0.75, fit_s: 1.25 });
      });

      test('non-finite metrics survive the round trip', async () => {
        const run = await store.createRun(runInput());
        await store.logMetrics(run.id, { log_loss: Infinity, r2: -Infinity, roc_auc: NaN });
        const { metrics } = await store.getRun(run.id);
        assert.equal(metrics['log_loss'], Infinity);
        assert.equal(metrics['r2'], -Infinity);
        assert.ok(Number.isNaN(metrics['roc_auc']));
      });

      test('logMetrics rejects values that are not numbers', async () => {
        const run = await store.createRun(runInput());
        const bad = { accuracy: '0.8' } as unknown as Record<string, number>;
        await assertKilnError(store.logMetrics(run.id, bad), 'INVALID_PARAMS', { what: 'metrics' });
        assert.deepEqual((await store.getRun(run.id)).metrics, {});
      });

      test('finishRun records the outcome', async () => {
        const ok = await store.createRun(runInput());
        const finished = await store.finishRun(ok.id, 'finished');
        assert.equal(finished.status, 'finished');
        assert.ok(finished.finishedAt !== null && finished.finishedAt >= finished.startedAt);
        assert.equal(finished.error, null);
        assert.deepEqual(await store.getRun(ok.id), finished);

        const bad = await store.createRun(runInput());
        const failed = await store.finishRun(bad.id, 'failed', 'training diverged');
        assert.equal(failed.status, 'failed');
        assert.equal(failed.error, 'training diverged');
        assert.notEqual(failed.finishedAt, null);
      });

      test('unknown run ids are RUN_NOT_FOUND', async () => {
        const id = '00000000-0000-4000-8000-000000000000';
        await assertKilnError(store.getRun(id), 'RUN_NOT_FOUND', { id });
        await assertKilnError(store.logMetrics(id, { a: 1 }), 'RUN_NOT_FOUND', { id });
        await assertKilnError(store.finishRun(id, 'finished'), 'RUN_NOT_FOUND', { id });
      });

      test('listRuns lists newest first and honours limit', async () => {
        assert.deepEqual(await store.listRuns(), []);
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push((await store.createRun(runInput({ name: `run-${i}` }))).id);
        const newestFirst = [...ids].reverse();
        assert.deepEqual((await store.listRuns()).map((r) => r.id), newestFirst);
        assert.deepEqual((await store.listRuns({ limit: 2 })).map((r) => r.id), newestFirst.slice(0, 2));
        await assertKilnError(store.listRuns({ limit: 0 }), 'INVALID_PARAMS', { what: 'limit' });
      });
    });

    describe('registry', () => {
      test('createModelVersion creates the model and numbers versions from 1, per model', async () => {
        const v1 = await store.createModelVersion(versionInput('titanic'));
        const v2 = await store.createModelVersion(versionInput('titanic'));
        const other = await store.createModelVersion(versionInput('housing'));
        assert.deepEqual([v1.version, v2.version, other.version], [1, 2, 1]);
        const model = await store.getModel('titanic');
        assert.equal(model.name, 'titanic');
        assert.equal(model.latestVersion, 2);
        assert.equal(model.versionCount, 2);
        assert.deepEqual(model.aliases, {});
        assert.ok(model.updatedAt >= model.createdAt);
      });

      test('a version keeps what it was registered with', async () => {
        const run = await store.createRun(runInput());
        const input = versionInput('titanic', {
          runId: run.id,
          artifacts: { 'model.onnx': 'c'.repeat(64), 'manifest.json': 'd'.repeat(64) },
          metrics: { 'test.accuracy': 0.82, 'test.log_loss': 0.41 },
          description: 'first logistic baseline',
        });
        const created = await store.createModelVersion(input);
        assert.equal(created.model, 'titanic');
        assert.equal(created.runId, run.id);
        assert.equal(created.status, 'ready');
        assert.deepEqual(created.artifacts, input.artifacts);
        assert.deepEqual(created.signature, input.signature);
        assert.deepEqual(created.metrics, input.metrics);
        assert.equal(created.description, 'first logistic baseline');
        assert.deepEqual(created.aliases, []);
        assert.equal(new Date(created.createdAt).toISOString(), created.createdAt);
        assert.deepEqual(await store.getVersion('titanic', 1), created);
      });

      test('description defaults to empty', async () => {
        assert.equal((await store.createModelVersion(versionInput('titanic'))).description, '');
      });

      test('invalid model names are INVALID_PARAMS', async () => {
        for (const bad of ['', 'has space', '-leading-dash', 'a/b', 'x'.repeat(129), 'name@alias', 'name:3']) {
          await assertKilnError(store.createModelVersion(versionInput(bad)), 'INVALID_PARAMS', { what: 'model name' });
        }
        assert.deepEqual(await store.listModels(), []);
      });

      test('a version of an unknown run is RUN_NOT_FOUND and registers nothing', async () => {
        const id = '00000000-0000-4000-8000-000000000000';
        await assertKilnError(store.createModelVersion(versionInput('titanic', { runId: id })), 'RUN_NOT_FOUND', { id });
        assert.deepEqual(await store.listModels(), []);
      });

      test('concurrent registrations get distinct consecutive numbers', async () => {
        const versions = await Promise.all(
          Array.from({ length: 10 }, () => store.createModelVersion(versionInput('titanic'))),
        );
        assert.deepEqual(versions.map((v) => v.version).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      });

      test('listModels lists every model by name with its summary', async () => {
        assert.deepEqual(await store.listModels(), []);
        await store.createModelVersion(versionInput('titanic'));
        await store.createModelVersion(versionInput('titanic'));
        await store.createModelVersion(versionInput('housing'));
        await store.setAlias('titanic', 'champion', 1);
        const models = await store.listModels();
        assert.deepEqual(models.map((m) => m.name), ['housing', 'titanic']);
        assert.deepEqual(
          models.map((m) => [m.latestVersion, m.versionCount, m.aliases]),
          [
            [1, 1, {}],
            [2, 2, { champion: 1 }],
          ],
        );
        assert.deepEqual(models[1], await store.getModel('titanic'));
      });

      test('unknown models are MODEL_NOT_FOUND, naming the known ones', async () => {
        await assertKilnError(store.getModel('titanic'), 'MODEL_NOT_FOUND', { name: 'titanic', known: [] });
        await store.createModelVersion(versionInput('titanic'));
        await store.createModelVersion(versionInput('housing'));
        const known = ['housing', 'titanic'];
        await assertKilnError(store.getModel('iris'), 'MODEL_NOT_FOUND', { name: 'iris', known });
        await assertKilnError(store.listVersions('iris'), 'MODEL_NOT_FOUND', { name: 'iris', known });
        await assertKilnError(store.getVersion('iris', 1), 'MODEL_NOT_FOUND', { name: 'iris', known });
        await assertKilnError(store.resolve({ name: 'iris', kind: 'latest' }), 'MODEL_NOT_FOUND', { known });
        await assertKilnError(store.resolve({ name: 'iris', kind: 'version', version: 1 }), 'MODEL_NOT_FOUND', { known });
        await assertKilnError(store.resolve({ name: 'iris', kind: 'alias', alias: 'prod' }), 'MODEL_NOT_FOUND', { known });
        await assertKilnError(store.setAlias('iris', 'prod', 1), 'MODEL_NOT_FOUND', { known });
      });

      test('listVersions lists a model\'s versions in order', async () => {
        for (let i = 0; i < 3; i++) await store.createModelVersion(versionInput('titanic', { description: `v${i + 1}` }));
        await store.createModelVersion(versionInput('housing'));
        const versions = await store.listVersions('titanic');
        assert.deepEqual(versions.map((v) => [v.model, v.version, v.description]), [
          ['titanic', 1, 'v1'],
          ['titanic', 2, 'v2'],
          ['titanic', 3, 'v3'],
        ]);
      });

      test('unknown versions are VERSION_NOT_FOUND, listing the existing ones', async () => {
        for (let i = 0; i < 3; i++) await store.createModelVersion(versionInput('titanic'));
        const details = { name: 'titanic', version: 4, versions: '1, 2, 3' };
        await assertKilnError(store.getVersion('titanic', 4), 'VERSION_NOT_FOUND', details);
        await assertKilnError(store.resolve({ name: 'titanic', kind: 'version', version: 4 }), 'VERSION_NOT_FOUND', details);
        await assertKilnError(store.setAlias('titanic', 'champion', 4), 'VERSION_NOT_FOUND', details);
      });

      test('resolve finds latest, numbered and aliased versions', async () => {
        for (let i = 0; i < 3; i++) await store.createModelVersion(versionInput('titanic'));
        await store.setAlias('titanic', 'champion', 2);
        assert.equal((await store.resolve({ name: 'titanic', kind: 'latest' })).version, 3);
        assert.equal((await store.resolve({ name: 'titanic', kind: 'version', version: 1 })).version, 1);
        const champion = await store.resolve({ name: 'titanic', kind: 'alias', alias: 'champion' });
        assert.equal(champion.version, 2);
        assert.deepEqual(champion, await store.getVersion('titanic', 2));
      });

      test('unknown aliases are ALIAS_NOT_FOUND', async () => {
        await store.createModelVersion(versionInput('titanic'));
        await store.setAlias('titanic', 'champion', 1);
        await assertKilnError(store.resolve({ name: 'titanic', kind: 'alias', alias: 'challenger' }), 'ALIAS_NOT_FOUND', {
          name: 'titanic',
          alias: 'challenger',
        });
      });

      test('setAlias moves an alias and versions list the aliases pointing at them', async () => {
        await store.createModelVersion(versionInput('titanic'));
        await store.createModelVersion(versionInput('titanic'));
        await store.setAlias('titanic', 'champion', 1);
        await store.setAlias('titanic', 'challenger', 2);
        await store.setAlias('titanic', 'baseline', 1);
        assert.deepEqual((await store.getVersion('titanic', 1)).aliases, ['baseline', 'champion']);
        assert.deepEqual((await store.getModel('titanic')).aliases, { baseline: 1, challenger: 2, champion: 1 });

        await store.setAlias('titanic', 'champion', 2);
        assert.deepEqual((await store.getVersion('titanic', 1)).aliases, ['baseline']);
        assert.deepEqual((await store.getVersion('titanic', 2)).aliases, ['challenger', 'champion']);
        assert.deepEqual((await store.getModel('titanic')).aliases, { baseline: 1, challenger: 2, champion: 2 });
        assert.equal((await store.resolve({ name: 'titanic', kind: 'alias', alias: 'champion' })).version, 2);
        assert.deepEqual(
          (await store.listVersions('titanic')).map((v) => v.aliases),
          [['baseline'], ['challenger', 'champion']],
        );
      });

      test('aliases are scoped to their model', async () => {
        await store.createModelVersion(versionInput('titanic'));
        await store.createModelVersion(versionInput('housing'));
        await store.setAlias('titanic', 'champion', 1);
        await assertKilnError(store.resolve({ name: 'housing', kind: 'alias', alias: 'champion' }), 'ALIAS_NOT_FOUND');
        assert.deepEqual((await store.getModel('housing')).aliases, {});
      });

      test('setAlias rejects aliases that a model reference could not name', async () => {
        await store.createModelVersion(versionInput('titanic'));
        for (const bad of ['', '1st', 'has space', 'a@b', 'a:b', 'x'.repeat(65)]) {
          await assertKilnError(store.setAlias('titanic', bad, 1), 'INVALID_PARAMS', { what: 'alias' });
        }
        assert.deepEqual((await store.getModel('titanic')).aliases, {});
      });

      test('latest skips archived versions; numbers and aliases still reach them', async () => {
        for (let i = 0; i < 3; i++) await store.createModelVersion(versionInput('titanic'));
        await store.setAlias('titanic', 'champion', 3);
        const archived = await store.setVersionStatus('titanic', 3, 'archived');
        assert.equal(archived.status, 'archived');
        assert.equal((await store.resolve({ name: 'titanic', kind: 'latest' })).version, 2);
        assert.equal((await store.resolve({ name: 'titanic', kind: 'version', version: 3 })).status, 'archived');
        assert.equal((await store.resolve({ name: 'titanic', kind: 'alias', alias: 'champion' })).version, 3);

        await store.setVersionStatus('titanic', 3, 'ready');
        assert.equal((await store.resolve({ name: 'titanic', kind: 'latest' })).version, 3);
        await assertKilnError(store.setVersionStatus('titanic', 9, 'archived'), 'VERSION_NOT_FOUND', { version: 9 });
      });

      test('latest of a model whose versions are all archived is VERSION_NOT_FOUND', async () => {
        await store.createModelVersion(versionInput('titanic'));
        await store.setVersionStatus('titanic', 1, 'archived');
        await assertKilnError(store.resolve({ name: 'titanic', kind: 'latest' }), 'VERSION_NOT_FOUND', {
          name: 'titanic',
          version: 'latest',
          versions: '1',
        });
      });

      test('archived versions still take part in numbering', async () => {
        await store.createModelVersion(versionInput('titanic'));
        await store.setVersionStatus('titanic', 1, 'archived');
        assert.equal((await store.createModelVersion(versionInput('titanic'))).version, 2);
      });
    });

    describe('prediction log', () => {
      test('records round-trip, newest first', async () => {
        const records = [
          prediction(1, { userKey: 'user-42' }),
          prediction(3, { inputs: { text: ['naïve café'] }, outputs: null }),
          prediction(2, { latencyMs: 12.25 }),
        ];
        await store.logPredictions(records);
        const listed = await store.listPredictions();
        assert.deepEqual(listed, [records[1], records[2], records[0]]);
        assert.ok(!('userKey' in (listed[1] ?? {})), 'an absent userKey stays absent');
      });

      test('records logged in one millisecond list in reverse order of logging', async () => {
        await store.logPredictions([prediction(0, { requestId: 'first' })]);
        await store.logPredictions([prediction(0, { requestId: 'second' })]);
        assert.deepEqual((await store.listPredictions()).map((p) => p.requestId), ['second', 'first']);
      });

      test('filters by model and version, with a default limit of 100', async () => {
        const records: PredictionRecord[] = [];
        for (let i = 0; i < 150; i++) records.push(prediction(i, { version: i % 2 === 0 ? 1 : 2 }));
        for (let i = 0; i < 5; i++) records.push(prediction(1000 + i, { model: 'housing' }));
        await store.logPredictions(records);

        const all = await store.listPredictions();
        assert.equal(all.length, 100);
        assert.equal(all[0]?.requestId, 'req-1004');
        assert.equal(await store.countPredictions(), 155);

        const titanic = await store.listPredictions({ model: 'titanic', limit: 1000 });
        assert.equal(titanic.length, 150);
        assert.ok(titanic.every((p) => p.model === 'titanic'));
        assert.equal(await store.countPredictions({ model: 'titanic' }), 150);

        const v2 = await store.listPredictions({ model: 'titanic', version: 2, limit: 3 });
        assert.deepEqual(v2.map((p) => p.requestId), ['req-149', 'req-147', 'req-145']);
        assert.equal(await store.countPredictions({ model: 'titanic', version: 2 }), 75);
        assert.equal(await store.countPredictions({ model: 'titanic', version: 2, limit: 3 }), 75, 'count ignores limit');

        assert.equal(await store.countPredictions({ version: 1 }), 80);
        assert.equal(await store.countPredictions({ model: 'iris' }), 0);
        assert.deepEqual(await store.listPredictions({ model: 'iris' }), []);
        await assertKilnError(store.listPredictions({ limit: -5 }), 'INVALID_PARAMS', { what: 'limit' });
      });

      test('logging no records changes nothing', async () => {
        await store.logPredictions([]);
        assert.equal(await store.countPredictions(), 0);
      });
    });
  });
}
