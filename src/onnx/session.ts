/**
 * Opening ONNX models with onnxruntime. Kiln's own models are small, so one intra-op thread per session
 * is fastest (thread hand-off costs more than it saves); parallelism comes from batching and instances.
 */
import * as ort from 'onnxruntime-node';

export { ort };

export interface SessionOptions {
  readonly intraOpNumThreads?: number;
}

export async function openSession(model: Uint8Array, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, {
    intraOpNumThreads: options.intraOpNumThreads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
}
