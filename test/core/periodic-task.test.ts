import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeriodicTask } from '../../src/core/periodic-task.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('passes run on the timer, never overlap, and runNow joins the pass in progress', async () => {
  let active = 0;
  let most = 0;
  let passes = 0;
  let release: (() => void) | undefined;
  const task = new PeriodicTask(
    async () => {
      active++;
      most = Math.max(most, active);
      await new Promise<void>((resolve) => (release = resolve));
      active--;
      return ++passes;
    },
    { intervalMs: 5, firstDelayMs: 0 },
  );
  task.start();
  task.start(); // a second start does nothing
  while (release === undefined) await sleep(1);
  const joined = task.runNow(); // joins the running pass instead of starting another
  release();
  assert.equal(await joined, 1);
  for (let i = 0; i < 3; i++) {
    release = undefined;
    while (release === undefined) await sleep(1);
    (release as () => void)();
  }
  const stopping = task.stop();
  release?.();
  await stopping;
  assert.equal(most, 1, 'never two passes at once');
  assert.ok(passes >= 3);
  const after = passes;
  await sleep(30);
  assert.equal(passes, after, 'no pass after stop()');
});

test('a failing pass is reported, and the timer goes on', async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const task = new PeriodicTask(
    async () => {
      calls++;
      if (calls === 1) throw new Error('store down');
      return calls;
    },
    { intervalMs: 5, firstDelayMs: 0, onError: (err) => errors.push(err) },
  );
  task.start();
  const deadline = Date.now() + 20_000;
  while (calls < 3 && Date.now() < deadline) await sleep(5);
  await task.stop();
  assert.equal((errors[0] as Error).message, 'store down');
  assert.equal(errors.length, 1);
  assert.ok(calls >= 3);
  await assert.rejects(new PeriodicTask(async () => Promise.reject(new Error('now')), { intervalMs: 1000 }).runNow(), /now/);
});
