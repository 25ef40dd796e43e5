/**
 * The prediction log's column buffers (prediction-log-columns.ts) read back as records, on the writer
 * thread: the stored batches (src/store/prediction-batch.ts) they make are the same, text for text, as
 * those the serving thread made when it logged each row as JSON text (batch.ts's rowInputsJson and
 * rowOutputJsonReader, the reference in test/serve/prediction-log-columns.test.ts).
 */
import { idTime } from '../core/time-ordered-id.js';
import { batchCuts, encodeColumns, MAX_BATCH_RECORDS, type EncodedPredictionRecord, type PredictionBatch, type RecordColumns } from '../store/prediction-batch.js';
import type { ExperimentArm } from '../store/store.js';
import { CELL_NULL, CELL_NUMBER, FLAG_CHALLENGER, FLAG_CHAMPION, FLAG_SHADOW, ID_AS_BYTES, NO_WORD, uuidFromBytes, uuidV7Time, type LoggedColumns } from './prediction-log-columns.js';

/** The stored batches of one buffer: its records in order, cut as toPredictionBatches cuts a group. */
export function columnsToBatches(columns: LoggedColumns, maxRecords = MAX_BATCH_RECORDS): PredictionBatch[] {
  const all = recordColumnsOf(columns);
  if (all.requestIds.length === 0) return [];
  return batchCuts(all.timestamps, maxRecords).map(([start, end]) => encodeColumns(sliceColumns(all, start, end)));
}

/** One buffer's records, one object each (the path for a store written from the serving thread). */
export function columnsToRecords(columns: LoggedColumns): EncodedPredictionRecord[] {
  const c = recordColumnsOf(columns);
  return c.requestIds.map((requestId, i) => {
    const record: { -readonly [K in keyof EncodedPredictionRecord]: EncodedPredictionRecord[K] } = {
      requestId,
      model: c.model,
      version: c.version,
      timestamp: c.timestamps[i] as number,
      latencyMs: c.latenciesMs[i] as number,
      inputsJson: c.inputsJson[i] as string,
      outputsJson: c.outputsJson[i] as string,
    };
    const userKey = c.userKey?.[i] ?? null;
    const arm = c.arm?.[i] ?? null;
    const error = c.error?.[i] ?? null;
    if (userKey !== null) record.userKey = userKey;
    if (c.experiment !== null) record.experiment = c.experiment;
    if (arm !== null) record.arm = arm;
    if (c.shadow?.[i] === 1) record.shadow = true;
    if (error !== null) record.error = error;
    return record;
  });
}

