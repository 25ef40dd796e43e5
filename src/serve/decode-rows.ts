/**
 * Rows (KServe v1 `instances`: `[{"Pclass": 3, "Sex": "male"}, ...]`) → a decoded batch.
 *
 * Rows are how people who do not think in tensors send data, so this path is forgiving where the
 * tensor path is strict, and says so:
 *   - a column absent from a row is a missing value, exactly like `null` (partial rows are normal);
 *   - a number or boolean sent for a categorical column is taken as its text (`3` → `"3"`), since a
 *     category read from a CSV file such as Pclass is the text "3";
 * but a key that is not an input is an error naming every such key (a typo must not silently become
 * a missing value).
 */
import { KilnError, type Problem } from '../core/errors.js';
import type { DecodedBatch, DecodedColumn } from './batch.js';
import { ELEMENT_CODECS, describeValue } from './datatypes.js';
import type { LoadedModel } from './loaded-model.js';

export type Row = Readonly<Record<string, unknown>>;

export function decodeRows(model: LoadedModel, rows: readonly Row[]): DecodedBatch {
  checkKeys(model, rows);
  const columns = new Map<string, DecodedColumn>();
  for (const [name, spec] of model.inputs) {
    const codec = ELEMENT_CODECS[spec.datatype];
    const writer = codec.writer(rows.length);
    const values = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      let value = (rows[i] as Row)[name] ?? null;
      if (spec.kind === 'categorical' && (typeof value === 'number' || typeof value === 'boolean')) value = String(value);
      if (!writer.write(i, value)) {
        throw new KilnError('INPUT_DATA', {
          input: name,
          reason: `instances[${i}].${name} is ${describeValue(value)}, expected ${codec.expects}`,
        });
      }
      values[i] = value;
    }
    columns.set(name, { tensor: writer.toTensor(spec.shape.map((d, j) => (j === 0 ? rows.length : d))), values });
  }
  return { rows: rows.length, columns };
}

/** Every key of every row must be an input; the error lists all unknown keys with where they are. */
function checkKeys(model: LoadedModel, rows: readonly Row[]): void {
  const unknown = new Set<string>();
  const problems: Problem[] = [];
  for (let i = 0; i < rows.length; i++) {
    for (const key of Object.keys(rows[i] as Row)) {
      if (model.inputs.has(key)) continue;
      if (!unknown.has(key) && problems.length < 100) {
        problems.push({ path: `instances[${i}].${key}`, message: `"${key}" is not an input of model "${model.name}"`, code: 'INPUT_UNKNOWN' });
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
