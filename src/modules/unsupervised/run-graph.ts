/**
 * Runs a module's exported graph on a frame with onnxruntime, as the server will: the check that the
 * graph and the in-process model agree before a version is registered.
 */
import type { Frame } from '../../core/frame.js';
import { openSession } from '../../onnx/session.js';
import { frameToFeeds } from '../frame-feeds.js';
import type { Signature } from '../manifest.js';

export async function runGraph(onnx: Uint8Array, signature: Signature, frame: Frame): Promise<Record<string, ArrayLike<number | bigint | string>>> {
  const session = await openSession(onnx);
  try {
    const out = await session.run(frameToFeeds(frame, signature));
    const values: Record<string, ArrayLike<number | bigint | string>> = {};
    for (const o of signature.outputs) {
      const t = out[o.name];
      if (t !== undefined) values[o.name] = t.data as ArrayLike<number | bigint | string>;
    }
    return values;
  } finally {
    await session.release();
  }
}
