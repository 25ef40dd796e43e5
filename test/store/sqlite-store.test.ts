import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, migrate } from '../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { parseModelRef } from '../../src/store/model-ref.js';
import { assertKilnError, prediction, runInput, storeConformance, versionInput } from './store-conformance.js';
import { killMidRegistration, registerConcurrently } from './concurrency.js';

const tempDirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-sqlite-store-'));
  tempDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

storeConformance('sqlite', async () => SqliteStore.open(join(freshDir(), 'kiln.db')));

describe('SqliteStore.open', () => {
  test('creates missing parent folders and a WAL database', async () => {
    const file = join(freshDir(), 'a', 'b', 'kiln.db');
    const store = SqliteStore.open(file);
    assert.equal(store.location, file);
    await store.close();
    assert.ok(existsSync(file));
    // journal_mode=WAL is a property of the file, so a separate connection sees it.
    const raw = new Database(file, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      raw.close();
    }
  });

  test('reopening keeps the data and applies each migration exactly once', async () => {
    const file = join(freshDir(), 'kiln.db');
    const first = SqliteStore.open(file);
    const run = await first.createRun(runInput());
    await first.createModelVersion(versionInput('titanic', { runId: run.id }));
    await first.close();

    const second = SqliteStore.open(file);
    assert.equal((await second.getRun(run.id)).id, run.id);
    assert.equal((await second.createModelVersion(versionInput('titanic'))).version, 2);
    await second.close();

    const raw = new Database(file, { readonly: true });
    try {
      const applied = raw.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
      assert.deepEqual(applied, MIGRATIONS.map((m) => m.version));
    } finally {
      raw.close();
    }
  });

  test('an alias named `latest` stored before the name was reserved still resolves, and cannot be moved', async () => {
    const store = SqliteStore.open(join(freshDir(), 'kiln.db'));
    await store.createModelVersion(versionInput('titanic'));
    await store.createModelVersion(versionInput('titanic'));
    store.database.prepare("INSERT INTO model_aliases VALUES ('titanic', 'latest', 1)").run();
    // reads keep working: an explicit NAME@latest is the stored alias, a bare name the newest version
    assert.equal((await store.resolve(parseModelRef('titanic@latest'))).version, 1);
    assert.equal((await store.resolve(parseModelRef('titanic'))).version, 2);
    assert.deepEqual((await store.getModel('titanic')).aliases, { latest: 1 });
    await assertKilnError(store.setAlias('titanic', 'latest', 2), 'ALIAS_RESERVED');
    assert.equal((await store.resolve(parseModelRef('titanic@latest'))).version, 1, 'unchanged');
    await store.close();
  });

  test('an alias named `latest` (or `v2`) stored before the names were reserved can be removed', async () => {
    const store = SqliteStore.open(join(freshDir(), 'kiln.db'));
    await store.createModelVersion(versionInput('titanic'));
    await store.createModelVersion(versionInput('titanic'));
    store.database.prepare("INSERT INTO model_aliases VALUES ('titanic', 'latest', 1), ('titanic', 'v2', 1)").run();
    assert.equal(await store.removeAlias('titanic', 'latest'), 1);
    // NAME@latest no longer names the old alias, and a bare name still means the newest version
    await assertKilnError(store.resolve(parseModelRef('titanic@latest')), 'ALIAS_NOT_FOUND', { aliases: ['v2'] });
    assert.equal((await store.resolve(parseModelRef('titanic'))).version, 2);
    assert.equal(await store.removeAlias('titanic', 'v2'), 1);
    assert.deepEqual((await store.getModel('titanic')).aliases, {});
    assert.deepEqual((await store.listAudit({ entity: 'titanic@latest' })).map((e) => [e.action, e.after]), [['alias.removed', null]]);
    await store.close();
  });

  test('enforces foreign keys on its connection', async () => {
    const store = SqliteStore.open(join(freshDir(), 'kiln.db'));
    // Reach the private connection: the pragma is per connection, so only the store's own one can tell.
    const db = store.database;
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
    assert.throws(() => db.prepare("INSERT INTO model_aliases VALUES ('ghost', 'champion', 1)").run(), /FOREIGN KEY/);
    await store.close();
  });

  test('refuses a database written by a newer Kiln', async () => {
    const file = join(freshDir(), 'kiln.db');
    await SqliteStore.open(file).close();
    const raw = new Database(file);
    raw.prepare("INSERT INTO schema_migrations VALUES (999, 'from the future', '2100-01-01T00:00:00.000Z')").run();
    raw.close();
    assert.throws(
      () => SqliteStore.open(file),
      (err: unknown) => err instanceof Error && 'code' in err && err.code === 'STORE_UNAVAILABLE' && /newer Kiln/.test(err.message),
    );
  });

  test('a file that is not a database is STORE_UNAVAILABLE', async () => {
    const file = join(freshDir(), 'kiln.db');
    writeFileSync(file, 'this is not sqlite, just text that happens to be long enough to have a header'.repeat(20));
    await assertKilnError(Promise.resolve().then(() => SqliteStore.open(file)), 'STORE_UNAVAILABLE', { location: file });
  });

  test('a location under a file is STORE_UNAVAILABLE', async () => {
    const blocker = join(freshDir(), 'not-a-folder');
    writeFileSync(blocker, '');
    const file = join(blocker, 'kiln.db');
    await assertKilnError(Promise.resolve().then(() => SqliteStore.open(file)), 'STORE_UNAVAILABLE', { location: file });
  });
});

