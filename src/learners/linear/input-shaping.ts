/**
 * What a linear learner (logistic regression, ridge) does to its input columns before the linear
 * score, when asked: reshape skewed columns (`powerTransform`, ./yeo-johnson.ts), then add the product
 * of every pair (`interactions`, ./pairwise-interactions.ts). The two compose in that order —
 * scikit-learn's PowerTransformer → PolynomialFeatures(interaction_only=True) → StandardScaler → model.
 *
 * One place owns the order, so fitting, predicting, the ONNX export and saving cannot disagree on it.
 * The fit standardises the columns it made (./column-scaling.ts) so the penalty treats them alike, and
 * the scaling is folded back into the weights: a predictor keeps only the λs and the weights.
 */
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { attr, type GraphBuilder } from '../../onnx/graph-builder.js';
import { applyScaling, standardiseInPlace, type ColumnScaling } from './column-scaling.js';
import { addLinearScores, linearScores, type LinearWeights } from './linear-scores.js';
import { addInteractions, interactionDesign, interactionScores, interactionWidth } from './pairwise-interactions.js';
import { addYeoJohnson, applyYeoJohnson, fitYeoJohnsonLambdas } from './yeo-johnson.js';

export interface InputShaping {
  /** The Yeo–Johnson λ of each input column (1 leaves a column as it is), or null: no power transform. */
  readonly lambdas: Float64Array | null;
  readonly interactions: boolean;
}

export const PLAIN_INPUTS: InputShaping = { lambdas: null, interactions: false };

/** The number of columns the linear score is over. */
export function shapedWidth(d: number, shaping: InputShaping): number {
  return shaping.interactions ? interactionWidth(d) : d;
}

/** What a linear learner fits on when its inputs are shaped, and how to shape other rows alike. */
export interface ShapedDesign {
  readonly shaping: InputShaping;
  /** The shaped training rows, standardised where the shaping made new columns. */
  readonly X: Matrix;
  /** The standardisation applied: fold it into the fitted weights with `foldScaling`. */
  readonly scaling: ColumnScaling;
  /** Other rows (a validation set) shaped and scaled like the training rows. */
  prepare(other: Matrix): Matrix;
}

function powerTransformed(X: Matrix, lambdas: Float64Array | null): Matrix {
  if (lambdas === null) return X;
  return { rows: X.rows, cols: X.cols, data: applyYeoJohnson(X.data, X.rows, X.cols, lambdas) };
}

/**
 * The design for `options` (null when neither is asked: the learner fits on X as it is). The λs are
 * fitted on X. Without interactions only the transformed columns are standardised (λ ≠ 1; one-hot
 * columns keep their 0/1, as in the plain model); with them, every widened column is.
 */
export function shapeInputs(X: Matrix, options: { readonly powerTransform: boolean; readonly interactions: boolean }, centre: boolean, learner: string): ShapedDesign | null {
  if (!options.powerTransform && !options.interactions) return null;
  const lambdas = options.powerTransform ? fitYeoJohnsonLambdas(X.data, X.rows, X.cols) : null;
  const shaping: InputShaping = { lambdas, interactions: options.interactions };
  const transformed = powerTransformed(X, lambdas);
  if (options.interactions) {
    const design = interactionDesign(transformed, centre, learner);
    return { shaping, X: design.X, scaling: design.scaling, prepare: (other) => design.prepare(powerTransformed(other, lambdas)) };
  }
  // only the reshaped columns are standardised: the others are left exactly as the plain model sees them.
  // The transform made new matrices (applyYeoJohnson copies), so they are scaled in place.
  const scaling = reshapedColumnScaling(transformed, lambdas as Float64Array, centre);
  applyScaling(transformed, scaling);
  return {
    shaping,
    X: transformed,
    scaling,
    prepare(other) {
      const shaped = powerTransformed(other, lambdas);
      applyScaling(shaped, scaling);
      return shaped;
    },
  };
}

/** Standardisation of the columns with λ ≠ 1; the others get mean 0 and scale 1 (left as they are). */
function reshapedColumnScaling(X: Matrix, lambdas: Float64Array, centre: boolean): ColumnScaling {
  const copy = createMatrix(X.rows, X.cols);
  copy.data.set(X.data);
  const { mean, scale } = standardiseInPlace(copy, centre);
  for (let j = 0; j < X.cols; j++) {
    if (lambdas[j] === 1) {
      mean[j] = 0;
      scale[j] = 1;
    }
  }
  return { mean, scale };
}

/** The linear scores of a model fitted on shaped inputs (`model` over shapedWidth columns), from the raw inputs X. */
export function shapedScores(X: Matrix, model: LinearWeights, shaping: InputShaping): Matrix {
  const transformed = powerTransformed(X, shaping.lambdas);
  return shaping.interactions ? interactionScores(transformed, model) : linearScores(transformed, model);
}

/**
 * Adds the shaping and the linear scores to an ONNX graph; returns the name of a float [N, nOutputs]
 * score tensor. With a power transform the whole chain runs in double and only the scores are cast
 * back to float: the transform cancels in float32 (yeo-johnson.ts), and the weights folded onto a
 * column squeezed by a strong λ are large, so a float32 product would lose the digits the check keeps.
 */
export function addShapedScores(g: GraphBuilder, features: string, d: number, shaping: InputShaping, model: LinearWeights, hint: string): string {
  if (shaping.lambdas === null) {
    const columns = shaping.interactions ? addInteractions(g, features, d, hint) : features;
    return addLinearScores(g, columns, model, hint);
  }
  const wide = g.op('Cast', [features], { to: attr.int(11 /* DOUBLE */) }, { name: `${hint}_double` });
  const transformed = addYeoJohnson(g, wide, shaping.lambdas, hint);
  const columns = shaping.interactions ? addInteractions(g, transformed, d, hint) : transformed;
  const scores = addLinearScores(g, columns, model, hint, 'double');
  return g.op('Cast', [scores], { to: attr.int(1 /* FLOAT */) }, { name: `${hint}_scores_float` });
}
