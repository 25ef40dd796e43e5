/**
 * A Frame as the preprocessing graph's inputs: one [N, 1] tensor per input column, in the type its
 * `InputColumn.datatype` names — FP32 numbers (NaN missing; booleans as 1/0), BYTES text ("" missing),
 * INT64 epoch milliseconds for datetimes (INT64_MIN missing). What a client must send is exactly this.
 */
import { KilnError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import { toCategoricalColumn, toNumericColumn } from '../data/coerce.js';
import { ort } from '../onnx/session.js';
import { toBooleanNumbers, type InputColumn } from './column-pipeline.js';
import { MISSING_EPOCH_MS, toEpochMs } from './datetime-parts.js';

export function inputTensors(frame: Frame, inputs: readonly InputColumn[]): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of inputs) {
    const column = frame.get(input.name);
    if (column === undefined) throw new KilnError('COLUMN_NOT_FOUND', { column: input.name, columns: frame.names });
    const dims = [frame.nRows, 1];
    if (input.datatype === 'INT64') {
      const ms = toEpochMs(column, input.unit ?? 'ms');
      feeds[input.name] = new ort.Tensor('int64', BigInt64Array.from(ms, (t) => (Number.isNaN(t) ? MISSING_EPOCH_MS : BigInt(Math.round(t)))), dims);
    } else if (input.datatype === 'BYTES') {
      feeds[input.name] = new ort.Tensor('string', toCategoricalColumn(column).values.map((v) => v ?? ''), dims);
    } else {
      const values = input.type === 'boolean' ? toBooleanNumbers(column) : toNumericColumn(column).values;
      feeds[input.name] = new ort.Tensor('float32', Float32Array.from(values), dims);
    }
  }
  return feeds;
}
