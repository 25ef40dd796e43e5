/**
 * Random forests and extra trees, for classification and regression (scikit-learn's
 * RandomForestClassifier/Regressor and ExtraTreesClassifier/Regressor, same parameters and defaults).
 *
 * How a forest trains:
 *   1. bin the features once (src/learners/hist/binning.ts), kept row by row in a SharedArrayBuffer;
 *   2. grow each tree on its own seeded stream (bootstrap sample, feature draws, extra trees' random
 *      thresholds) with histogram split finding — in worker threads when `threads` > 1;
 *   3. fold the finished trees in tree order (so sums, hence models, do not depend on the thread count),
 *      reporting progress per tree: mean leaf impurity as the training loss, the validation loss of the
 *      trees so far, and the out-of-bag score when asked for.
 * The predictor averages the trees' leaf values (./../tree/tree-ensemble-predictor.ts).
 */
import { KilnError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { parseParams, z } from '../../core/params.js';
import { defaultThreads, WorkerPool, workerEntry } from '../../core/worker-pool.js';
import { checkClassificationData, checkRegressionData, checkValidationData } from '../check-training-data.js';
import { binMatrix, fitBins, MAX_VALUE_BINS, type FeatureBins } from '../hist/binning.js';
import type { ClassifierLearner, FitOptions, Progress, RegressorLearner, SerializedPredictor } from '../learner.js';
import { maxFeaturesSchema, resolveMaxFeatures, type MaxFeatures } from '../tree/feature-sampler.js';
import { classWeights, float32Columns, meanLogLoss, meanSquaredError } from '../tree/training-rows.js';
import { leafOf } from '../tree/tree.js';
import {
  meanDecreaseInImpurity,
  TreeEnsembleClassifier,
  TreeEnsembleRegressor,
  treeEnsembleStateFromJSON,
  type TreeClassifierPredictor,
  type TreeRegressorPredictor,
} from '../tree/tree-ensemble-predictor.js';
import { trainForestTree, type ForestData, type ForestTreeResult, type ForestTreeTask } from './forest-tree.js';
import type { SplitMode } from './histogram-split-finder.js';
import { rowMajorCodes } from './node-rows.js';

/** Progress of a forest: the contract's fields, plus the out-of-bag score of the trees so far. */
export interface ForestProgress extends Progress {
  /** Accuracy (classifiers) or R² (regressors) on the out-of-bag rows, when `oobScore` is on. */
  readonly oobScore?: number;
}

function commonParams(bootstrapDefault: boolean, maxFeaturesDefault: MaxFeatures) {
  return {
    nEstimators: z.number().int().min(1).max(100_000).default(100).describe('Number of trees.'),
    maxDepth: z.number().int().positive().nullable().default(null).describe('Most levels below the root; null grows until leaves are pure or too small.'),
    minSamplesSplit: z.number().int().min(2).default(2).describe('A node needs at least this many distinct rows to be split.'),
    minSamplesLeaf: z.number().int().min(1).default(1).describe('Every leaf keeps at least this many distinct rows.'),
    maxFeatures: maxFeaturesSchema(maxFeaturesDefault),
    bootstrap: z.boolean().default(bootstrapDefault).describe('Grow each tree on a bootstrap sample (drawn with replacement) rather than all rows.'),
    oobScore: z
      .boolean()
      .default(false)
      .describe('Score the forest on the rows each tree did not see (out-of-bag): a free validation estimate. Needs bootstrap.'),
    maxBins: z.number().int().min(2).max(MAX_VALUE_BINS).default(MAX_VALUE_BINS).describe('Bins per feature for histogram split finding (quantiles).'),
    threads: z.number().int().min(1).nullable().default(null).describe('Worker threads growing trees in parallel; null uses every core. The model does not depend on it.'),
  };
}

const oobNeedsBootstrap = (p: { oobScore: boolean; bootstrap: boolean }): boolean => !p.oobScore || p.bootstrap;
const oobNeedsBootstrapMessage = { message: 'oobScore needs bootstrap: true (without it no row is out of bag)', path: ['oobScore'] };

function classifierParams(bootstrapDefault: boolean) {
  return z
    .strictObject({
      criterion: z.enum(['gini', 'entropy']).default('gini').describe('Impurity a split lowers: Gini impurity or entropy (information gain).'),
      ...commonParams(bootstrapDefault, 'sqrt'),
      classWeight: z
        .enum(['balanced'])
        .nullable()
        .default(null)
        .describe('"balanced" weighs each class inversely to its frequency, so rare classes count as much as common ones.'),
    })
    .refine(oobNeedsBootstrap, oobNeedsBootstrapMessage);
}

function regressorParams(bootstrapDefault: boolean) {
  return z
    .strictObject({
      criterion: z.enum(['squared_error']).default('squared_error').describe('Impurity a split lowers: the variance of the target.'),
      ...commonParams(bootstrapDefault, 1),
    })
    .refine(oobNeedsBootstrap, oobNeedsBootstrapMessage);
}

export const randomForestParams = classifierParams(true);
export const randomForestRegressorParams = regressorParams(true);
export const extraTreesParams = classifierParams(false);
export const extraTreesRegressorParams = regressorParams(false);

type ClassifierParams = z.output<typeof randomForestParams>;
type RegressorParams = z.output<typeof randomForestRegressorParams>;

/** A forest classifier learner, typed to return its tree-ensemble predictor (with `trees` and `oobScore`). */
export interface ForestClassifierLearner extends ClassifierLearner<typeof randomForestParams> {
  fit(X: Matrix, y: Int32Array, nClasses: number, params: unknown, options?: FitOptions): Promise<TreeClassifierPredictor>;
  load(serialized: SerializedPredictor): TreeClassifierPredictor;
}

export interface ForestRegressorLearner extends RegressorLearner<typeof randomForestRegressorParams> {
  fit(X: Matrix, y: Float64Array, params: unknown, options?: FitOptions): Promise<TreeRegressorPredictor>;
  load(serialized: SerializedPredictor): TreeRegressorPredictor;
}

function classifierLearner(name: string, summary: string, schema: typeof randomForestParams, mode: SplitMode): ForestClassifierLearner {
  return {
    name,
    kind: 'classifier',
    family: 'bagged-trees',
    summary,
    paramsSchema: schema,
    async fit(X, y, nClasses, rawParams, options = {}) {
      const params: ClassifierParams = parseParams(schema, rawParams, `${name} parameters`);
      const counts = checkClassificationData(X, y, nClasses);
      if (options.validation !== undefined) checkValidationData(options.validation.X, options.validation.y, X.cols, nClasses);
      if (options.signal?.aborted === true) throw cancelled();
      const state = await trainForest(X, y, nClasses, classWeights(counts, X.rows, params.classWeight), params, mode, options);
      return new TreeEnsembleClassifier(name, state);
    },
    load(serialized) {
      return new TreeEnsembleClassifier(name, treeEnsembleStateFromJSON(name, serialized, 'classifier'));
    },
  };
}

function regressorLearner(name: string, summary: string, schema: typeof randomForestRegressorParams, mode: SplitMode): ForestRegressorLearner {
  return {
    name,
    kind: 'regressor',
    family: 'bagged-trees',
    summary,
    paramsSchema: schema,
    async fit(X, y, rawParams, options = {}) {
      const params: RegressorParams = parseParams(schema, rawParams, `${name} parameters`);
      checkRegressionData(X, y);
      if (options.validation !== undefined) checkValidationData(options.validation.X, options.validation.y, X.cols);
      if (options.signal?.aborted === true) throw cancelled();
      const state = await trainForest(X, y, 0, new Float64Array(0), params, mode, options);
      return new TreeEnsembleRegressor(name, state);
    },
    load(serialized) {
      return new TreeEnsembleRegressor(name, treeEnsembleStateFromJSON(name, serialized, 'regressor'));
    },
  };
}

export const randomForest = classifierLearner(
  'random-forest',
  'Many decorrelated decision trees on bootstrap samples, averaged: strong out of the box, little tuning.',
  randomForestParams,
  'best',
);
export const randomForestRegressor = regressorLearner(
  'random-forest-regressor',
  'Many decorrelated regression trees on bootstrap samples, averaged: strong out of the box, little tuning.',
  randomForestRegressorParams,
  'best',
);
export const extraTrees = classifierLearner(
  'extra-trees',
  'Extremely randomised trees: random thresholds instead of the best ones; faster than a random forest, often as good.',
  extraTreesParams,
  'random',
);
export const extraTreesRegressor = regressorLearner(
  'extra-trees-regressor',
  'Extremely randomised regression trees: random thresholds instead of the best ones; fast and smooth.',
  extraTreesRegressorParams,
  'random',
);

const cancelled = (): KilnError => new KilnError('CANCELLED', { what: 'training' });

/** Copies a typed array into shared memory, so worker threads read it without copies. */
function shared<T extends Int32Array | Float64Array>(a: T): T {
  const buffer = new SharedArrayBuffer(a.byteLength);
  const copy = new (a.constructor as new (b: SharedArrayBuffer) => T)(buffer);
  copy.set(a);
  return copy;
}

/** X as float32 columns in shared memory (see float32Columns). */
function sharedFloat32Columns(X: Matrix): Float32Array {
  const columns = new Float32Array(new SharedArrayBuffer(X.rows * X.cols * 4));
  columns.set(float32Columns(X));
  return columns;
}

async function trainForest(
  X: Matrix,
  y: Int32Array | Float64Array,
  nClasses: number,
  perClassWeight: Float64Array,
  params: ClassifierParams | RegressorParams,
  mode: SplitMode,
  options: FitOptions,
) {
  const seed = options.seed ?? 0;
  const classification = nClasses > 0;
  const width = classification ? nClasses : 1;
  const bins: FeatureBins[] = fitBins(X, { maxBins: params.maxBins, seed });
  const data: ForestData = {
    rows: X.rows,
    cols: X.cols,
    codes: rowMajorCodes(binMatrix(X, bins), (bytes) => new Uint8Array(new SharedArrayBuffer(bytes))),
    // Numeric features only here, so every feature has thresholds.
    thresholds: bins.map((b) => (b.kind === 'numeric' ? b.thresholds : new Float32Array(0))),
    values: sharedFloat32Columns(X),
    y: shared(y),
    classification,
    width,
    classWeights: perClassWeight,
    criterion: params.criterion,
    mode,
    bootstrap: params.bootstrap,
    outOfBag: params.oobScore,
    maxDepth: params.maxDepth ?? Infinity,
    minSamplesSplit: params.minSamplesSplit,
    minSamplesLeaf: params.minSamplesLeaf,
    maxFeatures: resolveMaxFeatures(params.maxFeatures, X.cols),
  };
  const nTrees = params.nEstimators;
  const folder = new ForestFolder(data, nTrees, options);
  const threads = Math.min(params.threads ?? defaultThreads(), nTrees);
  const task = (t: number): ForestTreeTask => ({ data, treeIndex: t, seed });

  if (threads === 1) {
    for (let t = 0; t < nTrees; t++) {
      // Yield to the event loop between trees so that an abort (and other work) gets a turn.
      await new Promise((resolve) => setImmediate(resolve));
      if (options.signal?.aborted === true) throw cancelled();
      folder.add(trainForestTree(task(t)));
    }
  } else {
    const pool = new WorkerPool(workerEntry(import.meta.url, './forest-worker'), threads);
    try {
      const runs = Array.from({ length: nTrees }, (_, t) =>
        pool.run<ForestTreeResult>(task(t), options.signal === undefined ? {} : { signal: options.signal }).then((r) => folder.add(r)),
      );
      await Promise.all(runs);
    } finally {
      await pool.close();
    }
    // small forests can finish in the workers before an abort made while folding them is seen: still
    // an abort, so the caller gets CANCELLED rather than a model it said it no longer wants
    if (options.signal?.aborted === true) throw cancelled();
  }
  return folder.finish(X.cols, nClasses);
}

/**
 * Folds finished trees into the forest in tree order (trees may finish out of order in threads):
 * keeps them, accumulates out-of-bag and validation predictions, and reports progress per tree.
 */
class ForestFolder {
  private readonly results: (ForestTreeResult | undefined)[];
  private folded = 0;
  private leafImpuritySum = 0;
  private readonly oobSum: Float64Array;
  private readonly oobCount: Int32Array;
  private readonly validationSum: Float64Array | undefined;
  private readonly validationX32: Float32Array | undefined;
  private oobScore: number | null = null;

  constructor(
    private readonly data: ForestData,
    private readonly nTrees: number,
    private readonly options: FitOptions,
  ) {
    this.results = new Array<ForestTreeResult | undefined>(nTrees);
    this.oobSum = new Float64Array(data.outOfBag ? data.rows * data.width : 0);
    this.oobCount = new Int32Array(data.outOfBag ? data.rows : 0);
    const v = options.validation;
    if (v !== undefined) {
      this.validationSum = new Float64Array(v.X.rows * data.width);
      this.validationX32 = new Float32Array(v.X.data);
    }
  }

  add(result: ForestTreeResult): void {
    this.results[result.treeIndex] = result;
    // Trees that finished in the workers before an abort was seen still arrive afterwards: once aborted, no
    // more folding and no more progress (the fit ends in CANCELLED whatever else is delivered).
    while (this.folded < this.nTrees && this.results[this.folded] !== undefined && this.options.signal?.aborted !== true) {
      this.fold(this.results[this.folded++] as ForestTreeResult);
    }
  }

  private fold(r: ForestTreeResult): void {
    const { width } = this.data;
    this.leafImpuritySum += r.leafImpurity;
    if (this.data.outOfBag) {
      for (let k = 0; k < r.oobRows.length; k++) {
        const row = r.oobRows[k] as number;
        this.oobCount[row] = (this.oobCount[row] as number) + 1;
        for (let j = 0; j < width; j++) this.oobSum[row * width + j] = (this.oobSum[row * width + j] as number) + (r.oobValues[k * width + j] as number);
      }
      this.oobScore = this.outOfBagScore();
    }
    let validationLoss: number | undefined;
    const v = this.options.validation;
    if (v !== undefined && this.validationSum !== undefined && this.validationX32 !== undefined) {
      const sum = this.validationSum;
      for (let i = 0; i < v.X.rows; i++) {
        const at = leafOf(r.tree, this.validationX32, i, v.X.cols) * width;
        for (let j = 0; j < width; j++) sum[i * width + j] = (sum[i * width + j] as number) + (r.tree.value[at + j] as number);
      }
      const mean = sum.map((s) => s / this.folded);
      validationLoss = this.data.classification ? meanLogLoss(mean, v.y, width) : meanSquaredError(mean, v.y);
    }
    const progress: ForestProgress = {
      iteration: this.folded,
      maxIterations: this.nTrees,
      trainLoss: this.leafImpuritySum / this.folded,
      ...(validationLoss === undefined ? {} : { validationLoss }),
      ...(this.oobScore === null ? {} : { oobScore: this.oobScore }),
    };
    this.options.onProgress?.(progress);
  }

  /** Accuracy (classifiers) or R² (regressors) over the rows that were out of bag at least once. */
  private outOfBagScore(): number | null {
    const { rows, width, y, classification } = this.data;
    let n = 0;
    let correct = 0;
    let sumY = 0;
    let sumY2 = 0;
    let sse = 0;
    for (let i = 0; i < rows; i++) {
      const c = this.oobCount[i] as number;
      if (c === 0) continue;
      n++;
      if (classification) {
        let best = 0;
        for (let j = 1; j < width; j++) if ((this.oobSum[i * width + j] as number) > (this.oobSum[i * width + best] as number)) best = j;
        if (best === y[i]) correct++;
      } else {
        const yi = y[i] as number;
        const d = (this.oobSum[i] as number) / c - yi;
        sse += d * d;
        sumY += yi;
        sumY2 += yi * yi;
      }
    }
    if (n === 0) return null;
    if (classification) return correct / n;
    const sst = sumY2 - (sumY * sumY) / n;
    return sst > 0 ? 1 - sse / sst : 0;
  }

  finish(nFeatures: number, nClasses: number) {
    const results = this.results as ForestTreeResult[];
    return {
      nFeatures,
      nClasses,
      trees: results.map((r) => r.tree),
      importances: meanDecreaseInImpurity(
        results.map((r) => r.impurityDecrease),
        nFeatures,
      ),
      oobScore: this.oobScore,
    };
  }
}
