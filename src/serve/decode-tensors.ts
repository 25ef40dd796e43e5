/**
 * Open Inference Protocol input tensors → a decoded batch, checked strictly against the signature.
 *
 * Datatypes must match the signature exactly, as in Triton: an FP64 or INT64 tensor sent to an FP32
 * input is rejected (INPUT_DATATYPE) rather than converted. JSON numbers carry no width, so converting
 * would be easy, but Kiln promises that a request that works here works unchanged against the same
 * model exported to Triton, and Triton rejects it. The error names the expected datatype.
 *
 * Shapes: the request's shape must be the signature's with every -1 filled in. A Kiln module's column is
 * declared `[-1, 1]`; for those both `[N, 1]` and the plain `[N]` are accepted (clients that think in
 * columns send the latter). When the model batches, every input must have the same batch size N.
 *
 * Data: JSON arrays (flat or nested, read row-major, as the OIP allows) written straight into the typed
 * array the model reads; or raw little-endian bytes (binary tensor extension, gRPC raw contents). `null` is
 * a missing value (see datatypes.ts). Element counts are checked against the server's limit before
 * anything is allocated.
 */
import { KilnError } from '../core/errors.js';
import type { DecodedBatch, DecodedColumn } from './batch.js';
import { ELEMENT_CODECS, describeValue, elementCount, fromRawBytes, tensorToJson, type ColumnWriter, type HostTensor } from './datatypes.js';
import type { LoadedModel, ServedInput } from './loaded-model.js';
import type { RequestInput } from './protocol.js';

export interface DecodeLimits {
  /** Most elements one input tensor may have. */
  readonly maxTensorElements: number;
}

export const DEFAULT_MAX_TENSOR_ELEMENTS = 16 * 1024 * 1024;

export function decodeTensors(model: LoadedModel, inputs: readonly RequestInput[], limits: DecodeLimits = { maxTensorElements: DEFAULT_MAX_TENSOR_ELEMENTS }): DecodedBatch {
  const byName = matchInputs(model, inputs);
  const batching = model.config.maxBatchSize > 0;

  let rows: number | undefined;
  let firstInput = '';
  const columns = new Map<string, DecodedColumn>();
  // signature order, so that every column map (and every log record) lists inputs the same way
  for (const [name, spec] of model.inputs) {
    const input = byName.get(name) as RequestInput;
    if (input.datatype !== spec.datatype) {
      throw new KilnError('INPUT_DATATYPE', { input: name, got: input.datatype, expected: spec.datatype });
    }
    const shape = servedShape(input, spec);
    const count = elementCount(shape);
    if (count > limits.maxTensorElements) {
      throw new KilnError('TENSOR_TOO_LARGE', { input: name, elements: count, limit: limits.maxTensorElements });
    }
    const batch = batching ? (shape[0] as number) : 1;
    if (rows === undefined) {
      rows = batch;
      firstInput = name;
    } else if (batch !== rows) {
      throw new KilnError('INPUT_SHAPE', {
        input: name,
        got: formatShape(input.shape),
        expected: `${formatShape(withBatch(spec.shape, rows))} (every input must have the batch size of "${firstInput}", ${rows})`,
      });
    }
    const column = input.raw === undefined ? decodeJson(input, spec, shape) : decodeRaw(input, spec, shape, input.raw);
    if (spec.kind === 'numeric') refuseInfinite(name, column.tensor);
    columns.set(name, column);
  }
  return { rows: rows ?? 0, columns };
}

/**
 * A Kiln module's numeric column holds a number or NaN (missing); ±Infinity is neither. Every transport
 * can carry it: raw bytes (binary tensors, gRPC raw contents), gRPC's float contents (a client's 1e308 in
 * `fp32_contents` arrives as Infinity) and JSON too (no Infinity literal, but JSON.parse reads 1e999 as
 * Infinity), so the scan runs whatever the body was. Training refuses infinite values (FEATURE_NOT_FINITE), and the graph
 * would answer a certain 0 or 1 for one, so serving refuses it too, naming the element. Plain tensor
 * models (a Triton folder) get what they are sent, as in Triton.
 */
function refuseInfinite(name: string, tensor: HostTensor): void {
  const data = tensor.data;
  let index = -1;
  if (tensor.datatype === 'FP16') {
    // half-precision bits: exponent all ones and no mantissa is ±Infinity
    index = (data as Uint16Array).findIndex((bits) => (bits & 0x7fff) === 0x7c00);
  } else if (data instanceof Float32Array || data instanceof Float64Array) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i] as number;
      if (v - v !== 0 && v === v) {
        index = i;
        break;
      }
    }
  }
  if (index >= 0) {
    throw new KilnError('INPUT_DATA', {
      input: name,
      reason: `element ${index} is ${tensor.datatype === 'FP16' ? 'an infinite half-precision value' : String(data[index])}; a column's value must be a finite number (NaN or null for a missing one)`,
    });
  }
}

/** Pairs request inputs with signature inputs: unknown, repeated and missing inputs are errors. */
function matchInputs(model: LoadedModel, inputs: readonly RequestInput[]): Map<string, RequestInput> {
  const byName = new Map<string, RequestInput>();
  for (const input of inputs) {
    if (!model.inputs.has(input.name)) throw new KilnError('INPUT_UNKNOWN', { model: model.name, input: input.name, expected: expectedInputs(model) });
    if (byName.has(input.name)) throw new KilnError('MALFORMED_REQUEST', { reason: `input "${input.name}" is given more than once` });
    byName.set(input.name, input);
  }
  if (byName.size === model.inputs.size) return byName; // every name is known and none repeats: none is missing
  for (const name of model.inputs.keys()) {
    if (!byName.has(name)) throw new KilnError('INPUT_MISSING', { model: model.name, input: name, expected: expectedInputs(model) });
  }
  return byName;
}

