/**
 * Lasso and elastic net: least squares with an L1 (and L2) penalty, scikit-learn's `Lasso` and
 * `ElasticNet` with the same objective and parameter conventions:
 *
 *   minimise  1/(2n)·‖y − X·w − b‖²  +  α·ρ·‖w‖₁  +  ½·α·(1 − ρ)·‖w‖²       (ρ = l1Ratio; lasso: ρ = 1)
 *
 * The intercept b is not penalised: X and y are centred, the centred problem is solved by coordinate
 * descent (./coordinate-descent.ts), and b = ȳ − x̄·w. The L1 term sets weak coefficients exactly to 0,
 * so these models also select features.
 */
import { KilnError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { parseParams, z } from '../../core/params.js';
import { checkRegressionData, checkValidationData } from '../check-training-data.js';
import type { FitOptions, RegressorLearner, SerializedPredictor } from '../learner.js';
import { elasticNetCoordinateDescent } from './coordinate-descent.js';
import { LinearRegressor, meanSquaredError, type LinearRegressorPredictor } from './linear-regressor-predictor.js';

const common = {
  alpha: z
    .number()
    .min(0)
    .default(1)
    .describe('Strength of the penalty (as in scikit-learn): larger alpha shrinks coefficients, and sets more of them to exactly 0.'),
  fitIntercept: z.boolean().default(true).describe('Learn an intercept (bias) term; it is never penalised.'),
  maxIter: z.number().int().positive().default(1000).describe('Most coordinate-descent sweeps over the features.'),
  tol: z
    .number()
    .positive()
    .default(1e-4)
    .describe("Stop when the duality gap falls below tol · ‖y‖² (scikit-learn's criterion): smaller is more exact."),
};

export const lassoParams = z.strictObject(common);

export const elasticNetParams = z.strictObject({
  ...common,
  l1Ratio: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('The L1 share of the penalty: 1 is the lasso, 0 is ridge-like (scikit-learn\'s l1_ratio).'),
});

export type LassoParams = z.output<typeof lassoParams>;
export type ElasticNetParams = z.output<typeof elasticNetParams>;

/** A learner returning the shared linear regressor (with `coefficients()`). */
export interface LinearRegressorLearner<S extends z.ZodType> extends RegressorLearner<S> {
  fit(X: Matrix, y: Float64Array, params: unknown, options?: FitOptions): Promise<LinearRegressorPredictor>;
  load(serialized: SerializedPredictor): LinearRegressorPredictor;
}

export const lasso: LinearRegressorLearner<typeof lassoParams> = {
  name: 'lasso',
  kind: 'regressor',
  family: 'linear',
  summary: 'Linear least squares with an L1 penalty: sets weak coefficients to exactly 0, so it also selects features.',
  paramsSchema: lassoParams,
  async fit(X, y, rawParams, options = {}) {
    const params = parseParams(lassoParams, rawParams, 'lasso parameters');
    return fitElasticNet('lasso', X, y, { ...params, l1Ratio: 1 }, options);
  },
  load: (serialized) => LinearRegressor.fromJSON('lasso', serialized),
};

export const elasticNet: LinearRegressorLearner<typeof elasticNetParams> = {
  name: 'elastic-net',
  kind: 'regressor',
  family: 'linear',
  summary: 'Linear least squares with a mix of L1 and L2 penalties: sparse like the lasso, stable with correlated features like ridge.',
  paramsSchema: elasticNetParams,
  async fit(X, y, rawParams, options = {}) {
    const params = parseParams(elasticNetParams, rawParams, 'elastic-net parameters');
    return fitElasticNet('elastic-net', X, y, params, options);
  },
  load: (serialized) => LinearRegressor.fromJSON('elastic-net', serialized),
};

async function fitElasticNet(name: string, X: Matrix, y: Float64Array, params: ElasticNetParams, options: FitOptions): Promise<LinearRegressor> {
  checkRegressionData(X, y);
  const validation = options.validation;
  if (validation !== undefined) checkValidationData(validation.X, validation.y, X.cols);
  const cancelled = (): KilnError => new KilnError('CANCELLED', { what: 'training' });
  if (options.signal?.aborted === true) throw cancelled();

  const { columns, xMean, yMean, yCentred } = centredColumns(X, y, params.fitIntercept);
  const interceptOf = (weights: Float64Array): number => {
    let b = yMean;
    for (let j = 0; j < X.cols; j++) b -= (xMean[j] as number) * (weights[j] as number);
    return b;
  };
  const onProgress = options.onProgress;
  const result = await elasticNetCoordinateDescent(
    { columns, rows: X.rows, cols: X.cols, y: yCentred, alpha: params.alpha, l1Ratio: params.l1Ratio },
    {
      maxIter: params.maxIter,
      tol: params.tol,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(onProgress === undefined
        ? {}
        : {
            onSweep: (sweep: number, weights: Float64Array, trainLoss: number) => {
              const base = { iteration: sweep, maxIterations: params.maxIter, trainLoss };
              if (validation === undefined) return onProgress(base);
              const current = new LinearRegressor(name, weights.slice(), interceptOf(weights));
              onProgress({ ...base, validationLoss: meanSquaredError(current.predict(validation.X), validation.y) });
            },
          }),
    },
  );
  if (result.aborted) throw cancelled();
  return new LinearRegressor(name, result.weights, interceptOf(result.weights));
}

/**
 * X as a column-major copy (coordinate descent reads one column at a time), centred with y when an
 * intercept is fitted; the means are returned to recover the intercept.
 */
function centredColumns(X: Matrix, y: Float64Array, fitIntercept: boolean): { columns: Float64Array; xMean: Float64Array; yMean: number; yCentred: Float64Array } {
  const { rows: n, cols: d, data: x } = X;
  const xMean = new Float64Array(d);
  let yMean = 0;
  if (fitIntercept) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) xMean[j] = (xMean[j] as number) + (x[i * d + j] as number);
      yMean += y[i] as number;
    }
    for (let j = 0; j < d; j++) xMean[j] = (xMean[j] as number) / n;
    yMean /= n;
  }
  const columns = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) columns[j * n + i] = (x[i * d + j] as number) - (xMean[j] as number);
  }
  const yCentred = y.map((v) => v - yMean);
  return { columns, xMean, yMean, yCentred };
}
