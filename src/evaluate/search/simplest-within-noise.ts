/**
 * The one-standard-error rule (Breiman et al., "Classification and Regression Trees"; Hastie,
 * Tibshirani & Friedman 7.10): cross-validated scores of the leaders differ by less than their own
 * noise on small data, so the search keeps the simplest model whose score cannot be told apart from
 * the top one's. Simpler models vary less between samples and generalise at least as well when the
 * data cannot tell them apart.
 *
 * "Cannot be told apart" is a PAIRED question, as the ensemble is judged against the leader
 * (ensemble-selection.ts): both trials were scored on the same folds, so the noise that matters is that
 * of the fold-by-fold difference "top − simpler", not the spread of the top's score across folds — that
 * spread mostly measures how hard each fold is, which both trials share. With the unpaired spread, on
 * Titanic a logistic regression 0.02 AUC below the boosted trees in every fold was "within noise" and
 * chosen, and on held-out rows it lost to them by about as much (docs/benchmarks.md). The standard
 * error of the difference is corrected for the folds' overlap (overlapCorrectedStandardError): the
 * plain s/√k understates it.
 */
import { FAMILY_COMPLEXITY, type LearnerFamily } from '../../learners/learner-family.js';
import { getLearner, learnerNames } from '../../learners/registry.js';
import type { Trial } from './automl.js';
import { meanAndStandardError, overlapCorrectedStandardError } from './ensemble-selection.js';

/**
 * Rank of a learner's complexity, lower is simpler: its family's (learner-family.ts). A name no learner
 * has ranks last.
 */
export function complexityRank(learner: string): number {
  return learnerNames.includes(learner) ? FAMILY_COMPLEXITY[familyOf(learner)] : Math.max(...Object.values(FAMILY_COMPLEXITY)) + 1;
}

function familyOf(name: string): LearnerFamily {
  const learner = getLearner(name);
  // only supervised learners are searched; the others are ranked with the combinations of models
  return learner.kind === 'classifier' || learner.kind === 'regressor' ? learner.family : 'ensemble';
}

/**
 * A trial's complexity: its learner's rank, and half a step more for a linear model with pairwise
 * interactions (d(d−1)/2 more coefficients), so that within noise the plain model is kept.
 */
export function trialComplexity(trial: Pick<Trial, 'learner' | 'params'>): number {
  return complexityRank(trial.learner) + (trial.params['interactions'] === true ? 0.5 : 0);
}

/**
 * Whether `other` scores within noise of `top`: its mean fold-by-fold shortfall is at most one
 * standard error of that shortfall. Trials without per-fold scores on the same folds (a single fold)
 * fall back to the top's own standard error, and count as exact without one.
 */
export function withinNoiseOf(top: Trial, other: Trial, validationToTraining: number): boolean {
  const a = top.foldScores;
  const b = other.foldScores;
  if (a === undefined || b === undefined || a.length !== b.length || a.length < 2) return other.score >= top.score - (top.standardError ?? 0);
  const shortfall = a.map((s, f) => s - (b[f] as number));
  return meanAndStandardError(shortfall).mean <= overlapCorrectedStandardError(shortfall, validationToTraining);
}

/**
 * Among complete trials (best first), the simplest within noise of the best (withinNoiseOf); ties in
 * complexity go to the better score. `validationToTraining` is the folds' validation rows per training
 * row (validationShare), for the overlap correction.
 */
export function simplestWithinNoise(leaderboard: readonly Trial[], validationToTraining: number): Trial | undefined {
  const top = leaderboard[0];
  if (top === undefined) return undefined;
  let chosen = top;
  for (const t of leaderboard) {
    if (trialComplexity(t) < trialComplexity(chosen) && withinNoiseOf(top, t, validationToTraining)) chosen = t;
  }
  return chosen;
}
