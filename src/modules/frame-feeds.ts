/**
 * A Frame as onnxruntime inputs for a module: one [N, 1] tensor per input column, numbers as float32
 * (NaN for missing), categories as strings ("" for missing).
 */
import { KilnError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import { toCategoricalColumn, toNumericColumn } from '../data/coerce.js';
import { ort } from '../onnx/session.js';
import type { Signature } from './manifest.js';

export function frameToFeeds(frame: Frame, signature: Signature): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of signature.inputs) {
    const column = frame.get(input.name);
    if (column === undefined) {
      throw new KilnError('COLUMN_NOT_FOUND', { column: input.name, columns: frame.names });
    }
    feeds[input.name] =
      input.kind === 'numeric'
        ? new ort.Tensor('float32', Float32Array.from(toNumericColumn(column).values), [frame.nRows, 1])
        : new ort.Tensor('string', toCategoricalColumn(column).values.map((v) => v ?? ''), [frame.nRows, 1]);
  }
  return feeds;
}
