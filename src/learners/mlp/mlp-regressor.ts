/**
 * The multilayer perceptron regressor ('mlp-regressor'): scikit-learn's MLPRegressor (identity output,
 * half squared error plus the L2 penalty), trained on TensorFlow.js, predicting in float64 without it.
 *
 * As in scikit-learn the target is learnt as it is, not rescaled: Adam's steps are of a fixed size, so
 * a target in the thousands needs many epochs (or a larger learningRate); rescale such targets first.
 * (Standardising it inside was tried: on diabetes it converged faster to a worse, overfitted model,
 * test RMSE ~75 against scikit-learn's 53, while the plain target matches scikit-learn's 53.)
 * Progress reports the mean squared error.
 */
import { KilnError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { parseParams } from '../../core/params.js';
import type { GraphBuilder } from '../../onnx/graph-builder.js';
import { checkPredictionInput, checkRegressionData, checkValidationData } from '../check-training-data.js';
import type { FitOptions, RegressorLearner, RegressorPredictor, SerializedPredictor } from '../learner.js';
import { addNetworkToOnnx, forward, inputWeightNorms, networkFromState, networkToState, type DenseNetwork } from './dense-network.js';
import { mlpParams } from './mlp-params.js';
import { trainNetwork } from './train-network.js';
import { loadTfjs } from './tfjs-runtime.js';

const NAME = 'mlp-regressor';
const FORMAT = 1;

export interface MlpRegressorPredictor extends RegressorPredictor {
  readonly network: DenseNetwork;
  /** Epochs actually run; 0 for a loaded model. */
  readonly epochs: number;
}

export interface MlpRegressorLearner extends RegressorLearner<typeof mlpParams> {
  fit(X: Matrix, y: Float64Array, params: unknown, options?: FitOptions): Promise<MlpRegressorPredictor>;
  load(serialized: SerializedPredictor): MlpRegressorPredictor;
}

export const mlpRegressor: MlpRegressorLearner = {
  name: NAME,
  kind: 'regressor',
  family: 'network',
  summary: 'Multilayer perceptron regression (dense layers, relu or tanh, Adam, early stopping) trained with TensorFlow.js; wants standardised features.',
  paramsSchema: mlpParams,

  async fit(X, y, rawParams, options = {}) {
    const params = parseParams(mlpParams, rawParams, 'mlp-regressor parameters');
    checkRegressionData(X, y);
    const validation = options.validation;
    if (validation !== undefined) checkValidationData(validation.X, validation.y, X.cols);
    if (options.signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'training' });

    const runtime = await loadTfjs(params.threads);
    const run = await trainNetwork(
      runtime,
      { X, targets: y },
      // The network's loss is half the squared error (scikit-learn's): × 2 reports the MSE.
      { output: 'identity', nOutputs: 1, reportedLossScale: 2 },
      params,
      { ...options, ...(validation === undefined ? {} : { reportValidation: { X: validation.X, targets: Float64Array.from(validation.y) } }) },
    );
    return new MlpRegressor(run.network, run.epochs);
  },

  load(serialized) {
    if (serialized.learner !== NAME) throw new KilnError('INVALID_PREDICTOR', { learner: NAME, reason: `it was saved by learner "${serialized.learner}"` });
    if (serialized.format !== FORMAT) throw new KilnError('INVALID_PREDICTOR', { learner: NAME, reason: `format ${serialized.format} is not the supported format ${FORMAT}` });
    const network = networkFromState(serialized.state, NAME);
    if (network.output !== 'identity' || network.sizes.at(-1) !== 1) throw new KilnError('INVALID_PREDICTOR', { learner: NAME, reason: 'it holds a classification network' });
    return new MlpRegressor(network, 0);
  },
};

class MlpRegressor implements MlpRegressorPredictor {
  readonly learner = NAME;
  readonly kind = 'regressor';
  readonly nFeatures: number;

  constructor(
    readonly network: DenseNetwork,
    readonly epochs: number,
  ) {
    this.nFeatures = network.sizes[0] as number;
  }

  predict(X: Matrix): Float64Array {
    checkPredictionInput(X, this.nFeatures, NAME);
    return forward(this.network, X).data;
  }

  toOnnx(g: GraphBuilder, features: string): { readonly prediction: string } {
    return { prediction: addNetworkToOnnx(g, features, this.network, 'mlp') };
  }

  featureImportances(): Float64Array {
    return inputWeightNorms(this.network);
  }

  toJSON(): SerializedPredictor {
    return { learner: NAME, format: FORMAT, state: networkToState(this.network) };
  }
}
