/**
 * Ridge regression: least squares with an L2 penalty, scikit-learn's `Ridge` (solver 'cholesky').
 *
 *   minimise ‖y − X·w − b‖² + α·‖w‖²     (the intercept b is not penalised)
 *
 * Solved exactly, not iteratively: centring X and y removes the intercept from the problem, the
 * minimiser then solves the d × d normal equations (XcᵀXc + αI)·w = Xcᵀyc by Cholesky, and
 * b = ȳ − x̄·w. Cost O(n·d² + d³), which suits the tabular data Kiln sees (d up to a few thousand).
 *
 * With `interactions`, the model is linear in the inputs AND their pairwise products
 * (./pairwise-interactions.ts), solved on standardised columns (./column-scaling.ts): scikit-learn's
 * PolynomialFeatures(interaction_only=True) → StandardScaler → Ridge in one learner. With
 * `powerTransform`, skewed input columns are reshaped first (./yeo-johnson.ts, ./input-shaping.ts).
 */
import { KilnError } from '../../core/errors.js';
import { NotPositiveDefiniteError, solvePositiveDefinite } from '../../core/linalg/cholesky.js';
import type { Matrix } from '../../core/matrix.js';
import { parseParams, z } from '../../core/params.js';
import type { GraphBuilder } from '../../onnx/graph-builder.js';
import { checkPredictionInput, checkRegressionData, checkValidationData } from '../check-training-data.js';
import type { FitOptions, RegressorLearner, RegressorPredictor, SerializedPredictor } from '../learner.js';
import { foldScaling } from './column-scaling.js';
import type { LinearWeights } from './linear-scores.js';
import { addShapedScores, PLAIN_INPUTS, shapedScores, shapedWidth, shapeInputs, type InputShaping } from './input-shaping.js';
import { inputImportances } from './pairwise-interactions.js';

const NAME = 'ridge';
const FORMAT = 1;

export const ridgeRegressionParams = z.strictObject({
  alpha: z
    .number()
    .min(0)
    .default(1)
    .describe('Strength of the L2 penalty (as in scikit-learn): larger alpha shrinks coefficients towards 0. 0 is ordinary least squares.'),
  fitIntercept: z.boolean().default(true).describe('Learn an intercept (bias) term; it is never penalised.'),
  interactions: z
    .boolean()
    .default(false)
    .describe('Also learn from the product of every pair of input columns, on standardised columns; at most 60 input columns. Usually wants a larger alpha.'),
  powerTransform: z
    .boolean()
    .default(false)
    .describe('Reshape each skewed input column with a Yeo–Johnson power transform (λ fitted per column, as scikit-learn\'s PowerTransformer) before the linear score: long tails (areas, counts, prices) stop dominating the fit. Columns with two values are left as they are.'),
});

export type RidgeRegressionParams = z.output<typeof ridgeRegressionParams>;

export interface RidgeCoefficients {
  /**
   * One weight per feature (scikit-learn's `coef_`); with interactions, then one per pairwise product
   * in PolynomialFeatures' order (x0·x1, x0·x2, …), each on the column's own (unscaled) values — with
   * powerTransform, on the reshaped column ψ(λ_j, x_j) (yeo-johnson.ts).
   */
  readonly weights: Float64Array;
  readonly intercept: number;
}

export interface RidgeRegressionPredictor extends RegressorPredictor {
  coefficients(): RidgeCoefficients;
}

/** The learner, typed to return its own predictor (with `coefficients()`) rather than any regressor. */
export interface RidgeRegressionLearner extends RegressorLearner<typeof ridgeRegressionParams> {
  fit(X: Matrix, y: Float64Array, params: unknown, options?: FitOptions): Promise<RidgeRegressionPredictor>;
  load(serialized: SerializedPredictor): RidgeRegressionPredictor;
}

export const ridgeRegression: RidgeRegressionLearner = {
  name: NAME,
  kind: 'regressor',
  family: 'linear',
  summary: 'Linear least squares with an L2 penalty, solved exactly; a fast, stable baseline that is easy to explain.',
  paramsSchema: ridgeRegressionParams,

  // async for the Learner contract; the work is one synchronous solve.
  async fit(X, y, rawParams, options = {}) {
    const params = parseParams(ridgeRegressionParams, rawParams, 'ridge parameters');
    checkRegressionData(X, y);
    const validation = options.validation;
    if (validation !== undefined) checkValidationData(validation.X, validation.y, X.cols);
    if (options.signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'training' });

    const design = shapeInputs(X, params, params.fitIntercept, NAME);
    const model = design === null ? solveRidge(X, y, params) : foldScaling(solveRidge(design.X, y, params), design.scaling);
    const predictor = new RidgePredictor(model, X.cols, design?.shaping ?? PLAIN_INPUTS);
    if (options.onProgress !== undefined) {
      const trainLoss = meanSquaredError(predictor.predict(X), y);
      options.onProgress(
        validation === undefined
          ? { iteration: 1, maxIterations: 1, trainLoss }
          : { iteration: 1, maxIterations: 1, trainLoss, validationLoss: meanSquaredError(predictor.predict(validation.X), validation.y) },
      );
    }
    return predictor;
  },

  load(serialized) {
    return RidgePredictor.fromJSON(serialized);
  },
};

