import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, resolveConfig } from '../../src/cli/config.js';
import { tempHome } from '../helpers/kiln-cli.js';

test('defaults bind to loopback on 8080 with ./.kiln as home', () => {
  const cwd = tempHome();
  const c = resolveConfig({}, { env: {}, cwd });
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8080);
  assert.equal(c.home, join(cwd, '.kiln'));
  assert.equal(c.logLevel, DEFAULT_CONFIG.logLevel);
});

test('flags beat the environment, which beats the config file, which beats the defaults', () => {
  const cwd = tempHome();
  writeFileSync(join(cwd, 'kiln.config.yaml'), 'port: 9000\nhost: 127.0.0.2\nhome: from-file\nlogLevel: debug\n');
  const fileOnly = resolveConfig({}, { env: {}, cwd });
  assert.deepEqual([fileOnly.port, fileOnly.host, fileOnly.home, fileOnly.logLevel], [9000, '127.0.0.2', join(cwd, 'from-file'), 'debug']);
  const env = { KILN_PORT: '9100', KILN_HOME: 'from-env' };
  const withEnv = resolveConfig({}, { env, cwd });
  assert.deepEqual([withEnv.port, withEnv.host, withEnv.home], [9100, '127.0.0.2', join(cwd, 'from-env')]);
  const withFlags = resolveConfig({ port: '9200', home: '/abs/home' }, { env, cwd });
  assert.deepEqual([withFlags.port, withFlags.home], [9200, '/abs/home']);
});

test('a bad setting is a coded error naming it', () => {
  const cwd = tempHome();
  assert.throws(
    () => resolveConfig({ port: 'eighty' }, { env: {}, cwd }),
    (e: Error & { code?: string; problems?: { path: string }[] }) => e.code === 'INVALID_PARAMS' && e.problems?.[0]?.path === 'port',
  );
  writeFileSync(join(cwd, 'other.yaml'), 'prot: 1\n');
  assert.throws(
    () => resolveConfig({}, { env: {}, cwd, configFile: 'other.yaml' }),
    (e: Error & { code?: string }) => e.code === 'INVALID_PARAMS' && /prot/.test(JSON.stringify((e as { problems?: unknown }).problems)),
  );
});
