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
import { monitoringConformance } from './monitoring-conformance.js';

/** Every store implementation runs this suite. */
export type ConformanceStore = Store;

const ids = (runs: readonly { id: string }[]): string[] => runs.map((r) => r.id);

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

export function storeConformance(name: string, makeStore: () => Promise<ConformanceStore>, options: { readonly skip?: string } = {}): void {
  describe(`Store conformance: ${name}`, { skip: options.skip ?? false }, () => {
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

      test('reserved alias names (latest, version numbers) are refused with ALIAS_RESERVED and nothing is set', async () => {
        await store.createModelVersion(versionInput('titanic'));
        await store.createModelVersion(versionInput('titanic'));
        // `latest` would contradict latest_version (latest → 1 while the latest is 2); v2 reads as version 2
        for (const reserved of ['latest', 'Latest', 'v2', 'V1']) {
          await assertKilnError(store.setAlias('titanic', reserved, 1), 'ALIAS_RESERVED', { alias: reserved });
        }
        await assertKilnError(store.setAlias('titanic', 'my alias', 1), 'INVALID_PARAMS');
        assert.deepEqual((await store.getModel('titanic')).aliases, {});
        await store.setAlias('titanic', 'v2-candidate', 2);
        assert.deepEqual((await store.getModel('titanic')).aliases, { 'v2-candidate': 2 });
      });

      test('aliases are scoped to their model', async () => {
        await store.createModelVersion(versionInput('titanic'));
        await store.createModelVersion(versionInput('housing'));
        await store.setAlias('titanic', 'champion', 1);
        await assertKilnError(store.resolve({ name: 'housing', kind: 'alias', alias: 'champion' }), 'ALIAS_NOT_FOUND');
        assert.deepEqual((await store.getModel('housing')).aliases, {});
      });

      test('removeAlias deletes only that alias, audited as alias.removed and delivered as alias.moved with after null', async () => {
        await store.createModelVersion(versionInput('titanic'));
        await store.createModelVersion(versionInput('titanic'));
        await store.setAlias('titanic', 'champion', 1);
        await store.setAlias('titanic', 'staging', 2);
        const hook = await store.createWebhook({ url: 'http://127.0.0.1:9/hook', events: ['alias.moved'] });
        assert.equal(await store.removeAlias('titanic', 'staging', { actor: 'carol' }), 2, 'the version the alias named');
        await assertKilnError(store.resolve({ name: 'titanic', kind: 'alias', alias: 'staging' }), 'ALIAS_NOT_FOUND', { aliases: ['champion'] });
        assert.deepEqual((await store.getModel('titanic')).aliases, { champion: 1 });
        assert.deepEqual((await store.getVersion('titanic', 2)).aliases, []);
        assert.equal((await store.resolve({ name: 'titanic', kind: 'alias', alias: 'champion' })).version, 1, 'the other alias is untouched');
        const [entry] = await store.listAudit({ entity: 'titanic@staging', limit: 1 });
        assert.deepEqual([entry?.action, entry?.actor, entry?.before, entry?.after], ['alias.removed', 'carol', { alias: 'staging', version: 2 }, null]);
        const [delivery] = await store.listDeliveries({ webhookId: hook.id, limit: 1 });
        assert.equal(delivery?.event, 'alias.moved');
        assert.deepEqual((delivery?.payload as { entity: string; before: unknown; after: unknown }), {
          ...(delivery?.payload as object),
          entity: 'titanic@staging',
          before: { alias: 'staging', version: 2 },
          after: null,
        });
        // the name is free again: setting it anew works as for any new alias
        await store.setAlias('titanic', 'staging', 1);
        assert.deepEqual((await store.getModel('titanic')).aliases, { champion: 1, staging: 1 });
      });

      test('removeAlias of an alias the model does not have is ALIAS_NOT_FOUND naming its aliases; nothing changes', async () => {
        await store.createModelVersion(versionInput('titanic'));
        await store.setAlias('titanic', 'champion', 1);
        const auditBefore = (await store.listAudit()).length;
        await assertKilnError(store.removeAlias('titanic', 'staging'), 'ALIAS_NOT_FOUND', { name: 'titanic', alias: 'staging', aliases: ['champion'] });
        await assert.rejects(store.removeAlias('titanic', 'staging'), (err: unknown) => err instanceof KilnError && err.hint === 'its aliases are: champion');
        await assertKilnError(store.removeAlias('ghost', 'champion'), 'MODEL_NOT_FOUND', { name: 'ghost' });
        assert.equal((await store.listAudit()).length, auditBefore, 'a refused removal is not audited');
        assert.deepEqual((await store.getModel('titanic')).aliases, { champion: 1 });
      });

      test('removeAlias refuses champion while an experiment on the model runs (ALIAS_IN_USE), and allows it once it ended', async () => {
        await store.createModelVersion(versionInput('titanic'));
        await store.createModelVersion(versionInput('titanic'));
        await store.setAlias('titanic', 'champion', 1);
        await store.setAlias('titanic', 'staging', 1);
        const experiment = await store.createExperiment({ model: 'titanic', champion: 1, challenger: 2, mode: 'split', challengerShare: 0.1, outcome: 'binary' });
        await assertKilnError(store.removeAlias('titanic', 'champion'), 'ALIAS_IN_USE', { name: 'titanic', alias: 'champion', experiment: experiment.id });
        await assert.rejects(store.removeAlias('titanic', 'champion'), (err: unknown) => err instanceof Error && err.message.includes(`experiment ${experiment.id} is running`));
        assert.equal((await store.resolve({ name: 'titanic', kind: 'alias', alias: 'champion' })).version, 1, 'still there');
        // other aliases of the model are not the experiment's
        assert.equal(await store.removeAlias('titanic', 'staging'), 1);
        await store.endExperiment(experiment.id, 'stopped', 'done');
        assert.equal(await store.removeAlias('titanic', 'champion'), 1);
        assert.deepEqual((await store.getModel('titanic')).aliases, {});
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

    describe('run search', () => {
      /** Three runs with metrics, params and tags to search among; returns their ids a, b, c (oldest first). */
      async function threeRuns(): Promise<{ a: string; b: string; c: string }> {
        const a = await store.createRun(runInput({ name: 'a', params: { C: 1, penalty: 'l2', fit_intercept: true }, tags: { team: 'risk' } }));
        await store.logMetrics(a.id, { 'test.roc_auc': 0.91, 'test.accuracy': 0.8 });
        const b = await store.createRun(runInput({ name: 'b', params: { C: 0.1, penalty: 'l1' }, tags: { team: 'growth' } }));
        await store.logMetrics(b.id, { 'test.roc_auc': 0.75, 'test.accuracy': 0.85 });
        const c = await store.createRun(runInput({ name: 'c', learner: 'ridge', params: { C: 1 }, tags: { team: 'risk', stage: 'final' } }));
        await store.logMetrics(c.id, { 'test.roc_auc': 0.85, 'test.accuracy': Number.NaN });
        await store.finishRun(c.id, 'finished');
        return { a: a.id, b: b.id, c: c.id };
      }

      test('filters by metric, param, tag and attribute', async () => {
        const { a, b, c } = await threeRuns();
        assert.deepEqual(ids(await store.listRuns({ where: 'metrics.test.roc_auc > 0.8' })), [c, a]);
        assert.deepEqual(ids(await store.listRuns({ where: 'metrics.test.roc_auc >= 0.75 and metrics.test.roc_auc < 0.9' })), [c, b]);
        assert.deepEqual(ids(await store.listRuns({ where: 'params.C = 1' })), [c, a]);
        assert.deepEqual(ids(await store.listRuns({ where: "params.penalty = 'l1'" })), [b]);
        assert.deepEqual(ids(await store.listRuns({ where: 'params.fit_intercept = true' })), [a]);
        assert.deepEqual(ids(await store.listRuns({ where: "tags.team = 'risk' and metrics.test.roc_auc > 0.88" })), [a]);
        assert.deepEqual(ids(await store.listRuns({ where: "tags.team != 'risk'" })), [b]);
        assert.deepEqual(ids(await store.listRuns({ where: "status = 'finished'" })), [c]);
        assert.deepEqual(ids(await store.listRuns({ where: "learner = 'ridge' AND params.C = 1" })), [c]);
        assert.deepEqual(ids(await store.listRuns({ where: 'metrics.missing > 0' })), []);
        assert.deepEqual(ids(await store.listRuns({ where: '  ' })), [c, b, a], 'a blank filter matches every run');
      });

      test('a NaN metric matches no comparison', async () => {
        const { c } = await threeRuns();
        assert.ok(!ids(await store.listRuns({ where: 'metrics.test.accuracy > 0' })).includes(c));
        assert.ok(!ids(await store.listRuns({ where: 'metrics.test.accuracy <= 1' })).includes(c));
      });

      test('tags option, order, limit and offset', async () => {
        const { a, b, c } = await threeRuns();
        assert.deepEqual(ids(await store.listRuns({ tags: { team: 'risk' } })), [c, a]);
        assert.deepEqual(ids(await store.listRuns({ tags: { team: 'risk', stage: 'final' } })), [c]);
        assert.deepEqual(ids(await store.listRuns({ orderBy: 'metrics.test.roc_auc desc' })), [a, c, b]);
        assert.deepEqual(ids(await store.listRuns({ orderBy: 'metrics.test.roc_auc asc' })), [b, c, a]);
        assert.deepEqual(ids(await store.listRuns({ orderBy: 'metrics.test.accuracy desc' })), [b, a, c], 'NaN sorts last');
        assert.deepEqual(ids(await store.listRuns({ orderBy: 'name' })), [a, b, c]);
        assert.deepEqual(ids(await store.listRuns({ orderBy: 'started_at asc', limit: 2 })), [a, b]);
        assert.deepEqual(ids(await store.listRuns({ limit: 1, offset: 1 })), [b]);
        assert.deepEqual(ids(await store.listRuns({ offset: 2 })), [a]);
      });

      test('bad filters are INVALID_PARAMS naming the problem', async () => {
        await threeRuns();
        const bad: [string, RegExp][] = [
          ['metrics.auc >', /expected a value/],
          ['metrics.auc > 0.8 or params.C = 1', /"or" is not supported/],
          ['bogus = 1', /unknown field "bogus"/],
          ["metrics.auc > 'high'", /compare it with a number/],
          ['tags.team = risk', /expected a value/],
          ['tags.team = 3', /quote the value/],
          ["tags.team = 'risk", /never closed/],
          ['metrics.auc ~ 3', /unexpected character "~"/],
          ['metrics = 3', /name the metric/],
          ["params.C = 1; DROP TABLE runs", /unexpected character ";"/],
        ];
        for (const [where, message] of bad) {
          await assert.rejects(store.listRuns({ where }), (err: unknown) => {
            assert.ok(err instanceof KilnError && err.code === 'INVALID_PARAMS', `${where}: ${String(err)}`);
            assert.equal(err.details['what'], 'run filter');
            assert.match(err.message, message, where);
            assert.equal(err.problems.length, 1);
            return true;
          });
        }
        await assertKilnError(store.listRuns({ orderBy: 'colour' }), 'INVALID_PARAMS', { what: 'run order' });
        await assertKilnError(store.listRuns({ offset: -1 }), 'INVALID_PARAMS', { what: 'offset' });
        assert.equal((await store.listRuns()).length, 3, 'nothing was dropped');
      });

      test('values with quotes are data, never SQL', async () => {
        const run = await store.createRun(runInput({ tags: { note: "it's 'quoted'" } }));
        assert.deepEqual(ids(await store.listRuns({ where: "tags.note = 'it''s ''quoted'''" })), [run.id]);
        assert.deepEqual(ids(await store.listRuns({ tags: { note: "x' OR '1'='1" } })), []);
      });

      test('setRunTags merges, removes and makes runs findable by their new tags', async () => {
        const run = await store.createRun(runInput({ tags: { team: 'risk', temp: 'yes' } }));
        const updated = await store.setRunTags(run.id, { stage: 'final', temp: null });
        assert.deepEqual(updated.tags, { team: 'risk', stage: 'final' });
        assert.deepEqual(ids(await store.listRuns({ tags: { stage: 'final' } })), [run.id]);
        assert.deepEqual(ids(await store.listRuns({ tags: { temp: 'yes' } })), []);
        await assertKilnError(store.setRunTags('00000000-0000-4000-8000-000000000000', { a: 'b' }), 'RUN_NOT_FOUND');
        await assertKilnError(store.setRunTags(run.id, { n: 3 as unknown as string }), 'INVALID_PARAMS', { what: 'run tags' });
      });
    });

    describe('metric series', () => {
      test('points round-trip by key and step; a repeated step replaces the point', async () => {
        const run = await store.createRun(runInput());
        await store.logMetricSeries(run.id, [
          { key: 'loss', step: 0, value: 0.9 },
          { key: 'loss', step: 1, value: 0.5 },
          { key: 'val_loss', step: 0, value: 1.1, timestamp: '2026-01-01T00:00:00.000Z' },
        ]);
        await store.logMetricSeries(run.id, [{ key: 'loss', step: 1, value: 0.4 }, { key: 'loss', step: 2, value: Number.NaN }]);
        const loss = await store.getMetricSeries(run.id, 'loss');
        assert.deepEqual(loss.map((p) => [p.step, p.value]), [[0, 0.9], [1, 0.4], [2, Number.NaN]]);
        assert.ok(loss.every((p) => p.timestamp !== undefined && !Number.isNaN(Date.parse(p.timestamp))));
        const all = await store.getMetricSeries(run.id);
        assert.deepEqual(all.map((p) => `${p.key}:${p.step}`), ['loss:0', 'loss:1', 'loss:2', 'val_loss:0']);
        assert.equal(all[3]?.timestamp, '2026-01-01T00:00:00.000Z');
      });

      test('bad points and unknown runs are refused, and nothing is written', async () => {
        const run = await store.createRun(runInput());
        await assertKilnError(store.logMetricSeries(run.id, [{ key: 'loss', step: 0, value: 1 }, { key: 'loss', step: -1, value: 1 }]), 'INVALID_PARAMS', {
          what: 'metric series',
        });
        assert.deepEqual(await store.getMetricSeries(run.id), []);
        await assertKilnError(store.logMetricSeries('00000000-0000-4000-8000-000000000000', [{ key: 'a', step: 0, value: 1 }]), 'RUN_NOT_FOUND');
      });
    });

    describe('dataset versions and lineage', () => {
      const snapshot = (digest: string) => ({
        dataset: 'titanic',
        digest,
        source: 'data/titanic.csv',
        sourceDigest: 'f'.repeat(64),
        schema: [{ name: 'Age', kind: 'numeric', sourceType: 'DOUBLE' }, { name: 'Sex', kind: 'categorical', sourceType: 'VARCHAR' }],
        rows: 891,
        format: 'parquet' as const,
      });

      test('registering the same snapshot again returns the same version', async () => {
        const first = await store.registerDatasetVersion(snapshot('1'.repeat(64)));
        assert.equal(first.id, `titanic@${'1'.repeat(16)}`);
        assert.deepEqual(first.schema, snapshot('1'.repeat(64)).schema);
        assert.equal(first.rows, 891);
        const again = await store.registerDatasetVersion(snapshot('1'.repeat(64)));
        assert.deepEqual(again, first);
        const other = await store.registerDatasetVersion(snapshot('2'.repeat(64)));
        assert.notEqual(other.id, first.id);
        assert.deepEqual((await store.listDatasetVersions('titanic')).map((d) => d.id).sort(), [first.id, other.id].sort());
        assert.deepEqual(await store.listDatasetVersions('iris'), []);
        assert.deepEqual(await store.getDatasetVersion(first.id), first);
        await assertKilnError(store.getDatasetVersion('titanic@0000'), 'DATASET_VERSION_NOT_FOUND', { id: 'titanic@0000' });
        await assertKilnError(store.registerDatasetVersion({ ...snapshot('3'.repeat(64)), dataset: 'bad name' }), 'INVALID_PARAMS');
        await assertKilnError(store.registerDatasetVersion(snapshot('XYZ')), 'INVALID_PARAMS', { what: 'dataset digest' });
      });

      test('lineage: version → run → dataset version → source', async () => {
        const data = await store.registerDatasetVersion(snapshot('1'.repeat(64)));
        const run = await store.createRun(runInput({ datasetVersionId: data.id }));
        assert.equal(run.datasetVersionId, data.id);
        const version = await store.createModelVersion(versionInput('titanic', { runId: run.id }));
        const traced = await store.getDatasetVersion((await store.getRun(version.runId ?? '')).datasetVersionId ?? '');
        assert.equal(traced.source, 'data/titanic.csv');
        assert.deepEqual(ids(await store.listRuns({ where: `dataset_version = '${data.id}'` })), [run.id]);
        await assertKilnError(store.createRun(runInput({ datasetVersionId: 'titanic@nope' })), 'DATASET_VERSION_NOT_FOUND');
        assert.equal((await store.listRuns()).length, 1, 'a run of an unknown dataset version is not recorded');
      });
    });

    describe('descriptions, tags and the audit log', () => {
      test('models and versions take descriptions and tags; every change is audited with before and after', async () => {
        await store.createModelVersion(versionInput('titanic', { tags: { framework: 'kiln' } }), { actor: 'alice' });
        const model = await store.updateModel('titanic', { description: 'who survived', tags: { owner: 'risk' } }, { actor: 'bob' });
        assert.equal(model.description, 'who survived');
        assert.deepEqual(model.tags, { owner: 'risk' });
        const version = await store.updateVersion('titanic', 1, { tags: { framework: null, reviewed: 'yes' } });
        assert.deepEqual(version.tags, { reviewed: 'yes' });
        assert.equal(version.description, '');
        await store.setAlias('titanic', 'champion', 1, { actor: 'carol' });
        await store.setVersionStatus('titanic', 1, 'archived', { actor: 'dave' });
        await store.setVersionStatus('titanic', 1, 'archived', { actor: 'dave' }); // no change, no entry

        const audit = await store.listAudit();
        assert.deepEqual(
          audit.map((e) => [e.action, e.entity, e.actor]),
          [
            ['version.archived', 'titanic:1', 'dave'],
            ['alias.moved', 'titanic@champion', 'carol'],
            ['version.updated', 'titanic:1', audit[2]?.actor],
            ['model.updated', 'titanic', 'bob'],
            ['version.created', 'titanic:1', 'alice'],
          ],
        );
        assert.deepEqual([audit[0]?.before, audit[0]?.after], [{ status: 'ready' }, { status: 'archived' }]);
        assert.deepEqual([audit[1]?.before, audit[1]?.after], [null, { alias: 'champion', version: 1 }]);
        assert.deepEqual(audit[3]?.before, { description: '', tags: {} });
        assert.ok(audit.every((e) => !Number.isNaN(Date.parse(e.at))));
        assert.ok((audit[0]?.id ?? 0) > (audit[1]?.id ?? 0));
        assert.equal(typeof audit[2]?.actor, 'string');
        assert.notEqual(audit[2]?.actor, '');

        await store.createModelVersion(versionInput('housing'));
        assert.equal((await store.listAudit({ entity: 'titanic' })).length, 5, 'a model name matches its versions and aliases');
        assert.equal((await store.listAudit({ entity: 'titanic@champion' })).length, 1);
        assert.equal((await store.listAudit({ limit: 2 })).length, 2);
        await assertKilnError(store.updateModel('iris', { description: 'x' }), 'MODEL_NOT_FOUND');
        await assertKilnError(store.updateVersion('titanic', 7, { description: 'x' }), 'VERSION_NOT_FOUND');
      });

      test('moving an alias records where it pointed before', async () => {
        await store.createModelVersion(versionInput('titanic'));
        await store.createModelVersion(versionInput('titanic'));
        await store.setAlias('titanic', 'champion', 1);
        await store.setAlias('titanic', 'champion', 2);
        const [moved] = await store.listAudit({ entity: 'titanic@champion' });
        assert.deepEqual([moved?.before, moved?.after], [{ alias: 'champion', version: 1 }, { alias: 'champion', version: 2 }]);
      });

      test('a refused change leaves no audit entry', async () => {
        await assertKilnError(store.createModelVersion(versionInput('titanic', { runId: '00000000-0000-4000-8000-000000000000' })), 'RUN_NOT_FOUND');
        assert.deepEqual(await store.listAudit(), []);
      });
    });

    describe('webhooks and their delivery outbox', () => {
      test('subscriptions are created, listed and deleted; bad ones are refused', async () => {
        const hook = await store.createWebhook({ url: 'http://127.0.0.1:9/hook', events: ['alias.moved'], secret: 's3cret', description: 'ops' });
        assert.deepEqual([hook.url, hook.events, hook.signed, hook.description], ['http://127.0.0.1:9/hook', ['alias.moved'], true, 'ops']);
        const all = await store.createWebhook({ url: 'https://example.com/kiln' });
        assert.deepEqual(all.events, ['version.created', 'alias.moved', 'version.archived']);
        assert.equal(all.signed, false);
        // Listed oldest first; two made in the same millisecond may come in either order.
        assert.deepEqual((await store.listWebhooks()).map((w) => w.id).sort(), [hook.id, all.id].sort());
        assert.deepEqual(await store.getWebhook(hook.id), hook);
        await store.deleteWebhook(hook.id);
        assert.deepEqual((await store.listWebhooks()).map((w) => w.id), [all.id]);
        await assertKilnError(store.getWebhook(hook.id), 'WEBHOOK_NOT_FOUND', { id: hook.id });
        await assertKilnError(store.deleteWebhook(hook.id), 'WEBHOOK_NOT_FOUND');
        await assertKilnError(store.createWebhook({ url: 'ftp://example.com' }), 'INVALID_PARAMS', { what: 'webhook url' });
        await assertKilnError(store.createWebhook({ url: 'http://x', events: ['model.deleted' as never] }), 'INVALID_PARAMS', { what: 'webhook events' });
        assert.deepEqual((await store.listAudit()).map((e) => e.action), ['webhook.deleted', 'webhook.created', 'webhook.created']);
      });

      test('registry changes queue one delivery per subscribed webhook, in the same transaction', async () => {
        const everything = await store.createWebhook({ url: 'http://127.0.0.1:9/all' });
        const aliases = await store.createWebhook({ url: 'http://127.0.0.1:9/aliases', events: ['alias.moved'] });
        await store.createModelVersion(versionInput('titanic'));
        await store.setAlias('titanic', 'champion', 1);
        await store.updateModel('titanic', { description: 'no event for this' });
        await store.setVersionStatus('titanic', 1, 'archived');
        await store.setVersionStatus('titanic', 1, 'ready');

        const queued = await store.listDeliveries();
        assert.deepEqual(
          queued.map((d) => [d.webhookId === everything.id ? 'all' : 'aliases', d.event, d.status, d.attempts]).reverse(),
          [
            ['all', 'version.created', 'pending', 0],
            ['all', 'alias.moved', 'pending', 0],
            ['aliases', 'alias.moved', 'pending', 0],
            ['all', 'version.archived', 'pending', 0],
          ],
        );
        const created = queued.at(-1);
        assert.deepEqual(created?.payload, {
          id: created?.eventId,
          event: 'version.created',
          at: (created?.payload as { at: string }).at,
          actor: (created?.payload as { actor: string }).actor,
          entity: 'titanic:1',
          model: 'titanic',
          before: null,
          after: (created?.payload as { after: unknown }).after,
        });
        assert.equal(((created?.payload as { after: { version: number } }).after).version, 1);
        const auditIds = new Set((await store.listAudit()).map((e) => e.id));
        assert.ok(queued.every((d) => auditIds.has(d.eventId)), 'each delivery names its audit entry');
        assert.equal((await store.listDeliveries({ webhookId: aliases.id })).length, 1);
      });

      test('claims lease due deliveries once; outcomes are recorded with attempts and errors', async () => {
        const hook = await store.createWebhook({ url: 'http://127.0.0.1:9/hook', secret: 'k' });
        await store.createModelVersion(versionInput('titanic'));
        await store.createModelVersion(versionInput('titanic'));
        const now = new Date(Date.now() + 1000);

        const claimed = await store.claimDeliveries({ limit: 10, leaseMs: 60_000, now });
        assert.equal(claimed.length, 2);
        assert.deepEqual([claimed[0]?.url, claimed[0]?.secret, claimed[0]?.webhookId], ['http://127.0.0.1:9/hook', 'k', hook.id]);
        assert.deepEqual(await store.claimDeliveries({ limit: 10, leaseMs: 60_000, now }), [], 'leased deliveries are not handed out twice');

        const [first, second] = claimed;
        const delivered = await store.recordDeliveryAttempt(first?.id ?? 0, { ok: true });
        assert.deepEqual([delivered.status, delivered.attempts, delivered.lastError], ['delivered', 1, null]);
        assert.notEqual(delivered.deliveredAt, null);

        const retryAt = new Date(now.getTime() + 5000).toISOString();
        const retry = await store.recordDeliveryAttempt(second?.id ?? 0, { ok: false, error: 'HTTP 500', retryAt });
        assert.deepEqual([retry.status, retry.attempts, retry.lastError, retry.nextAttemptAt], ['pending', 1, 'HTTP 500', retryAt]);
        assert.deepEqual(await store.claimDeliveries({ limit: 10, leaseMs: 60_000, now }), [], 'not due before retryAt');
        const later = new Date(now.getTime() + 6000);
        const again = await store.claimDeliveries({ limit: 10, leaseMs: 60_000, now: later });
        assert.deepEqual(again.map((d) => d.id), [second?.id]);
        const failed = await store.recordDeliveryAttempt(second?.id ?? 0, { ok: false, error: 'HTTP 500', retryAt: null });
        assert.deepEqual([failed.status, failed.attempts], ['failed', 2]);
        assert.deepEqual((await store.listDeliveries({ status: 'failed' })).map((d) => d.id), [second?.id]);
        await assertKilnError(store.recordDeliveryAttempt(999_999, { ok: true }), 'WEBHOOK_DELIVERY_NOT_FOUND');
      });

      test('an expired lease is claimed again (a dispatcher died mid-delivery)', async () => {
        await store.createWebhook({ url: 'http://127.0.0.1:9/hook' });
        await store.createModelVersion(versionInput('titanic'));
        const now = new Date(Date.now() + 1000);
        const [first] = await store.claimDeliveries({ limit: 1, leaseMs: 1000, now });
        const [reclaimed] = await store.claimDeliveries({ limit: 1, leaseMs: 1000, now: new Date(now.getTime() + 1001) });
        assert.equal(reclaimed?.id, first?.id);
      });

      test('deleting a webhook fails its pending deliveries and keeps the history', async () => {
        const hook = await store.createWebhook({ url: 'http://127.0.0.1:9/hook' });
        await store.createModelVersion(versionInput('titanic'));
        await store.deleteWebhook(hook.id);
        const [delivery] = await store.listDeliveries({ webhookId: hook.id });
        assert.equal(delivery?.status, 'failed');
        assert.match(delivery?.lastError ?? '', /deleted/);
        assert.deepEqual(await store.claimDeliveries({ limit: 10, leaseMs: 1000, now: new Date(Date.now() + 1000) }), []);
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

    monitoringConformance(() => store);
  });
}
