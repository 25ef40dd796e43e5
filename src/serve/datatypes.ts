/**
 * Open Inference Protocol datatypes and the host tensors the server passes around.
 *
 * A `HostTensor` is a datatype, a shape and a flat row-major array: a typed array for numbers, booleans
 * (one byte each, 0/1) and FP16 (the raw 16-bit patterns), or a list of strings for BYTES. It is what the
 * transports decode into, what the scheduler concatenates into batches and splits back, and what crosses
 * to the instance workers (typed arrays travel by structured clone); onnxruntime tensors are made only
 * inside the worker that runs the session.
 *
 * Every OIP datatype that ONNX has is supported: BOOL, UINT8..UINT64, INT8..INT64, FP16, FP32, FP64 and
 * BYTES (ONNX strings; bytes that are not UTF-8 are not representable in onnxruntime-node's strings).
 *
 * Missing values in JSON: for FP16/FP32/FP64 a `null` becomes NaN (how Kiln's graphs encode "missing");
 * for BYTES a `null` becomes "" (likewise). Integer and boolean tensors have no missing value, so `null`
 * is bad data there.
 */

export const OIP_DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'] as const;
export type OipDatatype = (typeof OIP_DATATYPES)[number];

export const isOipDatatype = (value: string): value is OipDatatype => (OIP_DATATYPES as readonly string[]).includes(value);

export type TensorData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array
  | string[];

export interface HostTensor {
  readonly datatype: OipDatatype;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** The onnxruntime tensor type of each datatype (onnxruntime-node's names). */
export const ORT_TYPE = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
} as const satisfies Record<OipDatatype, string>;

const FROM_ORT_TYPE = new Map<string, OipDatatype>(Object.entries(ORT_TYPE).map(([oip, ortType]) => [ortType, oip as OipDatatype]));

/** The OIP datatype of an onnxruntime tensor type, or undefined for types the protocol lacks (complex, …). */
export function datatypeOfOrtType(ortType: string): OipDatatype | undefined {
  return FROM_ORT_TYPE.get(ortType);
}

/** Triton's config.pbtxt names (`TYPE_FP32`, `TYPE_STRING` for BYTES). */
export function tritonTypeName(datatype: OipDatatype): string {
  return datatype === 'BYTES' ? 'TYPE_STRING' : `TYPE_${datatype}`;
}

export function datatypeOfTritonType(name: string): OipDatatype | undefined {
  if (name === 'TYPE_STRING') return 'BYTES';
  const bare = name.startsWith('TYPE_') ? name.slice(5) : name;
  return isOipDatatype(bare) ? bare : undefined;
}

/** Bytes per element in the binary (raw) encoding; BYTES elements are length-prefixed instead. */
export const ELEMENT_BYTES: Readonly<Record<Exclude<OipDatatype, 'BYTES'>, number>> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  FP16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

type NumericArrayCtor = new (length: number) => Exclude<TensorData, string[]>;

const ARRAY_OF: Readonly<Record<Exclude<OipDatatype, 'BYTES'>, NumericArrayCtor>> = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  INT8: Int8Array,
  UINT16: Uint16Array,
  INT16: Int16Array,
  FP16: Uint16Array,
  UINT32: Uint32Array,
  INT32: Int32Array,
  FP32: Float32Array,
  UINT64: BigUint64Array,
  INT64: BigInt64Array,
  FP64: Float64Array,
};

/** A zero-filled array for `length` elements of `datatype` (empty strings for BYTES). */
export function allocate(datatype: OipDatatype, length: number): TensorData {
  if (datatype === 'BYTES') return new Array<string>(length).fill('');
  return new ARRAY_OF[datatype](length);
}

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

// ------------------------------------------------------------------------------------------------
// JSON elements → typed arrays

/** A typed column being filled element by element. */
export interface ColumnWriter {
  /** Writes element `i`; returns false when `value` is not an element of this datatype. */
  write(i: number, value: unknown): boolean;
  readonly data: TensorData;
}

export interface ElementCodec {
  /** What an element must look like, for error messages. */
  readonly expects: string;
  writer(length: number): ColumnWriter;
}

/** The largest finite float32, 2^128 − 2^104. */
export const FP32_MAX = 3.4028234663852886e38;

/**
 * FP32 and FP64. A finite JSON number the datatype cannot hold is refused rather than stored as ±Infinity
 * (1e308 in an FP32 input): the model would compute with a value the client never sent. What is refused
 * is what the typed array turns into an infinity — for FP32 a magnitude of 2^128 − 2^103 (FP32_MAX plus
 * half a float32 step) or more; below that a number rounds to a finite float32, as 0.1 does, and
 * 3.4028235e38 (the shortest text of FP32_MAX, which numpy writes) is FP32_MAX. FP64 holds every JSON number.
 *
 * The check reads back the element just written (x − x is 0 for a finite x, NaN for ±Infinity and NaN):
 * it runs in the loop that copies every element of every JSON request, and costs less there than
 * comparing against the bound (measured at ~0.2–0.5 ns per element against ~0.9). Infinity and NaN
 * themselves cannot come from JSON; gRPC's typed float contents can carry them, and keep doing so.
 */
