/**
 * Rows (KServe v1 `instances`) → a decoded batch.
 *
 * For a Kiln module a row is an object of column values, `{"Pclass": 3, "Sex": "male"}`. Rows are how
 * people who do not think in tensors send data, so this path is forgiving where the tensor path is strict,
 * and says so:
 *   - a column absent from a row is a missing value, exactly like `null` (partial rows are normal);
 *   - a number or boolean sent for a categorical column is taken as its text (`3` → `"3"`), since a
 *     category read from a CSV file such as Pclass is the text "3";
 *   - a missing datetime (a module's INT64 column, epoch milliseconds) is fed as the graph's missing-time
 *     marker, INT64_MIN: an integer tensor has no null of its own;
 * but a key that is not an input is an error naming every such key (a typo must not silently become
 * a missing value).
 *
 * For a plain tensor model (one with a batch dimension) a row is one batch entry: `{"input": [...]}` with
 * the row's elements per input, or, when the model has a single input, the elements themselves
 * (`"instances": [[5.1, 3.5, 1.4, 0.2]]`), as KServe's v1 protocol sends them.
 *
 * A module's rows are read by decodeModuleRows, which needs only the module's name and inputs: the app's
 * explain route reads its rows with it too (src/api/app/rows-to-frame.ts), so that a row is accepted, or
 * refused with the same coded error, whether it is sent to be predicted or to be explained.
 */
import { KilnError, type Problem } from '../core/errors.js';
import { MISSING_EPOCH_MS } from '../features/datetime-parts.js';
import type { DecodedBatch, DecodedColumn } from './batch.js';
import { ELEMENT_CODECS, describeValue, elementCount } from './datatypes.js';
import type { LoadedModel, ServedInput } from './loaded-model.js';

export type Row = Readonly<Record<string, unknown>>;

export function decodeRows(model: LoadedModel, rows: readonly unknown[]): DecodedBatch {
  return model.kind === 'tensor' ? decodeTensorRows(model, rows) : decodeModuleRows(model, rows);
}

/** What reading a module's rows needs: its name (for messages) and its inputs by name, in signature order. */
export interface RowSchema {
  readonly name: string;
  readonly inputs: ReadonlyMap<string, ServedInput>;
}

/**
 * A module's rows (objects of column values) → a decoded batch, each value checked against its input.
 * `field` is the request's name for its list of rows, so that a message points into the body the client
 * sent: `instances` for the v1 predict route, `rows` for the app's explain route.
 */
export function decodeModuleRows(schema: RowSchema, rows: readonly unknown[], field = 'instances'): DecodedBatch {
  const objects = rows.map((row, i) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new KilnError('MALFORMED_REQUEST', { reason: `${field}[${i}]: each row must be an object of column values, e.g. {"Age": 22, "Sex": "male"}` });
    }
    return row as Row;
  });
  checkKeys(schema, objects, field);
  const columns = new Map<string, DecodedColumn>();
  for (const [name, spec] of schema.inputs) {
    const codec = ELEMENT_CODECS[spec.datatype];
    const writer = codec.writer(rows.length);
    const values = new Array<unknown>(rows.length);
    for (let i = 0; i < objects.length; i++) {
      let value = (objects[i] as Row)[name] ?? null;
      if (spec.kind === 'categorical' && (typeof value === 'number' || typeof value === 'boolean')) value = String(value);
      if (!writer.write(i, value === null && spec.datatype === 'INT64' ? MISSING_EPOCH_MS : value)) {
        throw new KilnError('INPUT_DATA', {
          input: name,
          reason: `${field}[${i}].${name} is ${describeValue(value)}, expected ${codec.expects}`,
        });
      }
      values[i] = value;
    }
    const shape = spec.shape.map((d, j) => (j === 0 ? rows.length : d));
    columns.set(name, { tensor: { datatype: spec.datatype, shape, data: writer.data }, values });
  }
  return { rows: rows.length, columns };
}

function decodeTensorRows(model: LoadedModel, rows: readonly unknown[]): DecodedBatch {
  if (model.config.maxBatchSize === 0) {
    throw new KilnError('INPUT_DATA', { input: 'instances', reason: `model "${model.name}" has no batch dimension (max_batch_size 0); use the v2 infer endpoint` });
  }
  const single = model.inputs.size === 1 ? [...model.inputs.keys()][0] : undefined;
  const columns = new Map<string, DecodedColumn>();
  for (const [name, spec] of model.inputs) {
    const rowShape = spec.shape.slice(1);
    if (rowShape.some((d) => d === -1)) {
      throw new KilnError('INPUT_DATA', { input: name, reason: `its shape ${JSON.stringify(spec.shape)} has variable dimensions past the batch; use the v2 infer endpoint` });
    }
    const width = elementCount(rowShape);
    const codec = ELEMENT_CODECS[spec.datatype];
    const writer = codec.writer(rows.length * width);
    rows.forEach((row, i) => {
      const isObject = typeof row === 'object' && row !== null && !Array.isArray(row);
      const value = isObject ? (row as Row)[name] : name === single ? row : undefined;
      if (value === undefined) throw new KilnError('INPUT_MISSING', { model: model.name, input: name, expected: [...model.inputs.keys()].join(', ') });
      const elements = Array.isArray(value) ? (value as unknown[]).flat(Infinity) : [value];
      if (elements.length !== width) {
        throw new KilnError('INPUT_SHAPE', { input: name, got: `${elements.length} element(s) in instances[${i}]`, expected: `${width} element(s) per row (shape ${JSON.stringify(rowShape)})` });
      }
      elements.forEach((e, j) => {
        if (!writer.write(i * width + j, e)) {
          throw new KilnError('INPUT_DATA', { input: name, reason: `instances[${i}] element ${j} is ${describeValue(e)}, expected ${codec.expects}` });
        }
      });
    });
    columns.set(name, { tensor: { datatype: spec.datatype, shape: [rows.length, ...rowShape], data: writer.data }, values: [] });
  }
  return { rows: rows.length, columns };
}

/** Every key of every row must be an input; the error lists all unknown keys with where they are. */
function checkKeys(model: RowSchema, rows: readonly Row[], field: string): void {
  const unknown = new Set<string>();
  const problems: Problem[] = [];
  for (let i = 0; i < rows.length; i++) {
    for (const key of Object.keys(rows[i] as Row)) {
      if (model.inputs.has(key)) continue;
      if (!unknown.has(key) && problems.length < 100) {
        problems.push({ path: `${field}[${i}].${key}`, message: `"${key}" is not an input of model "${model.name}"`, code: 'INPUT_UNKNOWN' });
      }
      unknown.add(key);
    }
  }
  if (unknown.size > 0) {
    throw new KilnError(
      'INPUT_UNKNOWN',
      { model: model.name, input: [...unknown].join('", "'), expected: [...model.inputs.keys()].join(', ') },
      { problems },
    );
  }
}
