/**
 * The prediction log's column buffers (src/serve/prediction-log-columns.ts, read back by
 * prediction-log-encode.ts) store exactly what the serving thread stored when it logged each row as a
 * record with JSON texts (the reference below, the code the columns replaced): the same batches, text
 * for text, for numbers, strings, missing values, other JSON values, multi-row requests, failures, user
 * keys, experiments, arms and shadows, client ids, and every answer layout. Also: the buffers cross to
 * another thread moved, not copied; the logger keeps its bounds with them; a store written from this
 * thread gets the same records.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import pino from 'pino';
import { idTime, timeOrderedId } from '../../src/core/time-ordered-id.js';
import { rowInputsJson, rowOutputJsonReader, rowOutputLayout, type DecodedBatch, type ModelOutputs } from '../../src/serve/batch.js';
import type { HostTensor } from '../../src/serve/datatypes.js';
import type { LoadedModel } from '../../src/serve/loaded-model.js';
import { PredictionLogger, type LoggedContext } from '../../src/serve/prediction-log.js';
import { ColumnBuffer, transferablesOf, uuidFromBytes, uuidV7Time, writeUuidBytes, type LoggedColumns } from '../../src/serve/prediction-log-columns.js';
import { columnsToBatches, columnsToRecords } from '../../src/serve/prediction-log-encode.js';
import { WorkerPredictionWriter } from '../../src/serve/prediction-log-writer.js';
import { toPredictionBatches, type EncodedPredictionRecord, type LoggedRecord } from '../../src/store/prediction-batch.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const tensor = (datatype: HostTensor['datatype'], shape: number[], data: HostTensor['data']): HostTensor => ({ datatype, shape, data });
const model = (name: string, version: number, manifest: { task: string; classes?: unknown[] } | undefined, outputs: string[]): LoadedModel =>
  ({ name, version, kind: 'module', manifest, outputs: new Map(outputs.map((n) => [n, {}])) }) as unknown as LoadedModel;

/** One served request: the model, its decoded rows and answers, and what the data plane knows. */
interface Served {
  readonly model: LoadedModel;
  readonly batch: DecodedBatch;
  readonly outputs: ModelOutputs;
  readonly requestId: string;
  readonly timestamp: number;
  readonly latencyMs: number;
  readonly context: LoggedContext;
}
interface Failed {
  readonly failed: true;
  readonly model: string;
  readonly version: number;
  readonly requestId: string;
  readonly timestamp: number;
  readonly latencyMs: number;
  readonly context: LoggedContext;
  readonly error: string;
}

/** The reference: the records the data plane logged before the column buffers (one object and two texts per row). */
function referenceRecords(requests: readonly (Served | Failed)[]): LoggedRecord[] {
  const records: LoggedRecord[] = [];
  for (const r of requests) {
    const { userKey, experiment } = r.context;
    const tags = {
      ...(userKey === undefined ? {} : { userKey }),
      ...(experiment === undefined ? {} : { experiment: experiment.experiment, arm: experiment.arm, ...(experiment.shadow === true ? { shadow: true } : {}) }),
    };
    if ('failed' in r) {
      records.push({ requestId: r.requestId, model: r.model, version: r.version, timestamp: r.timestamp, latencyMs: r.latencyMs, inputs: null, outputs: null, ...tags, error: r.error });
      continue;
    }
    const rowOutputs = rowOutputJsonReader(r.model, r.outputs, r.batch.rows);
    for (let i = 0; i < r.batch.rows; i++) {
      const record: EncodedPredictionRecord = {
        requestId: r.batch.rows === 1 ? r.requestId : `${r.requestId}#${i}`,
        model: r.model.name,
        version: r.model.version,
        timestamp: r.timestamp,
        latencyMs: r.latencyMs,
        inputsJson: rowInputsJson(r.batch, i),
        outputsJson: rowOutputs(i),
        ...tags,
      };
      records.push(record);
    }
  }
  return records;
}

