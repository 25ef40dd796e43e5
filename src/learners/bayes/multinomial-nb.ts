/**
 * Multinomial naive Bayes, scikit-learn's `MultinomialNB`: for counts (words in a document, events per
 * user). Each class is a multinomial distribution over the features, estimated with additive (Laplace
 * / Lidstone) smoothing, and
 *
 *   log P(c | x) ∝ log P(c) + Σ_j x_j · log θ_cj,      θ_cj = (N_cj + α) / (N_c + α·d)
 *
 * with N_cj the total of feature j over class c's rows. Priors are the class frequencies. Features must
 * be non-negative (FEATURE_NEGATIVE otherwise): a negative count has no meaning here.
 */
import { KilnError } from '../../core/errors.js';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { parseParams, z } from '../../core/params.js';
import { attr, ONNX_ELEM_TYPE, tensor, type GraphBuilder } from '../../onnx/graph-builder.js';
import { checkClassificationData, checkPredictionInput, checkValidationData } from '../check-training-data.js';
import type { ClassifierLearner, ClassifierPredictor, FitOptions, SerializedPredictor } from '../learner.js';
import { linearScores } from '../linear/linear-scores.js';
import { meanLogLoss, softmaxRowsInPlace, toRows } from './class-probabilities.js';

const NAME = 'multinomial-nb';
const FORMAT = 1;

export const multinomialNbParams = z.strictObject({
  alpha: z
    .number()
    .positive()
    .default(1)
    .describe('Additive smoothing added to every count (1 is Laplace smoothing); keeps unseen features from ruling a class out.'),
});

export interface MultinomialNbPredictor extends ClassifierPredictor {
  /** log θ_cj (scikit-learn's `feature_log_prob_`), classes × features. */
  readonly featureLogProb: Matrix;
  /** log P(c) (scikit-learn's `class_log_prior_`). */
  readonly classLogPrior: Float64Array;
}

export interface MultinomialNbLearner extends ClassifierLearner<typeof multinomialNbParams> {
  fit(X: Matrix, y: Int32Array, nClasses: number, params: unknown, options?: FitOptions): Promise<MultinomialNbPredictor>;
  load(serialized: SerializedPredictor): MultinomialNbPredictor;
}

export const multinomialNb: MultinomialNbLearner = {
  name: NAME,
  kind: 'classifier',
  family: 'naive-bayes',
  summary: 'Multinomial naive Bayes: for counts such as word frequencies; instant to train, strong on text.',
  paramsSchema: multinomialNbParams,

  // async for the Learner contract; fitting is one pass over the data.
  async fit(X, y, nClasses, rawParams, options = {}) {
    const params = parseParams(multinomialNbParams, rawParams, 'multinomial-nb parameters');
    const counts = checkClassificationData(X, y, nClasses);
    checkNonNegative(X);
    if (options.validation !== undefined) checkValidationData(options.validation.X, options.validation.y, X.cols, nClasses);
    if (options.signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'training' });

    const { rows: n, cols: d, data: x } = X;
    const totals = createMatrix(nClasses, d);
    for (let i = 0; i < n; i++) {
      const c = y[i] as number;
      for (let j = 0; j < d; j++) totals.data[c * d + j] = (totals.data[c * d + j] as number) + (x[i * d + j] as number);
    }
    const featureLogProb = createMatrix(nClasses, d);
    for (let c = 0; c < nClasses; c++) {
      let classTotal = 0;
      for (let j = 0; j < d; j++) classTotal += (totals.data[c * d + j] as number) + params.alpha;
      const logTotal = Math.log(classTotal);
      for (let j = 0; j < d; j++) featureLogProb.data[c * d + j] = Math.log((totals.data[c * d + j] as number) + params.alpha) - logTotal;
    }
    const model = new MultinomialNbModel(featureLogProb, counts.map((c) => Math.log(c / n)));
    if (options.onProgress !== undefined) {
      const trainLoss = meanLogLoss(model, X, y);
      const v = options.validation;
      options.onProgress(v === undefined ? { iteration: 1, maxIterations: 1, trainLoss } : { iteration: 1, maxIterations: 1, trainLoss, validationLoss: meanLogLoss(model, v.X, v.y) });
    }
    return model;
  },

  load: (serialized) => MultinomialNbModel.fromJSON(serialized),
};

