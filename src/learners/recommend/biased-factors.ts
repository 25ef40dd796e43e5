/**
 * The model both explicit factorisations fit (./mf-als.ts, ./mf-sgd.ts):
 *
 *   r̂(u, i) = μ + b_u + b_i + p_u·q_i
 *
 * its initial state (seeded random factors, zero biases, μ the mean rating), the training loss they
 * report per epoch, and the predictor they end with. Only how the terms are fitted differs.
 */
import type { Rng } from '../../core/rng.js';
import { FactorPredictor, factorTables } from './factor-predictor.js';
import { pairsRmse, randomFactors } from './fit-loop.js';
import { itemPopularity, type InteractionMatrix } from './interactions.js';
import type { RecommenderLearner } from './recommender.js';

export interface BiasedFactors {
  readonly factors: number;
  readonly users: Float64Array;
  readonly items: Float64Array;
  readonly userBias: Float64Array;
  readonly itemBias: Float64Array;
  readonly globalMean: number;
  /** r̂(u, i) with the current terms. */
  predict(u: number, i: number): number;
}

export function initialBiasedFactors(data: InteractionMatrix, factors: number, initStd: number, rng: Rng): BiasedFactors {
  const users = randomFactors(data.userIds.length, factors, initStd, rng);
  const items = randomFactors(data.itemIds.length, factors, initStd, rng);
  const userBias = new Float64Array(data.userIds.length);
  const itemBias = new Float64Array(data.itemIds.length);
  const globalMean = meanRating(data);
  return {
    factors,
    users,
    items,
    userBias,
    itemBias,
    globalMean,
    predict(u, i) {
      let s = globalMean + (userBias[u] as number) + (itemBias[i] as number);
      for (let c = 0; c < factors; c++) s += (users[u * factors + c] as number) * (items[i * factors + c] as number);
      return s;
    },
  };
}

/** The fitted model as a predictor: ratings, and top-k lists from the same terms. */
export function biasedFactorPredictor(learner: string, data: InteractionMatrix, m: BiasedFactors): FactorPredictor {
  const rating = { globalMean: m.globalMean, userBias: m.userBias, itemBias: m.itemBias };
  return new FactorPredictor({
    learner,
    feedback: 'explicit',
    userIds: data.userIds,
    itemIds: data.itemIds,
    seen: data.byUser,
    ...factorTables({ factors: m.factors, users: m.users, items: m.items }, itemPopularity(data), rating),
    rating,
  });
}

export function meanRating(data: InteractionMatrix): number {
  let sum = 0;
  for (let k = 0; k < data.nnz; k++) sum += data.byUser.value[k] as number;
  return sum / data.nnz;
}

/** Training RMSE over every rating, validation RMSE over the held-out pairs when given. */
export function reportRatingLoss(
  data: InteractionMatrix,
  predict: (u: number, i: number) => number,
  iteration: number,
  maxIterations: number,
  options: Parameters<RecommenderLearner['fit']>[2] = {},
): void {
  if (options.onProgress === undefined) return;
  let sum = 0;
  const nUsers = data.userIds.length;
  for (let u = 0; u < nUsers; u++) {
    for (let p = data.byUser.ptr[u] as number; p < (data.byUser.ptr[u + 1] as number); p++) {
      const e = (data.byUser.value[p] as number) - predict(u, data.byUser.index[p] as number);
      sum += e * e;
    }
  }
  const validationLoss = options.validation === undefined ? Number.NaN : pairsRmse(options.validation, predict);
  options.onProgress({
    iteration,
    maxIterations,
    trainLoss: Math.sqrt(sum / data.nnz),
    ...(Number.isNaN(validationLoss) ? {} : { validationLoss }),
  });
}
