/**
 * The prediction log's buffer on the serving thread: the logged requests of one model version (and A/B
 * experiment), kept column by column in typed arrays until the next flush.
 *
 * Why: building a record object and two JSON texts per served row, and keeping them until the flush,
 * cost the serving thread ~12 µs per one-row request at concurrency 64 (much of it garbage collection:
 * the records outlived the young generation). Here logging a request is a few numeric writes: the
 * request's timestamp, latency, id (a UUID as its 16 bytes), user key, arm and error in per-request
 * columns, and each row's input values and answer elements in per-row cells. Nothing per row lives on
 * the JS heap until the flush, when the arrays are moved (not copied) to the writer thread, which writes
 * the stored batches from them (prediction-log-encode.ts) in the same format as before.
 *
 * A cell is a number (kept in `numbers`) or a code (in `codes`): CELL_NUMBER, CELL_NULL, or the index of
 * a JSON text in `texts`. Strings (a categorical column's few values) are looked up in a dictionary that
 * lives as long as the buffer, so a repeated value costs one map lookup; other values (booleans, lists)
 * are kept as their JSON text the same way.
 */
import type { ExperimentArm } from '../store/store.js';
import type { DecodedBatch, ModelOutputs, RowOutputLayout } from './batch.js';
import { tensorElement, type HostTensor } from './datatypes.js';

/** The cell holds a number (in `numbers`). */
export const CELL_NUMBER = -1;
/** The cell is null (missing input, or no element). */
export const CELL_NULL = -2;
/** A request's id is the 16 bytes at its place in `idBytes`; other ids are in `otherIds`. */
export const ID_AS_BYTES = -1;
/** Flags of a request: its A/B arm and whether it is a shadow answer. */
export const FLAG_CHAMPION = 1;
export const FLAG_CHALLENGER = 2;
export const FLAG_SHADOW = 4;
/** No user key or no error (an index into `words` otherwise). */
export const NO_WORD = -1;

/** One buffer's contents as handed to the writer: plain data and typed arrays (moved, not copied). */
export interface LoggedColumns {
  readonly model: string;
  readonly version: number;
  readonly experiment: string | null;
  /** The input column names (signature order); empty while the buffer holds only failures. */
  readonly inputNames: readonly string[];
  /** The answers' layout; null while the buffer holds only failures. */
  readonly outputs: RowOutputLayout | null;
  /** Cells per row: inputs, then the answer's elements. */
  readonly width: number;
  readonly requests: number;
  /** Per request: its rows, 0 for a failed request (one record without inputs or outputs). */
  readonly requestRows: Uint32Array;
  readonly timestamps: Float64Array;
  readonly latenciesMs: Float64Array;
  /** Per request: ID_AS_BYTES, or the index of its id in `otherIds`. */
  readonly idSlots: Int32Array;
  /** 16 bytes per request (used where idSlots says ID_AS_BYTES). */
  readonly idBytes: Uint8Array;
  readonly otherIds: readonly string[];
  /** Per request: the index of its user key in `words`, or NO_WORD. */
  readonly userKeys: Int32Array;
  /** Per request: FLAG_* bits. */
  readonly flags: Uint8Array;
  /** Per request: the index of its error code in `words`, or NO_WORD. */
  readonly errors: Int32Array;
  readonly words: readonly string[];
  /** `width` cells per row, rows in order. */
  readonly numbers: Float64Array;
  readonly codes: Int32Array;
  /** JSON texts the codes point to. */
  readonly texts: readonly string[];
}

/** The buffers a LoggedColumns moves to another thread (a postMessage transfer list). */
export function transferablesOf(columns: LoggedColumns): ArrayBuffer[] {
  const { requestRows, timestamps, latenciesMs, idSlots, idBytes, userKeys, flags, errors, numbers, codes } = columns;
  return [requestRows, timestamps, latenciesMs, idSlots, idBytes, userKeys, flags, errors, numbers, codes].map((a) => a.buffer as ArrayBuffer);
}

