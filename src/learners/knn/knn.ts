/**
 * k-nearest neighbours, scikit-learn's `KNeighborsClassifier` and `KNeighborsRegressor` (Euclidean
 * distance, algorithm 'brute'): "training" keeps the rows; a prediction looks up the k nearest training
 * rows (./nearest-neighbours.ts) and lets them vote (class shares) or averages their targets, each
 * neighbour counting 1 ('uniform') or 1/distance ('distance').
 *
 * The model is the training set itself, so saved models are as large as it, and prediction costs grow
 * with it: brute force suits up to about 100,000 training rows.
 */
import { KilnError } from '../../core/errors.js';
import { createMatrix, takeRows, type Matrix } from '../../core/matrix.js';
import { parseParams, z } from '../../core/params.js';
import { attr, tensor, type GraphBuilder } from '../../onnx/graph-builder.js';
import { checkClassificationData, checkPredictionInput, checkRegressionData, checkValidationData } from '../check-training-data.js';
import type { ClassifierLearner, ClassifierPredictor, FitOptions, Progress, RegressorLearner, RegressorPredictor, SerializedPredictor } from '../learner.js';
import { rowSquaredNorms } from '../kmeans/squared-distances.js';
import { addNeighbourSearch } from './knn-onnx.js';
import { clearOfTies, nearestNeighbours, neighbourWeights } from './nearest-neighbours.js';

const FORMAT = 1;
/** Training rows the reported training loss is measured on (each is its own nearest neighbour, so it is optimistic). */
const PROGRESS_ROWS = 1000;

export const knnParams = z.strictObject({
  nNeighbors: z.number().int().min(1).default(5).describe('How many nearest training rows (k) decide a prediction.'),
  weights: z
    .enum(['uniform', 'distance'])
    .default('uniform')
    .describe("'uniform': each neighbour counts the same; 'distance': nearer neighbours count more (1/distance)."),
});

export type KnnParams = z.output<typeof knnParams>;

const stateSchema = z.strictObject({
  nFeatures: z.number().int().positive(),
  nNeighbors: z.number().int().positive(),
  weights: z.enum(['uniform', 'distance']),
  X: z.array(z.array(z.number())),
  y: z.array(z.number()),
  nClasses: z.number().int().min(2).optional(),
});

/** What both predictors hold: the training rows and targets, and the search over them. */
abstract class NeighbourModel {
  readonly nFeatures: number;
  protected readonly norms: Float64Array;

  constructor(
    readonly learner: string,
    protected readonly training: Matrix,
    protected readonly targets: Float64Array,
    readonly params: KnnParams,
  ) {
    this.nFeatures = training.cols;
    this.norms = rowSquaredNorms(training.data, training.rows, training.cols);
  }

  /** For each row of X: its neighbours' targets and weights, handed to `combine`. */
  protected each(X: Matrix, combine: (row: number, targets: Float64Array, weights: Float64Array) => void): void {
    checkPredictionInput(X, this.nFeatures, this.learner);
    const k = this.params.nNeighbors;
    const found = nearestNeighbours(X, this.training, this.norms, k);
    const targets = new Float64Array(k);
    const weights = new Float64Array(k);
    for (let i = 0; i < X.rows; i++) {
      for (let r = 0; r < k; r++) targets[r] = this.targets[found.indices[i * k + r] as number] as number;
      neighbourWeights(found.distances, i * k, k, this.params.weights, weights);
      combine(i, targets, weights);
    }
  }

  /** The rows whose neighbours the float32 graph finds as this predictor does (see clearOfTies). */
  onnxExactRows(X: Matrix): Uint8Array {
    checkPredictionInput(X, this.nFeatures, this.learner);
    return clearOfTies(X, this.training, this.norms, this.params.nNeighbors);
  }

  /** kNN has no fitted coefficients; a feature's importance is its spread (standard deviation) in the training rows, normalised to sum to 1, since Euclidean distance weighs features by their scale. */
  featureImportances(): Float64Array {
    const { rows: n, cols: d, data } = this.training;
    const out = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += data[i * d + j] as number;
      mean /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += ((data[i * d + j] as number) - mean) ** 2;
      out[j] = Math.sqrt(v / n);
    }
    const total = out.reduce((a, b) => a + b, 0);
    return total > 0 ? out.map((v) => v / total) : out;
  }

  protected state(extra: { nClasses?: number }): SerializedPredictor {
    const { rows, cols, data } = this.training;
    return {
      learner: this.learner,
      format: FORMAT,
      state: {
        nFeatures: cols,
        nNeighbors: this.params.nNeighbors,
        weights: this.params.weights,
        X: Array.from({ length: rows }, (_, i) => Array.from(data.subarray(i * cols, (i + 1) * cols))),
        y: Array.from(this.targets),
        ...extra,
      },
    };
  }
}

