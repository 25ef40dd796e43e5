/**
 * Batch scoring: a whole table through a module's ONNX graph, with the same onnxruntime path as the
 * server, so that `kiln predict` and a served prediction give the same answer.
 */
import type { Frame } from '../core/frame.js';
import { openSession } from '../onnx/session.js';
import { frameToFeeds } from './frame-feeds.js';
import type { LoadedModule } from './load-module.js';
import type { TensorSpec } from './manifest.js';

export interface Scores {
  /** Output column name → one value per row. */
  readonly columns: Record<string, (string | number)[]>;
}

export async function scoreFrame(module: LoadedModule, frame: Frame): Promise<Scores> {
  const { manifest } = module;
  const session = await openSession(module.onnx);
  try {
    const out = await session.run(frameToFeeds(frame, manifest.signature));
    const columns: Record<string, (string | number)[]> = {};
    if (manifest.task !== 'regression' && manifest.task !== 'binary' && manifest.task !== 'multiclass' && manifest.task !== 'text-classify') {
      return { columns: outputColumns(out, manifest.signature.outputs, frame.nRows) };
    }
    if (manifest.task === 'regression') {
      columns['prediction'] = Array.from(out['prediction']?.data as Float32Array);
      return { columns };
    }
    const labels = out['label']?.data as BigInt64Array | string[];
    columns['label'] = Array.from(labels, (v: bigint | string) => (typeof v === 'bigint' ? Number(v) : v));
    const proba = out['probabilities']?.data as Float32Array;
    const classes = manifest.classes ?? [];
    classes.forEach((c, k) => {
      columns[`probability_${c}`] = Array.from({ length: frame.nRows }, (_, i) => proba[i * classes.length + k] as number);
    });
    return { columns };
  } finally {
    await session.release();
  }
}

/**
 * Every output as columns, for modules whose outputs are not a label and probabilities (segments,
 * anomaly scores, recommendations): an output of shape [-1] is one column named after it; one of
 * shape [-1, k] becomes k columns `NAME_0 … NAME_{k-1}`.
 */
function outputColumns(
  out: Record<string, { readonly data: unknown; readonly dims: readonly number[] }>,
  outputs: readonly TensorSpec[],
  nRows: number,
): Record<string, (string | number)[]> {
  const columns: Record<string, (string | number)[]> = {};
  for (const spec of outputs) {
    const tensor = out[spec.name];
    if (tensor === undefined) continue;
    const values = Array.from(tensor.data as ArrayLike<number | bigint | string>, (v) => (typeof v === 'bigint' ? Number(v) : v));
    const width = nRows === 0 ? 1 : values.length / nRows;
    if (width === 1) {
      columns[spec.name] = values;
      continue;
    }
    for (let k = 0; k < width; k++) columns[`${spec.name}_${k}`] = Array.from({ length: nRows }, (_, i) => values[i * width + k] as string | number);
  }
  return columns;
}
