/**
 * A Frame as onnxruntime inputs for a module: one [N, 1] tensor per input column, in the datatype
 * its signature names (FP32 numbers with NaN for missing, strings with "" for missing, INT64 epoch
 * milliseconds for datetimes). The conversion itself lives with the feature transforms.
 */
import { inputTensors } from '../features/input-tensors.js';
import type { ort } from '../onnx/session.js';
import type { Signature } from './manifest.js';

export function frameToFeeds(frame: Parameters<typeof inputTensors>[0], signature: Signature): Record<string, ort.Tensor> {
  return inputTensors(
    frame,
    signature.inputs.map((i) => ({
      name: i.name,
      kind: i.kind,
      type: i.type ?? i.kind,
      datatype: i.datatype as 'FP32' | 'BYTES' | 'INT64',
      ...(i.unit === undefined ? {} : { unit: i.unit }),
    })),
  );
}