/** What a request's log entry says about who asked and which arm answered. */
export interface RequestTags {
  readonly userKey?: string | undefined;
  readonly arm?: ExperimentArm | undefined;
  readonly shadow?: boolean | undefined;
}

/** Requests (and rows) a new buffer has room for before it grows. */
const INITIAL_CAPACITY = 1024;

export class ColumnBuffer {
  readonly model: string;
  readonly version: number;
  readonly experiment: string | null;
  /** Records held (a failed request is one record). */
  records = 0;
  /** False once rows of another layout came for this model version: the buffer takes no more (the logger opens another). */
  open = true;
  private requests = 0;
  private rows = 0;
  private inputNames: readonly string[] | undefined;
  private outputs: RowOutputLayout | undefined;
  private width = 0;

  private requestCapacity = INITIAL_CAPACITY;
  private requestRows = new Uint32Array(INITIAL_CAPACITY);
  private timestamps = new Float64Array(INITIAL_CAPACITY);
  private latenciesMs = new Float64Array(INITIAL_CAPACITY);
  private idSlots = new Int32Array(INITIAL_CAPACITY);
  private idBytes = new Uint8Array(INITIAL_CAPACITY * 16);
  private userKeys = new Int32Array(INITIAL_CAPACITY);
  private flags = new Uint8Array(INITIAL_CAPACITY);
  private errors = new Int32Array(INITIAL_CAPACITY);
  private readonly otherIds: string[] = [];
  private readonly words: string[] = [];
  private readonly wordCodes = new Map<string, number>();

  private rowCapacity = 0;
  private numbers = new Float64Array(0);
  private codes = new Int32Array(0);
  private readonly texts: string[] = [];
  private readonly stringCodes = new Map<string, number>();
  private readonly jsonCodes = new Map<string, number>();

  constructor(model: string, version: number, experiment: string | null) {
    this.model = model;
    this.version = version;
    this.experiment = experiment;
  }

  /** Whether this is the open buffer of this model version and experiment. */
  holds(model: string, version: number, experiment: string | null): boolean {
    return this.open && this.model === model && this.version === version && this.experiment === experiment;
  }

  /** Whether rows of this shape can join the buffer (a buffer holds one layout; failures fit any). */
  accepts(batch: DecodedBatch, layout: RowOutputLayout): boolean {
    if (this.outputs === undefined) return true;
    return (this.outputs === layout || this.outputs.key === layout.key) && batch.columns.size === (this.inputNames as readonly string[]).length;
  }

  /** Appends a served request: its rows' input values and answer elements, and the request's own fields. */
  appendServed(batch: DecodedBatch, outputs: ModelOutputs, layout: RowOutputLayout, requestId: string, timestamp: number, latencyMs: number, tags: RequestTags): void {
    if (this.outputs === undefined) this.setLayout(batch, layout);
    const rows = batch.rows;
    const r = this.appendRequest(requestId, timestamp, latencyMs, tags);
    this.requestRows[r] = rows;
    if (this.rows + rows > this.rowCapacity) this.growRows(this.rows + rows);
    const width = this.width;
    let cell = this.rows * width;
    for (let i = 0; i < rows; i++) {
      for (const column of batch.columns.values()) this.setCell(cell++, column.values[i]);
      const { tensorNames, widths } = layout;
      for (let t = 0; t < tensorNames.length; t++) {
        const tensor = outputs[tensorNames[t] as string] as HostTensor;
        const w = widths[t] as number;
        for (let j = 0; j < w; j++) this.setCell(cell++, tensorElement(tensor, i * w + j));
      }
    }
    this.rows += rows;
    this.records += rows;
  }

  /** Appends a failed request: one record with its error code and no inputs or outputs. */
  appendFailure(requestId: string, timestamp: number, latencyMs: number, tags: RequestTags, code: string): void {
    const r = this.appendRequest(requestId, timestamp, latencyMs, tags);
    this.requestRows[r] = 0;
    this.errors[r] = this.word(code);
    this.records += 1;
  }

