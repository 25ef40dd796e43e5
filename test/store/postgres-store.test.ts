import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { openStore } from '../../src/store/open-store.js';
import { assertKilnError, storeConformance, versionInput } from './store-conformance.js';
import { dropTestSchemas, freshSchemaUrl, POSTGRES_SKIP, POSTGRES_URL, truncateSchema } from './postgres-helpers.js';
import { killMidRegistration, registerConcurrently } from './concurrency.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

after(dropTestSchemas);

// One schema for the whole suite, emptied before each test: creating a schema per test would run the
// migrations fifty times.
let conformanceUrl: string | undefined;
async function emptyStore(): Promise<PostgresStore> {
  conformanceUrl ??= freshSchemaUrl();
  const store = await PostgresStore.open(conformanceUrl);
  await truncateSchema(conformanceUrl);
  return store;
}

storeConformance('postgres', emptyStore, POSTGRES_SKIP === undefined ? {} : { skip: POSTGRES_SKIP });

describe('PostgresStore', { skip: POSTGRES_SKIP ?? false }, () => {
  test('openStore picks PostgreSQL for postgres:// URLs and hides the password', async () => {
    const url = freshSchemaUrl();
    const store = await openStore(url);
    assert.ok(store instanceof PostgresStore);
    await store.close();
    await assertKilnError(openStore('postgres://kiln:secret@127.0.0.1:1/none'), 'STORE_UNAVAILABLE', {
      location: 'postgres://kiln:***@127.0.0.1:1/none',
    });
  });

  test('reopening applies each migration exactly once and keeps the data', async () => {
    const url = freshSchemaUrl();
    const [a, b] = await Promise.all([PostgresStore.open(url), PostgresStore.open(url)]);
    await a.createModelVersion(versionInput('titanic'));
    await a.close();
    assert.equal((await b.createModelVersion(versionInput('titanic'))).version, 2);
    await b.close();
    const schema = new URL(url).searchParams.get('schema');
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
      assert.deepEqual(rows.map((r) => r.version), POSTGRES_MIGRATIONS.map((m) => m.version));
    } finally {
      await client.end();
    }
  });

  test('a schema with the per-row prediction log (migration 2) is moved into batches', async () => {
    const url = freshSchemaUrl();
    const schema = new URL(url).searchParams.get('schema') ?? '';
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}"`);
      await client.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      for (const migration of POSTGRES_MIGRATIONS.slice(0, 2)) {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [migration.version, migration.name, new Date().toISOString()]);
      }
      await client.query(
        `INSERT INTO predictions (request_id, model, version, timestamp, latency_ms, inputs, outputs, user_key, experiment, arm, shadow, error)
         SELECT 'r' || i, 'titanic', 1, 1000 + i, 0.5, '{"age":' || i || '}', '{"label":1}', NULL, NULL, NULL, 0, NULL FROM generate_series(0, 1199) i`,
      );
      await client.query(
        `INSERT INTO predictions (request_id, model, version, timestamp, latency_ms, inputs, outputs, user_key, experiment, arm, shadow, error)
         VALUES ('ab-1', 'titanic', 2, 5000, 0.7, '{"age":3}', '{"label":0}', 'user-9', 'exp-1', 'challenger', 1, NULL)`,
      );
      await client.query("INSERT INTO feedback (request_id, outcome, feedback_at) VALUES ('r7', '1', 77)");
    } finally {
      await client.end();
    }
    const store = await PostgresStore.open(url);
    try {
      assert.equal(await store.countPredictions(), 1201);
      assert.deepEqual((await store.listPredictions({ model: 'titanic', version: 1, limit: 2 })).map((p) => p.requestId), ['r1199', 'r1198']);
      assert.deepEqual(await store.listPredictions({ experiment: 'exp-1' }), [
        { requestId: 'ab-1', model: 'titanic', version: 2, timestamp: 5000, latencyMs: 0.7, inputs: { age: 3 }, outputs: { label: 0 }, userKey: 'user-9', experiment: 'exp-1', arm: 'challenger', shadow: true },
      ]);
      assert.deepEqual((await store.listLabelledPredictions()).map((p) => [p.requestId, p.outcome, p.inputs]), [['r7', 1, { age: 7 }]]);
      assert.deepEqual(await store.recordFeedback([{ requestId: 'r1100', outcome: 0 }, { requestId: 'nope', outcome: 0 }]), { accepted: 1, unknownRequestIds: ['nope'] });
    } finally {
      await store.close();
    }
  });

  test('a bad schema name is INVALID_PARAMS', async () => {
    const url = new URL(POSTGRES_URL ?? '');
    url.searchParams.set('schema', 'no; drop');
    await assertKilnError(PostgresStore.open(url.toString()), 'INVALID_PARAMS', { what: 'store URL' });
  });

  test('two processes registering at once get distinct version numbers', async () => {
    await registerConcurrently(freshSchemaUrl());
  });

  test('a process killed in the middle of registering leaves nothing half-registered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-pg-crash-'));
    try {
      await killMidRegistration(freshSchemaUrl(), join(dir, 'artifacts'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
