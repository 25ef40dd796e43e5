/**
 * A fitted text classifier seen as what it is underneath: class scores that are linear in the TF-IDF
 * features (logistic regression's coefficients, naive Bayes' log θ), turned into probabilities by a
 * sigmoid or a softmax. From that one form come the sparse probabilities used for evaluation, the
 * per-term contributions behind each prediction and the most indicative terms of each class. The
 * learner's own predictor is kept beside it for the ONNX export and serialisation.
 */
import type { MultinomialNbPredictor } from '../../learners/bayes/multinomial-nb.js';
import type { LogisticRegressionPredictor } from '../../learners/linear/logistic-regression.js';
import { loadPredictor } from '../../learners/registry.js';
import type { ClassifierPredictor, SerializedPredictor } from '../../learners/learner.js';
import { sparseLinearScores, type SparseRows } from './sparse-rows.js';

export interface LinearTextModel {
  readonly predictor: ClassifierPredictor;
  readonly nClasses: number;
  readonly nFeatures: number;
  /** nOutputs × nFeatures, row-major; nOutputs is 1 with the sigmoid (the log-odds of class 1). */
  readonly weights: Float64Array;
  readonly intercepts: Float64Array;
  readonly link: 'sigmoid' | 'softmax';
}

export function linearTextModel(predictor: ClassifierPredictor): LinearTextModel {
  const base = { predictor, nClasses: predictor.nClasses, nFeatures: predictor.nFeatures };
  if (predictor.learner === 'logistic-regression') {
    const { weights, intercepts } = (predictor as LogisticRegressionPredictor).coefficients();
    const flat = new Float64Array(weights.length * predictor.nFeatures);
    weights.forEach((w, r) => flat.set(w, r * predictor.nFeatures));
    return { ...base, weights: flat, intercepts, link: weights.length === 1 ? 'sigmoid' : 'softmax' };
  }
  if (predictor.learner === 'multinomial-nb') {
    const nb = predictor as MultinomialNbPredictor;
    return { ...base, weights: nb.featureLogProb.data, intercepts: nb.classLogPrior, link: 'softmax' };
  }
  throw new RangeError(`${predictor.learner} is not a linear text model`);
}

export function loadLinearTextModel(serialized: SerializedPredictor): LinearTextModel {
  return linearTextModel(loadPredictor(serialized) as ClassifierPredictor);
}

/** Class probabilities, rows × nClasses, computed over each row's non-zero features only. */
export function textProbabilities(model: LinearTextModel, X: SparseRows): Float64Array {
  const scores = sparseLinearScores(X, model.weights, model.intercepts);
  return scoresToProbabilities(model, scores, X.rows);
}

export function scoresToProbabilities(model: LinearTextModel, scores: Float64Array, rows: number): Float64Array {
  const k = model.nClasses;
  const out = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) {
    if (model.link === 'sigmoid') {
      const z = scores[i] as number;
      const p1 = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      out[2 * i] = 1 - p1;
      out[2 * i + 1] = p1;
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, scores[i * k + c] as number);
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp((scores[i * k + c] as number) - max);
      out[i * k + c] = e;
      sum += e;
    }
    for (let c = 0; c < k; c++) out[i * k + c] = (out[i * k + c] as number) / sum;
  }
  return out;
}

/**
 * How much feature j speaks for class c against the others, per unit of its TF-IDF weight: the
 * class's weight minus the mean weight of the other classes (nClasses × nFeatures). With a sigmoid,
 * class 1's evidence is the coefficient and class 0's its negative.
 */
export function classEvidence(model: LinearTextModel): Float64Array {
  const { nClasses: k, nFeatures: d, weights } = model;
  const out = new Float64Array(k * d);
  if (model.link === 'sigmoid') {
    for (let j = 0; j < d; j++) {
      out[d + j] = weights[j] as number;
      out[j] = -(weights[j] as number);
    }
    return out;
  }
  for (let j = 0; j < d; j++) {
    let total = 0;
    for (let c = 0; c < k; c++) total += weights[c * d + j] as number;
    for (let c = 0; c < k; c++) {
      const own = weights[c * d + j] as number;
      out[c * d + j] = own - (total - own) / (k - 1);
    }
  }
  return out;
}
