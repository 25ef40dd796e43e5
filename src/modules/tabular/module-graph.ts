/**
 * The ONE ONNX graph of a tabular module: the fitted preprocessing, the model, and the outputs a
 * person wants (the label, and for classification the probability of every class). It runs in
 * Kiln's server, in Triton or in any onnxruntime without Kiln's code.
 */
import { attr, GraphBuilder, tensor } from '../../onnx/graph-builder.js';
import type { SupervisedPredictor } from '../../learners/learner.js';
import type { TabularPreprocessor } from '../../features/tabular-preprocessor.js';
import type { InputSpec, Signature, TensorSpec } from '../manifest.js';
import { KILN_VERSION } from '../../core/version.js';

export function moduleSignature(preprocessor: TabularPreprocessor, predictor: SupervisedPredictor, classes: readonly (string | number)[]): Signature {
  const inputs: InputSpec[] = preprocessor.inputColumns().map((c) => ({
    name: c.name,
    kind: c.kind,
    type: c.type,
    datatype: c.datatype,
    shape: [-1, 1],
    ...(c.unit === undefined ? {} : { unit: c.unit }),
  }));
  const outputs: TensorSpec[] =
    predictor.kind === 'classifier'
      ? [
          { name: 'label', datatype: classes.every((c) => typeof c === 'number') ? 'INT64' : 'BYTES', shape: [-1, 1] },
          { name: 'probabilities', datatype: 'FP32', shape: [-1, classes.length] },
        ]
      : [{ name: 'prediction', datatype: 'FP32', shape: [-1, 1] }];
  return { inputs, outputs };
}

export function buildModuleGraph(
  name: string,
  preprocessor: TabularPreprocessor,
  predictor: SupervisedPredictor,
  classes: readonly (string | number)[],
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const g = new GraphBuilder(name);
  const features = preprocessor.toOnnx(g);
  if (predictor.kind === 'classifier') {
    const { probabilities } = predictor.toOnnx(g, features);
    g.output(probabilities, 'probabilities', 'float', ['N', classes.length]);
    const best = g.op('ArgMax', [probabilities], { axis: attr.int(1), keepdims: attr.int(1) }, { name: 'best_class' });
    const numeric = classes.every((c) => typeof c === 'number');
    const labels = g.constant(
      'class_labels',
      numeric ? tensor.int64(classes as number[]) : tensor.string(classes.map(String)),
    );
    const label = g.op('Gather', [labels, best], { axis: attr.int(0) }, { name: 'label_value' });
    g.output(label, 'label', numeric ? 'int64' : 'string', ['N', 1]);
  } else {
    const { prediction } = predictor.toOnnx(g, features);
    g.output(prediction, 'prediction', 'float', ['N', 1]);
  }
  return g.toBytes({ producerVersion: KILN_VERSION, docString: `Kiln module ${name}`, metadata });
}
