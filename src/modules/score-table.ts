/**
 * Batch scoring: a whole table through a module's ONNX graph, with the same onnxruntime path as the
 * server, so that `kiln predict` and a served prediction give the same answer.
 */
import type { Frame } from '../core/frame.js';
import { openSession } from '../onnx/session.js';
import { frameToFeeds } from './frame-feeds.js';
import type { LoadedModule } from './load-module.js';

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
