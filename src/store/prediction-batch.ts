/**
 * How the prediction log is stored: not one database row per served prediction, but one row per batch
 * of predictions of one model version (and experiment), its records kept column by column in one JSON
 * text.
 *
 * Why: with a row per prediction, writing the log cost about as much CPU as answering the request (two
 * JSON texts per row, an insert into a table with five indexes), and serving throughput fell by 15% with
 * logging on. A batch row costs one insert and one JSON text for up to a thousand predictions; the
 * only per-prediction index left is the request-id lookup that feedback needs (prediction_requests).
 * Reading is no worse: monitoring always decoded every record's JSON, and a time window maps onto the
 * batches whose time span overlaps it.
 *
 * Finding a record by request id (feedback) needs no per-prediction index either when the id is
 * time-ordered (src/core/time-ordered-id.ts, what the server makes): a record logged within
 * FINDABLE_WITHIN_MS of its id's time lies in a batch whose latest timestamp is within a short range of
 * that time, and whose [min, max] request-id range (kept per batch) covers the id. Only other ids — a
 * caller's own `x-request-id`, or a record logged long after its id was made — go into the per-prediction
 * lookup table `prediction_requests`.
 *
 * The payload is columnar — `{"timestamp": [...], "latencyMs": [...], "inputs": [...], ...}` — so the
 * field names are written once per batch, not once per record; the request ids have a column of their own. Optional fields (userKey, arm, shadow, error) are left
 * out when no record in the batch has them.
 */
import { KilnError } from '../core/errors.js';
import { idTime } from '../core/time-ordered-id.js';
import type { ExperimentArm, PredictionRecord } from './store.js';

/** Records per stored batch at most: a long flush is split so a window read decodes little it does not need. */
export const MAX_BATCH_RECORDS = 1000;
/** A record is found by its time-ordered request id when logged at most this long after the id was made. */
export const FINDABLE_WITHIN_MS = 10_000;
/** The longest time one batch spans (its first to its last record); a longer group is cut. */
export const MAX_BATCH_SPAN_MS = 10_000;

/**
 * A record whose inputs and outputs are already JSON text: what the serving path's column buffers read
 * back as when the store is written from the serving thread (src/serve/prediction-log-encode.ts); the
 * batch's payload joins the texts. (With the writer thread, the buffers become batches without records:
 * encodeColumns.)
 */
export interface EncodedPredictionRecord extends Omit<PredictionRecord, 'inputs' | 'outputs'> {
  /** JSON text of the inputs object, as `JSON.stringify(inputs)` would write it. */
  readonly inputsJson: string;
  readonly outputsJson: string;
}

/** What the log takes: records with their inputs and outputs as values or as JSON text. */
export type LoggedRecord = PredictionRecord | EncodedPredictionRecord;

const isEncoded = (record: LoggedRecord): record is EncodedPredictionRecord => 'inputsJson' in record;

/** One batch ready to be written: what the batch row's columns hold, and its payload. */
export interface PredictionBatch {
  readonly model: string;
  readonly version: number;
  /** The A/B experiment that routed every record of the batch, or null. */
  readonly experiment: string | null;
  /** The earliest and latest record timestamps (epoch ms): a time window selects batches by these. */
  readonly firstTimestamp: number;
  readonly lastTimestamp: number;
  readonly records: number;
  /** Every record's request id, in record order, as a JSON array: a column of its own so that a lookup reads it without the payload. */
  readonly requestIds: string;
  /** The least and greatest of the request ids found by their time (null when there is none). */
  readonly minFindableId: string | null;
  readonly maxFindableId: string | null;
  /** The distinct request ids that are not found by their time: they go into the lookup table. */
  readonly indexedRequestIds: readonly string[];
  /** The records without their request ids, columnar JSON (see the file comment). */
  readonly payload: string;
}

/** The columns of a payload; optional ones are absent when no record has them. */
interface BatchColumns {
  timestamp: number[];
  latencyMs: number[];
  inputs: unknown[];
  outputs: unknown[];
  userKey?: (string | null)[];
  arm?: (ExperimentArm | null)[];
  shadow?: (0 | 1)[];
  error?: (string | null)[];
}

/**
 * Groups records into batches by model, version and experiment (keeping their order within a group) and
 * cuts each group into batches of at most `maxRecords` records spanning at most MAX_BATCH_SPAN_MS.
 */
