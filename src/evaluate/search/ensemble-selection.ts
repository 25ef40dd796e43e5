/**
 * Ensemble selection (Caruana et al. 2004, as auto-sklearn does it): from a library of complete trials'
 * out-of-fold outputs (every fold's validation outputs, fold after fold — with repeated or time-ordered
 * folds a row may appear several times or not at all), greedily add — with replacement — whichever member most improves the pooled
 * out-of-fold score of the running average; members' pick counts become soft-voting weights.
 *
 * Two choices make it pay off on small data:
 *
 *   - a DIVERSE library: the best trial of every learner first, then the next best trials. A library
 *     of the top-12 scores alone is a dozen variants of one learner (on Titanic, twelve gradient
 *     boosters), whose average is that learner again; averaging works by mixing models that err on
 *     different rows (Caruana et al. §2; Dietterich 2000).
 *   - the mix that is actually kept (trimmed to `size` members) is judged fold by fold against the
 *     leader on the same folds, and kept when its mean gain is above zero. Its standard error is
 *     reported beside the gain (the noise of the fold-by-fold difference, corrected for the folds'
 *     overlap) but is no bar: demanding a gain above one standard error refused mixes that then lost
 *     to a single model on held-out rows (docs/decisions.md, "An ensemble is kept when it scores better
 *     out of fold"): the alternative to the mix is not the leader but the simplest model within noise
 *     of it (simplest-within-noise.ts), which is no better than the leader, so a bar above the leader
 *     asks the mix to beat a model nobody would deploy.
 */
import type { Fold } from './fold-data.js';
import { fromScore, metricsOf, toScore, type SearchTask } from './objective.js';
import type { Trial } from './automl.js';

export interface EnsembleChoice {
  readonly members: readonly Trial[];
  /** How many times ensemble selection picked each member: its weight in the average. */
  readonly weights: readonly number[];
  /** Mean over folds of the metric, like a trial's `value`. */
  readonly value: number;
  readonly score: number;
  /**
   * Mean fold-by-fold gain of `score` over the leader's (above zero), and the standard error of that
   * gain, corrected for the folds' overlap: how sure the gain is (kept in the search's result), not a bar.
   */
  readonly gain: number;
  readonly gainStandardError: number;
}

export interface EnsembleOptions {
  readonly task: SearchTask;
  readonly nClasses: number;
  readonly metric: string;
  /** Most members kept (at least 2 to try an ensemble at all). */
  readonly size: number;
}

/** Complete trials ensemble selection may draw from, and how many picks it makes. */
export const ENSEMBLE_LIBRARY = 12;
const ENSEMBLE_ROUNDS = 20;

/**
 * The library: among complete trials with out-of-fold outputs (best first), the best of each learner,
 * then the best remaining ones, no two with the same learner and parameters, at most `limit`.
 */
export function ensembleLibrary(leaderboard: readonly Trial[], hasOutputs: (t: Trial) => boolean, limit = ENSEMBLE_LIBRARY): Trial[] {
  const library: Trial[] = [];
  const key = (t: Trial) => `${t.learner} ${JSON.stringify(t.params)}`;
  const taken = new Set<string>();
  const add = (t: Trial) => {
    if (library.length >= limit || taken.has(key(t)) || !hasOutputs(t)) return;
    taken.add(key(t));
    library.push(t);
  };
  const learnersSeen = new Set<string>();
  for (const t of leaderboard) {
    if (learnersSeen.has(t.learner) || !hasOutputs(t)) continue;
    learnersSeen.add(t.learner);
    add(t);
  }
  for (const t of leaderboard) add(t);
  // keep the library best first, whatever order it was filled in
  return library.sort((a, b) => b.score - a.score);
}

/**
 * Runs ensemble selection from the leader (the best complete trial); returns the weighted mix when it
 * mixes at least two models and its mean fold-by-fold gain over the leader is above zero, otherwise
 * undefined.
 */
