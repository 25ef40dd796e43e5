/**
 * The dynamic batcher, driven by stand-in instances that record every batch they get and answer when
 * the test lets them (no worker threads, no onnxruntime: the scheduling logic alone).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKilnError } from '../../src/core/errors.js';
import type { HostTensor } from '../../src/serve/datatypes.js';
import { DEFAULT_QUEUE_POLICY, type DynamicBatching } from '../../src/serve/model-config.js';
import type { Feeds } from '../../src/serve/scheduler/batch-tensors.js';
import type { InstanceResult, ModelInstance } from '../../src/serve/scheduler/instance.js';
import { Scheduler } from '../../src/serve/scheduler/scheduler.js';
import { ModelStatistics } from '../../src/serve/statistics.js';

/** An instance that doubles `x`, records each batch's rows, and holds every run until released. */
class HeldInstance implements ModelInstance {
  readonly batches: number[][] = [];
  private waiting: (() => void)[] = [];
  hold = true;

  async run(feeds: Feeds): Promise<InstanceResult> {
    const x = feeds['x'] as HostTensor;
    this.batches.push(Array.from(x.data as Float32Array));
    if (this.hold) await new Promise<void>((resolve) => this.waiting.push(resolve));
    const y = Float32Array.from(x.data as Float32Array, (v) => v * 2);
    return { outputs: { y: { datatype: 'FP32', shape: x.shape, data: y } }, computeNs: 1000 };
  }

  release(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w();
  }

  async close(): Promise<void> {}
}

const row = (v: number, rows = 1): Feeds => ({ x: { datatype: 'FP32', shape: [rows, 1], data: Float32Array.from({ length: rows }, (_, i) => v + i) } });
const yOf = (f: Feeds): number[] => Array.from((f['y'] as HostTensor).data as Float32Array);
const batching = (overrides: Partial<DynamicBatching> = {}): DynamicBatching => ({
  preferredBatchSizes: [],
  maxQueueDelayMicroseconds: 0,
  priorityLevels: 0,
  defaultPriorityLevel: 0,
  defaultQueuePolicy: DEFAULT_QUEUE_POLICY,
  ...overrides,
});
const tick = () => new Promise((resolve) => setImmediate(resolve));

test('requests that queue while the instance is busy run as one batch, and each gets its own rows back', async () => {
  const instance = new HeldInstance();
  const statistics = new ModelStatistics();
  const scheduler = new Scheduler({ model: 'm:1', maxBatchSize: 8, batching: batching(), instances: [instance], statistics });
  const first = scheduler.submit({ feeds: row(1), rows: 1 });
  await tick();
  const rest = [10, 20, 30].map((v) => scheduler.submit({ feeds: row(v, 2), rows: 2 }));
  await tick();
  assert.equal(scheduler.queueLength, 3);
  instance.release();
  await tick();
  instance.release();
  assert.deepEqual(yOf(await first), [2]);
  assert.deepEqual((await Promise.all(rest)).map(yOf), [[20, 22], [40, 42], [60, 62]]);
  assert.deepEqual(instance.batches, [[1], [10, 11, 20, 21, 30, 31]], 'the three waiting requests went as one batch of 6 rows');
  assert.equal(statistics.executionCount, 2);
  assert.equal(statistics.inferenceCount, 7);
  assert.deepEqual([...statistics.batches.keys()].sort(), [1, 6]);
});

test('a batch never exceeds max_batch_size; a request larger than it is refused', async () => {
  const instance = new HeldInstance();
  instance.hold = false;
  const scheduler = new Scheduler({ model: 'm:1', maxBatchSize: 4, batching: batching(), instances: [instance], statistics: new ModelStatistics() });
  const answers = await Promise.all([3, 3, 3].map((v) => scheduler.submit({ feeds: row(v, 3), rows: 3 })));
  assert.equal(answers.length, 3);
  assert.ok(instance.batches.every((b) => b.length <= 4), JSON.stringify(instance.batches));
  await assert.rejects(scheduler.submit({ feeds: row(0, 5), rows: 5 }), (err) => isKilnError(err, 'INPUT_SHAPE') && /max_batch_size = 4/.test(err.message));
});

test('without dynamic batching every request runs alone', async () => {
  const instance = new HeldInstance();
  instance.hold = false;
  const scheduler = new Scheduler({ model: 'm:1', maxBatchSize: 8, instances: [instance], statistics: new ModelStatistics() });
  await Promise.all([1, 2, 3].map((v) => scheduler.submit({ feeds: row(v), rows: 1 })));
  assert.deepEqual(instance.batches, [[1], [2], [3]]);
});

