/**
 * Triton's classification extension: an output requested with `"parameters": {"classification": k}`
 * answers, instead of its scores, the k highest of them per batch entry as BYTES strings
 * `"<score>:<index>"`, or `"<score>:<index>:<label>"` when the model has class labels for that output
 * (a Kiln module's classes, or the label_filename of a Triton folder's config.pbtxt). The shape is the
 * output's with its class dimension replaced by k: `[N, C]` → `[N, k]`, and `[C]` → `[k]` for a model
 * without a batch dimension.
 */
import { KilnError } from '../core/errors.js';
import { tensorElement, type HostTensor } from './datatypes.js';
import type { LoadedModel } from './loaded-model.js';

export function classify(model: LoadedModel, output: string, tensor: HostTensor, k: unknown, rows: number): HostTensor {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new KilnError('MALFORMED_REQUEST', { reason: `parameter "classification" of output "${output}" must be a positive integer (the number of classes to return), got ${JSON.stringify(k)}` });
  }
  if (tensor.datatype === 'BYTES' || tensor.datatype === 'BOOL') {
    throw new KilnError('MALFORMED_REQUEST', { reason: `output "${output}" is ${tensor.datatype}; classification needs a numeric output of class scores` });
  }
  const batched = model.config.maxBatchSize > 0;
  const groups = batched ? Math.max(1, rows) : 1;
  const classes = tensor.data.length / groups;
  const top = Math.min(k, classes);
  const labels = model.labels.get(output);
  const data: string[] = [];
  for (let g = 0; g < groups; g++) {
    const scores = Array.from({ length: classes }, (_, c) => ({ c, score: tensorElement(tensor, g * classes + c) as number }));
    scores.sort((a, b) => b.score - a.score || a.c - b.c);
    for (const { c, score } of scores.slice(0, top)) {
      const label = labels?.[c];
      data.push(label === undefined ? `${score.toFixed(6)}:${c}` : `${score.toFixed(6)}:${c}:${label}`);
    }
  }
  return { datatype: 'BYTES', shape: batched ? [groups, top] : [top], data };
}
