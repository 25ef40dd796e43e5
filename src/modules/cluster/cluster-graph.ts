/**
 * The ONE ONNX graph of a segments module: the fitted preprocessing, then k-means, answering "which
 * segment is this row in" as `segment` (INT64 [N]) and the distance to every segment's centre as
 * `distances` (FP32 [N, k], in the standardised feature space: how clearly a row belongs).
 */
import { KILN_VERSION } from '../../core/version.js';
import type { TabularPreprocessor } from '../../features/tabular-preprocessor.js';
import type { ClustererPredictor } from '../../learners/learner.js';
import { tensor, GraphBuilder } from '../../onnx/graph-builder.js';
import type { Signature } from '../manifest.js';
import { inputSignature } from '../unsupervised/input-signature.js';

export function clusterSignature(preprocessor: TabularPreprocessor, k: number): Signature {
  return {
    inputs: inputSignature(preprocessor),
    outputs: [
      { name: 'segment', datatype: 'INT64', shape: [-1] },
      { name: 'distances', datatype: 'FP32', shape: [-1, k] },
    ],
  };
}

export function buildClusterGraph(
  name: string,
  preprocessor: TabularPreprocessor,
  model: ClustererPredictor,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const g = new GraphBuilder(name);
  const features = preprocessor.toOnnx(g);
  const { cluster, distances } = model.toOnnx(g, features);
  // k-means answers [N, 1]; one segment per row is served as [N].
  const segment = g.op('Reshape', [cluster, g.constant('segment_shape', tensor.int64([-1]))], {}, { name: 'segment_value' });
  g.output(segment, 'segment', 'int64', ['N']);
  g.output(distances, 'distances', 'float', ['N', model.nClusters]);
  return g.toBytes({ producerVersion: KILN_VERSION, docString: `Kiln segments module ${name}`, metadata });
}
