/**
 * Top-k recommendations in process, exactly as the served graph makes them: score every item, push the
 * items the user already has to the very bottom (the lowest float32, so they come last and only when
 * fewer than k other items exist), take the k best (ties: lower item index first).
 */
import type { RecommenderPredictor } from './recommender.js';
import { topK } from './top-k.js';

/** The lowest float32: the score of an item left out (already seen, or the item asked about). */
export const MASKED_SCORE = -3.4028234663852886e38;

export interface Recommendation {
  /** Item indices, best first. */
  readonly items: Int32Array;
  readonly scores: Float64Array;
}

/** User `u`'s top k (−1 = unknown user: the most popular items). `buffer` has nItems places. */
export function recommendForUser(predictor: RecommenderPredictor, u: number, k: number, buffer = new Float64Array(predictor.itemIds.length)): Recommendation {
  predictor.userScores(u, buffer);
  if (u >= 0) {
    const { ptr, index } = predictor.seen;
    for (let p = ptr[u] as number; p < (ptr[u + 1] as number); p++) buffer[index[p] as number] = MASKED_SCORE;
  }
  return pick(buffer, k);
}

/** The k items most similar to item `i`, itself left out (−1 = unknown item: the most popular items). */
export function similarToItem(predictor: RecommenderPredictor, i: number, k: number, buffer = new Float64Array(predictor.itemIds.length)): Recommendation {
  predictor.similarScores(i, buffer);
  if (i >= 0) buffer[i] = MASKED_SCORE;
  return pick(buffer, k);
}

function pick(scores: Float64Array, k: number): Recommendation {
  const items = topK(scores, k);
  return { items, scores: Float64Array.from(items, (i) => scores[i] as number) };
}
