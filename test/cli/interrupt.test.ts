/**
 * Ctrl-C during `kiln train` (src/cli/interrupt.ts): the search stops, the run is recorded as failed
 * ("training was cancelled") instead of staying "running" forever, nothing is registered, and the exit
 * code is 130, as a shell reports an interrupted command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
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
