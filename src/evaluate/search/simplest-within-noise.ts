/**
 * The one-standard-error rule (Breiman et al., "Classification and Regression Trees"; Hastie,
 * Tibshirani & Friedman 7.10): cross-validated scores of the leaders differ by less than their own
 * noise on small data, so the search keeps the simplest model whose score is within one standard error
 * of the top score. Simpler models vary less between samples and generalise at least as well when the
 * data cannot tell them apart. The standard error is the trial's own, corrected for the folds' overlap
 * (automl.ts): the plain s/√k understates the noise, as it did for the ensemble's test.
 */
import type { Trial } from './automl.js';

/** Rank of a learner's complexity: lower is simpler (linear < naive Bayes < neighbours, trees < ensembles < networks). */
export function complexityRank(learner: string): number {
  if (/^(logistic-regression|linear-regression|ridge|lasso|elastic-net)$/.test(learner)) return 0;
  if (/-nb$/.test(learner)) return 1;
  if (/^(knn|decision-tree)/.test(learner)) return 2;
  if (/^(random-forest|extra-trees|gradient-boosting)/.test(learner)) return 3;
  if (/^mlp/.test(learner)) return 4;
  return 5;
}

/**
 * A trial's complexity: its learner's rank, and half a step more for a linear model with pairwise
 * interactions (d(d−1)/2 more coefficients), so that within noise the plain model is kept.
 */
export function trialComplexity(trial: Pick<Trial, 'learner' | 'params'>): number {
  return complexityRank(trial.learner) + (trial.params['interactions'] === true ? 0.5 : 0);
}

/**
 * Among complete trials (best first), the simplest within one standard error of the best; ties in
 * complexity go to the better score. Trials without a standard error count as exact.
 */
export function simplestWithinNoise(leaderboard: readonly Trial[]): Trial | undefined {
  const top = leaderboard[0];
  if (top === undefined) return undefined;
  const floor = top.score - (top.standardError ?? 0);
  let chosen = top;
  for (const t of leaderboard) {
    if (t.score < floor) break;
    if (trialComplexity(t) < trialComplexity(chosen)) chosen = t;
  }
  return chosen;
}
