import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { PredictionLogger } from '../../src/serve/prediction-log.js';
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

test('record() returns at once; records are written later, in batches of at most maxBatchSize', async () => {
  const batches: number[] = [];
  const { logger } = capturingLogger();
  const log = new PredictionLogger({ store: { logPredictions: async (r) => void batches.push(r.length) }, logger, maxBatchSize: 3, flushIntervalMs: 10_000 });
  log.record(records(7));
  assert.deepEqual(batches, [], 'nothing is written on the caller\'s path');
  await sleep(20); // a full batch is written without waiting for the (long) interval
  assert.deepEqual(batches, [3, 3, 1]);
  assert.deepEqual(log.stats(), { buffered: 0, written: 7, dropped: 0, failed: 0 });
  await log.close();
});

test('a lone record waits for the flush interval', async () => {
  const written: string[] = [];
  const { logger } = capturingLogger();
  const log = new PredictionLogger({ store: { logPredictions: async (r) => void written.push(...r.map((x) => x.requestId)) }, logger, flushIntervalMs: 60 });
  log.record(records(1));
  await sleep(20);
  assert.deepEqual(written, []);
  await sleep(80);
  assert.deepEqual(written, ['r0']);
  await log.close();
});

test('when the store lags, the buffer stays bounded: the oldest records are dropped, counted and warned about', async () => {
  const hold = gate();
  const written: string[] = [];
  const { logger, lines } = capturingLogger();
  const log = new PredictionLogger({
    store: {
      logPredictions: async (r) => {
        await hold.opened;
        written.push(...r.map((x) => x.requestId));
      },
    },
    logger,
    maxBatchSize: 2,
    maxBuffered: 8,
    flushIntervalMs: 5,
  });
  log.record(records(2)); // taken by a flush that hangs on the store
  await sleep(10);
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
  await sleep(20);
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
