/**
 * Open Inference Protocol datatypes ↔ onnxruntime tensors: how one JSON element is written into the
 * typed array onnxruntime reads, and how an output tensor's elements come back as JSON values.
 *
 * Missing values: for FP32/FP64 a JSON `null` becomes NaN (how Kiln's graphs encode "missing"); for
 * BYTES a `null` becomes "" (likewise). Integer and boolean tensors have no missing value, so `null` is
 * bad data there.
 */
import type { TensorDatatype } from '../modules/manifest.js';
import { ort } from '../onnx/session.js';

/** A typed column being filled element by element. */
export interface ColumnWriter {
  /** Writes element `i`; returns false when `value` is not an element of this datatype. */
  write(i: number, value: unknown): boolean;
  /** The filled column as a tensor of the given shape. */
  toTensor(shape: readonly number[]): ort.Tensor;
}

export interface ElementCodec {
  /** What an element must look like, for error messages. */
  readonly expects: string;
  writer(length: number): ColumnWriter;
}

function floats<A extends Float32Array | Float64Array>(type: 'float32' | 'float64', make: (n: number) => A): ElementCodec {
  return {
    expects: 'a number or null (missing)',
    writer(length) {
      const data = make(length);
      return {
        write(i, value) {
          if (typeof value === 'number') data[i] = value;
          else if (value === null) data[i] = NaN;
          else return false;
          return true;
        },
        toTensor: (shape) => new ort.Tensor(type, data, shape),
      };
    },
  };
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export const ELEMENT_CODECS: Readonly<Record<TensorDatatype, ElementCodec>> = {
  FP32: floats('float32', (n) => new Float32Array(n)),
  FP64: floats('float64', (n) => new Float64Array(n)),
  INT32: {
    expects: 'a 32-bit integer',
    writer(length) {
      const data = new Int32Array(length);
      return {
        write(i, value) {
          if (!Number.isInteger(value) || (value as number) < INT32_MIN || (value as number) > INT32_MAX) return false;
          data[i] = value as number;
          return true;
        },
        toTensor: (shape) => new ort.Tensor('int32', data, shape),
      };
    },
  },
  INT64: {
    expects: 'an integer',
    writer(length) {
      const data = new BigInt64Array(length);
      return {
        write(i, value) {
          if (!Number.isSafeInteger(value)) return false;
          data[i] = BigInt(value as number);
          return true;
        },
        toTensor: (shape) => new ort.Tensor('int64', data, shape),
      };
    },
  },
  BOOL: {
    expects: 'true or false',
    writer(length) {
      const data = new Uint8Array(length);
      return {
        write(i, value) {
          if (typeof value !== 'boolean') return false;
          data[i] = value ? 1 : 0;
          return true;
        },
        toTensor: (shape) => new ort.Tensor('bool', data, shape),
      };
    },
  },
  BYTES: {
    expects: 'a string or null (missing)',
    writer(length) {
      const data: string[] = new Array<string>(length);
      return {
        write(i, value) {
          if (typeof value === 'string') data[i] = value;
          else if (value === null) data[i] = '';
          else return false;
          return true;
        },
        toTensor: (shape) => new ort.Tensor('string', data, shape),
      };
    },
  },
};

/** An output tensor's elements as JSON values: INT64 as numbers, BYTES as strings, BOOL as booleans. */
export function tensorToJson(tensor: ort.Tensor): (number | string | boolean)[] {
  const data = tensor.data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Array.from(data, Number);
  if (tensor.type === 'bool') return Array.from(data as Uint8Array, (v) => v !== 0);
  if (Array.isArray(data)) return data as string[];
  return Array.from(data as ArrayLike<number>);
}

/** Element `i` of an output tensor as a JSON value (the per-row view of `tensorToJson`). */
export function tensorElement(tensor: ort.Tensor, i: number): number | string | boolean | null {
  const v = (tensor.data as ArrayLike<number | bigint | string>)[i];
  if (v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (tensor.type === 'bool') return v !== 0;
  return v;
}

/** The OIP datatype of an onnxruntime tensor type, for outputs a signature does not describe. */
export function oipDatatype(type: ort.Tensor.Type): string {
  switch (type) {
    case 'float32':
      return 'FP32';
    case 'float64':
      return 'FP64';
    case 'int64':
      return 'INT64';
    case 'int32':
      return 'INT32';
    case 'bool':
      return 'BOOL';
    case 'string':
      return 'BYTES';
    default:
      return type.toUpperCase();
  }
}

/** A bad element, shortened for an error message (it comes from the client and may be huge). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}