/** The signature's input names, for error messages (a function rather than a closure made per request). */
function expectedInputs(model: LoadedModel): string {
  return [...model.inputs.keys()].join(', ');
}

/**
 * The shape the model is fed: the request's, when it is the signature's with variable dimensions filled
 * in (and at least one row when the first dimension is the batch); `[N]` becomes `[N, 1]` for a column.
 */
function servedShape(input: RequestInput, spec: ServedInput): number[] {
  const shape = input.shape;
  const column = spec.shape.length === 2 && spec.shape[0] === -1 && spec.shape[1] === 1;
  const positive = shape.every((d) => d >= 0) && (spec.shape[0] !== -1 || (shape[0] ?? 0) >= 1);
  if (positive && shape.length === spec.shape.length && spec.shape.every((d, i) => d === -1 || d === shape[i])) return [...shape];
  if (positive && column && shape.length === 1) return [shape[0] as number, 1];
  const expected = formatShape(spec.shape.map((d, i) => (d !== -1 ? d : i === 0 ? 'N' : '*')));
  throw new KilnError('INPUT_SHAPE', {
    input: input.name,
    got: formatShape(shape),
    expected: column ? `${expected} or [N] with N ≥ 1` : `${expected} (* = any size${spec.shape[0] === -1 ? ', N ≥ 1' : ''})`,
  });
}

function decodeRaw(input: RequestInput, spec: ServedInput, shape: readonly number[], raw: Uint8Array): DecodedColumn {
  const count = elementCount(shape);
  const data = fromRawBytes(spec.datatype, raw, count);
  if (data === undefined) {
    throw new KilnError('INPUT_SHAPE', {
      input: input.name,
      got: `${formatShape(input.shape)} with ${raw.byteLength} byte(s) of binary data`,
      expected:
        spec.datatype === 'BYTES'
          ? `${count} length-prefixed string(s) (4-byte little-endian length, then the bytes) filling the data exactly`
          : `${count} element(s) of ${spec.datatype}, the product of the shape`,
    });
  }
  const tensor: HostTensor = { datatype: spec.datatype, shape, data };
  return { tensor, values: tensorToJson(tensor) };
}

function decodeJson(input: RequestInput, spec: ServedInput, shape: readonly number[]): DecodedColumn {
  const data = input.data;
  if (data === undefined) {
    throw new KilnError('INPUT_DATA', { input: input.name, reason: 'there is no "data"; send the elements as JSON, or as binary data with the binary_data_size parameter' });
  }
  if (!Array.isArray(data)) {
    throw new KilnError('INPUT_DATA', { input: input.name, reason: 'data must be an array of elements (flat or nested)' });
  }
  const codec = ELEMENT_CODECS[spec.datatype];
  const count = elementCount(shape);
  // Check the length before allocating: the shape is the client's word, the data is what was sent.
  const nested = Array.isArray(data[0]);
  const sent = nested ? countElements(data) : data.length;
  if (sent !== count) throw lengthMismatch(input, count, sent);

  const writer = codec.writer(count);
  // Flat data, the usual case, is written in one loop; nested data is walked (and may still nest further on).
  const bad = nested ? writeNested(data, writer, count) : writeFlat(data, writer);
  if (bad.index >= 0) {
    throw new KilnError('INPUT_DATA', {
      input: input.name,
      reason: `element ${bad.index} is ${describeValue(bad.value)}, expected ${codec.expects} (datatype ${spec.datatype})`,
    });
  }
  if (bad.count !== count) throw lengthMismatch(input, count, bad.count);
  // The log wants one value per row; nested data is flattened for it (flat data is used as is).
  return { tensor: { datatype: spec.datatype, shape, data: writer.data }, values: bad.nested ? (data as unknown[]).flat(Infinity) : data };
}

function lengthMismatch(input: RequestInput, expected: number, got: number): KilnError {
  return new KilnError('INPUT_SHAPE', {
    input: input.name,
    got: `${formatShape(input.shape)} with ${got} element(s)`,
    expected: `${expected} element(s), the product of the shape`,
  });
}

/** What writing the elements found: how many there were, whether any nested, and the first bad one (index -1: none). */
interface Written {
  count: number;
  nested: boolean;
  index: number;
  value: unknown;
}

/** Writes a flat array's elements; a nested array inside hands over to writeNested. */
function writeFlat(data: readonly unknown[], writer: ColumnWriter): Written {
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    if (Array.isArray(value)) return writeNested(data, writer, data.length);
    if (!writer.write(i, value)) return { count: data.length, nested: false, index: i, value };
  }
  return { count: data.length, nested: false, index: -1, value: undefined };
}

/**
 * Writes `data`'s elements in row-major order; stops writing (but keeps counting) past `capacity`, so a
 * too-long array is reported with its real length.
 */
function writeNested(data: readonly unknown[], writer: ColumnWriter, capacity: number): Written {
  const written: Written = { count: 0, nested: false, index: -1, value: undefined };
  const visit = (values: readonly unknown[]): boolean => {
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (Array.isArray(value)) {
        written.nested = true;
        if (!visit(value)) return false;
        continue;
      }
      if (written.count < capacity && !writer.write(written.count, value)) {
        written.index = written.count;
        written.value = value;
        return false;
      }
      written.count++;
    }
    return true;
  };
  visit(data);
  return written;
}

function countElements(values: readonly unknown[]): number {
  let count = 0;
  for (const value of values) count += Array.isArray(value) ? countElements(value) : 1;
  return count;
}

function withBatch<B extends number | string>(shape: readonly number[], batch: B): (number | B)[] {
  return shape.map((d, i) => (i === 0 ? batch : d));
}

export function formatShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}
