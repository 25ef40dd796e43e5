/**
 * Every learner Kiln offers, by name, frozen at start-up (Evidently's stat-test registry,
 * transformers.js's task table): the CLI, the app and module specs refer to learners by these names,
 * and a saved predictor is loaded back by the learner name it records.
 */
import { KilnError } from '../core/errors.js';
import { softVotingLearners } from './ensemble/soft-voting.js';
import type { ClassifierLearner, Learner, Predictor, RegressorLearner, SerializedPredictor, Task } from './learner.js';
import { decisionTree, decisionTreeRegressor } from './tree/decision-tree.js';
import { extraTrees, extraTreesRegressor, randomForest, randomForestRegressor } from './forest/forest.js';
import { logisticRegression } from './linear/logistic-regression.js';
import { ridgeRegression } from './linear/ridge-regression.js';
import { mlpClassifier } from './mlp/mlp-classifier.js';
import { mlpRegressor } from './mlp/mlp-regressor.js';
import { gradientBoosting, gradientBoostingRegressor } from './gbdt/gradient-boosting.js';
import { elasticNet, lasso } from './linear/elastic-net.js';
import { linearRegression } from './linear/linear-regression.js';
import { kmeans } from './kmeans/kmeans.js';
import { minibatchKmeans } from './kmeans/minibatch-kmeans.js';
import { isolationForest } from './iforest/isolation-forest.js';
import { gaussianNb } from './bayes/gaussian-nb.js';
import { multinomialNb } from './bayes/multinomial-nb.js';
import { knnClassifier, knnRegressor } from './knn/knn.js';

// Soft voting fits and loads its members through this registry, which is handed in as functions.
const softVoting = softVotingLearners({
  classifier: (name) => getLearner(name, 'binary'),
  regressor: (name) => getLearner(name, 'regression'),
  load: (serialized) => loadPredictor(serialized),
});

const LEARNERS: Readonly<Record<string, Learner>> = Object.freeze({
  [softVoting.classifier.name]: softVoting.classifier,
  [softVoting.regressor.name]: softVoting.regressor,
  [logisticRegression.name]: logisticRegression,
  [ridgeRegression.name]: ridgeRegression,
  [mlpClassifier.name]: mlpClassifier,
  [mlpRegressor.name]: mlpRegressor,
  [gradientBoosting.name]: gradientBoosting,
  [gradientBoostingRegressor.name]: gradientBoostingRegressor,
  [linearRegression.name]: linearRegression,
  [lasso.name]: lasso,
  [elasticNet.name]: elasticNet,
  [kmeans.name]: kmeans,
  [minibatchKmeans.name]: minibatchKmeans,
  [isolationForest.name]: isolationForest,
  [gaussianNb.name]: gaussianNb,
  [multinomialNb.name]: multinomialNb,
  [knnClassifier.name]: knnClassifier,
  [knnRegressor.name]: knnRegressor,
  [decisionTree.name]: decisionTree,
  [decisionTreeRegressor.name]: decisionTreeRegressor,
  [randomForest.name]: randomForest,
  [randomForestRegressor.name]: randomForestRegressor,
  [extraTrees.name]: extraTrees,
  [extraTreesRegressor.name]: extraTreesRegressor,
});

/** The learner kind a task needs. */
const KIND_FOR_TASK = {
  binary: 'classifier',
  multiclass: 'classifier',
  regression: 'regressor',
  cluster: 'clusterer',
  anomaly: 'anomaly',
} as const satisfies Record<Task, Learner['kind']>;

/** Names of all learners, in registration order. */
export const learnerNames: readonly string[] = Object.freeze(Object.keys(LEARNERS));

/** The learners that can fit `task`. */
export function learnersFor(task: Task): readonly Learner[] {
  return Object.values(LEARNERS).filter((l) => l.kind === KIND_FOR_TASK[task]);
}

/**
 * The learner called `name`; with `task`, also checks that it fits that task. Throws UNKNOWN_LEARNER
 * (listing what is available) otherwise.
 */
export function getLearner(name: string, task: 'binary' | 'multiclass'): ClassifierLearner;
export function getLearner(name: string, task: 'regression'): RegressorLearner;
export function getLearner(name: string, task?: Task): Learner;
export function getLearner(name: string, task?: Task): Learner {
  const learner = Object.hasOwn(LEARNERS, name) ? LEARNERS[name] : undefined;
  if (learner === undefined || (task !== undefined && learner.kind !== KIND_FOR_TASK[task])) {
    const available = task === undefined ? learnerNames : learnersFor(task).map((l) => l.name);
    throw new KilnError('UNKNOWN_LEARNER', { learner: name, task: task ?? 'any', available: available.join(', ') });
  }
  return learner;
}

/** Rebuilds a predictor saved with `toJSON()`, through the learner that made it. */
export function loadPredictor(serialized: SerializedPredictor): Predictor {
  return getLearner(serialized.learner).load(serialized);
}