function floatCodec(datatype: 'FP32' | 'FP64'): ElementCodec {
  return {
    expects: datatype === 'FP32' ? `a number within FP32's range (±${FP32_MAX}) or null (missing)` : 'a number or null (missing)',
    writer(length) {
      const data = allocate(datatype, length) as Float32Array | Float64Array;
      return {
        data,
        write(i, value) {
          if (typeof value === 'number') {
            data[i] = value;
            const stored = data[i] as number;
            if (stored - stored !== 0 && value - value === 0) return false; // finite, yet stored as ±Infinity
          } else if (value === null) data[i] = NaN;
          else return false;
          return true;
        },
      };
    },
  };
}

/** The largest finite half-precision number. */
export const FP16_MAX = 65504;

/** Half-precision bit patterns of ±Infinity, without the sign bit. */
const HALF_INFINITY = 0x7c00;

/** FP16: as FP32, a finite number that would become ±Infinity (65520 and beyond) is refused. */
const FP16_CODEC: ElementCodec = {
  expects: `a number within FP16's range (±${FP16_MAX}) or null (missing)`,
  writer(length) {
    const data = new Uint16Array(length);
    return {
      data,
      write(i, value) {
        if (typeof value === 'number') {
          const half = toHalf(value);
          if ((half & 0x7fff) === HALF_INFINITY && Number.isFinite(value)) return false;
          data[i] = half;
        } else if (value === null) data[i] = toHalf(NaN);
        else return false;
        return true;
      },
    };
  },
};

function integerCodec(datatype: 'UINT8' | 'UINT16' | 'UINT32' | 'INT8' | 'INT16' | 'INT32', bits: number, signed: boolean): ElementCodec {
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return {
    expects: `an integer from ${min} to ${max}`,
    writer(length) {
      const data = allocate(datatype, length) as Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array;
      return {
        data,
        write(i, value) {
          if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) return false;
          data[i] = value as number;
          return true;
        },
      };
    },
  };
}

/** 64-bit integers: JSON numbers up to 2^53 (exact), or decimal strings for the full range. */
function bigIntegerCodec(datatype: 'INT64' | 'UINT64'): ElementCodec {
  const signed = datatype === 'INT64';
  const min = signed ? -(2n ** 63n) : 0n;
  const max = signed ? 2n ** 63n - 1n : 2n ** 64n - 1n;
  return {
    expects: signed ? 'an integer' : 'a non-negative integer',
    writer(length) {
      const data = allocate(datatype, length) as BigInt64Array | BigUint64Array;
      return {
        data,
        write(i, value) {
          let big: bigint;
          if (Number.isSafeInteger(value)) big = BigInt(value as number);
          else if (typeof value === 'string' && /^-?[0-9]{1,20}$/.test(value)) big = BigInt(value);
          else if (typeof value === 'bigint') big = value;
          else return false;
          if (big < min || big > max) return false;
          data[i] = big;
          return true;
        },
      };
    },
  };
}

export const ELEMENT_CODECS: Readonly<Record<OipDatatype, ElementCodec>> = {
  FP32: floatCodec('FP32'),
  FP64: floatCodec('FP64'),
  FP16: FP16_CODEC,
  UINT8: integerCodec('UINT8', 8, false),
  UINT16: integerCodec('UINT16', 16, false),
  UINT32: integerCodec('UINT32', 32, false),
  INT8: integerCodec('INT8', 8, true),
  INT16: integerCodec('INT16', 16, true),
  INT32: integerCodec('INT32', 32, true),
  INT64: bigIntegerCodec('INT64'),
  UINT64: bigIntegerCodec('UINT64'),
  BOOL: {
    expects: 'true or false',
    writer(length) {
      const data = new Uint8Array(length);
      return {
        data,
        write(i, value) {
          if (typeof value !== 'boolean') return false;
          data[i] = value ? 1 : 0;
          return true;
        },
      };
    },
  },
  BYTES: {
    expects: 'a string or null (missing)',
    writer(length) {
      const data: string[] = new Array<string>(length);
      return {
        data,
        write(i, value) {
          if (typeof value === 'string') data[i] = value;
          else if (value === null) data[i] = '';
          else return false;
          return true;
        },
      };
    },
  },
};

// ------------------------------------------------------------------------------------------------
// typed arrays → JSON elements

export type JsonElement = number | string | boolean;

