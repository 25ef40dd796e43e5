/**
 * How good a recommender is on the held-out interactions:
 *   - ratings (explicit feedback): RMSE and MAE of the predicted ratings, unknown users or items
 *     falling back to the known biases and the global mean;
 *   - rankings: precision@k, recall@k, NDCG@k and MAP@k of each test user's top k (items seen in
 *     training excluded, exactly as served), every held-out item counting as relevant; and the share
 *     of the catalogue that appears in anyone's top k (items a user has are not counted as recommended
 *     when fewer than k others are left).
 */
import { mae, rankingMetrics, rmse } from '../../evaluate/metrics/index.js';
import type { IndexedPairs } from '../../learners/recommend/interactions.js';
import { recommendForUser } from '../../learners/recommend/recommend-items.js';
import type { RecommenderPredictor } from '../../learners/recommend/recommender.js';
import { recommendedCount } from './left-out-places.js';

/** The held-out interactions: indexed against the training matrix, and by id (for items training never saw). */
export interface HeldOut {
  readonly pairs: IndexedPairs;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
}

export interface RankingScores {
  readonly precision: number;
  readonly recall: number;
  readonly ndcg: number;
  readonly map: number;
  /** Users ranked (those with at least one held-out item). */
  readonly users: number;
  /** Share of the training catalogue recommended to at least one test user. */
  readonly coverage: number;
}

export function ratingScores(predictor: RecommenderPredictor, pairs: IndexedPairs): { rmse: number; mae: number } {
  const predicted = Float64Array.from(pairs.users, (u, k) => predictor.predictRating(u, pairs.items[k] as number));
  return { rmse: rmse(pairs.values, predicted), mae: mae(pairs.values, predicted) };
}

export function rankingScores(predictor: RecommenderPredictor, heldOut: HeldOut, k: number): RankingScores {
  const relevantOf = new Map<string, { user: number; relevant: Set<string> }>();
  heldOut.userIds.forEach((id, row) => {
    let entry = relevantOf.get(id);
    if (entry === undefined) relevantOf.set(id, (entry = { user: heldOut.pairs.users[row] as number, relevant: new Set() }));
    entry.relevant.add(heldOut.itemIds[row] as string);
  });
  const buffer = new Float64Array(predictor.itemIds.length);
  const recommendedAnywhere = new Uint8Array(predictor.itemIds.length);
  const rankings = [...relevantOf.values()].map(({ user, relevant }) => {
    const top = recommendForUser(predictor, user, k, buffer);
    // a user with fewer than k items left is recommended fewer: the items they have are not recommendations
    const items = top.items.subarray(0, recommendedCount(top.scores, 0, top.items.length));
    for (const i of items) recommendedAnywhere[i] = 1;
    return { recommended: Array.from(items, (i) => predictor.itemIds[i] as string), relevant };
  });
  const m = rankingMetrics(rankings, k);
  const covered = recommendedAnywhere.reduce((a, b) => a + b, 0);
  return {
    precision: m.precision_at_k,
    recall: m.recall_at_k,
    ndcg: m.ndcg_at_k,
    map: m.map_at_k,
    users: m.users,
    coverage: predictor.itemIds.length === 0 ? 0 : covered / predictor.itemIds.length,
  };
}

/** `{precision_at_10: …}` metric names for top k = `k`. */
export function rankingMetricNames(r: RankingScores, k: number): Record<string, number> {
  return {
    [`precision_at_${k}`]: r.precision,
    [`recall_at_${k}`]: r.recall,
    [`ndcg_at_${k}`]: r.ndcg,
    [`map_at_${k}`]: r.map,
    [`coverage_at_${k}`]: r.coverage,
  };
}