/** The same requests through column buffers, one per model version and experiment (as the logger keeps them). */
function columnsOf(requests: readonly (Served | Failed)[]): LoggedColumns[] {
  const buffers: ColumnBuffer[] = [];
  const bufferOf = (name: string, version: number, experiment: string | null): ColumnBuffer => {
    let buffer = buffers.find((b) => b.holds(name, version, experiment));
    if (buffer === undefined) buffers.push((buffer = new ColumnBuffer(name, version, experiment)));
    return buffer;
  };
  for (const r of requests) {
    const { userKey, experiment } = r.context;
    const tags = { userKey, arm: experiment?.arm, shadow: experiment?.shadow };
    if ('failed' in r) {
      bufferOf(r.model, r.version, experiment?.experiment ?? null).appendFailure(r.requestId, r.timestamp, r.latencyMs, tags, r.error);
      continue;
    }
    const layout = rowOutputLayout(r.model, r.outputs, r.batch.rows);
    assert.ok(layout !== undefined);
    bufferOf(r.model.name, r.model.version, experiment?.experiment ?? null).appendServed(r.batch, r.outputs, layout, r.requestId, r.timestamp, r.latencyMs, tags);
  }
  return buffers.map((b) => b.seal());
}

const T0 = 1_800_000_000_000;
const titanic = model('titanic', 1, { task: 'binary', classes: [0, 1] }, ['label', 'probabilities']);
const titanic2 = model('titanic', 2, { task: 'binary', classes: [0, 1] }, ['label', 'probabilities']);

function titanicRequest(ages: unknown[], sexes: unknown[], at: number, overrides: Partial<Served> = {}): Served {
  const rows = ages.length;
  const probabilities = new Float32Array(rows * 2);
  for (let i = 0; i < rows; i++) probabilities.set([0.1 + i / 10, 0.9 - i / 10], 2 * i);
  return {
    model: titanic,
    batch: {
      rows,
      columns: new Map([
        ['Age', { tensor: tensor('FP32', [rows, 1], new Float32Array(rows)), values: ages }],
        ['Sex', { tensor: tensor('BYTES', [rows, 1], sexes.map(String)), values: sexes }],
      ]),
    },
    outputs: { label: tensor('INT64', [rows], BigInt64Array.from(ages, (_, i) => BigInt(i % 2))), probabilities: tensor('FP32', [rows, 2], probabilities) },
    requestId: timeOrderedId(at),
    timestamp: at + 1,
    latencyMs: 0.123456 + at % 7,
    context: {},
    ...overrides,
  };
}

/** A mix of everything the log sees. */
function mixedRequests(): (Served | Failed)[] {
  const failure = (at: number, context: LoggedContext, error: string, version = 1, name = 'titanic'): Failed => ({ failed: true, model: name, version, requestId: timeOrderedId(at), timestamp: at + 2, latencyMs: 0.5, context, error });
  const routed = { experiment: 'exp-1', arm: 'champion' as const };
  return [
    titanicRequest([22], ['female'], T0),
    titanicRequest([22.5, null, Number.NaN, -0, 1e21], ['male', null, 'female', 'Zoë "\n\u2028', undefined], T0 + 1), // five rows: ids get #i
    failure(T0 + 2, {}, 'INPUT_DATA'),
    titanicRequest([40], [true], T0 + 3, { context: { userKey: 'user-7' }, requestId: 'client-id-1' }), // a client's own id, a boolean value
    titanicRequest([[1, 2]], [{ nested: [1, 'a'] }], T0 + 4, { context: { userKey: 'user-7' } }), // JSON values that are not strings or numbers
    titanicRequest([30], ['male'], T0 + 5, { context: { experiment: routed, userKey: 'u1' } }),
    titanicRequest([31], ['male'], T0 + 6, { model: titanic2, context: { experiment: { experiment: 'exp-1', arm: 'challenger', shadow: true }, userKey: 'u1' } }),
    failure(T0 + 7, { experiment: { experiment: 'exp-1', arm: 'challenger' }, userKey: 'u2' }, 'MODEL_NOT_READY', 2),
    titanicRequest([5], ['female'], T0 + 8, { requestId: timeOrderedId(T0 + 8).toUpperCase() }), // a UUID, but not in canonical (lower-case) text
    failure(T0 + 9, { userKey: 'u3' }, 'MODEL_NOT_READY', 4, 'ghost'), // a buffer of failures only: no inputs, no layout
  ];
}

