/**
 * Rows sent to be explained (`[{"Pclass": 3, "Sex": "male", "Age": null}]`) into the Frame a saved
 * predictor reads, read exactly as the served model reads the same rows sent to be predicted.
 *
 * The rows are checked by serving's own row reader (decodeModuleRows, src/serve/decode-rows.ts), against
 * the module's signature: a row the v1 predict route refuses is refused here with the same coded error
 * (its path naming `rows` instead of `instances`), and a row it accepts is accepted. Explaining a row is
 * asking why the served model answered what it did, so the row must mean here what it means there.
 *
 * The Frame then holds what the served graph is fed: numbers for FP32 columns (as sent, not rounded to
 * float32, as the saved predictor was fitted), text for BYTES columns ("" = missing, as in the graph), and
 * for datetime columns the INT64 epoch milliseconds the served graph takes — given back to the predictor
 * in the unit its datetime parts read plain numbers in (milliseconds, or seconds for a unit "s" column).
 */
import { Frame, type Column } from '../../core/frame.js';
import { MISSING_EPOCH_MS } from '../../features/datetime-parts.js';
import type { InputSpec } from '../../modules/manifest.js';
import type { DecodedColumn } from '../../serve/batch.js';
import { decodeModuleRows } from '../../serve/decode-rows.js';

/** `model` names the module in messages (as serving names it); `inputs` are its signature's inputs. */
export function rowsToFrame(model: string, inputs: readonly InputSpec[], rows: readonly unknown[]): Frame {
  const batch = decodeModuleRows({ name: model, inputs: new Map(inputs.map((input) => [input.name, input])) }, rows, 'rows');
  return new Frame(inputs.map((input) => frameColumn(input, batch.columns.get(input.name) as DecodedColumn)));
}

function frameColumn(input: InputSpec, decoded: DecodedColumn): Column {
  const { name } = input;
  if (input.datatype === 'BYTES') {
    // serving read numbers and booleans sent for a text column as their text already
    return { kind: 'categorical', name, values: Array.from(decoded.values, (v) => (typeof v === 'string' && v !== '' ? v : null)) };
  }
  if (input.datatype === 'INT64') {
    // a datetime: epoch milliseconds in the tensor, INT64_MIN for a missing time
    const perUnit = input.unit === 's' ? 1000 : 1;
    const ms = decoded.tensor.data as BigInt64Array;
    return { kind: 'numeric', name, values: Float64Array.from(ms, (t) => (t === MISSING_EPOCH_MS ? Number.NaN : Number(t) / perUnit)) };
  }
  return { kind: 'numeric', name, values: Float64Array.from(decoded.values as ArrayLike<unknown>, (v) => (typeof v === 'number' ? v : Number.NaN)) };
}
