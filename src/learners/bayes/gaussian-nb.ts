/**
 * Gaussian naive Bayes, scikit-learn's `GaussianNB`: within each class every feature is an independent
 * normal distribution with the class's mean and variance, and
 *
 *   log P(c | x) ∝ log P(c) − ½·Σ_j [log(2π·σ²_cj) + (x_j − μ_cj)² / σ²_cj]
 *
 * Priors are the class frequencies. Every variance gets varSmoothing × the largest feature variance
 * added (scikit-learn's epsilon), so a feature that is constant within a class does not divide by 0.
 * One pass over the data fits it; no iterations, no randomness.
 */
import { KilnError } from '../../core/errors.js';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { parseParams, z } from '../../core/params.js';
import { attr, ONNX_ELEM_TYPE, tensor, type GraphBuilder } from '../../onnx/graph-builder.js';
import { checkClassificationData, checkPredictionInput, checkValidationData } from '../check-training-data.js';
import type { ClassifierLearner, ClassifierPredictor, FitOptions, SerializedPredictor } from '../learner.js';
import { meanLogLoss, softmaxRowsInPlace, toRows } from './class-probabilities.js';

const NAME = 'gaussian-nb';
const FORMAT = 1;

export const gaussianNbParams = z.strictObject({
  varSmoothing: z
    .number()
    .min(0)
    .default(1e-9)
    .describe("Added to every variance, as a share of the largest feature variance (scikit-learn's var_smoothing), for numerical stability."),
});

export interface GaussianNbPredictor extends ClassifierPredictor {
  /** Per-class feature means (scikit-learn's `theta_`), classes × features. */
  readonly means: Matrix;
  /** Per-class feature variances, smoothing included (scikit-learn's `var_`). */
  readonly variances: Matrix;
  readonly priors: Float64Array;
}

export interface GaussianNbLearner extends ClassifierLearner<typeof gaussianNbParams> {
  fit(X: Matrix, y: Int32Array, nClasses: number, params: unknown, options?: FitOptions): Promise<GaussianNbPredictor>;
  load(serialized: SerializedPredictor): GaussianNbPredictor;
}

export const gaussianNb: GaussianNbLearner = {
  name: NAME,
  kind: 'classifier',
  family: 'naive-bayes',
  summary: 'Gaussian naive Bayes: one normal distribution per class and feature; instant to train, a sound baseline for small data.',
  paramsSchema: gaussianNbParams,

  // async for the Learner contract; fitting is one pass over the data.
  async fit(X, y, nClasses, rawParams, options = {}) {
    const params = parseParams(gaussianNbParams, rawParams, 'gaussian-nb parameters');
    const counts = checkClassificationData(X, y, nClasses);
    if (options.validation !== undefined) checkValidationData(options.validation.X, options.validation.y, X.cols, nClasses);
    if (options.signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'training' });

    const { rows: n, cols: d, data: x } = X;
    const means = createMatrix(nClasses, d);
    const variances = createMatrix(nClasses, d);
    for (let i = 0; i < n; i++) {
      const c = y[i] as number;
      for (let j = 0; j < d; j++) means.data[c * d + j] = (means.data[c * d + j] as number) + (x[i * d + j] as number);
    }
    for (let c = 0; c < nClasses; c++) for (let j = 0; j < d; j++) means.data[c * d + j] = (means.data[c * d + j] as number) / (counts[c] as number);
    for (let i = 0; i < n; i++) {
      const c = y[i] as number;
      for (let j = 0; j < d; j++) {
        const diff = (x[i * d + j] as number) - (means.data[c * d + j] as number);
        variances.data[c * d + j] = (variances.data[c * d + j] as number) + diff * diff;
      }
    }
    const epsilon = params.varSmoothing * largestFeatureVariance(X);
    for (let c = 0; c < nClasses; c++) {
      for (let j = 0; j < d; j++) variances.data[c * d + j] = (variances.data[c * d + j] as number) / (counts[c] as number) + epsilon;
    }
    if (!variances.data.every((v) => v > 0)) {
      throw new KilnError('TRAINING_FAILED', { reason: 'a feature is constant within a class and varSmoothing is 0 (or every feature is constant); use varSmoothing > 0' });
    }
    const priors = counts.map((c) => c / n);
    const model = new GaussianNbModel(means, variances, priors);
    if (options.onProgress !== undefined) {
      const trainLoss = meanLogLoss(model, X, y);
      const v = options.validation;
      options.onProgress(v === undefined ? { iteration: 1, maxIterations: 1, trainLoss } : { iteration: 1, maxIterations: 1, trainLoss, validationLoss: meanLogLoss(model, v.X, v.y) });
    }
    return model;
  },

  load: (serialized) => GaussianNbModel.fromJSON(serialized),
};

/** The largest population variance over the features (the scale of scikit-learn's epsilon). */
function largestFeatureVariance(X: Matrix): number {
  const { rows: n, cols: d, data: x } = X;
  let largest = 0;
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * d + j] as number;
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += ((x[i * d + j] as number) - mean) ** 2;
    largest = Math.max(largest, v / n);
  }
  return largest;
}

const stateSchema = z.strictObject({
  nFeatures: z.number().int().positive(),
  means: z.array(z.array(z.number())),
  variances: z.array(z.array(z.number().positive())),
  priors: z.array(z.number().positive()),
});

