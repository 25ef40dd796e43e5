/**
 * Implicit-feedback ALS (Hu, Koren & Volinsky 2008, "Collaborative Filtering for Implicit Feedback
 * Datasets"): every user × item cell counts, with preference 1 where the user interacted (v times) and
 * 0 elsewhere, weighted by the confidence 1 + α·v. The factors x_u, y_i minimise
 *
 *   Σ_{u,i} c_ui (p_ui − x_u·y_i)² + λ (Σ|x_u|² + Σ|y_i|²)
 *
 * by alternating solves (./als-kernels.ts): a few warm-started conjugate-gradient steps per row by
 * default, or an exact Cholesky solve. The score x_u·y_i ranks items; it is not a rating.
 */
import { parseParams, z } from '../../core/params.js';
import { Rng } from '../../core/rng.js';
import { gramLower, implicitAlsCgHalfStep, implicitAlsHalfStep, symmetricFromLower } from './als-kernels.js';
import { FactorPredictor, factorTables } from './factor-predictor.js';
import { checkpoint, randomFactors } from './fit-loop.js';
import { itemPopularity, type InteractionMatrix } from './interactions.js';
import type { RecommenderFitOptions, RecommenderLearner } from './recommender.js';

const NAME = 'implicit-als';

export const implicitAlsParams = z.strictObject({
  factors: z.number().int().min(1).max(512).default(64).describe('Latent factors per user and item.'),
  epochs: z.number().int().min(1).max(500).default(15).describe('Alternations (users, then items) to run.'),
  regularization: z.number().min(0).default(0.1).describe('L2 penalty λ on the factors.'),
  alpha: z.number().min(0).default(10).describe('Confidence per interaction: c = 1 + alpha × interactions.'),
  initStd: z.number().min(0).default(0.01).describe('Standard deviation of the random initial factors.'),
  solver: z
    .enum(['cg', 'exact'])
    .default('cg')
    .describe("'cg': a few conjugate-gradient steps per row, warm-started (fast); 'exact': a Cholesky solve per row."),
  cgSteps: z.number().int().min(1).max(100).default(3).describe('Conjugate-gradient steps per row and epoch (solver cg).'),
});

export const implicitAls: RecommenderLearner<typeof implicitAlsParams> = {
  name: NAME,
  feedback: 'implicit',
  summary: 'Implicit ALS (Hu, Koren & Volinsky): learns preferences from interactions alone (views, clicks, purchases), weighting seen items by confidence.',
  paramsSchema: implicitAlsParams,

  async fit(data, rawParams, options = {}) {
    const params = parseParams(implicitAlsParams, rawParams, `${NAME} parameters`);
    const f = params.factors;
    const rng = new Rng(options.seed ?? 0);
    const users = randomFactors(data.userIds.length, f, params.initStd, rng);
    const items = randomFactors(data.itemIds.length, f, params.initStd, rng);
    // A rated interaction counts once, whatever its rating: implicit feedback is about what was chosen.
    const counts = data.feedback === 'explicit' ? onesLike(data) : data;
    for (let epoch = 1; epoch <= params.epochs; epoch++) {
      await checkpoint(options.signal);
      if (params.solver === 'exact') {
        implicitAlsHalfStep(counts.byUser, items, users, f, params.alpha, params.regularization);
        implicitAlsHalfStep(counts.byItem, users, items, f, params.alpha, params.regularization);
      } else {
        implicitAlsCgHalfStep(counts.byUser, items, users, f, params.alpha, params.regularization, params.cgSteps);
        implicitAlsCgHalfStep(counts.byItem, users, items, f, params.alpha, params.regularization, params.cgSteps);
      }
      reportImplicitLoss(counts, users, items, f, params, epoch, options);
    }
    return new FactorPredictor({
      learner: NAME,
      feedback: data.feedback,
      userIds: data.userIds,
      itemIds: data.itemIds,
      seen: data.byUser,
      ...factorTables({ factors: f, users, items }, itemPopularity(data)),
    });
  },

  load: (serialized) => FactorPredictor.fromJSON(serialized),
};

function onesLike(data: InteractionMatrix): InteractionMatrix {
  return {
    ...data,
    byUser: { ...data.byUser, value: new Float64Array(data.nnz).fill(1) },
    byItem: { ...data.byItem, value: new Float64Array(data.nnz).fill(1) },
  };
}

/**
 * Training loss: the objective per interaction. The sum of squared scores over all cells is
 * Σ_ab (XᵀX)_ab (YᵀY)_ab, so the full objective costs O((nUsers + nItems)·f²), not nUsers·nItems.
 * Validation loss: the mean of (1 − score)² over the held-out interactions (all preferences 1).
 */
function reportImplicitLoss(
  data: InteractionMatrix,
  users: Float64Array,
  items: Float64Array,
  f: number,
  params: { alpha: number; regularization: number; epochs: number },
  iteration: number,
  options: RecommenderFitOptions,
): void {
  if (options.onProgress === undefined) return;
  const score = (u: number, i: number): number => {
    let s = 0;
    for (let c = 0; c < f; c++) s += (users[u * f + c] as number) * (items[i * f + c] as number);
    return s;
  };
  const xx = symmetricFromLower(gramLower(users, f), f);
  const yy = symmetricFromLower(gramLower(items, f), f);
  let allSquares = 0;
  for (let k = 0; k < f * f; k++) allSquares += (xx[k] as number) * (yy[k] as number);
  let observed = 0;
  for (let u = 0; u < data.userIds.length; u++) {
    for (let p = data.byUser.ptr[u] as number; p < (data.byUser.ptr[u + 1] as number); p++) {
      const s = score(u, data.byUser.index[p] as number);
      const c = 1 + params.alpha * (data.byUser.value[p] as number);
      observed += c * (1 - s) ** 2 - s * s;
    }
  }
  let norms = 0;
  for (const v of users) norms += v * v;
  for (const v of items) norms += v * v;
  const trainLoss = (allSquares + observed + params.regularization * norms) / data.nnz;
  let validationLoss = Number.NaN;
  const v = options.validation;
  if (v !== undefined) {
    let sum = 0;
    let n = 0;
    for (let k = 0; k < v.users.length; k++) {
      if ((v.users[k] as number) < 0 || (v.items[k] as number) < 0) continue;
      sum += (1 - score(v.users[k] as number, v.items[k] as number)) ** 2;
      n++;
    }
    if (n > 0) validationLoss = sum / n;
  }
  options.onProgress({ iteration, maxIterations: params.epochs, trainLoss, ...(Number.isNaN(validationLoss) ? {} : { validationLoss }) });
}