describe('migrations', () => {
  test('a home made before run search (schema 1) is upgraded and its runs become searchable', async () => {
    const file = join(freshDir(), 'kiln.db');
    const old = new Database(file);
    migrate(old, MIGRATIONS.slice(0, 1));
    old
      .prepare(
        `INSERT INTO runs (id, name, task, learner, status, started_at, finished_at, params, metrics, tags, dataset, environment, error)
         VALUES ('r1', 'titanic', 'binary', 'logistic', 'finished', '2026-01-01T00:00:00.000Z', NULL, ?, ?, ?, NULL, '{}', NULL)`,
      )
      .run('{"C":0.5,"penalty":"l2","fit_intercept":true,"layers":[8,4]}', '{"test.roc_auc":0.9,"log_loss":"Infinity"}', '{"team":"risk"}');
    old.prepare("INSERT INTO registered_models VALUES ('titanic', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')").run();
    old.close();

    const store = SqliteStore.open(file);
    try {
      const found = async (where: string) => (await store.listRuns({ where })).map((r) => r.id);
      assert.deepEqual(await found("metrics.test.roc_auc > 0.8 and tags.team = 'risk'"), ['r1']);
      assert.deepEqual(await found('params.C = 0.5'), ['r1']);
      assert.deepEqual(await found("params.penalty = 'l2' and params.fit_intercept = true"), ['r1']);
      assert.deepEqual(await found("params.layers = '[8,4]'"), ['r1']);
      assert.deepEqual(await found('metrics.log_loss > 1000'), ['r1']);
      const run = await store.getRun('r1');
      assert.equal(run.datasetVersionId, null);
      const model = await store.getModel('titanic');
      assert.deepEqual([model.description, model.tags], ['', {}]);
    } finally {
      await store.close();
    }
  });

  test('a home made before feedback and alerts (schema 2) is upgraded; its logged predictions stay as they were', async () => {
    const file = join(freshDir(), 'kiln.db');
    const old = new Database(file);
    migrate(old, MIGRATIONS.slice(0, 2));
    old
      .prepare("INSERT INTO predictions (request_id, model, version, timestamp, latency_ms, inputs, outputs, user_key) VALUES ('r1', 'titanic', 1, 5, 1.5, '{}', '{}', NULL)")
      .run();
    old.close();

    const store = SqliteStore.open(file);
    try {
      assert.deepEqual(await store.listPredictions(), [{ requestId: 'r1', model: 'titanic', version: 1, timestamp: 5, latencyMs: 1.5, inputs: {}, outputs: {} }]);
      assert.deepEqual(await store.recordFeedback([{ requestId: 'r1', outcome: 1, timestamp: 9 }]), { accepted: 1, unknownRequestIds: [] });
      assert.equal((await store.listLabelledPredictions())[0]?.feedbackAt, 9);
    } finally {
      await store.close();
    }
  });

  test('a home with a per-row prediction log (schema 3) is moved into batches: records, order, feedback and lookups survive', async () => {
    const file = join(freshDir(), 'kiln.db');
    const old = new Database(file);
    migrate(old, MIGRATIONS.slice(0, 3));
    const insert = old.prepare(
      `INSERT INTO predictions (request_id, model, version, timestamp, latency_ms, inputs, outputs, user_key, experiment, arm, shadow, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (let i = 0; i < 2500; i++) insert.run(`r${i}`, 'titanic', 1, 1000 + i, 0.5, JSON.stringify({ age: i }), JSON.stringify({ label: i % 2 }), null, null, null, 0, null);
    insert.run('ab-1', 'titanic', 2, 5000, 0.7, '{"age":3}', '{"label":1}', 'user-9', 'exp-1', 'challenger', 1, null);
    insert.run('bad-1', 'housing', 1, 6000, 0.2, 'null', 'null', null, null, null, 0, 'INPUT_INVALID');
    old.prepare("INSERT INTO feedback (request_id, outcome, feedback_at) VALUES ('r7', '1', 77)").run();
    old.close();

    const store = SqliteStore.open(file);
    try {
      assert.equal(await store.countPredictions(), 2502);
      assert.equal(await store.countPredictions({ model: 'titanic', version: 1 }), 2500);
      assert.deepEqual((await store.listPredictions({ model: 'titanic', version: 1, limit: 3 })).map((p) => p.requestId), ['r2499', 'r2498', 'r2497']);
      assert.deepEqual(await store.listPredictions({ experiment: 'exp-1' }), [
        { requestId: 'ab-1', model: 'titanic', version: 2, timestamp: 5000, latencyMs: 0.7, inputs: { age: 3 }, outputs: { label: 1 }, userKey: 'user-9', experiment: 'exp-1', arm: 'challenger', shadow: true },
      ]);
      assert.deepEqual(await store.listPredictions({ model: 'housing' }), [
        { requestId: 'bad-1', model: 'housing', version: 1, timestamp: 6000, latencyMs: 0.2, inputs: null, outputs: null, error: 'INPUT_INVALID' },
      ]);
      assert.deepEqual((await store.listLabelledPredictions()).map((p) => [p.requestId, p.outcome, p.feedbackAt, p.inputs]), [['r7', 1, 77, { age: 7 }]]);
      assert.deepEqual(await store.recordFeedback([{ requestId: 'r2400', outcome: 0 }, { requestId: 'nope', outcome: 0 }]), { accepted: 1, unknownRequestIds: ['nope'] });
      const raw = new Database(file, { readonly: true });
      assert.equal(raw.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'predictions'").pluck().get(), 0, 'the per-row table is gone');
      assert.equal(raw.prepare('SELECT COUNT(*) FROM prediction_batches').pluck().get(), 5, '3 batches of titanic v1 (1000 + 1000 + 500), one of v2, one of housing');
      raw.close();
    } finally {
      await store.close();
    }
  });

  test('retention cutting through a moved batch that spans minutes keeps every newer record', async () => {
    const file = join(freshDir(), 'kiln.db');
    const old = new Database(file);
    migrate(old, MIGRATIONS.slice(0, 3));
    const insert = old.prepare(
      `INSERT INTO predictions (request_id, model, version, timestamp, latency_ms, inputs, outputs, user_key, experiment, arm, shadow, error)
       VALUES (?, 'titanic', 1, ?, 0.5, '{}', '{}', NULL, NULL, NULL, 0, NULL)`,
    );
    for (let i = 0; i < 100; i++) insert.run(`r${i}`, 1_000_000 + i * 1000); // one batch over 99 s
    old.close();
    const store = SqliteStore.open(file);
    try {
      assert.equal(await store.deletePredictions({ before: 1_000_000 + 40_000 }), 40);
      const kept = await store.listPredictions({ limit: 1000 });
      assert.equal(kept.length, 60);
      assert.deepEqual([kept.at(-1)?.requestId, kept[0]?.requestId], ['r40', 'r99']);
      assert.deepEqual(await store.recordFeedback([{ requestId: 'r99', outcome: 1 }, { requestId: 'r3', outcome: 1 }]), { accepted: 1, unknownRequestIds: ['r3'] });
    } finally {
      await store.close();
    }
  });

  test('are numbered 1, 2, 3… with distinct names', () => {
    assert.ok(MIGRATIONS.length > 0);
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      MIGRATIONS.map((_, i) => i + 1),
    );
    assert.equal(new Set(MIGRATIONS.map((m) => m.name)).size, MIGRATIONS.length);
  });
});

describe('SqliteStore bulk prediction log', () => {
  // No timing here (unit tests must not depend on the machine's load): serving's throughput with the log
  // on is measured by bench/serve.
  test('logs 10 000 predictions in one call, in chunks that fit both databases\' parameter limits', async () => {
    const store = SqliteStore.open(join(freshDir(), 'kiln.db'));
    const records = Array.from({ length: 10_000 }, (_, i) => prediction(i, { inputs: { age: [i], fare: [7.25], sex: ['male'] } }));
    await store.logPredictions(records);
    assert.equal(await store.countPredictions(), 10_000);
    assert.deepEqual((await store.listPredictions({ limit: 1 }))[0], records[9_999]);
    await store.close();
  });
});

describe('SqliteStore across processes', () => {
  test('two processes registering at once get distinct version numbers', async () => {
    await registerConcurrently(join(freshDir(), 'kiln.db'));
  });

  test('a process killed in the middle of registering leaves nothing half-registered', async () => {
    const dir = freshDir();
    await killMidRegistration(join(dir, 'kiln.db'), join(dir, 'artifacts'));
  });
});
