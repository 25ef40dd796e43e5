/**
 * Typed arrays as base64 text inside a predictor's JSON: factor tables hold hundreds of thousands of
 * float32 values, which as JSON numbers would take four times the space and lose nothing less.
 * Little-endian, as every platform Node runs on.
 */
import { KilnError } from '../../core/errors.js';

export function packFloat32(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

export function packInt32(values: Int32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

export function packFloat64(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

function bytesOf(text: unknown, width: number, learner: string, what: string): Buffer {
  if (typeof text !== 'string') throw new KilnError('INVALID_PREDICTOR', { learner, reason: `${what} is missing` });
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength % width !== 0) throw new KilnError('INVALID_PREDICTOR', { learner, reason: `${what} is not a whole number of values` });
  return bytes;
}

export function unpackFloat32(text: unknown, learner: string, what: string): Float32Array {
  const bytes = bytesOf(text, 4, learner, what);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function unpackInt32(text: unknown, learner: string, what: string): Int32Array {
  const bytes = bytesOf(text, 4, learner, what);
  return new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function unpackFloat64(text: unknown, learner: string, what: string): Float64Array {
  const bytes = bytesOf(text, 8, learner, what);
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