export function chooseEnsemble(
  leaderboard: readonly Trial[],
  oof: ReadonlyMap<number, Float64Array>,
  folds: readonly Fold[],
  options: EnsembleOptions,
): EnsembleChoice | undefined {
  const leader = leaderboard[0];
  if (options.size < 2 || leader === undefined || !oof.has(leader.id)) return undefined;
  const library = ensembleLibrary(leaderboard, (t) => oof.has(t.id));
  if (library.length < 2) return undefined;
  const outputsOf = (t: Trial) => oof.get(t.id) as Float64Array;
  const yAll = allValidationTargets(folds, options.task);
  const pooled = (o: Float64Array) => toScore(options.metric, metricsOf(options.task, yAll, o, options.nClasses)[options.metric] ?? Number.NaN);

  const counts = new Map<number, number>([[leader.id, 1]]);
  const sum = Float64Array.from(outputsOf(leader));
  let picks = 1;
  let best: { score: number; counts: Map<number, number> } | undefined;
  const candidate = new Float64Array(sum.length);
  for (let round = 0; round < ENSEMBLE_ROUNDS; round++) {
    let pick: { trial: Trial; score: number } | undefined;
    for (const t of library) {
      const o = outputsOf(t);
      for (let i = 0; i < sum.length; i++) candidate[i] = ((sum[i] as number) + (o[i] as number)) / (picks + 1);
      const score = pooled(candidate);
      if (pick === undefined || score > pick.score) pick = { trial: t, score };
    }
    if (pick === undefined || !Number.isFinite(pick.score)) break;
    const o = outputsOf(pick.trial);
    for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (o[i] as number);
    picks++;
    counts.set(pick.trial.id, (counts.get(pick.trial.id) ?? 0) + 1);
    if (counts.size >= 2 && pick.score > (best?.score ?? pooled(outputsOf(leader))) + 1e-12) best = { score: pick.score, counts: new Map(counts) };
  }
  if (best === undefined) return undefined;

  // At most `size` members: the most picked ones (ties: the better single model).
  const picked = best.counts;
  const members = library
    .filter((t) => picked.has(t.id))
    .sort((a, b) => (picked.get(b.id) as number) - (picked.get(a.id) as number) || b.score - a.score)
    .slice(0, options.size);
  if (members.length < 2) return undefined;
  const weights = members.map((t) => picked.get(t.id) as number);
  // Trimming members changes the mix: judge what is actually kept.
  const mix = weightedAverage(members.map(outputsOf), weights);
  const mixScores = foldScores(mix, folds, options);
  const leaderScores = foldScores(outputsOf(leader), folds, options);
  const differences = mixScores.map((s, f) => s - (leaderScores[f] as number));
  const gain = meanAndStandardError(differences).mean;
  const standardError = overlapCorrectedStandardError(differences, validationShare(folds));
  if (!(gain > 1e-12)) return undefined;
  const score = meanAndStandardError(mixScores).mean;
  return { members, weights, value: fromScore(options.metric, score), score, gain, gainStandardError: standardError };
}

function weightedAverage(outputs: readonly Float64Array[], weights: readonly number[]): Float64Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const mix = new Float64Array(outputs[0]?.length ?? 0);
  outputs.forEach((o, k) => {
    const w = (weights[k] as number) / total;
    for (let i = 0; i < mix.length; i++) mix[i] = (mix[i] as number) + (o[i] as number) * w;
  });
  return mix;
}

/**
 * The score on each fold's validation rows of out-of-fold outputs laid out fold after fold (the
 * search's layout: each fold's validation outputs in its own row order, the folds one after the other).
 */
export function foldScores(outputs: Float64Array, folds: readonly Fold[], options: Pick<EnsembleOptions, 'task' | 'nClasses' | 'metric'>): number[] {
  const width = options.task === 'regression' ? 1 : options.nClasses;
  let offset = 0;
  return folds.map((fold) => {
    const part = outputs.subarray(offset * width, (offset + fold.yval.length) * width);
    offset += fold.yval.length;
    return toScore(options.metric, metricsOf(options.task, fold.yval, part, options.nClasses)[options.metric] ?? Number.NaN);
  });
}

/** Mean and standard error of the mean (0 for a single value). */
export function meanAndStandardError(values: readonly number[]): { mean: number; standardError: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, standardError: 0 };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { mean, standardError: Math.sqrt(variance / n) };
}

/**
 * The standard error of a mean over cross-validation folds, corrected for their overlap (Nadeau and
 * Bengio, "Inference for the generalization error", 2003): any two folds share most of their training
 * rows, so their scores move together and the plain s/√k understates how much the mean would change on
 * other data. The corrected variance of the mean is (1/k + n_validation/n_training) · s².
 */
export function overlapCorrectedStandardError(values: readonly number[], validationToTraining: number): number {
  const n = values.length;
  if (n < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return Math.sqrt((1 / n + validationToTraining) * variance);
}

/** Validation rows per training row, over the folds (1/(k−1) for plain k-fold); copies are not rows. */
export function validationShare(folds: readonly Fold[]): number {
  const validation = folds.reduce((n, f) => n + f.Xval.rows, 0);
  const training = folds.reduce((n, f) => n + f.sourceRows, 0);
  return training === 0 ? 0 : validation / training;
}

/** Every fold's validation targets, fold after fold (the layout of the out-of-fold outputs). */
function allValidationTargets(folds: readonly Fold[], task: SearchTask): Int32Array | Float64Array {
  const y = task === 'regression' ? new Float64Array(folds.reduce((n, f) => n + f.yval.length, 0)) : new Int32Array(folds.reduce((n, f) => n + f.yval.length, 0));
  let offset = 0;
  for (const f of folds) {
    y.set(f.yval, offset);
    offset += f.yval.length;
  }
  return y;
}
