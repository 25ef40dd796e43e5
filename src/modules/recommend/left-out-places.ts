/**
 * The places of a recommend answer that hold no recommendation. Both served graphs answer a fixed
 * [N, k] (a tensor is rectangular, and Triton's and KServe's clients read it so); when a user has fewer
 * than k items they do not have yet (or k reaches the item asked about, for similar items), the last
 * places are filled with left-out items scored the lowest float32 (MASKED_SCORE). Those are not
 * recommendations: an answer read row by row (`kiln predict`, the evaluation's top k) leaves them out,
 * so such a user gets fewer than k items. The tensors themselves keep them, with that score.
 */
import { MASKED_SCORE } from '../../learners/recommend/recommend-items.js';

/** The score of a left-out item (already seen, or the item asked about); TopK puts them last. */
export function isLeftOutScore(score: number): boolean {
  return score <= MASKED_SCORE;
}

/** How many of row `row`'s k places (best first, of a flat [N, k] scores tensor) are recommendations. */
export function recommendedCount(scores: ArrayLike<number>, row: number, k: number): number {
  let n = 0;
  while (n < k && !isLeftOutScore(scores[row * k + n] as number)) n++;
  return n;
}

/** An element of an answer as a table holds it: `null` where there is none. */
type Cell = string | number | null;

/**
 * A whole answer's items and scores (flat, row-major [rows, k]) with each left-out place's item and
 * score `null`: what a table of recommendations shows (an empty cell), rather than an item the user
 * already has, scored -3.4e38.
 */
export function leaveOutMaskedPlaces(items: readonly Cell[], scores: readonly Cell[], rows: number): { items: Cell[]; scores: Cell[] } {
  const k = rows === 0 ? 0 : scores.length / rows;
  const numbers = Float64Array.from(scores, (s) => (typeof s === 'number' ? s : Number.NaN));
  const keptItems = [...items];
  const keptScores = [...scores];
  for (let row = 0; row < rows; row++) {
    for (let p = recommendedCount(numbers, row, k); p < k; p++) {
      keptItems[row * k + p] = null;
      keptScores[row * k + p] = null;
    }
  }
  return { items: keptItems, scores: keptScores };
}