export function toPredictionBatches(records: readonly LoggedRecord[], maxRecords = MAX_BATCH_RECORDS): PredictionBatch[] {
  const groups = new Map<string, LoggedRecord[]>();
  let lastKey = '';
  let last: LoggedRecord[] | undefined;
  for (const record of records) {
    const key = `${record.version}\u0000${record.experiment ?? ''}\u0000${record.model}`;
    if (key !== lastKey || last === undefined) {
      // consecutive records mostly share a group: skip the map lookup for them
      lastKey = key;
      last = groups.get(key);
      if (last === undefined) groups.set(key, (last = []));
    }
    last.push(record);
  }
  const batches: PredictionBatch[] = [];
  for (const group of groups.values()) {
    const timestamps = group.map((r) => r.timestamp);
    for (const [start, end] of batchCuts(timestamps, maxRecords)) batches.push(encodeBatch(group.slice(start, end)));
  }
  return batches;
}

/**
 * Where one group's records (in logging order) are cut into batches: `[start, end)` ranges of at most
 * `maxRecords` records whose timestamps lie within MAX_BATCH_SPAN_MS of the range's first.
 */
export function batchCuts(timestamps: ArrayLike<number>, maxRecords = MAX_BATCH_RECORDS): [number, number][] {
  const cuts: [number, number][] = [];
  let start = 0;
  while (start < timestamps.length) {
    const first = timestamps[start] as number;
    let end = start + 1;
    const limit = Math.min(timestamps.length, start + maxRecords);
    while (end < limit && Math.abs((timestamps[end] as number) - first) <= MAX_BATCH_SPAN_MS) end++;
    cuts.push([start, end]);
    start = end;
  }
  return cuts;
}

/**
 * One group's records as columns, what a batch is encoded from: the serving path's writer thread builds
 * these straight from its column buffers (src/serve/prediction-log-columns.ts), without record objects.
 * Optional columns are absent when no record has a value there.
 */
export interface RecordColumns {
  readonly model: string;
  readonly version: number;
  readonly experiment: string | null;
  readonly requestIds: readonly string[];
  /**
   * When each request id was made (epoch ms; NaN for an id that is not time-ordered), when the caller
   * knows it already (the column buffers keep server ids as bytes); else read from the ids (idTime).
   */
  readonly idTimes?: readonly number[];
  readonly timestamps: readonly number[];
  readonly latenciesMs: readonly number[];
  /** Each record's inputs and outputs as JSON text (`null` when there are none). */
  readonly inputsJson: readonly string[];
  readonly outputsJson: readonly string[];
  readonly userKey?: readonly (string | null)[];
  readonly arm?: readonly (ExperimentArm | null)[];
  readonly shadow?: readonly (0 | 1)[];
  readonly error?: readonly (string | null)[];
}

/**
 * One group's records (same model, version and experiment) as one batch, whatever their number and
 * span: what a stored batch is rewritten as when retention removes its older records.
 */
export function encodeBatch(records: readonly LoggedRecord[]): PredictionBatch {
  const first = records[0];
  if (first === undefined) throw new Error('a prediction batch needs at least one record');
  const n = records.length;
  const requestIds = new Array<string>(n);
  const timestamps = new Array<number>(n);
  const latencies = new Array<number>(n);
  // each record's inputs and outputs as JSON text: joined into the payload rather than stringified as one
  // object, so that records that arrive as text cost no parse and no objects
  const inputs = new Array<string>(n);
  const outputs = new Array<string>(n);
  let userKey: (string | null)[] | undefined;
  let arm: (ExperimentArm | null)[] | undefined;
  let shadow: (0 | 1)[] | undefined;
  let error: (string | null)[] | undefined;
  for (let i = 0; i < n; i++) {
    const r = records[i] as LoggedRecord;
    requestIds[i] = r.requestId;
    timestamps[i] = r.timestamp;
    latencies[i] = r.latencyMs;
    if (isEncoded(r)) {
      inputs[i] = r.inputsJson;
      outputs[i] = r.outputsJson;
    } else {
      inputs[i] = JSON.stringify(r.inputs ?? null);
      outputs[i] = JSON.stringify(r.outputs ?? null);
    }
    if (r.userKey !== undefined) (userKey ??= new Array<string | null>(n).fill(null))[i] = r.userKey;
    if (r.arm !== undefined) (arm ??= new Array<ExperimentArm | null>(n).fill(null))[i] = r.arm;
    if (r.shadow === true) (shadow ??= new Array<0 | 1>(n).fill(0))[i] = 1;
    if (r.error !== undefined) (error ??= new Array<string | null>(n).fill(null))[i] = r.error;
  }
  return encodeColumns({
    model: first.model,
    version: first.version,
    experiment: first.experiment ?? null,
    requestIds,
    timestamps,
    latenciesMs: latencies,
    inputsJson: inputs,
    outputsJson: outputs,
    ...(userKey === undefined ? {} : { userKey }),
    ...(arm === undefined ? {} : { arm }),
    ...(shadow === undefined ? {} : { shadow }),
    ...(error === undefined ? {} : { error }),
  });
}