class GaussianNbModel implements GaussianNbPredictor {
  readonly learner = NAME;
  readonly kind = 'classifier';
  readonly nFeatures: number;
  readonly nClasses: number;
  /** Per class: log P(c) − ½·Σ_j log(2π·σ²_cj), the part of the log-likelihood that does not depend on x. */
  private readonly constants: Float64Array;

  constructor(
    readonly means: Matrix,
    readonly variances: Matrix,
    readonly priors: Float64Array,
  ) {
    this.nClasses = means.rows;
    this.nFeatures = means.cols;
    const d = this.nFeatures;
    this.constants = Float64Array.from(priors, (p, c) => {
      let logDet = 0;
      for (let j = 0; j < d; j++) logDet += Math.log(2 * Math.PI * (variances.data[c * d + j] as number));
      return Math.log(p) - 0.5 * logDet;
    });
  }

  predictProba(X: Matrix): Matrix {
    checkPredictionInput(X, this.nFeatures, NAME);
    const { nClasses: k, nFeatures: d } = this;
    const jll = createMatrix(X.rows, k);
    for (let i = 0; i < X.rows; i++) {
      for (let c = 0; c < k; c++) {
        let sum = 0;
        for (let j = 0; j < d; j++) {
          const diff = (X.data[i * d + j] as number) - (this.means.data[c * d + j] as number);
          sum += (diff * diff) / (this.variances.data[c * d + j] as number);
        }
        jll.data[i * k + c] = (this.constants[c] as number) - 0.5 * sum;
      }
    }
    return softmaxRowsInPlace(jll);
  }

  /**
   * (x − μ_c)² by broadcasting [N,1,d] − [k,d], times −1/(2σ²), summed over features, plus the
   * constants; then Softmax. In double precision: with small variances the log-likelihoods reach
   * magnitudes where float32's ~7 digits would show in the probabilities.
   */
  toOnnx(g: GraphBuilder, features: string): { readonly probabilities: string } {
    const { nClasses: k, nFeatures: d } = this;
    const means = g.constant('gnb_means', tensor.double(this.means.data, [k, d]));
    const scales = g.constant('gnb_scales', tensor.double(this.variances.data.map((v) => -0.5 / v), [k, d]));
    const constants = g.constant('gnb_constants', tensor.double(this.constants, [k]));
    const x = g.op('Cast', [features], { to: attr.int(ONNX_ELEM_TYPE.double) }, { name: 'gnb_features_double' });
    const rows = g.op('Unsqueeze', [x, g.constant('gnb_axis1', tensor.int64([1]))], {}, { name: 'gnb_rows' });
    const diff = g.op('Sub', [rows, means], {}, { name: 'gnb_diff' });
    const weighted = g.op('Mul', [g.op('Mul', [diff, diff], {}, { name: 'gnb_squared' }), scales], {}, { name: 'gnb_weighted' });
    const summed = g.op('ReduceSum', [weighted, g.constant('gnb_axis2', tensor.int64([2]))], { keepdims: attr.int(0) }, { name: 'gnb_quadratic' });
    const jll = g.op('Add', [summed, constants], {}, { name: 'gnb_jll' });
    const probabilities = g.op('Softmax', [jll], { axis: attr.int(1) }, { name: 'gnb_probabilities_double' });
    return { probabilities: g.op('Cast', [probabilities], { to: attr.int(ONNX_ELEM_TYPE.float) }, { name: 'gnb_probabilities' }) };
  }

  /**
   * How far apart the classes' means lie along each feature, in units of the feature's average
   * within-class standard deviation (the largest gap from the overall mean, over the classes).
   */
  featureImportances(): Float64Array {
    const { nClasses: k, nFeatures: d } = this;
    const out = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let mean = 0;
      let variance = 0;
      for (let c = 0; c < k; c++) {
        mean += (this.priors[c] as number) * (this.means.data[c * d + j] as number);
        variance += (this.priors[c] as number) * (this.variances.data[c * d + j] as number);
      }
      let gap = 0;
      for (let c = 0; c < k; c++) gap = Math.max(gap, Math.abs((this.means.data[c * d + j] as number) - mean));
      out[j] = gap / Math.sqrt(variance);
    }
    return out;
  }

  toJSON(): SerializedPredictor {
    const { nClasses: k, nFeatures: d } = this;
    return {
      learner: NAME,
      format: FORMAT,
      state: { nFeatures: d, means: toRows(this.means.data, k, d), variances: toRows(this.variances.data, k, d), priors: Array.from(this.priors) },
    };
  }

  static fromJSON(serialized: SerializedPredictor): GaussianNbModel {
    const invalid = (reason: string): KilnError => new KilnError('INVALID_PREDICTOR', { learner: NAME, reason });
    if (serialized.learner !== NAME) throw invalid(`it was saved by learner "${serialized.learner}"`);
    if (serialized.format !== FORMAT) throw invalid(`format ${serialized.format} is not the supported format ${FORMAT}`);
    const parsed = stateSchema.safeParse(serialized.state);
    if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const { nFeatures: d, means, variances, priors } = parsed.data;
    const k = priors.length;
    if (k < 2 || means.length !== k || variances.length !== k || [...means, ...variances].some((r) => r.length !== d)) {
      throw invalid(`expected ${k} (≥ 2) classes of ${d} means and variances`);
    }
    const m = createMatrix(k, d);
    const v = createMatrix(k, d);
    means.forEach((r, c) => m.data.set(r, c * d));
    variances.forEach((r, c) => v.data.set(r, c * d));
    return new GaussianNbModel(m, v, Float64Array.from(priors));
  }
}
