import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKilnError } from '../../src/core/errors.js';
import { WorkerPool, workerEntry } from '../../src/core/worker-pool.js';
import type { TestTask } from './worker-pool.worker.js';

const entry = workerEntry(import.meta.url, './worker-pool.worker');

test('workerEntry keeps the extension of the calling module', () => {
  assert.ok(entry.pathname.endsWith('/test/core/worker-pool.worker.ts'));
  assert.ok(workerEntry('file:///x/dist/a.js', './w').pathname.endsWith('/x/dist/w.js'));
});

test('runs more tasks than workers, transferring typed arrays both ways', async () => {
  const pool = new WorkerPool(entry, 2);
  try {
    const inputs = Array.from({ length: 7 }, (_, k) => Float64Array.from([k, k + 0.5]));
    const results = await Promise.all(
      inputs.map((values) => pool.run<Float64Array>({ op: 'double', values } satisfies TestTask, { transfer: [values.buffer] })),
    );
    results.forEach((r, k) => assert.deepEqual(Array.from(r), [2 * k, 2 * k + 1]));
    // transferred inputs are detached in the caller
    assert.equal(inputs[0]!.length, 0);
  } finally {
    await pool.close();
  }
});

test('start() loads every worker before any task, without calling the task handler', async () => {
  const pool = new WorkerPool(entry, 2);
  try {
    // the handler would throw on a ping's empty payload (task.op of undefined): start() resolving proves it was not called
    await pool.start();
    // both workers exist already: two tasks at once run on two different threads
    const ids = await Promise.all([pool.run<number>({ op: 'thread-id' } satisfies TestTask), pool.run<number>({ op: 'thread-id' } satisfies TestTask)]);
    assert.equal(new Set(ids).size, 2, `thread ids ${ids.join(', ')}`);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(new WorkerPool(entry, 1).start({ signal: controller.signal }), (e: unknown) => isKilnError(e, 'CANCELLED'));
  } finally {
    await pool.close();
  }
});

test('shares a SharedArrayBuffer with every task without copying', async () => {
  const pool = new WorkerPool(entry, 2);
  try {
    const shared = new Float64Array(new SharedArrayBuffer(8 * 1000));
    for (let i = 0; i < shared.length; i++) shared[i] = i;
    const halves = await Promise.all([
      pool.run<number>({ op: 'sum-shared', shared, from: 0, to: 500 } satisfies TestTask),
      pool.run<number>({ op: 'sum-shared', shared, from: 500, to: 1000 } satisfies TestTask),
    ]);
    assert.equal(halves[0]! + halves[1]!, (999 * 1000) / 2);
  } finally {
    await pool.close();
  }
});

test('errors come back as KilnErrors, and the pool keeps working', async () => {
  const pool = new WorkerPool(entry, 1);
  try {
    await assert.rejects(pool.run({ op: 'kiln-error' } satisfies TestTask), (e: unknown) => isKilnError(e, 'TRAINING_FAILED') && /asked to fail/.test(e.message));
    await assert.rejects(pool.run({ op: 'crash' } satisfies TestTask), (e: unknown) => isKilnError(e, 'INTERNAL') && /plain failure/.test(e.message));
    const r = await pool.run<Float64Array>({ op: 'double', values: Float64Array.from([3]) } satisfies TestTask);
    assert.deepEqual(Array.from(r), [6]);
  } finally {
    await pool.close();
  }
});

test('aborting cancels queued and running tasks with CANCELLED', async () => {
  const pool = new WorkerPool(entry, 1);
  try {
    const controller = new AbortController();
    const running = pool.run({ op: 'spin', ms: 60_000 } satisfies TestTask, { signal: controller.signal });
    const queued = pool.run({ op: 'spin', ms: 60_000 } satisfies TestTask, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(running, (e: unknown) => isKilnError(e, 'CANCELLED'));
    await assert.rejects(queued, (e: unknown) => isKilnError(e, 'CANCELLED'));
    // an already-aborted signal is refused at once
    await assert.rejects(pool.run({ op: 'spin', ms: 1 } satisfies TestTask, { signal: controller.signal }), (e: unknown) => isKilnError(e, 'CANCELLED'));
    // the stopped worker is replaced
    const r = await pool.run<string>({ op: 'spin', ms: 1 } satisfies TestTask);
    assert.equal(r, 'finished');
  } finally {
    await pool.close();
  }
});

test('close rejects pending tasks and refuses new ones', async () => {
  const pool = new WorkerPool(entry, 1);
  const pending = assert.rejects(pool.run({ op: 'spin', ms: 60_000 } satisfies TestTask), (e: unknown) => isKilnError(e, 'CANCELLED'));
  await new Promise((r) => setTimeout(r, 20));
  await pool.close();
  await pending;
  await assert.rejects(pool.run({ op: 'spin', ms: 1 } satisfies TestTask), (e: unknown) => isKilnError(e));
  assert.throws(() => new WorkerPool(entry, 0), RangeError);
});