/** Every record of a buffer as columns: a request's rows share its fields; a failure is one record. */
function recordColumnsOf(c: LoggedColumns): RecordColumns {
  const { requests, requestRows, numbers, codes, texts, words } = c;
  let records = 0;
  for (let r = 0; r < requests; r++) records += Math.max(1, requestRows[r] as number);
  const requestIds = new Array<string>(records);
  const idTimes = new Array<number>(records);
  const timestamps = new Array<number>(records);
  const latenciesMs = new Array<number>(records);
  const inputsJson = new Array<string>(records);
  const outputsJson = new Array<string>(records);
  let userKey: (string | null)[] | undefined;
  let arm: (ExperimentArm | null)[] | undefined;
  let shadow: (0 | 1)[] | undefined;
  let error: (string | null)[] | undefined;

  const cellText = (at: number): string => {
    const code = codes[at] as number;
    if (code === CELL_NUMBER) return numberJson(numbers[at] as number);
    if (code === CELL_NULL) return 'null';
    return texts[code] as string;
  };
  const inputKeys = c.inputNames.map((name) => JSON.stringify(name));
  const layout = c.outputs;
  const outputKeys = layout === null ? [] : layout.keys.map((key) => JSON.stringify(key));

  let at = 0; // the record being written
  let cell = 0; // the first cell of the row being read
  for (let r = 0; r < requests; r++) {
    const rows = requestRows[r] as number;
    const slot = c.idSlots[r] as number;
    const id = slot === ID_AS_BYTES ? uuidFromBytes(c.idBytes, r * 16) : (c.otherIds[slot] as string);
    // the time a server id carries, read from its bytes (idTime would parse the text); `id#i` ids carry none
    const madeAt = rows > 1 ? NaN : slot === ID_AS_BYTES ? uuidV7Time(c.idBytes, r * 16) : (idTime(id) ?? NaN);
    const flags = c.flags[r] as number;
    const userWord = c.userKeys[r] as number;
    const errorWord = c.errors[r] as number;
    for (let i = 0; i < Math.max(1, rows); i++, at++) {
      requestIds[at] = rows > 1 ? `${id}#${i}` : id;
      idTimes[at] = madeAt;
      timestamps[at] = c.timestamps[r] as number;
      latenciesMs[at] = c.latenciesMs[r] as number;
      if (rows === 0) {
        inputsJson[at] = 'null';
        outputsJson[at] = 'null';
      } else {
        let inputs = '{';
        for (let k = 0; k < inputKeys.length; k++) inputs += `${k === 0 ? '' : ','}${inputKeys[k] as string}:${cellText(cell++)}`;
        inputsJson[at] = `${inputs}}`;
        outputsJson[at] = outputJson(layout as NonNullable<typeof layout>, outputKeys, cellText, cell);
        cell += (layout as NonNullable<typeof layout>).width;
      }
      if (userWord !== NO_WORD) (userKey ??= new Array<string | null>(records).fill(null))[at] = words[userWord] as string;
      if ((flags & (FLAG_CHAMPION | FLAG_CHALLENGER)) !== 0) (arm ??= new Array<ExperimentArm | null>(records).fill(null))[at] = (flags & FLAG_CHAMPION) !== 0 ? 'champion' : 'challenger';
      if ((flags & FLAG_SHADOW) !== 0) (shadow ??= new Array<0 | 1>(records).fill(0))[at] = 1;
      if (errorWord !== NO_WORD) (error ??= new Array<string | null>(records).fill(null))[at] = words[errorWord] as string;
    }
  }
  return {
    model: c.model,
    version: c.version,
    experiment: c.experiment,
    requestIds,
    idTimes,
    timestamps,
    latenciesMs,
    inputsJson,
    outputsJson,
    ...(userKey === undefined ? {} : { userKey }),
    ...(arm === undefined ? {} : { arm }),
    ...(shadow === undefined ? {} : { shadow }),
    ...(error === undefined ? {} : { error }),
  };
}

/** A row's answer as rowOutputJsonReader writes it, from its cells starting at `cell`. */
function outputJson(layout: NonNullable<LoggedColumns['outputs']>, keys: readonly string[], cellText: (at: number) => string, cell: number): string {
  if (layout.kind === 'classification') {
    let byClass = '';
    for (let k = 0; k < keys.length; k++) byClass += `${k === 0 ? '' : ','}${keys[k] as string}:${cellText(cell + 1 + k)}`;
    return `{"label":${cellText(cell)},"probabilities":{${byClass}}}`;
  }
  if (layout.kind === 'regression') return `{"prediction":${cellText(cell)}}`;
  let json = '';
  let at = cell;
  for (let t = 0; t < keys.length; t++) {
    const w = layout.widths[t] as number;
    let value: string;
    if (w === 1) value = cellText(at++);
    else {
      value = '[';
      for (let j = 0; j < w; j++) value += `${j === 0 ? '' : ','}${cellText(at++)}`;
      value += ']';
    }
    json += `${t === 0 ? '' : ','}${keys[t] as string}:${value}`;
  }
  return `{${json}}`;
}

/** JSON.stringify of a number: non-finite numbers are null. */
function numberJson(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

function sliceColumns(c: RecordColumns, start: number, end: number): RecordColumns {
  if (start === 0 && end === c.requestIds.length) return c;
  return {
    model: c.model,
    version: c.version,
    experiment: c.experiment,
    requestIds: c.requestIds.slice(start, end),
    ...(c.idTimes === undefined ? {} : { idTimes: c.idTimes.slice(start, end) }),
    timestamps: c.timestamps.slice(start, end),
    latenciesMs: c.latenciesMs.slice(start, end),
    inputsJson: c.inputsJson.slice(start, end),
    outputsJson: c.outputsJson.slice(start, end),
    // an optional column is written only when a record of the slice has a value there, as encodeBatch does
    ...present('userKey', c.userKey?.slice(start, end), (v) => v !== null),
    ...present('arm', c.arm?.slice(start, end), (v) => v !== null),
    ...present('shadow', c.shadow?.slice(start, end), (v) => v === 1),
    ...present('error', c.error?.slice(start, end), (v) => v !== null),
  };
}

function present<K extends string, V>(key: K, values: readonly V[] | undefined, has: (value: V) => boolean): { [P in K]?: readonly V[] } {
  return values !== undefined && values.some(has) ? ({ [key]: values } as { [P in K]: readonly V[] }) : {};
}
