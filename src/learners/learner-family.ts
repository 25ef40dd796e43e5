/**
 * What kind of model a supervised learner builds. Two places reason about the kind rather than the
 * name: the search, which keeps the simplest of models it cannot tell apart (simplest-within-noise.ts),
 * and the model report, which must know whether a near-perfect training score means memorising.
 * A learner declares its family, so a new learner is ranked and diagnosed without anyone editing a list
 * of names.
 */
export type LearnerFamily =
  | 'linear'
  | 'naive-bayes'
  | 'neighbours'
  | 'tree'
  /** Trees grown on bootstrap samples and averaged (random forest, extra trees). */
  | 'bagged-trees'
  /** Trees fitted one after the other to the previous ones' errors (gradient boosting). */
  | 'boosted-trees'
  | 'network'
  /** A combination of other learners' models (soft voting). */
  | 'ensemble';

/**
 * Simplicity, lower is simpler: linear < naive Bayes < one tree or neighbours < ensembles of trees <
 * networks < combinations of models. Used only to order models whose scores cannot be told apart.
 */
export const FAMILY_COMPLEXITY: Readonly<Record<LearnerFamily, number>> = {
  linear: 0,
  'naive-bayes': 1,
  neighbours: 2,
  tree: 2,
  'bagged-trees': 3,
  'boosted-trees': 3,
  network: 4,
  ensemble: 5,
};

/**
 * Whether a gap between the training and held-out scores says the model memorises. Not for bagged
 * trees: each tree is grown until it fits its own rows, so the forest's training score is near perfect
 * by design (its honest estimate is out of bag), and on noise it is judged against the baseline instead.
 */
export function trainingGapMeansMemorising(family: LearnerFamily): boolean {
  return family !== 'bagged-trees';
}
