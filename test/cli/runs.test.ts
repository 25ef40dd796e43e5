import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { kiln, tempHome } from '../helpers/kiln-cli.js';

/** A home with two finished runs (different C and AUC) and a model `titanic` with two versions. */
const home = tempHome('kiln-cli-runs-');
let runA = '';
let runB = '';

before(async () => {
  const store = SqliteStore.open(join(home, 'kiln.db'));
  const a = await store.createRun({ name: 'titanic', task: 'binary', learner: 'logistic-regression', params: { C: 1 }, tags: { team: 'risk' } });
  await store.logMetrics(a.id, { 'test.roc_auc': 0.9, 'test.accuracy': 0.8 });
  await store.finishRun(a.id, 'finished');
  const b = await store.createRun({ name: 'titanic', task: 'binary', learner: 'logistic-regression', params: { C: 0.1 }, tags: { team: 'growth' } });
  await store.logMetrics(b.id, { 'test.roc_auc': 0.7, 'test.accuracy': 0.8 });
  await store.finishRun(b.id, 'finished');
  for (const run of [a, b]) await store.createModelVersion({ model: 'titanic', runId: run.id, artifacts: {}, signature: null, metrics: {} });
  await store.close();
  runA = a.id;
  runB = b.id;
});
after(() => rmSync(home, { recursive: true, force: true }));

const json = <T>(stdout: string): T => JSON.parse(stdout) as T;

// Each `kiln` is a process of its own (seconds on a busy machine): the read-only ones run side by side.
describe('kiln runs', () => {
  test('list, show, compare, filters, errors and --store, as a user runs them', async () => {
    const elsewhere = tempHome('kiln-cli-store-');
    try {
      const [where, tagged, human, badFilter, show, compare, otherStore, viaEnv] = await Promise.all([
        kiln(['runs', '--home', home, '--json', '--where', 'metrics.test.roc_auc > 0.8']),
        kiln(['runs', 'list', '--home', home, '--json', '--tag', 'team=growth', '--limit', '5']),
        kiln(['runs', '--home', home]),
        kiln(['runs', '--home', home, '--json', '--where', 'metrics.auc > 0.8 or params.C = 1']),
        kiln(['runs', 'show', runA, '--home', home, '--json']),
        kiln(['runs', 'compare', runA, runB, '--home', home, '--json']),
        kiln(['runs', '--home', home, '--store', join(elsewhere, 'other.db'), '--json']),
        kiln(['runs', '--home', elsewhere, '--json'], { KILN_STORE_URL: `sqlite:${join(home, 'kiln.db')}` }),
      ]);

      assert.equal(where.code, 0, where.stderr);
      assert.deepEqual(json<{ runs: { id: string }[] }>(where.stdout).runs.map((r) => r.id), [runA]);
      assert.deepEqual(json<{ runs: { id: string }[] }>(tagged.stdout).runs.map((r) => r.id), [runB]);

      assert.equal(human.code, 0);
      assert.equal(human.stdout, '', 'the table goes to stderr');
      assert.match(human.stderr, /roc_auc 0\.9000/);
      assert.match(human.stderr, new RegExp(runB));

      assert.equal(badFilter.code, 2, 'a bad filter is a usage error');
      const error = json<{ error: { code: string; message: string } }>(badFilter.stdout).error;
      assert.equal(error.code, 'INVALID_PARAMS');
      assert.match(error.message, /"or" is not supported/);

      assert.equal(show.code, 0, show.stderr);
      const run = json<{ id: string; params: unknown; metric_series: unknown; dataset_version: unknown }>(show.stdout);
      assert.deepEqual([run.id, run.params, run.metric_series, run.dataset_version], [runA, { C: 1 }, {}, null]);

      assert.equal(compare.code, 0, compare.stderr);
      assert.deepEqual(json<{ differences: { field: string; values: unknown[] }[] }>(compare.stdout).differences, [
        { field: 'params.C', values: [1, 0.1] },
        { field: 'metrics.test.roc_auc', values: [0.9, 0.7] },
        { field: 'tags.team', values: ['risk', 'growth'] },
      ]);

      assert.deepEqual(json<{ runs: unknown[] }>(otherStore.stdout).runs, [], '--store points elsewhere');
      assert.equal(json<{ runs: unknown[] }>(viaEnv.stdout).runs.length, 2, 'KILN_STORE_URL points here');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('kiln models archive', () => {
  test('archive and unarchive a version by reference', async () => {
    const archived = await kiln(['models', 'archive', 'titanic:2', '--home', home, '--json']);
    assert.equal(archived.code, 0, archived.stderr);
    assert.equal(json<{ status: string }>(archived.stdout).status, 'archived');
    const [latest, missing] = await Promise.all([
      kiln(['models', 'show', 'titanic', '--home', home, '--json']),
      kiln(['models', 'archive', 'titanic:9', '--home', home]),
    ]);
    assert.equal(json<{ version: number }>(latest.stdout).version, 1, 'latest skips the archived version');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /VERSION_NOT_FOUND/);
    const back = await kiln(['models', 'unarchive', 'titanic:2', '--home', home]);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stderr, /titanic:2 is ready/);
  });
});
