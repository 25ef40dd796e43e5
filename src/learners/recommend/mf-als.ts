/**
 * Biased matrix factorisation by alternating least squares (explicit ratings):
 *
 *   r̂(u, i) = μ + b_u + b_i + p_u·q_i
 *
 * Each epoch solves every user's (p_u, b_u) exactly with the items fixed, then every item's (q_i, b_i)
 * with the users fixed (./als-kernels.ts). The default penalty is a plain λ per user and item, large
 * (15): it pulls the biases and factors of rarely rated items towards zero, which keeps a movie with two
 * 5-star ratings from topping everyone's list, and on MovieLens gives both the better RMSE (0.855 vs
 * 0.858) and a top 10 near popularity's instead of far below it (NDCG@10 0.167 vs 0.001) compared with
 * ALS-WR's λ × (ratings of the row) (`weighted: true`, λ ≈ 0.15), which shrinks busy and rare rows alike.
 */
import { parseParams, z } from '../../core/params.js';
import { Rng } from '../../core/rng.js';
import { explicitAlsHalfStep } from './als-kernels.js';
import { biasedFactorPredictor, initialBiasedFactors, reportRatingLoss } from './biased-factors.js';
import { FactorPredictor } from './factor-predictor.js';
import { checkpoint } from './fit-loop.js';
import { requireRatings } from './require-ratings.js';
import type { RecommenderLearner } from './recommender.js';

const NAME = 'mf-als';

export const mfAlsParams = z.strictObject({
  factors: z.number().int().min(1).max(512).default(20).describe('Latent factors per user and item.'),
  epochs: z.number().int().min(1).max(500).default(10).describe('Alternations (users, then items) to run.'),
  regularization: z.number().min(0).default(15).describe('L2 penalty λ on factors and biases (times each row\'s rating count when weighted; then about 0.1).'),
  weighted: z.boolean().default(false).describe('Scale λ by each user\'s / item\'s number of ratings (ALS-WR, Zhou et al. 2008).'),
  initStd: z.number().min(0).default(0.1).describe('Standard deviation of the random initial factors.'),
});

export const mfAls: RecommenderLearner<typeof mfAlsParams> = {
  name: NAME,
  feedback: 'explicit',
  summary: 'Biased matrix factorisation by ALS: predicts ratings as mean + user bias + item bias + factor product; each epoch is an exact solve.',
  paramsSchema: mfAlsParams,

  async fit(data, rawParams, options = {}) {
    const params = parseParams(mfAlsParams, rawParams, `${NAME} parameters`);
    requireRatings(data, NAME);
    const f = params.factors;
    const rng = new Rng(options.seed ?? 0);
    const m = initialBiasedFactors(data, f, params.initStd, rng);
    const { users, items, userBias, itemBias, globalMean, predict } = m;
    for (let epoch = 1; epoch <= params.epochs; epoch++) {
      await checkpoint(options.signal);
      explicitAlsHalfStep(data.byUser, items, itemBias, users, userBias, f, globalMean, params.regularization, params.weighted);
      explicitAlsHalfStep(data.byItem, users, userBias, items, itemBias, f, globalMean, params.regularization, params.weighted);
      reportRatingLoss(data, predict, epoch, params.epochs, options);
    }
    return biasedFactorPredictor(NAME, data, m);
  },

  load: (serialized) => FactorPredictor.fromJSON(serialized),
};