/**
 * A tensor's elements as JSON values: 64-bit integers as numbers (exact up to 2^53, as every JSON
 * client reads them anyway), FP16 as numbers, BOOL as booleans, BYTES as strings.
 */
export function tensorToJson(tensor: HostTensor): JsonElement[] {
  const data = tensor.data;
  if (Array.isArray(data)) return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Array.from(data, Number);
  if (tensor.datatype === 'BOOL') return Array.from(data as Uint8Array, (v) => v !== 0);
  if (tensor.datatype === 'FP16') return Array.from(data as Uint16Array, fromHalf);
  return Array.from(data as ArrayLike<number>);
}

/**
 * `JSON.stringify(tensorToJson(tensor))` without the intermediate array, for the common numeric
 * tensors: each answer's data is written straight from the typed array into the response text.
 * Non-finite numbers become `null`, as JSON.stringify writes them.
 */
export function tensorJsonText(tensor: HostTensor): string {
  const data = tensor.data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    // class labels are INT64: as numbers, like tensorToJson (exact up to 2^53)
    let text = '[';
    for (let i = 0; i < data.length; i++) text += (i === 0 ? '' : ',') + String(Number(data[i]));
    return `${text}]`;
  }
  if (!PLAIN_NUMBER_DATATYPES.has(tensor.datatype)) return JSON.stringify(tensorToJson(tensor));
  const numbers = data as ArrayLike<number>;
  let text = '[';
  for (let i = 0; i < numbers.length; i++) {
    const v = numbers[i] as number;
    text += (i === 0 ? '' : ',') + (Number.isFinite(v) ? String(v) : 'null');
  }
  return `${text}]`;
}

/** Datatypes whose elements are JavaScript numbers as they are (not BOOL, FP16 halves, 64-bit bigints or strings). */
const PLAIN_NUMBER_DATATYPES: ReadonlySet<OipDatatype> = new Set(['FP32', 'FP64', 'INT8', 'INT16', 'INT32', 'UINT8', 'UINT16', 'UINT32']);

/** Element `i` of a tensor as a JSON value (the per-row view of `tensorToJson`). */
export function tensorElement(tensor: HostTensor, i: number): JsonElement | null {
  const v = (tensor.data as ArrayLike<number | bigint | string>)[i];
  if (v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (tensor.datatype === 'BOOL') return v !== 0;
  if (tensor.datatype === 'FP16') return fromHalf(v as number);
  return v;
}

// ------------------------------------------------------------------------------------------------
// raw (binary) encoding: little-endian elements; BYTES as 4-byte little-endian length + bytes

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes `count` elements from raw bytes; undefined when the byte length does not fit (the caller
 * names the problem). Numeric data is copied into a fresh, aligned array.
 */
export function fromRawBytes(datatype: OipDatatype, bytes: Uint8Array, count: number): TensorData | undefined {
  if (datatype === 'BYTES') return decodeLengthPrefixed(bytes, count);
  const size = ELEMENT_BYTES[datatype];
  if (bytes.byteLength !== count * size) return undefined;
  if (!LITTLE_ENDIAN) throw new Error('Kiln serves binary tensors only on little-endian machines');
  const data = allocate(datatype, count) as Exclude<TensorData, string[]>;
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes);
  return data;
}

/** The raw encoding of a tensor's elements. */
export function toRawBytes(tensor: HostTensor): Uint8Array {
  const data = tensor.data;
  if (Array.isArray(data)) return encodeLengthPrefixed(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

function decodeLengthPrefixed(bytes: Uint8Array, count: number): string[] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = new Array<string>(count);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > bytes.byteLength) return undefined;
    const length = view.getUint32(offset, true);
    offset += 4;
    if (offset + length > bytes.byteLength) return undefined;
    out[i] = utf8Decoder.decode(bytes.subarray(offset, offset + length));
    offset += length;
  }
  return offset === bytes.byteLength ? out : undefined;
}

function encodeLengthPrefixed(values: readonly string[]): Uint8Array {
  const encoded = values.map((v) => utf8.encode(v));
  const total = encoded.reduce((sum, e) => sum + 4 + e.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const e of encoded) {
    view.setUint32(offset, e.byteLength, true);
    out.set(e, offset + 4);
    offset += 4 + e.byteLength;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// IEEE 754 half precision, for FP16 JSON values

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The nearest half-precision bit pattern of `value` (round to nearest even). */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0); // Inf or NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → Inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow → ±0
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    return sign | (rest > midpoint || (rest === midpoint && (half & 1) === 1) ? half + 1 : half);
  }
  const half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  return sign | (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1) ? half + 1 : half);
}

export function fromHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** A bad element, shortened for an error message (it comes from the client and may be huge). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return value.toString();
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}
