/**
 * Prediction-log settings of `kiln serve`: from kiln.config.yaml, KILN_* environment variables and flags
 * (flags beat the environment, which beats the file), checked with coded errors.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../src/cli/config.js';
import { tempHome } from '../helpers/kiln-cli.js';

test('defaults: every request logged, kept forever', () => {
  const c = resolveConfig({}, { env: {}, cwd: tempHome() });
  assert.deepEqual([c.predictionLog, c.predictionLogSampleRate, c.predictionLogRetentionDays, c.predictionLogMaxRows], [true, 1, undefined, undefined]);
});

test('file, then environment, then flags', () => {
  const cwd = tempHome();
  writeFileSync(join(cwd, 'kiln.config.yaml'), 'predictionLogSampleRate: 0.5\npredictionLogRetentionDays: 30\npredictionLogMaxRows: 1000000\n');
  const file = resolveConfig({}, { env: {}, cwd });
  assert.deepEqual([file.predictionLogSampleRate, file.predictionLogRetentionDays, file.predictionLogMaxRows], [0.5, 30, 1_000_000]);
  const env = { KILN_PREDICTION_LOG_SAMPLE_RATE: '0.1', KILN_PREDICTION_LOG: 'false' };
  const withEnv = resolveConfig({}, { env, cwd });
  assert.deepEqual([withEnv.predictionLogSampleRate, withEnv.predictionLog, withEnv.predictionLogRetentionDays], [0.1, false, 30]);
  const withFlags = resolveConfig({ predictionLogSampleRate: '0.01', predictionLogRetentionDays: '7', predictionLog: true }, { env, cwd });
  assert.deepEqual([withFlags.predictionLogSampleRate, withFlags.predictionLogRetentionDays, withFlags.predictionLog], [0.01, 7, true]);
});

test('bad values are coded errors naming the setting as it was given (the flag or the variable)', () => {
  const cwd = tempHome();
  const cases: [Record<string, unknown>, Record<string, string>, string][] = [
    [{ predictionLogSampleRate: '1.5' }, {}, '--log-sample-rate'],
    [{ predictionLogSampleRate: 'half' }, {}, '--log-sample-rate'],
    [{ predictionLogRetentionDays: '0' }, {}, '--log-retention-days'],
    [{ predictionLogMaxRows: '10.5' }, {}, '--log-max-rows'],
    [{}, { KILN_PREDICTION_LOG: 'maybe' }, 'KILN_PREDICTION_LOG'],
  ];
  for (const [flags, env, path] of cases) {
    assert.throws(
      () => resolveConfig(flags, { env, cwd }),
      (e: Error & { code?: string; problems?: { path: string }[] }) => e.code === 'INVALID_PARAMS' && e.problems?.[0]?.path === path,
      JSON.stringify([flags, env]),
    );
  }
});