/** One group's records, given column by column, as one batch (the one place that writes the payload). */
export function encodeColumns(columns: RecordColumns): PredictionBatch {
  const n = columns.requestIds.length;
  if (n === 0) throw new Error('a prediction batch needs at least one record');
  const { requestIds, timestamps } = columns;
  let minFindableId: string | null = null;
  let maxFindableId: string | null = null;
  const indexed = new Set<string>();
  let firstTimestamp = timestamps[0] as number;
  let lastTimestamp = firstTimestamp;
  const latencies = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const requestId = requestIds[i] as string;
    const timestamp = timestamps[i] as number;
    const madeAt = columns.idTimes === undefined ? idTime(requestId) : columns.idTimes[i];
    if (madeAt !== undefined && timestamp >= madeAt && timestamp - madeAt <= FINDABLE_WITHIN_MS) {
      if (minFindableId === null || requestId < minFindableId) minFindableId = requestId;
      if (maxFindableId === null || requestId > maxFindableId) maxFindableId = requestId;
    } else {
      indexed.add(requestId);
    }
    if (timestamp < firstTimestamp) firstTimestamp = timestamp;
    if (timestamp > lastTimestamp) lastTimestamp = timestamp;
    latencies[i] = Math.round((columns.latenciesMs[i] as number) * 1000) / 1000; // to the microsecond: shorter to write and read, and no coarser than it is measured
  }
  // the payload's columns (BatchColumns), written by hand around the joined texts
  let payload = `{"timestamp":${JSON.stringify(timestamps)},"latencyMs":${JSON.stringify(latencies)},"inputs":[${columns.inputsJson.join(',')}],"outputs":[${columns.outputsJson.join(',')}]`;
  if (columns.userKey !== undefined) payload += `,"userKey":${JSON.stringify(columns.userKey)}`;
  if (columns.arm !== undefined) payload += `,"arm":${JSON.stringify(columns.arm)}`;
  if (columns.shadow !== undefined) payload += `,"shadow":${JSON.stringify(columns.shadow)}`;
  if (columns.error !== undefined) payload += `,"error":${JSON.stringify(columns.error)}`;
  payload += '}';
  return {
    model: columns.model,
    version: columns.version,
    experiment: columns.experiment,
    firstTimestamp,
    lastTimestamp,
    records: n,
    requestIds: JSON.stringify(requestIds),
    minFindableId,
    maxFindableId,
    indexedRequestIds: [...indexed],
    payload,
  };
}

/** A stored batch row, as the store reads it back. */
export interface StoredBatch {
  readonly model: string;
  readonly version: number;
  readonly experiment: string | null;
  /** JSON array of the records' request ids, in record order. */
  readonly request_ids: string;
  readonly payload: string;
}

/** The records of a stored batch, in the order they were logged. */
export function decodeBatch(batch: StoredBatch): PredictionRecord[] {
  let columns: BatchColumns;
  let requestIds: string[];
  try {
    columns = JSON.parse(batch.payload) as BatchColumns;
    requestIds = JSON.parse(batch.request_ids) as string[];
  } catch (err) {
    throw new KilnError('STORE_CORRUPT', { what: `a prediction log batch of ${batch.model} v${batch.version}`, reason: (err as Error).message });
  }
  const n = requestIds.length;
  const records = new Array<PredictionRecord>(n);
  for (let i = 0; i < n; i++) {
    const userKey = columns.userKey?.[i] ?? null;
    const arm = columns.arm?.[i] ?? null;
    const error = columns.error?.[i] ?? null;
    records[i] = {
      requestId: requestIds[i] as string,
      model: batch.model,
      version: batch.version,
      timestamp: columns.timestamp[i] as number,
      latencyMs: columns.latencyMs[i] as number,
      inputs: columns.inputs[i] ?? null,
      outputs: columns.outputs[i] ?? null,
      ...(userKey === null ? {} : { userKey }),
      ...(batch.experiment === null ? {} : { experiment: batch.experiment }),
      ...(arm === null ? {} : { arm }),
      ...(Number(columns.shadow?.[i] ?? 0) === 1 ? { shadow: true } : {}),
      ...(error === null ? {} : { error }),
    };
  }
  return records;
}

/** The request ids of a stored batch's records, in record order, without decoding the rest. */
export function batchRequestIds(batch: Pick<StoredBatch, 'request_ids'>): string[] {
  return JSON.parse(batch.request_ids) as string[];
}