/** The exact ridge minimiser (alpha = 0 gives ordinary least squares); TRAINING_FAILED when singular. */
export function solveRidge(X: Matrix, y: Float64Array, params: Pick<RidgeRegressionParams, 'alpha' | 'fitIntercept'>): LinearWeights {
  const { rows: n, cols: d, data: x } = X;
  // Column means of X and the mean of y (zeros without an intercept: then nothing is centred).
  const xMean = new Float64Array(d);
  let yMean = 0;
  if (params.fitIntercept) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) xMean[j] = (xMean[j] as number) + (x[i * d + j] as number);
      yMean += y[i] as number;
    }
    for (let j = 0; j < d; j++) xMean[j] = (xMean[j] as number) / n;
    yMean /= n;
  }

  // Lower triangle of XcᵀXc and the right-hand side Xcᵀyc, one centred row at a time.
  const gram = new Float64Array(d * d);
  const rhs = new Float64Array(d);
  const centred = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) centred[j] = (x[i * d + j] as number) - (xMean[j] as number);
    const yc = (y[i] as number) - yMean;
    for (let j = 0; j < d; j++) {
      const cj = centred[j] as number;
      rhs[j] = (rhs[j] as number) + cj * yc;
      const rowJ = j * d;
      for (let k = 0; k <= j; k++) gram[rowJ + k] = (gram[rowJ + k] as number) + cj * (centred[k] as number);
    }
  }
  for (let j = 0; j < d; j++) gram[j * d + j] = (gram[j * d + j] as number) + params.alpha;

  let weights: Float64Array;
  try {
    weights = solvePositiveDefinite(gram, d, rhs);
  } catch (err) {
    if (!(err instanceof NotPositiveDefiniteError)) throw err;
    throw new KilnError(
      'TRAINING_FAILED',
      { reason: `the normal equations are singular at feature ${err.pivot} (collinear or constant features with alpha = ${params.alpha}); use alpha > 0` },
      { cause: err },
    );
  }
  let intercept = yMean;
  for (let j = 0; j < d; j++) intercept -= (xMean[j] as number) * (weights[j] as number);
  return { nFeatures: d, nOutputs: 1, weights, intercepts: Float64Array.of(intercept) };
}

function meanSquaredError(predicted: Float64Array, y: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < predicted.length; i++) {
    const e = (predicted[i] as number) - (y[i] as number);
    sum += e * e;
  }
  return sum / predicted.length;
}

const stateSchema = z.strictObject({
  nFeatures: z.number().int().positive(),
  coef: z.array(z.number()),
  intercept: z.number(),
  /** Present (true) only for models with interactions; older saved models have no such field. */
  interactions: z.boolean().optional(),
  /** The Yeo–Johnson λ per input column, present only for models with powerTransform. */
  powerLambdas: z.array(z.number()).optional(),
});

class RidgePredictor implements RidgeRegressionPredictor {
  readonly learner = NAME;
  readonly kind = 'regressor';

  /** `model` is over the shaped input columns (input-shaping.ts): the inputs, or with interactions also their pairwise products. */
  constructor(
    private readonly model: LinearWeights,
    readonly nFeatures: number,
    private readonly shaping: InputShaping,
  ) {}

  /** Whether the prediction is a weighted sum of the input columns themselves (so exact linear SHAP applies). */
  get linearInInputs(): boolean {
    return this.shaping.lambdas === null && !this.shaping.interactions;
  }

  predict(X: Matrix): Float64Array {
    checkPredictionInput(X, this.nFeatures, NAME);
    // One output: the rows × 1 score matrix's data is the prediction vector.
    return shapedScores(X, this.model, this.shaping).data;
  }

  toOnnx(g: GraphBuilder, features: string): { readonly prediction: string } {
    return { prediction: addShapedScores(g, features, this.nFeatures, this.shaping, this.model, 'ridge') };
  }

  /** |coefficient| per feature; with interactions, plus half of each of its products' (see inputImportances). */
  featureImportances(): Float64Array {
    return this.shaping.interactions ? inputImportances(this.model, this.nFeatures) : this.model.weights.map(Math.abs);
  }

  coefficients(): RidgeCoefficients {
    return { weights: this.model.weights.slice(), intercept: this.model.intercepts[0] as number };
  }

  toJSON(): SerializedPredictor {
    const { weights, intercept } = this.coefficients();
    return {
      learner: NAME,
      format: FORMAT,
      state: {
        nFeatures: this.nFeatures,
        coef: Array.from(weights),
        intercept,
        ...(this.shaping.interactions ? { interactions: true } : {}),
        ...(this.shaping.lambdas === null ? {} : { powerLambdas: Array.from(this.shaping.lambdas) }),
      },
    };
  }

  static fromJSON(serialized: SerializedPredictor): RidgePredictor {
    const invalid = (reason: string): KilnError => new KilnError('INVALID_PREDICTOR', { learner: NAME, reason });
    if (serialized.learner !== NAME) throw invalid(`it was saved by learner "${serialized.learner}"`);
    if (serialized.format !== FORMAT) throw invalid(`format ${serialized.format} is not the supported format ${FORMAT}`);
    const parsed = stateSchema.safeParse(serialized.state);
    if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const { nFeatures, coef, intercept, powerLambdas } = parsed.data;
    if (powerLambdas !== undefined && powerLambdas.length !== nFeatures) throw invalid(`expected ${nFeatures} power-transform λs, found ${powerLambdas.length}`);
    const shaping: InputShaping = { lambdas: powerLambdas === undefined ? null : Float64Array.from(powerLambdas), interactions: parsed.data.interactions === true };
    const width = shapedWidth(nFeatures, shaping);
    if (coef.length !== width) throw invalid(`expected ${width} coefficients, found ${coef.length}`);
    return new RidgePredictor({ nFeatures: width, nOutputs: 1, weights: Float64Array.from(coef), intercepts: Float64Array.of(intercept) }, nFeatures, shaping);
  }
}
