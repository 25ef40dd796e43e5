/**
 * Ctrl-C during `kiln train` (src/cli/interrupt.ts): the search stops, the run is recorded as failed
 * ("training was cancelled") instead of staying "running" forever, nothing is registered, and the exit
 * code is 130, as a shell reports an interrupted command. `kiln curves` stops the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { kiln, spawnKiln, tempHome } from '../helpers/kiln-cli.js';

const DATA = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'titanic.csv');

test('Ctrl-C stops an AutoML search cleanly: run failed, nothing registered, exit 130', async () => {
  const home = tempHome();
  const child = spawnKiln(['train', '--data', DATA, '--target', 'Survived', '--budget', '60s', '--home', home]);
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // interrupt once the search has recorded its first trial (the run exists and work is under way)
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no trial within 60 s:\n${stderr}`)), 60_000);
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/trial\s+\d+/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const interruptedAt = performance.now();
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 130, stderr);
  assert.ok(performance.now() - interruptedAt < 30_000, 'it stops well before the 60 s budget is spent');
  assert.match(stderr, /stopping training… \(press Ctrl-C again to quit at once\)/);
  assert.match(stderr, /error \[CANCELLED\]: training was cancelled/);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');

  const runs = JSON.parse((await kiln(['runs', 'list', '--json', '--home', home])).stdout) as { runs: { name: string; status: string; error?: string }[] };
  const parent = runs.runs.find((r) => r.name === 'titanic');
  assert.equal(parent?.status, 'failed');
  assert.equal(parent?.error, 'training was cancelled');
  assert.ok(runs.runs.every((r) => r.status !== 'running'), JSON.stringify(runs.runs.map((r) => [r.name, r.status])));
  const models = JSON.parse((await kiln(['models', 'list', '--json', '--home', home])).stdout) as { models: unknown[] };
  assert.deepEqual(models.models, [], 'nothing registered');
});

/** Resolves once the child's stderr matches `ready` (the work is under way); the stderr so far. */
function waitForStderr(child: ChildProcess, ready: RegExp, what: string): Promise<() => string> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within 120 s:\n${stderr}`)), 120_000);
    child.stderr?.on('data', () => {
      if (ready.test(stderr)) {
        clearTimeout(timer);
        resolve(() => stderr);
      }
    });
  });
}

test('Ctrl-C stops kiln curves through the same AbortSignal: no result, exit 130, no stack trace', async () => {
  const home = tempHome();
  // ten points of five gradient-boosting fits each: minutes of work, interrupted after the first point
  const sizes = '0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1';
  const child = spawnKiln(['curves', '--data', DATA, '--target', 'Survived', '--learner', 'gradient-boosting', '--sizes', sizes, '--home', home]);
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const stderr = await waitForStderr(child, /size curve: 1\/10 points/, 'first point');
  const interruptedAt = performance.now();
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 130, stderr());
  assert.ok(performance.now() - interruptedAt < 60_000, 'it stops without drawing the other nine points');
  assert.doesNotMatch(stderr(), /size curve: 10\/10 points/);
  assert.match(stderr(), /stopping drawing the curves… \(press Ctrl-C again to quit at once\)/);
  assert.match(stderr(), /error \[CANCELLED\]: drawing the curves was cancelled/);
  assert.doesNotMatch(stderr(), /\n\s+at /, 'no stack trace');
  assert.equal(stdout, '', 'no result');
});