function parseState(learner: string, serialized: SerializedPredictor): { training: Matrix; targets: Float64Array; params: KnnParams; nClasses: number | undefined } {
  const invalid = (reason: string): KilnError => new KilnError('INVALID_PREDICTOR', { learner, reason });
  if (serialized.learner !== learner) throw invalid(`it was saved by learner "${serialized.learner}"`);
  if (serialized.format !== FORMAT) throw invalid(`format ${serialized.format} is not the supported format ${FORMAT}`);
  const parsed = stateSchema.safeParse(serialized.state);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const { nFeatures, nNeighbors, weights, X, y, nClasses } = parsed.data;
  if (X.length !== y.length || X.length < nNeighbors || X.some((r) => r.length !== nFeatures)) {
    throw invalid(`expected at least ${nNeighbors} training rows of ${nFeatures} values, one target each`);
  }
  const training = createMatrix(X.length, nFeatures);
  X.forEach((r, i) => training.data.set(r, i * nFeatures));
  return { training, targets: Float64Array.from(y), params: { nNeighbors, weights }, nClasses };
}

// --- classifier ---------------------------------------------------------------------------------

export interface KnnClassifierLearner extends ClassifierLearner<typeof knnParams> {
  fit(X: Matrix, y: Int32Array, nClasses: number, params: unknown, options?: FitOptions): Promise<ClassifierPredictor>;
}

class KnnClassifierModel extends NeighbourModel implements ClassifierPredictor {
  readonly kind = 'classifier';

  constructor(training: Matrix, targets: Float64Array, params: KnnParams, readonly nClasses: number) {
    super('knn', training, targets, params);
  }

  predictProba(X: Matrix): Matrix {
    const k = this.nClasses;
    const proba = createMatrix(X.rows, k);
    this.each(X, (i, targets, weights) => {
      let total = 0;
      for (let r = 0; r < targets.length; r++) {
        const c = targets[r] as number;
        proba.data[i * k + c] = (proba.data[i * k + c] as number) + (weights[r] as number);
        total += weights[r] as number;
      }
      for (let c = 0; c < k; c++) proba.data[i * k + c] = (proba.data[i * k + c] as number) / total;
    });
    return proba;
  }

  /** The neighbours' labels (Gather), one-hot (OneHot), weighted and summed per class, normalised. */
  toOnnx(g: GraphBuilder, features: string): { readonly probabilities: string } {
    const { indices, weights } = addNeighbourSearch(g, features, this.training, this.params.nNeighbors, this.params.weights, 'knn');
    const labels = g.op('Gather', [g.constant('knn_labels', tensor.int64(Array.from(this.targets))), indices], { axis: attr.int(0) }, { name: 'knn_neighbour_labels' });
    const oneHot = g.op('OneHot', [labels, g.constant('knn_depth', tensor.int64([this.nClasses], [])), g.constant('knn_on_off', tensor.float([0, 1]))], { axis: attr.int(-1) }, { name: 'knn_votes' });
    const axis2 = g.constant('knn_axis2', tensor.int64([2]));
    const weighted = g.op('Mul', [oneHot, g.op('Unsqueeze', [weights, axis2], {}, { name: 'knn_weights_3d' })], {}, { name: 'knn_weighted_votes' });
    const perClass = g.op('ReduceSum', [weighted, g.constant('knn_axis1', tensor.int64([1]))], { keepdims: attr.int(0) }, { name: 'knn_class_weights' });
    const total = g.op('ReduceSum', [perClass, g.constant('knn_axis1_total', tensor.int64([1]))], { keepdims: attr.int(1) }, { name: 'knn_total_weight' });
    return { probabilities: g.op('Div', [perClass, total], {}, { name: 'knn_probabilities' }) };
  }

  toJSON(): SerializedPredictor {
    return this.state({ nClasses: this.nClasses });
  }
}

export const knnClassifier: KnnClassifierLearner = {
  name: 'knn',
  kind: 'classifier',
  family: 'neighbours',
  summary: 'k-nearest neighbours: a row gets the classes of the most similar training rows; no training, simple to explain, slower to predict.',
  paramsSchema: knnParams,

  async fit(X, y, nClasses, rawParams, options = {}) {
    const params = parseParams(knnParams, rawParams, 'knn parameters');
    checkClassificationData(X, y, nClasses);
    if (options.validation !== undefined) checkValidationData(options.validation.X, options.validation.y, X.cols, nClasses);
    checkNeighbourCount(X, params);
    if (options.signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'training' });
    const model = new KnnClassifierModel(copy(X), Float64Array.from(y), params, nClasses);
    report(options, (Xs, ys) => logLoss(model.predictProba(Xs), ys), X, y);
    return model;
  },

  load(serialized) {
    const { training, targets, params, nClasses } = parseState('knn', serialized);
    if (nClasses === undefined || targets.some((c) => !Number.isInteger(c) || c < 0 || c >= nClasses)) {
      throw new KilnError('INVALID_PREDICTOR', { learner: 'knn', reason: 'the saved labels are not class indices below nClasses' });
    }
    return new KnnClassifierModel(training, targets, params, nClasses);
  },
};

