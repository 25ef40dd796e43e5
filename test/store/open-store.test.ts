import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KilnError } from '../../src/core/errors.js';
import { openHome, openStore, STORE_SCHEMES, storeScheme } from '../../src/store/open-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { assertKilnError, runInput, versionInput } from './store-conformance.js';

const tempDirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-home-'));
  tempDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('openHome', () => {
  test('creates kiln.db and artifacts/ in a new home', async () => {
    const home = join(freshDir(), 'nested', '.kiln');
    const opened = await openHome(home);
    assert.equal(opened.home, home);
    assert.equal(opened.store.location, join(home, 'kiln.db'));
    assert.ok(existsSync(join(home, 'kiln.db')));
    assert.ok(statSync(join(home, 'artifacts')).isDirectory());
    await opened.store.close();
  });

  test('a reopened home has what was stored before', async () => {
    const home = freshDir();
    const first = await openHome(home);
    const digest = await first.artifacts.put(new TextEncoder().encode('onnx bytes'));
    const run = await first.store.createRun(runInput());
    await first.store.createModelVersion(versionInput('titanic', { runId: run.id, artifacts: { 'model.onnx': digest } }));
    await first.store.close();

    const second = await openHome(home);
    const version = await second.store.resolve({ name: 'titanic', kind: 'latest' });
    const stored = version.artifacts['model.onnx'];
    assert.equal(stored, digest);
    assert.equal((await second.artifacts.get(digest)).toString(), 'onnx bytes');
    await second.store.close();
  });

  test('a home that is a file, or lies inside one, is HOME_NOT_A_FOLDER (a user error), not an unavailable store', async () => {
    const home = join(freshDir(), 'home');
    writeFileSync(home, '');
    await assertKilnError(openHome(home), 'HOME_NOT_A_FOLDER', { what: 'the Kiln home', path: home, reason: 'it is a file' });
    await assert.rejects(openHome(home), (err: unknown) => err instanceof KilnError && err.exitCode === 1);
    await assertKilnError(openHome(join(home, 'inner')), 'HOME_NOT_A_FOLDER', { path: join(home, 'inner'), reason: `${home} is a file, so no folder can be made inside it` });
    // the artifact folder is named as such, with its own setting
    await assertKilnError(openHome(freshDir(), undefined, {}, home), 'HOME_NOT_A_FOLDER', { what: 'the artifact folder', setting: '--artifacts (or KILN_ARTIFACTS_URL)' });
  });
});

describe('openStore', () => {
  test('the scheme picks the store; plain paths are SQLite', async () => {
    assert.equal(storeScheme('/abs/kiln.db'), 'sqlite:');
    assert.equal(storeScheme('relative/kiln.db'), 'sqlite:');
    assert.equal(storeScheme('C:\\kiln\\kiln.db'), 'sqlite:');
    assert.equal(storeScheme('sqlite:/x.db'), 'sqlite:');
    assert.equal(storeScheme('postgres://u@h/db'), 'postgres:');
    assert.ok(Object.isFrozen(STORE_SCHEMES));
    const dir = freshDir();
    for (const url of [join(dir, 'a.db'), `sqlite:${join(dir, 'b.db')}`, `sqlite://${join(dir, 'c.db')}`]) {
      const store = await openStore(url);
      assert.ok(store instanceof SqliteStore, url);
      await store.close();
    }
    assert.ok(existsSync(join(dir, 'a.db')) && existsSync(join(dir, 'b.db')) && existsSync(join(dir, 'c.db')));
  });

  test('an unknown scheme is UNSUPPORTED_STORE, without the password', async () => {
    await assertKilnError(openStore('mysql://root:hunter2@db/kiln'), 'UNSUPPORTED_STORE', { url: 'mysql://root:***@db/kiln' });
  });

  test('openHome uses the store URL it is given, and keeps artifacts in the home', async () => {
    const home = freshDir();
    const db = join(freshDir(), 'elsewhere.db');
    const opened = await openHome(home, db);
    assert.equal(opened.store.location, db);
    assert.ok(statSync(join(home, 'artifacts')).isDirectory());
    assert.equal(existsSync(join(home, 'kiln.db')), false);
    await opened.store.close();
  });
});
