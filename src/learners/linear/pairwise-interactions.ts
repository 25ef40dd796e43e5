/**
 * Pairwise interactions for the linear learners (`interactions: true` on logistic regression and
 * ridge): the model sees its d input columns AND the product of every pair of them, x_j·x_k for j < k
 * — scikit-learn's `PolynomialFeatures(degree=2, interaction_only=True, include_bias=False)`, in the
 * same column order:
 *
 *   x_0, …, x_{d−1}, x_0·x_1, x_0·x_2, …, x_0·x_{d−1}, x_1·x_2, …, x_{d−2}·x_{d−1}
 *
 * On one-hot and standardised inputs a product is an "and" of two conditions ("female and third
 * class"), which a plain linear model cannot express but a tree finds at once; with the products a
 * linear model stays smooth and well calibrated and still captures them.
 *
 * d inputs give d(d−1)/2 products, so the width grows with the square of d: the option is refused
 * above MAX_INTERACTION_INPUTS columns (1,770 products), where fits would be slow and the products
 * outnumber what small data can support.
 */
import { KilnError } from '../../core/errors.js';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { attr, tensor, type GraphBuilder } from '../../onnx/graph-builder.js';
import { applyScaling, standardiseInPlace, type ColumnScaling } from './column-scaling.js';
import { linearScores, type LinearWeights } from './linear-scores.js';

/** The most input columns `interactions` accepts (60 columns → 1,830 model columns). */
export const MAX_INTERACTION_INPUTS = 60;

/** Model columns with interactions: the d inputs plus their d(d−1)/2 pairwise products. */
export function interactionWidth(d: number): number {
  return d + (d * (d - 1)) / 2;
}

/** TOO_MANY_INTERACTION_INPUTS when `d` input columns are more than interactions accept. */
export function checkInteractionInputs(d: number, learner: string): void {
  if (d > MAX_INTERACTION_INPUTS) {
    throw new KilnError('TOO_MANY_INTERACTION_INPUTS', { learner, columns: d, products: interactionWidth(d) - d, max: MAX_INTERACTION_INPUTS });
  }
}

/** The pairs (j, k), j < k, in PolynomialFeatures' order: (0,1), (0,2), …, (0,d−1), (1,2), … */
export function interactionPairs(d: number): { readonly first: Int32Array; readonly second: Int32Array } {
  const n = (d * (d - 1)) / 2;
  const first = new Int32Array(n);
  const second = new Int32Array(n);
  let p = 0;
  for (let j = 0; j < d; j++) {
    for (let k = j + 1; k < d; k++) {
      first[p] = j;
      second[p] = k;
      p++;
    }
  }
  return { first, second };
}

/** Rows `start`..`end` of X with their pairwise products appended: an (end − start) × interactionWidth(d) matrix. */
export function withInteractions(X: Matrix, start = 0, end = X.rows): Matrix {
  const d = X.cols;
  const width = interactionWidth(d);
  const out = createMatrix(end - start, width);
  const x = X.data;
  const o = out.data;
  for (let i = start; i < end; i++) {
    const src = i * d;
    let dst = (i - start) * width;
    for (let j = 0; j < d; j++) o[dst++] = x[src + j] as number;
    for (let j = 0; j < d; j++) {
      const xj = x[src + j] as number;
      for (let k = j + 1; k < d; k++) o[dst++] = xj * (x[src + k] as number);
    }
  }
  return out;
}

/** What a linear learner fits on with interactions, and how to bring other rows to the same columns. */
export interface InteractionDesign {
  /** The training rows widened with their products, standardised (see column-scaling.ts). */
  readonly X: Matrix;
  /** The standardisation applied: fold it into the fitted weights with `foldScaling`. */
  readonly scaling: ColumnScaling;
  /** Other rows (a validation set) widened and scaled like the training rows. */
  prepare(other: Matrix): Matrix;
}

/**
 * Widens X with its pairwise products and standardises the result (centred when the model has an
 * intercept); TOO_MANY_INTERACTION_INPUTS above MAX_INTERACTION_INPUTS columns.
 */
export function interactionDesign(X: Matrix, centre: boolean, learner: string): InteractionDesign {
  checkInteractionInputs(X.cols, learner);
  const widened = withInteractions(X);
  const scaling = standardiseInPlace(widened, centre);
  return {
    X: widened,
    scaling,
    prepare(other) {
      const w = withInteractions(other);
      applyScaling(w, scaling);
      return w;
    },
  };
}

/** Rows expanded at a time when predicting: bounds the memory of the widened rows (≤ ~15 MB at d = 60). */
const PREDICT_CHUNK = 1024;

/**
 * Linear scores of a model fitted on `withInteractions(X)`, computed chunk by chunk so that predicting
 * on many rows never holds the whole widened matrix.
 */
export function interactionScores(X: Matrix, model: LinearWeights): Matrix {
  const k = model.nOutputs;
  const scores = createMatrix(X.rows, k);
  for (let start = 0; start < X.rows; start += PREDICT_CHUNK) {
    const end = Math.min(X.rows, start + PREDICT_CHUNK);
    scores.data.set(linearScores(withInteractions(X, start, end), model).data, start * k);
  }
  return scores;
}

/**
 * Adds the widening to an ONNX graph: two Gathers pick each pair's columns, a Mul forms the products,
 * a Concat puts them after the inputs. Returns the name of a float [N, interactionWidth(d)] tensor.
 */
export function addInteractions(g: GraphBuilder, features: string, d: number, hint: string): string {
  const { first, second } = interactionPairs(d);
  if (first.length === 0) return features; // one input column: no pairs
  const left = g.op('Gather', [features, g.constant(`${hint}_first`, tensor.int64(first))], { axis: attr.int(1) }, { name: `${hint}_left` });
  const right = g.op('Gather', [features, g.constant(`${hint}_second`, tensor.int64(second))], { axis: attr.int(1) }, { name: `${hint}_right` });
  const products = g.op('Mul', [left, right], {}, { name: `${hint}_products` });
  return g.op('Concat', [features, products], { axis: attr.int(1) }, { name: `${hint}_with_interactions` });
}

/**
 * One importance per input column from |weights| over the widened columns: an input's own |weight|
 * plus half of each product's it takes part in (a product's weight is shared by its two inputs).
 * For several outputs (multinomial), the largest over the outputs, as for plain linear models.
 */
export function inputImportances(model: LinearWeights, d: number): Float64Array {
  const { first, second } = interactionPairs(d);
  const width = model.nFeatures;
  const importances = new Float64Array(d);
  for (let r = 0; r < model.nOutputs; r++) {
    const w = model.weights.subarray(r * width, (r + 1) * width);
    const own = new Float64Array(d);
    for (let j = 0; j < d; j++) own[j] = Math.abs(w[j] as number);
    for (let p = 0; p < first.length; p++) {
      const half = Math.abs(w[d + p] as number) / 2;
      own[first[p] as number] = (own[first[p] as number] as number) + half;
      own[second[p] as number] = (own[second[p] as number] as number) + half;
    }
    for (let j = 0; j < d; j++) importances[j] = Math.max(importances[j] as number, own[j] as number);
  }
  return importances;
}
