/**
 * Suggesting how many segments a table has (`clusters: auto`): k-means is fitted for k = 2..10 and
 * each k is judged two ways —
 *
 *   - the silhouette (−1..1): how much closer rows are to their own segment than to the next one;
 *     computed on a seeded sample when the data is large, since it costs O(n²);
 *   - the elbow of the inertia curve (Σ squared distance to the nearest centre, which always falls as k
 *     grows): the k after which adding a segment stops paying, found as the point farthest below the
 *     straight line from the curve's first point to its last (the "kneedle" rule, on both axes scaled to 0..1).
 *
 * The silhouette decides (it rewards well-separated segments directly); the elbow is reported beside
 * it, so a person sees when the two agree and what the alternative would be when they do not.
 */
import { takeRows, type Matrix } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';
import { silhouetteScore } from '../../evaluate/metrics/clustering.js';
import type { ClustererPredictor } from '../../learners/learner.js';

export const DEFAULT_MAX_K = 10;
/** Rows the silhouette is computed on at most (2,000² distances per k: well under a second). */
export const SILHOUETTE_SAMPLE = 2000;
/** A bend smaller than this (on the 0..1 scaled curve) is no bend: the inertia falls about evenly. */
const MIN_BEND = 0.05;

export interface KCandidate {
  readonly k: number;
  /** Σ squared distance of the training rows to their nearest centre. */
  readonly inertia: number;
  readonly silhouette: number;
}

export interface KChoice {
  readonly k: number;
  readonly candidates: readonly KCandidate[];
  /** The k where the inertia curve bends, or null when it has no clear bend. */
  readonly elbow: number | null;
  /** Why this k, in plain words. */
  readonly sentence: string;
}

export interface ChooseKOptions {
  readonly seed: number;
  readonly maxK?: number;
  readonly sampleSize?: number;
  /** Called after each k is fitted (progress). */
  readonly onCandidate?: (candidate: KCandidate, maxK: number) => void;
}

/**
 * Fits `fit(k)` for every candidate k and returns the choice with the model fitted for it (so the
 * chosen model is not fitted twice).
 */
export async function chooseK<P extends ClustererPredictor & { readonly trainingInertia: number }>(
  X: Matrix,
  fit: (k: number) => Promise<P>,
  options: ChooseKOptions,
): Promise<{ choice: KChoice; model: P }> {
  const maxK = Math.min(options.maxK ?? DEFAULT_MAX_K, X.rows - 1);
  const sample = sampleRows(X, options.sampleSize ?? SILHOUETTE_SAMPLE, options.seed);
  const candidates: KCandidate[] = [];
  const models = new Map<number, P>();
  for (let k = 2; k <= maxK; k++) {
    const model = await fit(k);
    const candidate = { k, inertia: model.trainingInertia, silhouette: silhouetteScore(sample, model.predict(sample)) };
    candidates.push(candidate);
    models.set(k, model);
    options.onCandidate?.(candidate, maxK);
  }
  let best = candidates[0] as KCandidate;
  for (const c of candidates) if (c.silhouette > best.silhouette) best = c;
  const elbow = elbowOf(candidates.map((c) => c.k), candidates.map((c) => c.inertia));
  return { choice: { k: best.k, candidates, elbow, sentence: explainChoice(best, elbow, candidates) }, model: models.get(best.k) as P };
}

/** At most `size` rows of X: all of them, or a seeded sample (the silhouette's rows; the k search's on large tables). */
export function sampleRows(X: Matrix, size: number, seed: number): Matrix {
  if (X.rows <= size) return X;
  const order = new Rng(seed).shuffle(Int32Array.from({ length: X.rows }, (_, i) => i));
  return takeRows(X, order.subarray(0, size));
}

/**
 * The knee of a falling curve: scale k and inertia to 0..1, and take the point farthest below the
 * chord from the first point to the last. Null with fewer than 3 points or when no point is at least
 * MIN_BEND below the chord.
 */
export function elbowOf(ks: readonly number[], inertias: readonly number[]): number | null {
  const n = ks.length;
  if (n < 3) return null;
  const k0 = ks[0] as number;
  const kN = ks[n - 1] as number;
  const hi = Math.max(...inertias);
  const lo = Math.min(...inertias);
  if (hi === lo || kN === k0) return null;
  let best: number | null = null;
  let bestDepth = MIN_BEND;
  for (let i = 1; i < n - 1; i++) {
    const x = ((ks[i] as number) - k0) / (kN - k0);
    const y = ((inertias[i] as number) - lo) / (hi - lo);
    // The chord runs from (0, y0) to (1, yN); with inertia falling that is from about (0, 1) to (1, 0).
    const y0 = ((inertias[0] as number) - lo) / (hi - lo);
    const yN = ((inertias[n - 1] as number) - lo) / (hi - lo);
    const depth = y0 + (yN - y0) * x - y;
    if (depth > bestDepth) {
      bestDepth = depth;
      best = ks[i] as number;
    }
  }
  return best;
}

function explainChoice(best: KCandidate, elbow: number | null, candidates: readonly KCandidate[]): string {
  const head = `k=${best.k}: the silhouette is highest (${best.silhouette.toFixed(2)})`;
  if (elbow === best.k) return `${head} and the inertia curve bends there`;
  if (elbow === null) return `${head}; the inertia curve has no clear bend`;
  const alternative = candidates.find((c) => c.k === elbow);
  const silhouette = alternative === undefined ? '' : ` (silhouette ${alternative.silhouette.toFixed(2)})`;
  return `${head}; the inertia curve bends at k=${elbow}${silhouette}, a ${elbow < best.k ? 'coarser' : 'finer'} alternative (set clusters: ${elbow} to use it)`;
}