  /**
   * Drops the oldest requests, at least `records` records (whole requests), when the store lags; returns
   * how many records went.
   */
  dropOldest(records: number): number {
    let requests = 0;
    let dropped = 0;
    let rows = 0;
    while (requests < this.requests && dropped < records) {
      const n = this.requestRows[requests] as number;
      dropped += Math.max(1, n);
      rows += n;
      requests++;
    }
    for (const column of [this.requestRows, this.timestamps, this.latenciesMs, this.idSlots, this.userKeys, this.flags, this.errors]) column.copyWithin(0, requests, this.requests);
    this.idBytes.copyWithin(0, requests * 16, this.requests * 16);
    this.numbers.copyWithin(0, rows * this.width, this.rows * this.width);
    this.codes.copyWithin(0, rows * this.width, this.rows * this.width);
    this.requests -= requests;
    this.rows -= rows;
    this.records -= dropped;
    return dropped;
  }

  /** The buffer's contents for the writer; the buffer is not to be used after. */
  seal(): LoggedColumns {
    return {
      model: this.model,
      version: this.version,
      experiment: this.experiment,
      inputNames: this.inputNames ?? [],
      outputs: this.outputs ?? null,
      width: this.width,
      requests: this.requests,
      requestRows: this.requestRows,
      timestamps: this.timestamps,
      latenciesMs: this.latenciesMs,
      idSlots: this.idSlots,
      idBytes: this.idBytes,
      otherIds: this.otherIds,
      userKeys: this.userKeys,
      flags: this.flags,
      errors: this.errors,
      words: this.words,
      numbers: this.numbers,
      codes: this.codes,
      texts: this.texts,
    };
  }

  private setLayout(batch: DecodedBatch, layout: RowOutputLayout): void {
    this.inputNames = [...batch.columns.keys()];
    this.outputs = layout;
    this.width = this.inputNames.length + layout.width;
  }

  /** The per-request columns of a new request; returns its index. */
  private appendRequest(requestId: string, timestamp: number, latencyMs: number, tags: RequestTags): number {
    if (this.requests === this.requestCapacity) this.growRequests();
    const r = this.requests++;
    this.timestamps[r] = timestamp;
    this.latenciesMs[r] = latencyMs;
    if (writeUuidBytes(requestId, this.idBytes, r * 16)) this.idSlots[r] = ID_AS_BYTES;
    else this.idSlots[r] = this.otherIds.push(requestId) - 1;
    this.userKeys[r] = tags.userKey === undefined ? NO_WORD : this.word(tags.userKey);
    this.flags[r] = (tags.arm === 'champion' ? FLAG_CHAMPION : tags.arm === 'challenger' ? FLAG_CHALLENGER : 0) | (tags.shadow === true ? FLAG_SHADOW : 0);
    this.errors[r] = NO_WORD;
    return r;
  }

  /** One cell: what JSON.stringify(value ?? null) writes, kept as a number or as a code. */
  private setCell(at: number, value: unknown): void {
    if (typeof value === 'number') {
      this.numbers[at] = value;
      this.codes[at] = CELL_NUMBER;
    } else if (value === null || value === undefined) {
      this.codes[at] = CELL_NULL;
    } else if (typeof value === 'string') {
      let code = this.stringCodes.get(value);
      if (code === undefined) {
        code = this.texts.push(JSON.stringify(value)) - 1;
        this.stringCodes.set(value, code);
      }
      this.codes[at] = code;
    } else {
      const json = JSON.stringify(value) as string | undefined;
      if (json === undefined) {
        this.codes[at] = CELL_NULL;
        return;
      }
      let code = this.jsonCodes.get(json);
      if (code === undefined) {
        code = this.texts.push(json) - 1;
        this.jsonCodes.set(json, code);
      }
      this.codes[at] = code;
    }
  }

