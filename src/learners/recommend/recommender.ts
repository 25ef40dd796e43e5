/**
 * The recommender contract, beside the table learners' one (src/learners/learner.ts) because a
 * recommender does not learn from a feature matrix: it learns from who interacted with what
 * (an InteractionMatrix) and answers with items.
 *
 * The shape is the same as every learner's: one params object validated by its zod schema; `fit()` is
 * seeded, reports per-epoch progress, stops with CANCELLED when `signal` aborts, and returns a separate
 * predictor that serialises to JSON, scores in process, and adds itself to an ONNX graph whose scores
 * agree with its own within 1e-5.
 */
import type { z } from 'zod';
import type { Progress, SerializedPredictor } from '../learner.js';
import type { GraphBuilder } from '../../onnx/graph-builder.js';
import type { CompressedRows, Feedback, IndexedPairs, InteractionMatrix } from './interactions.js';

export interface RecommenderFitOptions {
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /** Held-out pairs (indices into the training users and items; −1 = unknown) to report validation loss on; never used to fit. */
  readonly validation?: IndexedPairs;
}

/**
 * Where a user's already-seen items come from, once expanded for a batch in the ONNX graph: for every
 * training pair (u, i) of a user in the batch, the batch row it belongs to and the item index.
 */
export interface OnnxSeenPairs {
  /** int64 [M]: the batch row of each pair. */
  readonly rows: string;
  /** int64 [M]: the item index of each pair. */
  readonly items: string;
}

export interface RecommenderPredictor {
  readonly learner: string;
  readonly feedback: Feedback;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  /** The training pairs by user (values dropped): the items each user has already seen. */
  readonly seen: Pick<CompressedRows, 'ptr' | 'index'>;
  /**
   * The score of every item for user `u` (−1 = a user training never saw, who gets the items'
   * popularity), written into `out` (length nItems). Higher is a better recommendation.
   */
  userScores(u: number, out: Float64Array): void;
  /** How similar every item is to item `i` (−1 = unknown item: the items' popularity), into `out`. */
  similarScores(i: number, out: Float64Array): void;
  /**
   * The predicted rating of user `u` for item `i` (explicit feedback; either may be −1 for unknown,
   * which falls back to the biases that are known, then the global mean). Implicit models answer their
   * preference score.
   */
  predictRating(u: number, i: number): number;
  toJSON(): SerializedPredictor;
  /** Adds the user scores to `g`: `userIndex` is int64 [N] (nUsers = unknown); returns float [N, nItems]. */
  toOnnxUserScores(g: GraphBuilder, userIndex: string, seen: OnnxSeenPairs): string;
  /** Adds the item similarities: `itemIndex` is int64 [N] (nItems = unknown); returns float [N, nItems]. */
  toOnnxSimilarScores(g: GraphBuilder, itemIndex: string): string;
}

export interface RecommenderLearner<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  /** The feedback it is made for: explicit learners need ratings, implicit ones use any interactions. */
  readonly feedback: Feedback;
  readonly summary: string;
  readonly paramsSchema: S;
  fit(data: InteractionMatrix, params: unknown, options?: RecommenderFitOptions): Promise<RecommenderPredictor>;
  load(serialized: SerializedPredictor): RecommenderPredictor;
}
