/**
 * Open Inference Protocol input tensors → a decoded batch, checked strictly against the signature.
 *
 * Datatypes must match the signature exactly, as in Triton: an FP64 or INT64 tensor sent to an FP32
 * input is rejected (INPUT_DATATYPE) rather than converted. JSON numbers carry no width, so converting
 * would be easy, but Kiln promises that a request that works here works unchanged against the same
 * module exported to Triton, and Triton rejects it. The error names the expected datatype.
 *
 * Shapes: a table column is declared `[-1, 1]`; `[N, 1]` and the plain `[N]` are both accepted (clients
 * that think in columns send the latter). Every input must have the same batch size N.
 *
 * Data: flat or nested arrays, read row-major (the OIP allows both), written straight into the typed
 * array onnxruntime reads, with no intermediate copy. `null` is a missing value (see datatypes.ts).
 */
import { KilnError } from '../core/errors.js';
import type { InputSpec } from '../modules/manifest.js';
import type { DecodedBatch, DecodedColumn } from './batch.js';
import { ELEMENT_CODECS, describeValue, type ColumnWriter } from './datatypes.js';
import type { LoadedModel } from './loaded-model.js';
import type { RequestInput } from './protocol.js';

export function decodeTensors(model: LoadedModel, inputs: readonly RequestInput[]): DecodedBatch {
  const byName = matchInputs(model, inputs);

  let rows: number | undefined;
  let firstInput = '';
  const columns = new Map<string, DecodedColumn>();
  // signature order, so that every column map (and every log record) lists inputs the same way
  for (const [name, spec] of model.inputs) {
    const input = byName.get(name) as RequestInput;
    if (input.datatype !== spec.datatype) {
      throw new KilnError('INPUT_DATATYPE', { input: name, got: input.datatype, expected: spec.datatype });
    }
    const batch = batchSize(input, spec);
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
    columns.set(name, decodeColumn(input, spec, batch));
  }
  return { rows: rows ?? 0, columns };
}

/** Pairs request inputs with signature inputs: unknown, repeated and missing inputs are errors. */
function matchInputs(model: LoadedModel, inputs: readonly RequestInput[]): Map<string, RequestInput> {
  const expected = [...model.inputs.keys()].join(', ');
  const byName = new Map<string, RequestInput>();
  for (const input of inputs) {
    if (!model.inputs.has(input.name)) throw new KilnError('INPUT_UNKNOWN', { model: model.name, input: input.name, expected });
    if (byName.has(input.name)) throw new KilnError('MALFORMED_REQUEST', { reason: `input "${input.name}" is given more than once` });
    byName.set(input.name, input);
  }
  for (const name of model.inputs.keys()) {
    if (!byName.has(name)) throw new KilnError('INPUT_MISSING', { model: model.name, input: name, expected });
  }
  return byName;
}

/**
 * The batch size N of an input whose shape must be the signature's with the batch dimension filled in
 * (`[N, 1]` for `[-1, 1]`); a single-column input may also come as `[N]`.
 */
function batchSize(input: RequestInput, spec: InputSpec): number {
  const shape = input.shape;
  const batch = shape[0];
  const rowWidth = spec.shape.slice(1).reduce((a, b) => a * b, 1);
  const fits =
    batch !== undefined &&
    batch >= 1 &&
    ((shape.length === spec.shape.length && spec.shape.every((d, i) => i === 0 || d === -1 || d === shape[i])) ||
      (shape.length === 1 && rowWidth === 1));
  if (!fits) {
    const expected = formatShape(withBatch(spec.shape, 'N'));
    throw new KilnError('INPUT_SHAPE', {
      input: input.name,
      got: formatShape(shape),
      expected: rowWidth === 1 && spec.shape.length === 2 ? `${expected} or [N] with N ≥ 1` : `${expected} with N ≥ 1`,
    });
  }
  return batch;
}

function decodeColumn(input: RequestInput, spec: InputSpec, rows: number): DecodedColumn {
  const data = input.data;
  if (!Array.isArray(data)) {
    throw new KilnError('INPUT_DATA', { input: input.name, reason: 'data must be an array of elements (flat or nested)' });
  }
  const codec = ELEMENT_CODECS[spec.datatype];
  const count = input.shape.reduce((a, b) => a * b, 1);
  const lengthMismatch = (got: number): KilnError =>
    new KilnError('INPUT_SHAPE', {
      input: input.name,
      got: `${formatShape(input.shape)} with ${got} element(s)`,
      expected: `${count} element(s), the product of the shape`,
    });
  // Check the length before allocating: the shape is the client's word, the data is what was sent.
  const sent = Array.isArray(data[0]) ? countElements(data) : data.length;
  if (sent !== count) throw lengthMismatch(sent);

  const writer = codec.writer(count);
  const written = writeElements(data, writer, count, (index, value) => {
    throw new KilnError('INPUT_DATA', {
      input: input.name,
      reason: `element ${index} is ${describeValue(value)}, expected ${codec.expects} (datatype ${spec.datatype})`,
    });
  });
  // (flat-looking data may still nest further on)
  if (written.count !== count) throw lengthMismatch(written.count);
  const shape = withBatch(spec.shape, rows);
  // The log wants one value per row; nested data is flattened for it (flat data, the usual case, is used as is).
  return { tensor: writer.toTensor(shape), values: written.nested ? (data as unknown[]).flat(Infinity) : data };
}

/**
 * Writes `data`'s elements in row-major order; stops writing (but keeps counting) past `capacity`, so a
 * too-long array is reported with its real length.
 */
function writeElements(
  data: readonly unknown[],
  writer: ColumnWriter,
  capacity: number,
  onBadElement: (index: number, value: unknown) => never,
): { count: number; nested: boolean } {
  let count = 0;
  let nested = false;
  const visit = (values: readonly unknown[]): void => {
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (Array.isArray(value)) {
        nested = true;
        visit(value);
        continue;
      }
      if (count < capacity && !writer.write(count, value)) onBadElement(count, value);
      count++;
    }
  };
  visit(data);
  return { count, nested };
}

function countElements(values: readonly unknown[]): number {
  let count = 0;
  for (const value of values) count += Array.isArray(value) ? countElements(value) : 1;
  return count;
}

function withBatch<B extends number | string>(shape: readonly number[], batch: B): (number | B)[] {
  return shape.map((d, i) => (i === 0 ? batch : d));
}

function formatShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}