const batchesOf = (columns: readonly LoggedColumns[]) => columns.flatMap((c) => columnsToBatches(c));

test('a UUID in canonical text is 16 bytes that read back as the same text; any other id is refused', () => {
  const bytes = new Uint8Array(32);
  for (const id of [timeOrderedId(), timeOrderedId(0), '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-7fff-bfff-ffffffffffff']) {
    assert.equal(writeUuidBytes(id, bytes, 16), true, id);
    assert.equal(uuidFromBytes(bytes, 16), id);
    assert.equal(uuidV7Time(bytes, 16), idTime(id) ?? NaN, `the time of ${id}`);
  }
  writeUuidBytes('0b5c6d1e-2f3a-4b5c-8d9e-000000000001', bytes, 16);
  assert.equal(uuidV7Time(bytes, 16), NaN, 'a UUID of another version carries no time');
  for (const id of ['req-1', timeOrderedId().toUpperCase(), '0193a6f2-7c41-7abc-9def-1234000000a', '0193a6f2-7c41-7abc-9def-1234000000a5x', '0193a6f2_7c41-7abc-9def-1234000000a5', '0193a6f2-7c41-7abc-9def-1234000000aĀ', '0193a6f2-7c41-7abc-9def-1234000000ag']) {
    assert.equal(writeUuidBytes(id, bytes, 0), false, id);
  }
});

test('the stored batches are those of the record path, text for text, for every kind of value, request and tag', () => {
  const requests = mixedRequests();
  const expected = toPredictionBatches(referenceRecords(requests));
  const actual = batchesOf(columnsOf(requests));
  assert.deepEqual(actual, expected);
  // and the mix did reach the payloads
  const all = expected.map((b) => b.payload).join('\n');
  for (const piece of ['"userKey"', '"arm"', '"shadow"', '"error"', 'Zo', '1e+21', '{"nested":[1,"a"]}', 'true', '"Age":null']) assert.ok(all.includes(piece), piece);
  assert.ok(expected.some((b) => JSON.parse(b.requestIds).some((id: string) => id.endsWith('#4'))), 'a multi-row request logs id#i');
});

test('read back as records, the buffers give the record path\'s records', () => {
  const requests = mixedRequests();
  const reference = referenceRecords(requests);
  const records = columnsOf(requests).flatMap(columnsToRecords);
  // grouped by model version and experiment, in order within a group: compare as toPredictionBatches would store them
  assert.deepEqual(toPredictionBatches(records), toPredictionBatches(reference));
  const failure = records.find((r) => r.error === 'INPUT_DATA');
  assert.deepEqual(failure && [failure.inputsJson, failure.outputsJson], ['null', 'null']);
});

test('regression and other answers (lists, booleans, several outputs) are written as rowOutputJsonReader writes them', () => {
  const house = model('house', 3, { task: 'regression' }, ['prediction']);
  const raw = model('raw', 1, undefined, ['y', 'flag', 'wide']);
  const multi = model('multi', 1, { task: 'multiclass', classes: [2, 0, 'a"b'] }, ['label', 'probabilities']);
  const column = (values: unknown[]) => ({ tensor: tensor('FP32', [values.length, 1], new Float32Array(values.length)), values });
  const requests: Served[] = [
    { model: house, batch: { rows: 2, columns: new Map([['x', column([1, 2])]]) }, outputs: { prediction: tensor('FP64', [2], new Float64Array([1.5, Number.POSITIVE_INFINITY])) }, requestId: 'h', timestamp: T0, latencyMs: 1, context: {} },
    {
      model: raw,
      batch: { rows: 2, columns: new Map([['x', column([3, 4])]]) },
      outputs: { y: tensor('FP32', [2, 1], new Float32Array([1, 2.5])), flag: tensor('BOOL', [2], new Uint8Array([1, 0])), wide: tensor('INT32', [2, 3], new Int32Array([1, 2, 3, 4, 5, 6])) },
      requestId: 'r',
      timestamp: T0,
      latencyMs: 1,
      context: {},
    },
    {
      model: multi,
      batch: { rows: 1, columns: new Map([['x', column([5])]]) },
      outputs: { label: tensor('BYTES', [1], ['a"b']), probabilities: tensor('FP32', [1, 3], new Float32Array([0.1, 0.2, 0.7])) },
      requestId: 'm',
      timestamp: T0,
      latencyMs: 1,
      context: {},
    },
  ];
  assert.deepEqual(batchesOf(columnsOf(requests)), toPredictionBatches(referenceRecords(requests)));
});

