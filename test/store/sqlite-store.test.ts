import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { assertKilnError, prediction, runInput, storeConformance, versionInput } from './store-conformance.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');

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

  test('enforces foreign keys on its connection', async () => {
    const store = SqliteStore.open(join(freshDir(), 'kiln.db'));
    // Reach the private connection: the pragma is per connection, so only the store's own one can tell.
    const db = (store as unknown as { db: Database.Database }).db;
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
  test('are numbered 1, 2, 3… with distinct names', () => {
    assert.ok(MIGRATIONS.length > 0);
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      MIGRATIONS.map((_, i) => i + 1),
    );
    assert.equal(new Set(MIGRATIONS.map((m) => m.name)).size, MIGRATIONS.length);
  });
});

describe('SqliteStore performance', () => {
  test('logs 10 000 predictions in well under a second', async () => {
    const store = SqliteStore.open(join(freshDir(), 'kiln.db'));
    const records = Array.from({ length: 10_000 }, (_, i) => prediction(i, { inputs: { age: [i], fare: [7.25], sex: ['male'] } }));
    const start = performance.now();
    await store.logPredictions(records);
    const elapsed = performance.now() - start;
    assert.equal(await store.countPredictions(), 10_000);
    await store.close();
    assert.ok(elapsed < 500, `took ${elapsed.toFixed(0)} ms`);
  });
});

describe('SqliteStore across processes', () => {
  // At 10 per process the race window is small: a regression to a read-before-lock transaction is caught
  // only now and then. Raise this (100 catches it most runs, in about a second) when touching numbering.
  const VERSIONS_PER_PROCESS = 10;

  test('two processes registering at once get distinct version numbers', async () => {
    const file = join(freshDir(), 'kiln.db');
    const fixture = join(here, 'fixtures', 'register-versions.ts');
    const children = [0, 1].map(() =>
      spawn(process.execPath, ['--import', 'tsx', fixture, file, 'titanic', String(VERSIONS_PER_PROCESS)], {
        cwd: repoRoot,
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    const outputs = children.map((child) => {
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout: () => stdout, stderr: () => stderr }));
      const ready = new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => stdout.includes('ready\n') && resolve());
        void exited.then((r) => reject(new Error(`child exited (${r.code}) before ready: ${r.stderr()}`)));
      });
      return { ready, exited };
    });

    // Both have opened the (fresh) database; release them together so that their writes contend.
    await Promise.all(outputs.map((o) => o.ready));
    for (const child of children) child.stdin.end('go\n');
    const results = await Promise.all(outputs.map((o) => o.exited));

    const got: number[][] = results.map((r) => {
      assert.equal(r.code, 0, r.stderr());
      const last = r.stdout().trim().split('\n').at(-1) ?? '';
      return JSON.parse(last) as number[];
    });
    for (const versions of got) assert.equal(versions.length, VERSIONS_PER_PROCESS);
    const all = got.flat().sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 2 * VERSIONS_PER_PROCESS }, (_, i) => i + 1));

    const store = SqliteStore.open(file);
    const listed = await store.listVersions('titanic');
    await store.close();
    assert.deepEqual(listed.map((v) => v.version), all);
    assert.equal(new Set(listed.map((v) => v.description.split(' #')[0])).size, 2, 'both processes registered');
  });
});
