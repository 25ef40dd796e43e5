/**
 * Between Kiln's host tensors and onnxruntime's, and how a session describes its graph. Shared by the two
 * kinds of model instance: the worker thread (instance-worker.ts) and the main-thread one
 * (in-process-instance.ts).
 */
import { datatypeOfOrtType, ORT_TYPE, type HostTensor, type TensorData } from '../datatypes.js';
import { ort } from '../../onnx/session.js';
import type { GraphValue } from './worker-protocol.js';

export function describeGraphValues(metadata: readonly ort.InferenceSession.ValueMetadata[]): GraphValue[] {
  return metadata.map((m) =>
    m.isTensor
      ? { name: m.name, type: m.type, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) }
      : { name: m.name, type: 'non-tensor', shape: undefined },
  );
}

export function toOrtFeeds(feeds: Readonly<Record<string, HostTensor>>): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const name in feeds) {
    const tensor = feeds[name] as HostTensor;
    out[name] = new ort.Tensor(ORT_TYPE[tensor.datatype], tensor.data as never, tensor.shape as number[]);
  }
  return out;
}

export function fromOrt(name: string, tensor: ort.Tensor): HostTensor {
  const datatype = datatypeOfOrtType(tensor.type);
  if (datatype === undefined) throw new Error(`output "${name}" has type ${tensor.type}, which the Open Inference Protocol cannot carry`);
  return { datatype, shape: tensor.dims, data: tensor.data as TensorData };
}

/** The message a session that cannot be opened fails with, wherever it is opened. */
export function openFailure(err: unknown): string {
  return `onnxruntime cannot open model.onnx: ${(err as Error).message}`;
}