test('a long group is cut into batches as toPredictionBatches cuts it (1000 records, 10 s)', () => {
  const requests = Array.from({ length: 2300 }, (_, i) => titanicRequest([i], ['male'], T0 + (i < 2100 ? i : 20_000 + i)));
  const batches = batchesOf(columnsOf(requests));
  assert.deepEqual(batches.map((b) => b.records), [1000, 1000, 100, 200]);
  assert.deepEqual(batches, toPredictionBatches(referenceRecords(requests)));
});

test('the buffers cross to another thread moved, not copied, and read back the same there', () => {
  const requests = mixedRequests();
  const expected = toPredictionBatches(referenceRecords(requests));
  const columns = columnsOf(requests);
  const { port1, port2 } = new MessageChannel();
  try {
    port1.postMessage({ columns }, columns.flatMap(transferablesOf));
    assert.ok(columns.every((c) => c.numbers.byteLength === 0 && c.timestamps.byteLength === 0), 'the sender\'s arrays are detached');
    const received = receiveMessageOnPort(port2)?.message as { columns: LoggedColumns[] };
    assert.deepEqual(batchesOf(received.columns), expected);
  } finally {
    port1.close();
    port2.close();
  }
});

const quiet = pino({ level: 'silent' });

test('the logger hands its buffers to a column writer, or reads them back as records for a store on this thread', async () => {
  const request = titanicRequest([22, 23], ['female', 'male'], T0);
  const written: LoggedColumns[] = [];
  const toWriter = new PredictionLogger({ store: { logPredictions: async () => assert.fail('the writer takes columns'), writeColumns: async (columns) => void written.push(...columns) }, logger: quiet, flushIntervalMs: 60_000 });
  const records: LoggedRecord[] = [];
  const toStore = new PredictionLogger({ store: { logPredictions: async (r) => void records.push(...r) }, logger: quiet, flushIntervalMs: 60_000 });
  for (const log of [toWriter, toStore]) {
    log.served(request.model, request.batch, request.outputs, request.requestId, 2, {});
    log.failed({ model: 'titanic', version: 1, requestId: 'bad', latencyMs: 1, error: 'INPUT_DATA' });
    assert.equal(log.stats().buffered, 3);
    await log.close();
    assert.equal(log.stats().written, 3);
    // once closed, requests are counted as dropped, not buffered
    log.served(request.model, request.batch, request.outputs, 'late', 1, {});
    log.failed({ model: 'titanic', version: 1, requestId: 'late-failure', latencyMs: 1, error: 'INTERNAL' });
    assert.deepEqual([log.stats().buffered, log.stats().dropped], [0, 3]);
  }
  assert.equal(written.length, 1);
  assert.deepEqual(batchesOf(written).map((b) => JSON.parse(b.requestIds)), [[`${request.requestId}#0`, `${request.requestId}#1`, 'bad']]);
  assert.deepEqual(records.map((r) => r.requestId), [`${request.requestId}#0`, `${request.requestId}#1`, 'bad']);
  // the same payloads but for the timestamps (each logger read its own clock)
  const untimed = (payload: string) => ({ ...(JSON.parse(payload) as object), timestamp: null });
  assert.deepEqual(toPredictionBatches(records).map((b) => untimed(b.payload)), batchesOf(written).map((b) => untimed(b.payload)));
});

