import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/cli/config.js';
import { tempHome } from '../helpers/kiln-cli.js';

test('the store setting: default <home>/kiln.db; config file < KILN_STORE_URL < --store; relative paths from the working folder', () => {
  const cwd = tempHome('kiln-store-config-');
  try {
    assert.equal(resolveConfig({}, { env: {}, cwd }).store, join(cwd, '.kiln', 'kiln.db'));
    assert.equal(resolveConfig({ home: 'h' }, { env: {}, cwd }).store, join(cwd, 'h', 'kiln.db'));

    writeFileSync(join(cwd, 'kiln.config.yaml'), 'store: postgres://kiln@db.internal/kiln\n');
    assert.equal(resolveConfig({}, { env: {}, cwd }).store, 'postgres://kiln@db.internal/kiln');
    const env = { KILN_STORE_URL: 'sqlite:/var/lib/kiln.db' };
    assert.equal(resolveConfig({}, { env, cwd }).store, 'sqlite:/var/lib/kiln.db');
    assert.equal(resolveConfig({ store: 'runs/kiln.db' }, { env, cwd }).store, join(cwd, 'runs', 'kiln.db'));
    assert.throws(() => resolveConfig({ store: '' }, { env: {}, cwd }), (e: Error & { code?: string }) => e.code === 'INVALID_PARAMS');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
