/**
 * Where the search looks: for each learner, its default settings (always tried first — defaults are
 * strong, and a search must never end worse than them) and a seeded sampler of promising settings,
 * on the scales that matter (regularisation strengths log-uniform, fractions uniform).
 */
import type { Rng } from '../../core/rng.js';
import { getLearner, learnersFor } from '../../learners/registry.js';
import type { SearchTask } from './objective.js';

export type Params = Record<string, unknown>;

export interface ParamSpace {
  readonly learner: string;
  /** Parameters tried first. */
  readonly defaults: Params;
  /** Above this many training rows the learner is not tried (brute-force kNN scores in O(rows²)). */
  readonly maxRows?: number;
  sample(rng: Rng): Params;
}

const logUniform = (rng: Rng, lo: number, hi: number): number => Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo)));
const uniform = (rng: Rng, lo: number, hi: number): number => lo + rng.next() * (hi - lo);
const intBetween = (rng: Rng, lo: number, hi: number): number => lo + rng.int(hi - lo + 1);
const oneOf = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)] as T;

/** Gradient boosting's settings, the same for classification and regression. */
function boostingSample(rng: Rng): Params {
  return {
    learningRate: logUniform(rng, 0.02, 0.3),
    numLeaves: oneOf(rng, [7, 15, 31, 63]),
    minSamplesLeaf: intBetween(rng, 5, 50),
    l2Regularization: logUniform(rng, 1e-3, 10),
    maxIter: oneOf(rng, [100, 200, 400]),
    featureFraction: uniform(rng, 0.5, 1),
    subsample: uniform(rng, 0.6, 1),
  };
}

function forestSample(rng: Rng): Params {
  return { nEstimators: oneOf(rng, [100, 200]), maxFeatures: oneOf(rng, ['sqrt', 0.5, 1]), minSamplesLeaf: intBetween(rng, 1, 10) };
}

function knnSample(rng: Rng): Params {
  return { nNeighbors: intBetween(rng, 3, 50), weights: oneOf(rng, ['uniform', 'distance']) };
}

const SPACES: readonly ParamSpace[] = [
  {
    learner: 'logistic-regression',
    defaults: {},
    sample: (rng) => ({ C: logUniform(rng, 1e-3, 1e2), classWeight: oneOf(rng, [null, 'balanced']) }),
  },
  { learner: 'ridge', defaults: {}, sample: (rng) => ({ alpha: logUniform(rng, 1e-3, 1e3) }) },
  { learner: 'lasso', defaults: {}, sample: (rng) => ({ alpha: logUniform(rng, 1e-4, 1e1) }) },
  { learner: 'elastic-net', defaults: {}, sample: (rng) => ({ alpha: logUniform(rng, 1e-4, 1e1), l1Ratio: uniform(rng, 0.05, 0.95) }) },
  { learner: 'gradient-boosting', defaults: {}, sample: boostingSample },
  { learner: 'gradient-boosting-regressor', defaults: {}, sample: boostingSample },
  {
    learner: 'mlp',
    // early stopping keeps the default fit short on small tables; the search varies size and regularisation
    defaults: { earlyStopping: true },
    sample: (rng) => ({
      hiddenLayerSizes: oneOf(rng, [[32], [64], [64, 32], [128, 64]]),
      alpha: logUniform(rng, 1e-5, 1e-1),
      learningRate: logUniform(rng, 3e-4, 3e-2),
      earlyStopping: true,
    }),
  },
  // forests and kNN are slow to predict on large data: the search tries them like the others and
  // the budget decides (a slow learner gets few trials)
  { learner: 'random-forest', defaults: {}, sample: forestSample },
  { learner: 'random-forest-regressor', defaults: {}, sample: forestSample },
  { learner: 'extra-trees', defaults: {}, sample: forestSample },
  { learner: 'extra-trees-regressor', defaults: {}, sample: forestSample },
  { learner: 'knn', defaults: {}, sample: knnSample, maxRows: 20_000 },
  { learner: 'knn-regressor', defaults: {}, sample: knnSample, maxRows: 20_000 },
];

/**
 * The spaces to search for `task`: those of the registered learners that fit it (optionally only
 * `names`). A space whose sampled parameters its learner refuses is skipped at search time.
 */
export function spacesFor(task: SearchTask, names?: readonly string[]): ParamSpace[] {
  const available = new Set(learnersFor(task).map((l) => l.name));
  if (names !== undefined) for (const n of names) getLearner(n, task);
  return SPACES.filter((s) => available.has(s.learner) && (names === undefined || names.includes(s.learner))).concat(
    // a requested learner without a tuned space is still tried with its defaults
    (names ?? []).filter((n) => !SPACES.some((s) => s.learner === n)).map((learner) => ({ learner, defaults: {}, sample: () => ({}) })),
  );
}
