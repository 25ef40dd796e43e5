/**
 * Biased matrix factorisation by stochastic gradient descent (Funk's SVD as in Koren, Bell & Volinsky
 * 2009, and the Surprise library's `SVD`): the same model as ./mf-als.ts,
 *
 *   r̂(u, i) = μ + b_u + b_i + p_u·q_i,
 *
 * fitted by visiting every rating once per epoch in a seeded random order and stepping the four terms
 * along the gradient of (r − r̂)² + λ(b_u² + b_i² + |p_u|² + |q_i|²).
 */
import { parseParams, z } from '../../core/params.js';
import { Rng } from '../../core/rng.js';
import { biasedFactorPredictor, initialBiasedFactors, reportRatingLoss } from './biased-factors.js';
import { FactorPredictor } from './factor-predictor.js';
import { checkpoint } from './fit-loop.js';
import { requireRatings } from './require-ratings.js';
import type { RecommenderLearner } from './recommender.js';

const NAME = 'mf-sgd';

export const mfSgdParams = z.strictObject({
  factors: z.number().int().min(1).max(512).default(100).describe('Latent factors per user and item.'),
  epochs: z.number().int().min(1).max(1000).default(25).describe('Passes over every rating.'),
  learningRate: z.number().positive().max(1).default(0.007).describe('Step size of each update.'),
  regularization: z.number().min(0).default(0.05).describe('L2 penalty λ on factors and biases.'),
  initStd: z.number().min(0).default(0.1).describe('Standard deviation of the random initial factors.'),
});

export const mfSgd: RecommenderLearner<typeof mfSgdParams> = {
  name: NAME,
  feedback: 'explicit',
  summary: 'Biased matrix factorisation by SGD (Funk SVD): predicts ratings as mean + user bias + item bias + factor product.',
  paramsSchema: mfSgdParams,

  async fit(data, rawParams, options = {}) {
    const params = parseParams(mfSgdParams, rawParams, `${NAME} parameters`);
    requireRatings(data, NAME);
    const f = params.factors;
    const nUsers = data.userIds.length;
    const rng = new Rng(options.seed ?? 0);
    const m = initialBiasedFactors(data, f, params.initStd, rng);
    const { users, items, userBias, itemBias, predict } = m;
    // Every rating as (user, item, value), visited in a fresh seeded order each epoch.
    const pairUser = new Int32Array(data.nnz);
    for (let u = 0; u < nUsers; u++) pairUser.fill(u, data.byUser.ptr[u] as number, data.byUser.ptr[u + 1] as number);
    const order = Int32Array.from({ length: data.nnz }, (_, k) => k);
    const { learningRate: lr, regularization: reg } = params;
    for (let epoch = 1; epoch <= params.epochs; epoch++) {
      await checkpoint(options.signal);
      rng.shuffle(order);
      for (let n = 0; n < order.length; n++) {
        const k = order[n] as number;
        const u = pairUser[k] as number;
        const i = data.byUser.index[k] as number;
        const e = (data.byUser.value[k] as number) - predict(u, i);
        userBias[u] = (userBias[u] as number) + lr * (e - reg * (userBias[u] as number));
        itemBias[i] = (itemBias[i] as number) + lr * (e - reg * (itemBias[i] as number));
        const pu = u * f;
        const qi = i * f;
        for (let c = 0; c < f; c++) {
          const p = users[pu + c] as number;
          const q = items[qi + c] as number;
          users[pu + c] = p + lr * (e * q - reg * p);
          items[qi + c] = q + lr * (e * p - reg * q);
        }
      }
      reportRatingLoss(data, predict, epoch, params.epochs, options);
    }
    return biasedFactorPredictor(NAME, data, m);
  },

  load: (serialized) => FactorPredictor.fromJSON(serialized),
};
