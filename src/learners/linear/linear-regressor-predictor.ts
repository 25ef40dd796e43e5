/**
 * The predictor that least squares, lasso and elastic net share: one weight per feature plus an
 * intercept, predicting X·w + b (and exporting MatMul + Add). Each learner gives it its own name, so a
 * saved model records which learner made it and loads back through that learner.
 */
import { KilnError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { z } from '../../core/params.js';
import type { GraphBuilder } from '../../onnx/graph-builder.js';
import { checkPredictionInput } from '../check-training-data.js';
import type { RegressorPredictor, SerializedPredictor } from '../learner.js';
import { addLinearScores, linearScores, type LinearWeights } from './linear-scores.js';

const FORMAT = 1;

export interface LinearRegressorCoefficients {
  /** One weight per feature (scikit-learn's `coef_`). */
  readonly weights: Float64Array;
  readonly intercept: number;
}

export interface LinearRegressorPredictor extends RegressorPredictor {
  coefficients(): LinearRegressorCoefficients;
}

const stateSchema = z.strictObject({
  nFeatures: z.number().int().positive(),
  coef: z.array(z.number()),
  intercept: z.number(),
});

export class LinearRegressor implements LinearRegressorPredictor {
  readonly kind = 'regressor';
  readonly nFeatures: number;
  private readonly model: LinearWeights;

  constructor(
    readonly learner: string,
    weights: Float64Array,
    intercept: number,
  ) {
    this.nFeatures = weights.length;
    this.model = { nFeatures: weights.length, nOutputs: 1, weights, intercepts: Float64Array.of(intercept) };
  }

  predict(X: Matrix): Float64Array {
    checkPredictionInput(X, this.nFeatures, this.learner);
    return linearScores(X, this.model).data;
  }

  toOnnx(g: GraphBuilder, features: string): { readonly prediction: string } {
    return { prediction: addLinearScores(g, features, this.model, this.learner.replace(/-/g, '_')) };
  }

  /** |coefficient|: meaningful when features share a scale (Kiln standardises them for linear models). */
  featureImportances(): Float64Array {
    return this.model.weights.map(Math.abs);
  }

  coefficients(): LinearRegressorCoefficients {
    return { weights: this.model.weights.slice(), intercept: this.model.intercepts[0] as number };
  }

  toJSON(): SerializedPredictor {
    const { weights, intercept } = this.coefficients();
    return { learner: this.learner, format: FORMAT, state: { nFeatures: this.nFeatures, coef: Array.from(weights), intercept } };
  }

  static fromJSON(learner: string, serialized: SerializedPredictor): LinearRegressor {
    const invalid = (reason: string): KilnError => new KilnError('INVALID_PREDICTOR', { learner, reason });
    if (serialized.learner !== learner) throw invalid(`it was saved by learner "${serialized.learner}"`);
    if (serialized.format !== FORMAT) throw invalid(`format ${serialized.format} is not the supported format ${FORMAT}`);
    const parsed = stateSchema.safeParse(serialized.state);
    if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const { nFeatures, coef, intercept } = parsed.data;
    if (coef.length !== nFeatures) throw invalid(`expected ${nFeatures} coefficients, found ${coef.length}`);
    return new LinearRegressor(learner, Float64Array.from(coef), intercept);
  }
}

/** Mean squared error of a predictor on (X, y): the loss linear regressors report as progress. */
export function meanSquaredError(predicted: Float64Array, y: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < predicted.length; i++) {
    const e = (predicted[i] as number) - (y[i] as number);
    sum += e * e;
  }
  return sum / predicted.length;
}
