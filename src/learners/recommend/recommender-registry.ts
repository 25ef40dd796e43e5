/**
 * The recommenders by name, frozen at start-up like the table learners' registry
 * (src/learners/registry.ts), which cannot hold them: they learn from interactions, not a feature
 * matrix (see ./recommender.ts). A module spec names one with `learner:`; a saved predictor is loaded
 * back through the learner it records.
 */
import { KilnError } from '../../core/errors.js';
import type { SerializedPredictor } from '../learner.js';
import type { Feedback } from './interactions.js';
import { implicitAls } from './implicit-als.js';
import { itemKnn } from './item-knn.js';
import { mfAls } from './mf-als.js';
import { mfSgd } from './mf-sgd.js';
import { popularity } from './popularity.js';
import type { RecommenderLearner, RecommenderPredictor } from './recommender.js';

const RECOMMENDERS: Readonly<Record<string, RecommenderLearner>> = Object.freeze({
  [mfAls.name]: mfAls,
  [mfSgd.name]: mfSgd,
  [implicitAls.name]: implicitAls,
  [itemKnn.name]: itemKnn,
  [popularity.name]: popularity,
});

export const recommenderNames: readonly string[] = Object.freeze(Object.keys(RECOMMENDERS));

/** The default learner for the feedback the data has: biased MF (ALS) for ratings, implicit ALS otherwise. */
export const DEFAULT_RECOMMENDER: Readonly<Record<Feedback, string>> = { explicit: mfAls.name, implicit: implicitAls.name };

export function getRecommender(name: string): RecommenderLearner {
  const learner = Object.hasOwn(RECOMMENDERS, name) ? RECOMMENDERS[name] : undefined;
  if (learner === undefined) throw new KilnError('UNKNOWN_LEARNER', { learner: name, task: 'recommend', available: recommenderNames.join(', ') });
  return learner;
}

export function loadRecommender(serialized: SerializedPredictor): RecommenderPredictor {
  return getRecommender(serialized.learner).load(serialized);
}