// --- regressor ----------------------------------------------------------------------------------

class KnnRegressorModel extends NeighbourModel implements RegressorPredictor {
  readonly kind = 'regressor';

  constructor(training: Matrix, targets: Float64Array, params: KnnParams) {
    super('knn-regressor', training, targets, params);
  }

  predict(X: Matrix): Float64Array {
    const out = new Float64Array(X.rows);
    this.each(X, (i, targets, weights) => {
      let sum = 0;
      let total = 0;
      for (let r = 0; r < targets.length; r++) {
        sum += (weights[r] as number) * (targets[r] as number);
        total += weights[r] as number;
      }
      out[i] = sum / total;
    });
    return out;
  }

  /** The neighbours' targets (Gather), weighted and averaged. */
  toOnnx(g: GraphBuilder, features: string): { readonly prediction: string } {
    const { indices, weights } = addNeighbourSearch(g, features, this.training, this.params.nNeighbors, this.params.weights, 'knnr');
    const targets = g.op('Gather', [g.constant('knnr_targets', tensor.float(Float32Array.from(this.targets))), indices], { axis: attr.int(0) }, { name: 'knnr_neighbour_targets' });
    const axis1 = g.constant('knnr_axis1', tensor.int64([1]));
    const sum = g.op('ReduceSum', [g.op('Mul', [targets, weights], {}, { name: 'knnr_weighted' }), axis1], { keepdims: attr.int(1) }, { name: 'knnr_sum' });
    const total = g.op('ReduceSum', [weights, axis1], { keepdims: attr.int(1) }, { name: 'knnr_total' });
    return { prediction: g.op('Div', [sum, total], {}, { name: 'knnr_prediction' }) };
  }

  toJSON(): SerializedPredictor {
    return this.state({});
  }
}

export const knnRegressor: RegressorLearner<typeof knnParams> = {
  name: 'knn-regressor',
  kind: 'regressor',
  family: 'neighbours',
  summary: 'k-nearest neighbours regression: the (weighted) mean target of the most similar training rows.',
  paramsSchema: knnParams,

  async fit(X, y, rawParams, options = {}) {
    const params = parseParams(knnParams, rawParams, 'knn-regressor parameters');
    checkRegressionData(X, y);
    if (options.validation !== undefined) checkValidationData(options.validation.X, options.validation.y, X.cols);
    checkNeighbourCount(X, params);
    if (options.signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'training' });
    const model = new KnnRegressorModel(copy(X), Float64Array.from(y), params);
    report(options, (Xs, ys) => meanSquaredError(model.predict(Xs), ys), X, y);
    return model;
  },

  load(serialized) {
    const { training, targets, params } = parseState('knn-regressor', serialized);
    return new KnnRegressorModel(training, targets, params);
  },
};

// --- shared helpers -----------------------------------------------------------------------------

function checkNeighbourCount(X: Matrix, params: KnnParams): void {
  if (X.rows < params.nNeighbors) throw new KilnError('FEWER_ROWS_THAN_PARAM', { rows: X.rows, param: 'nNeighbors', value: params.nNeighbors });
}

/** The predictor keeps its own copy: the caller may reuse its buffers. */
function copy(X: Matrix): Matrix {
  return createMatrix(X.rows, X.cols, X.data.slice());
}

/** One progress report: the loss on (up to PROGRESS_ROWS of) the training rows, and on the validation set. */
function report(options: FitOptions, loss: (X: Matrix, y: ArrayLike<number>) => number, X: Matrix, y: ArrayLike<number>): void {
  if (options.onProgress === undefined) return;
  const rows = Int32Array.from({ length: Math.min(X.rows, PROGRESS_ROWS) }, (_, i) => Math.floor((i * X.rows) / Math.min(X.rows, PROGRESS_ROWS)));
  const trainLoss = loss(takeRows(X, rows), Array.from(rows, (i) => y[i] as number));
  const v = options.validation;
  const progress: Progress = v === undefined ? { iteration: 1, maxIterations: 1, trainLoss } : { iteration: 1, maxIterations: 1, trainLoss, validationLoss: loss(v.X, v.y) };
  options.onProgress(progress);
}

function logLoss(proba: Matrix, y: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < proba.rows; i++) total -= Math.log(Math.max(proba.data[i * proba.cols + (y[i] as number)] as number, 1e-15));
  return total / proba.rows;
}

function meanSquaredError(predicted: Float64Array, y: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < predicted.length; i++) sum += ((predicted[i] as number) - (y[i] as number)) ** 2;
  return sum / predicted.length;
}