function checkNonNegative(X: Matrix): void {
  for (let k = 0; k < X.data.length; k++) {
    const v = X.data[k] as number;
    if (v < 0) throw new KilnError('FEATURE_NEGATIVE', { column: k % X.cols, row: Math.floor(k / X.cols), value: v, learner: NAME });
  }
}

const stateSchema = z.strictObject({
  nFeatures: z.number().int().positive(),
  featureLogProb: z.array(z.array(z.number().max(0))),
  classLogPrior: z.array(z.number().max(0)),
});

class MultinomialNbModel implements MultinomialNbPredictor {
  readonly learner = NAME;
  readonly kind = 'classifier';
  readonly nFeatures: number;
  readonly nClasses: number;

  constructor(
    readonly featureLogProb: Matrix,
    readonly classLogPrior: Float64Array,
  ) {
    this.nClasses = featureLogProb.rows;
    this.nFeatures = featureLogProb.cols;
  }

  /** The joint log-likelihood is linear in x: the linear models' scores with log θ as weights. */
  private get linear(): { nFeatures: number; nOutputs: number; weights: Float64Array; intercepts: Float64Array } {
    return { nFeatures: this.nFeatures, nOutputs: this.nClasses, weights: this.featureLogProb.data, intercepts: this.classLogPrior };
  }

  predictProba(X: Matrix): Matrix {
    checkPredictionInput(X, this.nFeatures, NAME);
    return softmaxRowsInPlace(linearScores(X, this.linear));
  }

  /**
   * X · log θᵀ + log P(c), then Softmax, in double precision: with counts in the hundreds the joint
   * log-likelihoods reach the thousands, where float32's ~7 digits would cost ~1e-4 in probability.
   */
  toOnnx(g: GraphBuilder, features: string): { readonly probabilities: string } {
    const { nClasses: k, nFeatures: d } = this;
    const transposed = new Float64Array(d * k);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) transposed[j * k + c] = this.featureLogProb.data[c * d + j] as number;
    const x = g.op('Cast', [features], { to: attr.int(ONNX_ELEM_TYPE.double) }, { name: 'mnb_features_double' });
    const product = g.op('MatMul', [x, g.constant('mnb_log_theta', tensor.double(transposed, [d, k]))], {}, { name: 'mnb_product' });
    const jll = g.op('Add', [product, g.constant('mnb_log_prior', tensor.double(this.classLogPrior, [k]))], {}, { name: 'mnb_jll' });
    const probabilities = g.op('Softmax', [jll], { axis: attr.int(1) }, { name: 'mnb_probabilities_double' });
    return { probabilities: g.op('Cast', [probabilities], { to: attr.int(ONNX_ELEM_TYPE.float) }, { name: 'mnb_probabilities' }) };
  }

  /** The spread of log θ_cj over the classes: features whose frequency differs most between classes matter most. */
  featureImportances(): Float64Array {
    const { nClasses: k, nFeatures: d } = this;
    const out = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const v = this.featureLogProb.data[c * d + j] as number;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      out[j] = hi - lo;
    }
    return out;
  }

  toJSON(): SerializedPredictor {
    return {
      learner: NAME,
      format: FORMAT,
      state: { nFeatures: this.nFeatures, featureLogProb: toRows(this.featureLogProb.data, this.nClasses, this.nFeatures), classLogPrior: Array.from(this.classLogPrior) },
    };
  }

  static fromJSON(serialized: SerializedPredictor): MultinomialNbModel {
    const invalid = (reason: string): KilnError => new KilnError('INVALID_PREDICTOR', { learner: NAME, reason });
    if (serialized.learner !== NAME) throw invalid(`it was saved by learner "${serialized.learner}"`);
    if (serialized.format !== FORMAT) throw invalid(`format ${serialized.format} is not the supported format ${FORMAT}`);
    const parsed = stateSchema.safeParse(serialized.state);
    if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const { nFeatures: d, featureLogProb, classLogPrior } = parsed.data;
    const k = classLogPrior.length;
    if (k < 2 || featureLogProb.length !== k || featureLogProb.some((r) => r.length !== d)) throw invalid(`expected ${k} (≥ 2) rows of ${d} log-probabilities`);
    const m = createMatrix(k, d);
    featureLogProb.forEach((r, c) => m.data.set(r, c * d));
    return new MultinomialNbModel(m, Float64Array.from(classLogPrior));
  }
}