  private word(text: string): number {
    let code = this.wordCodes.get(text);
    if (code === undefined) {
      code = this.words.push(text) - 1;
      this.wordCodes.set(text, code);
    }
    return code;
  }

  private growRequests(): void {
    const capacity = this.requestCapacity * 2;
    this.requestRows = grown(this.requestRows, new Uint32Array(capacity));
    this.timestamps = grown(this.timestamps, new Float64Array(capacity));
    this.latenciesMs = grown(this.latenciesMs, new Float64Array(capacity));
    this.idSlots = grown(this.idSlots, new Int32Array(capacity));
    this.idBytes = grown(this.idBytes, new Uint8Array(capacity * 16));
    this.userKeys = grown(this.userKeys, new Int32Array(capacity));
    this.flags = grown(this.flags, new Uint8Array(capacity));
    this.errors = grown(this.errors, new Int32Array(capacity));
    this.requestCapacity = capacity;
  }

  private growRows(atLeast: number): void {
    let capacity = Math.max(this.rowCapacity, INITIAL_CAPACITY);
    while (capacity < atLeast) capacity *= 2;
    this.numbers = grown(this.numbers, new Float64Array(capacity * this.width));
    this.codes = grown(this.codes, new Int32Array(capacity * this.width));
    this.rowCapacity = capacity;
  }
}

/** `bigger` with `old`'s elements at its start (a buffer's array after it outgrew its capacity). */
function grown<T extends { set(array: ArrayLike<number>): void }>(old: ArrayLike<number>, bigger: T): T {
  bigger.set(old);
  return bigger;
}

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let d = 0; d < 10; d++) HEX_VALUE[48 + d] = d;
for (let d = 0; d < 6; d++) HEX_VALUE[97 + d] = 10 + d;
/** Where each byte's two hex digits start in a UUID's text `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
const UUID_PAIRS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/**
 * Writes a UUID in its canonical text (lower-case hex, dashes) as 16 bytes at `at`; false (and nothing
 * meaningful written) for any other id, which is then kept as text. The server's own ids (UUID version 7)
 * take this path; the bytes read back as the same text (uuidFromBytes).
 */
export function writeUuidBytes(id: string, out: Uint8Array, at: number): boolean {
  if (id.length !== 36 || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(18) !== 45 || id.charCodeAt(23) !== 45) return false;
  for (let b = 0; b < 16; b++) {
    const p = UUID_PAIRS[b] as number;
    const hi = HEX_VALUE[id.charCodeAt(p) & 127] as number;
    const lo = HEX_VALUE[id.charCodeAt(p + 1) & 127] as number;
    // `& 127` folds non-ASCII onto ASCII: check the characters are what the table says
    if (hi < 0 || lo < 0 || id.charCodeAt(p) > 127 || id.charCodeAt(p + 1) > 127) return false;
    out[at + b] = (hi << 4) | lo;
  }
  return true;
}

const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** The canonical text of the UUID whose 16 bytes are at `at`. */
export function uuidFromBytes(bytes: Uint8Array, at: number): string {
  let text = '';
  for (let b = 0; b < 16; b++) {
    if (b === 4 || b === 6 || b === 8 || b === 10) text += '-';
    text += HEX_BYTE[bytes[at + b] as number] as string;
  }
  return text;
}

/**
 * When a UUID version 7 (RFC 9562 variant) whose 16 bytes are at `at` was made: its first 48 bits, epoch
 * ms; NaN for other UUIDs. The same as idTime (src/core/time-ordered-id.ts) of its text.
 */
export function uuidV7Time(bytes: Uint8Array, at: number): number {
  if ((bytes[at + 6] as number) >> 4 !== 7 || ((bytes[at + 8] as number) & 0xc0) !== 0x80) return NaN;
  let ms = 0;
  for (let b = 0; b < 6; b++) ms = ms * 256 + (bytes[at + b] as number);
  return ms;
}
