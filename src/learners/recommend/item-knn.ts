/**
 * Item-kNN (Sarwar et al. 2001; Deshpande & Karypis 2004): items are similar when the same users chose
 * them (cosine on the interaction matrix, ./item-similarity.ts); a user is recommended the items most
 * similar to what they already have. Ratings, when present, are ignored: only who chose what counts.
 */
import { parseParams, z } from '../../core/params.js';
import { checkpoint } from './fit-loop.js';
import { itemPopularity } from './interactions.js';
import { itemNeighbours } from './item-similarity.js';
import { NeighbourPredictor } from './neighbour-predictor.js';
import type { RecommenderLearner } from './recommender.js';

const NAME = 'item-knn';

export const itemKnnParams = z.strictObject({
  neighbours: z.number().int().min(1).max(1000).default(50).describe('Most similar items kept per item.'),
});

export const itemKnn: RecommenderLearner<typeof itemKnnParams> = {
  name: NAME,
  feedback: 'implicit',
  summary: 'Item-kNN: recommends the items most similar (cosine over who chose them) to those a user already has; no training loss, quick to fit.',
  paramsSchema: itemKnnParams,

  async fit(data, rawParams, options = {}) {
    const params = parseParams(itemKnnParams, rawParams, `${NAME} parameters`);
    await checkpoint(options.signal);
    const nItems = data.itemIds.length;
    // kNN has no loss to minimise; its progress is the share of items whose neighbours are found.
    const step = Math.max(1, Math.ceil(nItems / 10));
    const found = itemNeighbours(data, params.neighbours, (done) => {
      if (done % step === 0 || done === nItems) {
        options.onProgress?.({ iteration: Math.ceil(done / step), maxIterations: Math.ceil(nItems / step), trainLoss: 0 });
      }
    });
    await checkpoint(options.signal);
    return new NeighbourPredictor({
      learner: NAME,
      feedback: data.feedback,
      userIds: data.userIds,
      itemIds: data.itemIds,
      seen: data.byUser,
      ...found,
      popularity: Float32Array.from(itemPopularity(data)),
    });
  },

  load: (serialized) => NeighbourPredictor.fromJSON(serialized),
};
