/**
 * Batch scoring: a whole table through a module's ONNX graph, with the same onnxruntime path as the
 * server, so that `kiln predict` and a served prediction give the same answer.
 */
import type { Frame } from '../core/frame.js';
import { openSession } from '../onnx/session.js';
import { frameToFeeds } from './frame-feeds.js';
import type { LoadedModule } from './load-module.js';
import type { TensorSpec } from './manifest.js';
import { leaveOutMaskedPlaces } from './recommend/left-out-places.js';
import { ITEMS_OUTPUT, SCORES_OUTPUT } from './recommend/recommend-graph.js';

/** A scored value; `null` where there is none (a recommendation list that ran out of items). */
export type Cell = string | number | null;

export interface Scores {
  /** Output column name → one value per row. */
  readonly columns: Record<string, Cell[]>;
}

export async function scoreFrame(module: LoadedModule, frame: Frame): Promise<Scores> {
  const { manifest } = module;
  const session = await openSession(module.onnx);
  try {
    const out = await session.run(frameToFeeds(frame, manifest.signature));
    const columns: Record<string, Cell[]> = {};
    if (manifest.task !== 'regression' && manifest.task !== 'binary' && manifest.task !== 'multiclass' && manifest.task !== 'text-classify') {
      const values = outputValues(out, manifest.signature.outputs);
      const items = values[ITEMS_OUTPUT];
      const scores = values[SCORES_OUTPUT];
      if (manifest.task === 'recommend' && items !== undefined && scores !== undefined) {
        // a user with fewer than k items left gets fewer, not items they have scored -3.4e38
        const kept = leaveOutMaskedPlaces(items, scores, frame.nRows);
        values[ITEMS_OUTPUT] = kept.items;
        values[SCORES_OUTPUT] = kept.scores;
      }
      return { columns: outputColumns(values, frame.nRows) };
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

/** Each output's elements as one flat list (row-major), by output name. */
function outputValues(
  out: Record<string, { readonly data: unknown; readonly dims: readonly number[] }>,
  outputs: readonly TensorSpec[],
): Record<string, Cell[]> {
  const values: Record<string, Cell[]> = {};
  for (const spec of outputs) {
    const tensor = out[spec.name];
    if (tensor !== undefined) values[spec.name] = Array.from(tensor.data as ArrayLike<number | bigint | string>, (v) => (typeof v === 'bigint' ? Number(v) : v));
  }
  return values;
}

/**
 * Every output as columns, for modules whose outputs are not a label and probabilities (segments,
 * anomaly scores, recommendations): an output of shape [-1] is one column named after it; one of
 * shape [-1, k] becomes k columns `NAME_0 … NAME_{k-1}`.
 */
function outputColumns(values: Record<string, Cell[]>, nRows: number): Record<string, Cell[]> {
  const columns: Record<string, Cell[]> = {};
  for (const [name, flat] of Object.entries(values)) {
    const width = nRows === 0 ? 1 : flat.length / nRows;
    if (width === 1) {
      columns[name] = flat;
      continue;
    }
    for (let k = 0; k < width; k++) columns[`${name}_${k}`] = Array.from({ length: nRows }, (_, i) => flat[i * width + k] as Cell);
  }
  return columns;
}
