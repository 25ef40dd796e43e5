/**
 * The popularity baseline: every user is recommended the items most users chose (share of users who
 * interacted with each item). It is also what every other recommender answers for a user or item it
 * has never seen, and the bar a personalised model must clear.
 */
import { parseParams, z } from '../../core/params.js';
import { FactorPredictor } from './factor-predictor.js';
import { checkpoint } from './fit-loop.js';
import { itemPopularity } from './interactions.js';
import type { RecommenderLearner } from './recommender.js';

const NAME = 'popularity';

export const popularityParams = z.strictObject({});

export const popularity: RecommenderLearner<typeof popularityParams> = {
  name: NAME,
  feedback: 'implicit',
  summary: 'Popularity: the same most-chosen items for everyone; the baseline any personalised recommender must beat.',
  paramsSchema: popularityParams,

  async fit(data, rawParams, options = {}) {
    parseParams(popularityParams, rawParams, `${NAME} parameters`);
    await checkpoint(options.signal);
    const pop = Float32Array.from(itemPopularity(data));
    const nUsers = data.userIds.length;
    const nItems = data.itemIds.length;
    options.onProgress?.({ iteration: 1, maxIterations: 1, trainLoss: 0 });
    // One column: every user's row (and the unknown user's) is [1], every item's is [popularity].
    return new FactorPredictor({
      learner: NAME,
      feedback: data.feedback,
      userIds: data.userIds,
      itemIds: data.itemIds,
      seen: data.byUser,
      user: { width: 1, query: new Float32Array(nUsers + 1).fill(1), items: pop },
      similar: { width: 1, query: new Float32Array(nItems + 1).fill(1), items: pop },
    });
  },

  load: (serialized) => FactorPredictor.fromJSON(serialized),
};
