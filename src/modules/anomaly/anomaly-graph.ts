/**
 * The ONE ONNX graph of an anomalies module: the fitted preprocessing, then the isolation forest,
 * answering `score` (FP32 [N], higher = more unusual) and `is_anomaly` (INT64 [N], 1 when the score is
 * above the threshold, which sits in the graph: the contamination quantile of the training scores);
 * and, when the table has numeric columns, why: `reason` (BYTES [N], the column with the largest
 * robust z) and `reason_z` (FP32 [N], that z).
 */
import { KILN_VERSION } from '../../core/version.js';
import type { TabularPreprocessor } from '../../features/tabular-preprocessor.js';
import type { AnomalyPredictor } from '../../learners/learner.js';
import { GraphBuilder, tensor } from '../../onnx/graph-builder.js';
import type { Signature, TensorSpec } from '../manifest.js';
import { inputSignature } from '../unsupervised/input-signature.js';
import type { RobustZ } from './robust-z.js';
import { addLargestZ } from './robust-z-onnx.js';

export function anomalySignature(preprocessor: TabularPreprocessor, baseline: RobustZ): Signature {
  const reasons: TensorSpec[] =
    baseline.numeric.length === 0
      ? []
      : [
          { name: 'reason', datatype: 'BYTES', shape: [-1] },
          { name: 'reason_z', datatype: 'FP32', shape: [-1] },
        ];
  return {
    inputs: inputSignature(preprocessor),
    outputs: [
      { name: 'score', datatype: 'FP32', shape: [-1] },
      { name: 'is_anomaly', datatype: 'INT64', shape: [-1] },
      ...reasons,
    ],
  };
}

export function buildAnomalyGraph(
  name: string,
  preprocessor: TabularPreprocessor,
  model: AnomalyPredictor,
  baseline: RobustZ,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const g = new GraphBuilder(name);
  const features = preprocessor.toOnnx(g);
  const { score, flag } = model.toOnnx(g, features);
  // The forest answers [N, 1]; one score and one flag per row are served as [N].
  const flat = g.constant('row_shape', tensor.int64([-1]));
  g.output(g.op('Reshape', [score, flat], {}, { name: 'score_value' }), 'score', 'float', ['N']);
  g.output(g.op('Reshape', [flag, flat], {}, { name: 'is_anomaly_value' }), 'is_anomaly', 'int64', ['N']);
  if (baseline.numeric.length > 0) {
    const { reason, reasonZ } = addLargestZ(g, baseline);
    g.output(reason, 'reason', 'string', ['N']);
    g.output(reasonZ, 'reason_z', 'float', ['N']);
  }
  return g.toBytes({ producerVersion: KILN_VERSION, docString: `Kiln anomalies module ${name}`, metadata });
}
