import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { isKilnError } from '../../src/core/errors.js';
import { PredictionLogger, requestIdFraction } from '../../src/serve/prediction-log.js';
import type { PredictionRecord } from '../../src/store/store.js';
import { gate } from './harness.js';

function records(n: number, from = 0): PredictionRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    requestId: `r${from + i}`,
    model: 'm',
    version: 1,
    timestamp: 0,
    latencyMs: 1,
    inputs: { x: from + i },
    outputs: { prediction: 0 },
  }));
}

/** A pino logger whose lines are kept in `lines`. */
function capturingLogger(): { logger: pino.Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits until `done()` holds (polling), so that a loaded machine's slow timers do not fail a test. */
async function eventually(done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(5);
}

test('record() returns at once; records are written later, in batches of at most maxBatchSize', async () => {
  const batches: number[] = [];
  const { logger } = capturingLogger();
  const log = new PredictionLogger({ store: { logPredictions: async (r) => void batches.push(r.length) }, logger, maxBatchSize: 3, flushIntervalMs: 10_000 });
  log.record(records(7));
  assert.deepEqual(batches, [], 'nothing is written on the caller\'s path');
  await eventually(() => batches.length === 3); // a full batch is written without waiting for the (long) interval
  assert.deepEqual(batches, [3, 3, 1]);
  assert.deepEqual(log.stats(), { buffered: 0, written: 7, dropped: 0, failed: 0, sampledOut: 0 });
  await log.close();
});

test('a lone record waits for the flush interval', async () => {
  const written: string[] = [];
  const { logger } = capturingLogger();
  const log = new PredictionLogger({ store: { logPredictions: async (r) => void written.push(...r.map((x) => x.requestId)) }, logger, flushIntervalMs: 300 });
  const recorded = Date.now();
  log.record(records(1));
  await sleep(20);
  assert.deepEqual(written, []);
  await eventually(() => written.length > 0);
  assert.deepEqual(written, ['r0']);
  assert.ok(Date.now() - recorded >= 290, 'written after the interval, not before');
  await log.close();
});

test('when the store lags, the buffer stays bounded: the oldest records are dropped, counted and warned about', async () => {
  const hold = gate();
  let flushing = false;
  const written: string[] = [];
  const { logger, lines } = capturingLogger();
  const log = new PredictionLogger({
    store: {
      logPredictions: async (r) => {
        flushing = true;
        await hold.opened;
        written.push(...r.map((x) => x.requestId));
      },
    },
    logger,
    maxBatchSize: 2,
    maxBuffered: 8,
    flushIntervalMs: 5,
  });
  log.record(records(2));
  // taken by a flush that hangs on the store: polled for (the logger's timer does not keep the process
  // alive, so awaiting a bare promise here would end the test), not slept on (a busy machine's timers lag)
  await eventually(() => flushing);
  assert.ok(flushing, 'a flush started');
  for (let i = 0; i < 10; i++) log.record(records(2, 2 + 2 * i)); // 20 more while the store hangs
  const { buffered, dropped } = log.stats();
  assert.ok(buffered <= 8, `buffered ${buffered}`);
  assert.equal(buffered + dropped, 20);
  assert.ok(lines.some((l) => l.level === 40 && /not keeping up/.test(l.msg)));
  hold.open();
  await log.close();
  assert.equal(written.length + log.stats().dropped, 22);
  assert.equal(written.at(-1), 'r21', 'the newest records are the ones kept');
});

test('a store error is logged and the batch dropped; later records are still written; nothing throws', async () => {
  let fail = true;
  const written: string[] = [];
  const { logger, lines } = capturingLogger();
  const log = new PredictionLogger({
    store: {
      logPredictions: async (r) => {
        if (fail) throw new Error('disk full');
        written.push(...r.map((x) => x.requestId));
      },
    },
    logger,
    flushIntervalMs: 5,
  });
  log.record(records(3));
  await eventually(() => log.stats().failed === 3);
  assert.equal(log.stats().failed, 3);
  assert.ok(lines.some((l) => l.level === 50 && /could not write prediction records/.test(l.msg)));
  fail = false;
  log.record(records(1, 3));
  await log.flush();
  assert.deepEqual(written, ['r3']);
  await log.close();
});

test('close() writes what is left and refuses later records', async () => {
  const written: string[] = [];
  const { logger } = capturingLogger();
  const log = new PredictionLogger({ store: { logPredictions: async (r) => void written.push(...r.map((x) => x.requestId)) }, logger, flushIntervalMs: 60_000 });
  log.record(records(2));
  await log.close();
  assert.deepEqual(written, ['r0', 'r1']);
  log.record(records(1, 2));
  await log.flush();
  assert.deepEqual(written, ['r0', 'r1']);
  assert.equal(log.stats().dropped, 1);
});

test('sampling: a request id is in or out by its hash alone, at about the rate asked', () => {
  const { logger } = capturingLogger();
  const store = { logPredictions: async () => undefined };
  const ids = Array.from({ length: 20_000 }, (_, i) => `request-${i}`);
  const quarter = new PredictionLogger({ store, logger, sampleRate: 0.25 });
  const kept = ids.filter((id) => quarter.sampled(id));
  assert.ok(Math.abs(kept.length / ids.length - 0.25) < 0.02, `kept ${kept.length} of ${ids.length}`);
  assert.equal(quarter.stats().sampledOut, ids.length - kept.length);
  // the same id gets the same answer from another logger (another replica) with the same rate
  const replica = new PredictionLogger({ store, logger, sampleRate: 0.25 });
  assert.deepEqual(ids.filter((id) => replica.sampled(id)), kept);
  // a higher rate keeps everything a lower one kept
  const half = new PredictionLogger({ store, logger, sampleRate: 0.5 });
  assert.ok(kept.every((id) => half.sampled(id)));
  assert.equal(ids.filter((id) => new PredictionLogger({ store, logger, sampleRate: 0 }).sampled(id)).length, 0);
  assert.equal(ids.filter((id) => new PredictionLogger({ store, logger }).sampled(id)).length, ids.length);
  assert.ok(requestIdFraction('a') >= 0 && requestIdFraction('a') < 1 && requestIdFraction('a') !== requestIdFraction('b'));
});

test('sampling: ids that differ only in their last characters (counters) are spread evenly too', () => {
  const families = [
    Array.from({ length: 2000 }, (_, i) => `req-${i}`),
    Array.from({ length: 2000 }, (_, i) => `0b5c6d1e-2f3a-4b5c-8d9e-${i.toString(16).padStart(12, '0')}`), // the server's own ids
  ];
  for (const ids of families) {
    for (const rate of [0.1, 0.5]) {
      const share = ids.filter((id) => requestIdFraction(id) < rate).length / ids.length;
      assert.ok(Math.abs(share - rate) < 0.035, `${ids[0]}…: ${share} at rate ${rate}`);
    }
  }
});

test('a sample rate outside 0..1 is refused with a coded error', () => {
  const { logger } = capturingLogger();
  for (const sampleRate of [-0.1, 1.5, NaN]) {
    assert.throws(() => new PredictionLogger({ store: { logPredictions: async () => undefined }, logger, sampleRate }), (err: unknown) => isKilnError(err, 'INVALID_PARAMS') && /sampleRate/.test(err.message));
  }
});
