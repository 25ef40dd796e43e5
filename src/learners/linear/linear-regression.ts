/**
 * Ordinary least squares, scikit-learn's `LinearRegression`: minimise ‖y − X·w − b‖², solved exactly
 * through the normal equations (ridge's solver with α = 0; see ./ridge-regression.ts).
 *
 * scikit-learn answers collinear features with the minimum-norm solution of a least-squares solver;
 * here they are refused with TRAINING_FAILED, naming the remedy (ridge, or dropping the duplicate
 * column), because a model whose coefficients are arbitrary along a direction is a poor one to explain.
 */
import { KilnError, isKilnError } from '../../core/errors.js';
import { parseParams, z } from '../../core/params.js';
import { checkRegressionData, checkValidationData } from '../check-training-data.js';
import type { LinearRegressorLearner } from './elastic-net.js';
import { LinearRegressor, meanSquaredError } from './linear-regressor-predictor.js';
import { solveRidge } from './ridge-regression.js';

const NAME = 'linear-regression';

export const linearRegressionParams = z.strictObject({
  fitIntercept: z.boolean().default(true).describe('Learn an intercept (bias) term.'),
});

export const linearRegression: LinearRegressorLearner<typeof linearRegressionParams> = {
  name: NAME,
  kind: 'regressor',
  family: 'linear',
  summary: 'Ordinary least squares, solved exactly: the simplest baseline for a numeric target.',
  paramsSchema: linearRegressionParams,

  // async for the Learner contract; the work is one synchronous solve.
  async fit(X, y, rawParams, options = {}) {
    const params = parseParams(linearRegressionParams, rawParams, 'linear-regression parameters');
    checkRegressionData(X, y);
    const validation = options.validation;
    if (validation !== undefined) checkValidationData(validation.X, validation.y, X.cols);
    if (options.signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'training' });

    let solution;
    try {
      solution = solveRidge(X, y, { alpha: 0, fitIntercept: params.fitIntercept });
    } catch (err) {
      if (!isKilnError(err, 'TRAINING_FAILED')) throw err;
      throw new KilnError(
        'TRAINING_FAILED',
        { reason: 'the features are collinear (one is a combination of others, or constant), so least squares has no unique answer; use ridge, or drop the redundant column' },
        { cause: err },
      );
    }
    const predictor = new LinearRegressor(NAME, solution.weights, solution.intercepts[0] as number);
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

  load: (serialized) => LinearRegressor.fromJSON(NAME, serialized),
};
