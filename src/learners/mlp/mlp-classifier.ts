/**
 * The multilayer perceptron classifier ('mlp'): scikit-learn's MLPClassifier, trained on
 * TensorFlow.js's wasm backend (./train-network.ts) and predicting with its own float64 forward pass
 * (./dense-network.ts), so a saved or served model never loads tfjs.
 *
 * As in scikit-learn, two classes use one sigmoid output (the log-odds of class 1) and more classes a
 * softmax over one output per class; the loss is the mean log loss plus the L2 penalty.
 */
import { KilnError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { parseParams } from '../../core/params.js';
import type { GraphBuilder } from '../../onnx/graph-builder.js';
import { checkClassificationData, checkPredictionInput, checkValidationData } from '../check-training-data.js';
import type { ClassifierLearner, ClassifierPredictor, FitOptions, SerializedPredictor } from '../learner.js';
import { addNetworkToOnnx, forward, inputWeightNorms, networkFromState, networkToState, type DenseNetwork } from './dense-network.js';
import { mlpParams } from './mlp-params.js';
import { trainNetwork } from './train-network.js';
import { loadTfjs } from './tfjs-runtime.js';

const NAME = 'mlp';
const FORMAT = 1;

export interface MlpClassifierPredictor extends ClassifierPredictor {
  /** The trained weights and biases (copies are not made: treat as read-only). */
  readonly network: DenseNetwork;
  /** Epochs actually run (fewer than maxIter when training stopped early); 0 for a loaded model. */
  readonly epochs: number;
}

export interface MlpClassifierLearner extends ClassifierLearner<typeof mlpParams> {
  fit(X: Matrix, y: Int32Array, nClasses: number, params: unknown, options?: FitOptions): Promise<MlpClassifierPredictor>;
  load(serialized: SerializedPredictor): MlpClassifierPredictor;
}

export const mlpClassifier: MlpClassifierLearner = {
  name: NAME,
  kind: 'classifier',
  family: 'network',
  summary: 'Multilayer perceptron (dense layers, relu or tanh, Adam, early stopping) trained with TensorFlow.js; learns non-linear boundaries, wants standardised features.',
  paramsSchema: mlpParams,

  async fit(X, y, nClasses, rawParams, options = {}) {
    const params = parseParams(mlpParams, rawParams, 'mlp parameters');
    checkClassificationData(X, y, nClasses);
    const validation = options.validation;
    if (validation !== undefined) checkValidationData(validation.X, validation.y, X.cols, nClasses);
    if (options.signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'training' });

    const binary = nClasses === 2;
    const runtime = await loadTfjs(params.threads);
    const run = await trainNetwork(
      runtime,
      { X, targets: Float64Array.from(y) },
      { output: binary ? 'sigmoid' : 'softmax', nOutputs: binary ? 1 : nClasses, classes: y, reportedLossScale: 1 },
      params,
      { ...options, ...(validation === undefined ? {} : { reportValidation: { X: validation.X, targets: Float64Array.from(validation.y) } }) },
    );
    return new MlpClassifier(run.network, run.epochs);
  },

  load(serialized) {
    if (serialized.learner !== NAME) throw new KilnError('INVALID_PREDICTOR', { learner: NAME, reason: `it was saved by learner "${serialized.learner}"` });
    if (serialized.format !== FORMAT) throw new KilnError('INVALID_PREDICTOR', { learner: NAME, reason: `format ${serialized.format} is not the supported format ${FORMAT}` });
    const network = networkFromState(serialized.state, NAME);
    if (network.output === 'identity') throw new KilnError('INVALID_PREDICTOR', { learner: NAME, reason: 'it holds a regression network' });
    return new MlpClassifier(network, 0);
  },
};

class MlpClassifier implements MlpClassifierPredictor {
  readonly learner = NAME;
  readonly kind = 'classifier';
  readonly nFeatures: number;
  readonly nClasses: number;

  constructor(
    readonly network: DenseNetwork,
    readonly epochs: number,
  ) {
    this.nFeatures = network.sizes[0] as number;
    const outputs = network.sizes.at(-1) as number;
    this.nClasses = network.output === 'sigmoid' ? 2 : outputs;
  }

  predictProba(X: Matrix): Matrix {
    checkPredictionInput(X, this.nFeatures, NAME);
    return forward(this.network, X);
  }

  toOnnx(g: GraphBuilder, features: string): { readonly probabilities: string } {
    return { probabilities: addNetworkToOnnx(g, features, this.network, 'mlp') };
  }

  featureImportances(): Float64Array {
    return inputWeightNorms(this.network);
  }

  toJSON(): SerializedPredictor {
    return { learner: NAME, format: FORMAT, state: networkToState(this.network) };
  }
}
