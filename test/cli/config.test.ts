import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, SETTING_FLAGS, resolveConfig } from '../../src/cli/config.js';
import { buildProgram } from '../../src/cli/main.js';
import { isKilnError } from '../../src/core/errors.js';
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
    (e: Error & { code?: string; problems?: { path: string }[] }) => e.code === 'INVALID_PARAMS' && e.problems?.[0]?.path === '--port',
  );
  writeFileSync(join(cwd, 'other.yaml'), 'prot: 1\n');
  assert.throws(
    () => resolveConfig({}, { env: {}, cwd, configFile: 'other.yaml' }),
    (e: Error & { code?: string }) => e.code === 'INVALID_PARAMS' && /prot/.test(JSON.stringify((e as { problems?: unknown }).problems)),
  );
});

test('a bad value is named the way the user gave it: the flag, the environment variable, or the file key', () => {
  const cwd = tempHome();
  writeFileSync(join(cwd, 'kiln.config.yaml'), 'port: eighty\npredictionLogSampleRate: 5\n');
  const failure = (flags: Record<string, unknown>, env: Record<string, string>) => {
    try {
      resolveConfig(flags, { env, cwd });
    } catch (err) {
      assert.ok(isKilnError(err, 'INVALID_PARAMS'), String(err));
      return { message: err.message, paths: err.problems.map((p) => p.path) };
    }
    assert.fail('expected the settings to be refused');
  };
  // the file's value is overridden by the environment's, which the flag overrides: each time the last one is named
  assert.deepEqual(failure({ predictionLogSampleRate: 0.5 }, {}), {
    message: 'invalid port in kiln.config.yaml: expected a whole number from 0 to 65535, got "eighty"',
    paths: ['port'],
  });
  assert.deepEqual(failure({ predictionLogSampleRate: 0.5 }, { KILN_PORT: '99999' }), {
    message: 'invalid KILN_PORT: expected a whole number from 0 to 65535, got "99999"',
    paths: ['KILN_PORT'],
  });
  assert.deepEqual(failure({ port: 'abc', predictionLogSampleRate: 0.5 }, { KILN_PORT: '99999' }), {
    message: 'invalid --port: expected a whole number from 0 to 65535, got "abc"',
    paths: ['--port'],
  });
  // several at once: each named, in one message
  const several = failure({ port: '8080', host: '', logLevel: 'loud' }, { KILN_PREDICTION_LOG_SAMPLE_RATE: 'half' });
  assert.deepEqual(several.paths, ['--host', '--log-level', 'KILN_PREDICTION_LOG_SAMPLE_RATE']);
  assert.match(several.message, /^invalid settings: --host: expected an address .*, got ""; --log-level: expected one of fatal, .*, got "loud"; KILN_PREDICTION_LOG_SAMPLE_RATE: expected a number from 0 to 1, got "half"$/);
});

test('every flag the configuration names is a flag of some verb', () => {
  const flags = new Set<string>();
  const walk = (cmd: ReturnType<typeof buildProgram>): void => {
    for (const option of cmd.options) if (option.long !== undefined) flags.add(option.long);
    for (const sub of cmd.commands) walk(sub);
  };
  walk(buildProgram());
  for (const flag of SETTING_FLAGS) assert.ok(flags.has(flag), `${flag} is named in errors but no verb takes it`);
});

test('--config naming a missing file, a folder or broken YAML says which (a folder was "not valid YAML", a missing file "no data file")', () => {
  const cwd = tempHome();
  mkdirSync(join(cwd, 'a-folder'));
  writeFileSync(join(cwd, 'broken.yaml'), 'port: [8080\n');
  const failure = (configFile: string): { code: string; message: string } => {
    try {
      resolveConfig({}, { env: {}, cwd, configFile });
    } catch (err) {
      assert.ok(isKilnError(err));
      return { code: err.code, message: err.message };
    }
    assert.fail(`${configFile} was accepted`);
  };
  assert.deepEqual(failure('missing.yaml'), { code: 'DATA_NOT_FOUND', message: 'no configuration file at missing.yaml' });
  assert.deepEqual(failure('a-folder'), { code: 'INVALID_PARAMS', message: 'invalid configuration file a-folder: it is a folder, not a file' });
  assert.deepEqual(failure('broken.yaml'), { code: 'INVALID_PARAMS', message: 'invalid configuration file broken.yaml: it is not valid YAML' });
});