test('when the store lags, the column buffers stay bounded too: the oldest requests go, the newest are written', async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let flushing = false;
  const written: string[] = [];
  const log = new PredictionLogger({
    store: {
      logPredictions: async () => undefined,
      writeColumns: async (columns) => {
        flushing = true;
        await held;
        written.push(...batchesOf(columns).flatMap((b) => JSON.parse(b.requestIds) as string[]));
      },
    },
    logger: quiet,
    maxBatchSize: 10,
    maxBuffered: 40,
    flushIntervalMs: 5,
  });
  const ids: string[] = [];
  const serve = (i: number) => {
    const r = titanicRequest([i], ['male'], T0 + i, { requestId: `r${i}` });
    ids.push(r.requestId);
    log.served(r.model, r.batch, r.outputs, r.requestId, 1, {});
  };
  for (let i = 0; i < 10; i++) serve(i);
  // a flush takes these and hangs on the store: polled for, not slept on (a busy machine's timers lag; the
  // logger's own timer does not keep the process alive, so a bare promise could not be awaited either)
  const deadline = Date.now() + 20_000;
  while (!flushing && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(flushing, 'a flush started');
  for (let i = 10; i < 110; i++) serve(i);
  const { buffered, dropped } = log.stats();
  assert.ok(buffered <= 40, `buffered ${buffered}`);
  assert.equal(buffered + dropped, 100);
  release();
  await log.close();
  assert.equal(written.length + log.stats().dropped, 110);
  assert.equal(written.at(-1), 'r109', 'the newest requests are the ones kept');
  assert.deepEqual(written, ids.filter((id) => written.includes(id)), 'in order');
});

test('rows of another layout for the same model version close the open buffer and start another; all are written, in order', async () => {
  const binary = titanicRequest([1], ['male'], T0);
  const widened = model('titanic', 1, { task: 'multiclass', classes: [0, 1, 2] }, ['label', 'probabilities']);
  const three: Served = { ...binary, model: widened, requestId: 'three', outputs: { label: tensor('INT64', [1], new BigInt64Array([2n])), probabilities: tensor('FP32', [1, 3], new Float32Array([0.2, 0.3, 0.5])) } };
  const columns: LoggedColumns[] = [];
  const log = new PredictionLogger({ store: { logPredictions: async () => undefined, writeColumns: async (c) => void columns.push(...c) }, logger: quiet, flushIntervalMs: 60_000 });
  for (const r of [binary, three, binary]) log.served(r.model, r.batch, r.outputs, r.requestId, 1, {});
  await log.close();
  assert.deepEqual(columns.map((c) => [c.requests, c.outputs?.width]), [[1, 3], [1, 4], [1, 3]]);
  const outputs = batchesOf(columns).flatMap((b) => (JSON.parse(b.payload) as { outputs: { probabilities: object }[] }).outputs.map((o) => Object.keys(o.probabilities).length));
  assert.deepEqual(outputs, [2, 3, 2]);
});

test('through the writer thread into SQLite, the log holds what was served', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-log-columns-'));
  const url = join(dir, 'kiln.db');
  const store = SqliteStore.open(url);
  const writer = await WorkerPredictionWriter.start(url);
  try {
    const log = new PredictionLogger({ store: writer, logger: quiet, flushIntervalMs: 5 });
    const now = Date.now();
    const requests = [titanicRequest([22], ['female'], now), titanicRequest([null, 3], ['male', null], now, { context: { userKey: 'u' } })];
    for (const r of requests) log.served(r.model, r.batch, r.outputs, r.requestId, 1.5, r.context);
    log.failed({ model: 'titanic', version: 1, requestId: 'failed-1', latencyMs: 0.25, error: 'INPUT_DATA' });
    await log.close();
    assert.equal(log.stats().written, 4);
    const stored = await store.listPredictions({ model: 'titanic' });
    const byId = new Map(stored.map((r) => [r.requestId, r]));
    assert.deepEqual(byId.get(requests[0]!.requestId)?.inputs, { Age: 22, Sex: 'female' });
    assert.deepEqual(byId.get(`${requests[1]!.requestId}#1`)?.inputs, { Age: 3, Sex: null });
    assert.equal(byId.get(`${requests[1]!.requestId}#0`)?.userKey, 'u');
    assert.deepEqual((byId.get(requests[0]!.requestId)?.outputs as { probabilities: unknown }).probabilities, { 0: Math.fround(0.1), 1: Math.fround(0.9) });
    assert.equal(byId.get('failed-1')?.error, 'INPUT_DATA');
  } finally {
    await writer.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