test('a full queue refuses with QUEUE_FULL; a request that waits past its timeout is refused and never runs', async () => {
  const instance = new HeldInstance();
  const scheduler = new Scheduler({
    model: 'm:1',
    maxBatchSize: 1,
    batching: batching({ defaultQueuePolicy: { maxQueueSize: 2, defaultTimeoutMicroseconds: 0, allowTimeoutOverride: true } }),
    instances: [instance],
    statistics: new ModelStatistics(),
  });
  const running = scheduler.submit({ feeds: row(1), rows: 1 });
  await tick();
  const timedOut = scheduler.submit({ feeds: row(2), rows: 1, timeoutMicroseconds: 20_000 });
  const queued = scheduler.submit({ feeds: row(3), rows: 1 });
  await assert.rejects(scheduler.submit({ feeds: row(4), rows: 1 }), (err) => isKilnError(err, 'QUEUE_FULL') && err.status === 503);
  await assert.rejects(timedOut, (err) => isKilnError(err, 'REQUEST_TIMEOUT') && err.status === 503 && /20 ms/.test(err.message));
  instance.release();
  await running;
  await tick();
  instance.release();
  assert.deepEqual(yOf(await queued), [6]);
  assert.deepEqual(instance.batches, [[1], [3]], 'the timed-out request never reached the instance');
});

test('priority levels: a waiting level-1 request runs before earlier level-2 ones', async () => {
  const instance = new HeldInstance();
  const scheduler = new Scheduler({
    model: 'm:1',
    maxBatchSize: 1,
    batching: batching({ priorityLevels: 2, defaultPriorityLevel: 2 }),
    instances: [instance],
    statistics: new ModelStatistics(),
  });
  const all = [scheduler.submit({ feeds: row(1), rows: 1 })];
  await tick();
  all.push(scheduler.submit({ feeds: row(2), rows: 1 }), scheduler.submit({ feeds: row(3), rows: 1 }), scheduler.submit({ feeds: row(4), rows: 1, priority: 1 }));
  for (let i = 0; i < 4; i++) {
    await tick();
    instance.release();
  }
  await Promise.all(all);
  assert.deepEqual(instance.batches, [[1], [4], [2], [3]]);
  await assert.rejects(scheduler.submit({ feeds: row(5), rows: 1, priority: 3 }), (err) => isKilnError(err, 'MALFORMED_REQUEST') && /from 1 \(highest\) to 2/.test(err.message));
});

test('with a queue delay the batcher waits for a preferred size, and sends a smaller batch once the delay is over', async () => {
  const instance = new HeldInstance();
  instance.hold = false;
  const scheduler = new Scheduler({
    model: 'm:1',
    maxBatchSize: 8,
    batching: batching({ preferredBatchSizes: [4], maxQueueDelayMicroseconds: 30_000 }),
    instances: [instance],
    statistics: new ModelStatistics(),
  });
  await Promise.all([1, 2, 3, 4].map((v) => scheduler.submit({ feeds: row(v), rows: 1 })));
  assert.deepEqual(instance.batches, [[1, 2, 3, 4]], 'four requests arriving together make one preferred batch');
  await Promise.all([5, 6].map((v) => scheduler.submit({ feeds: row(v), rows: 1 })));
  assert.deepEqual(instance.batches[1], [5, 6], 'after the delay, the two waiting requests go together');
});

test('requests whose shapes differ past the batch dimension are not stacked', async () => {
  const instance = new HeldInstance();
  const scheduler = new Scheduler({ model: 'm:1', maxBatchSize: 8, batching: batching(), instances: [instance], statistics: new ModelStatistics() });
  const wide: Feeds = { x: { datatype: 'FP32', shape: [1, 2], data: Float32Array.from([7, 8]) } };
  const all = [scheduler.submit({ feeds: row(1), rows: 1 })];
  await tick();
  all.push(scheduler.submit({ feeds: wide, rows: 1 }), scheduler.submit({ feeds: row(2), rows: 1 }));
  for (let i = 0; i < 3; i++) {
    await tick();
    instance.release();
  }
  await Promise.all(all);
  assert.deepEqual(instance.batches, [[1], [7, 8], [2]]);
});

test('drain() waits for accepted requests, then refuses new ones', async () => {
  const instance = new HeldInstance();
  const scheduler = new Scheduler({ model: 'm:1', maxBatchSize: 8, batching: batching(), instances: [instance], statistics: new ModelStatistics() });
  const accepted = [scheduler.submit({ feeds: row(1), rows: 1 }), scheduler.submit({ feeds: row(2), rows: 1 })];
  let drained = false;
  const draining = scheduler.drain().then(() => (drained = true));
  await assert.rejects(scheduler.submit({ feeds: row(3), rows: 1 }), (err) => isKilnError(err, 'MODEL_UNAVAILABLE'));
  await tick();
  assert.equal(drained, false);
  instance.release();
  await tick();
  instance.release();
  await draining;
  assert.deepEqual((await Promise.all(accepted)).map(yOf), [[2], [4]]);
});
