/**
 * Where the search looks: for each learner, its default settings (always tried first — defaults are
 * strong, and a search must never end worse than them) and a seeded sampler of promising settings,
 * on the scales that matter (regularisation strengths log-uniform, fractions uniform).
 *
 * On small data the linear learners also get pairwise interactions (`interactions: true`, see
 * src/learners/linear/pairwise-interactions.ts) and a grid: each penalty strength of a short
 * log-spaced list, plain and with interactions, run as complete cross-validated trials right after
 * the defaults. The fits are cheap there, and the grid makes "plain or interactions, and how much
 * penalty" a cross-validated choice rather than the luck of which random settings survived the
 * subsample rungs; the products need a stronger penalty than the inputs alone, so each gets its own C.
 */
import type { Rng } from '../../core/rng.js';
import { interactionWidth, MAX_INTERACTION_INPUTS } from '../../learners/linear/pairwise-interactions.js';
import { getLearner, learnersFor } from '../../learners/registry.js';
import type { SearchTask } from './objective.js';

export type Params = Record<string, unknown>;

export interface ParamSpace {
  readonly learner: string;
  /** Parameters tried first. */
  readonly defaults: Params;
  /** Above this many training rows the learner is not tried (brute-force kNN scores in O(rows²)). */
  readonly maxRows?: number;
  /** Settings run as complete trials right after the defaults (the linear models' grid on small data). */
  readonly grid?: readonly Params[];
  sample(rng: Rng): Params;
}

/** The searched data's training part, as the learners see it after preprocessing. */
export interface DataShape {
  readonly rows: number;
  /** Feature columns after preprocessing (one-hot columns counted one by one). */
  readonly cols: number;
}

/**
 * The most cells (rows × widened columns) for which the search tries interactions: about 32 MB of
 * float64 per fit, so two fits at once stay small, and an L-BFGS pass stays a few milliseconds.
 * Titanic (712 × 55) and breast cancer (455 × 465) qualify; 160,000 rows of 20 columns do not.
 */
export const INTERACTION_SEARCH_CELLS = 4_000_000;

/** Whether the linear models' interactions (and their grid) are part of the search on data of this shape. */
export function searchesInteractions(shape: DataShape | undefined): boolean {
  return shape !== undefined && shape.cols <= MAX_INTERACTION_INPUTS && shape.rows * interactionWidth(shape.cols) <= INTERACTION_SEARCH_CELLS;
}

/**
 * The grid of a linear learner: every strength, with interactions, and without them (except the one
 * equal to the defaults, already tried).
 */
function linearGrid(param: 'C' | 'alpha', strengths: readonly number[], defaultStrength: number): Params[] {
  return [
    ...strengths.filter((v) => v !== defaultStrength).map((v) => ({ [param]: v })),
    ...strengths.map((v) => ({ [param]: v, interactions: true })),
  ];
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

/** Logistic regression and ridge, with interactions and their grid when `shape` is small enough. */
function linearSpaces(shape: DataShape | undefined): ParamSpace[] {
  const interactions = searchesInteractions(shape);
  // half of the random settings use interactions (when searched)
  const maybeInteractions = (rng: Rng): Params => (interactions && rng.next() < 0.5 ? { interactions: true } : {});
  return [
    {
      learner: 'logistic-regression',
      defaults: {},
      sample: (rng) => ({ C: logUniform(rng, 1e-3, 1e2), classWeight: oneOf(rng, [null, 'balanced']), ...maybeInteractions(rng) }),
      ...(interactions ? { grid: linearGrid('C', [0.01, 0.03, 0.1, 0.3, 1], 1) } : {}),
    },
    {
      learner: 'ridge',
      defaults: {},
      sample: (rng) => ({ alpha: logUniform(rng, 1e-3, 1e3), ...maybeInteractions(rng) }),
      ...(interactions ? { grid: linearGrid('alpha', [0.1, 1, 10, 100, 1000], 1) } : {}),
    },
  ];
}

const SPACES: readonly ParamSpace[] = [
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
 * `names`). `shape`, the training data's, decides whether linear models try interactions (without it,
 * they do not). A space whose sampled parameters its learner refuses is skipped at search time.
 */
export function spacesFor(task: SearchTask, names?: readonly string[], shape?: DataShape): ParamSpace[] {
  const available = new Set(learnersFor(task).map((l) => l.name));
  if (names !== undefined) for (const n of names) getLearner(n, task);
  const spaces = [...linearSpaces(shape), ...SPACES];
  return spaces.filter((s) => available.has(s.learner) && (names === undefined || names.includes(s.learner))).concat(
    // a requested learner without a tuned space is still tried with its defaults
    (names ?? []).filter((n) => !spaces.some((s) => s.learner === n)).map((learner) => ({ learner, defaults: {}, sample: () => ({}) })),
  );
}
