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
