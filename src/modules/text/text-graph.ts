/**
 * The ONE ONNX graph of a text-classify module: the raw text in (a BYTES/string tensor [N, 1] named
 * after the text column), lowercasing, tokenising, word (and character) n-gram TF-IDF, the linear model,
 * and the outputs a tabular classifier has — `label` and `probabilities` — so the server's
 * classification extension, `kiln predict` and monitoring treat it like any other classifier.
 */
import { KILN_VERSION } from '../../core/version.js';
import { attr, GraphBuilder, tensor } from '../../onnx/graph-builder.js';
import type { ClassifierPredictor } from '../../learners/learner.js';
import type { Signature } from '../manifest.js';
import type { TextFeatures } from './text-features.js';

export function textSignature(column: string, classes: readonly (string | number)[]): Signature {
  return {
    inputs: [{ name: column, kind: 'categorical', type: 'text', datatype: 'BYTES', shape: [-1, 1] }],
    outputs: [
      { name: 'label', datatype: classes.every((c) => typeof c === 'number') ? 'INT64' : 'BYTES', shape: [-1, 1] },
      { name: 'probabilities', datatype: 'FP32', shape: [-1, classes.length] },
    ],
  };
}

export function buildTextGraph(
  name: string,
  features: TextFeatures,
  predictor: ClassifierPredictor,
  classes: readonly (string | number)[],
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const g = new GraphBuilder(name);
  const text = g.input(features.column, 'string', ['N', 1]);
  const { probabilities } = predictor.toOnnx(g, features.toOnnx(g, text));
  addClassOutputs(g, probabilities, classes);
  return g.toBytes({ producerVersion: KILN_VERSION, docString: `Kiln text-classify module ${name}`, metadata });
}

/** `probabilities` as an output, and `label` = the class with the highest probability. */
export function addClassOutputs(g: GraphBuilder, probabilities: string, classes: readonly (string | number)[]): void {
  g.output(probabilities, 'probabilities', 'float', ['N', classes.length]);
  const best = g.op('ArgMax', [probabilities], { axis: attr.int(1), keepdims: attr.int(1) }, { name: 'best_class' });
  const numeric = classes.every((c) => typeof c === 'number');
  const labels = g.constant('class_labels', numeric ? tensor.int64(classes as number[]) : tensor.string(classes.map(String)));
  g.output(g.op('Gather', [labels, best], { axis: attr.int(0) }, { name: 'label_value' }), 'label', numeric ? 'int64' : 'string', ['N', 1]);
}
