/**
 * The boosting loop, the same for every task: start from the loss's best constant, then each iteration
 * fit one tree per output to the loss's gradients and hessians (./grower.ts) and add its shrunk leaf
 * values to the raw scores. Reports train and validation loss every iteration, stops early when the
 * validation loss stops improving (keeping the best iteration's trees), and ends with CANCELLED when
 * the signal aborts.
 */
import { KilnError } from '../../core/errors.js';
import { takeRows, type Matrix } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';
import { binMatrix, fitBins } from '../hist/binning.js';
import type { FitOptions } from '../learner.js';
import { addGrownTreeOutputBinned, TreeGrower } from './grower.js';
import type { BoostingLoss } from './losses.js';
import type { BoostingParams } from './params.js';
import { addTreeOutput, type Tree } from './tree.js';

export interface BoostedModel {
  readonly nFeatures: number;
  /** Raw-score outputs per row (1, or nClasses for multiclass). */
  readonly nOutputs: number;
  /** Constant raw score of each output. */
  readonly baseline: Float64Array;
  /** Iteration-major: the tree of output k at iteration t is `trees[t * nOutputs + k]`. */
  readonly trees: readonly Tree[];
  /** Category-coded input columns. */
  readonly categoricalFeatures: readonly number[];
}

/** Rows early stopping uses when automatic: scikit-learn turns it on above 10,000 rows. */
const AUTO_EARLY_STOPPING_ROWS = 10_000;
/**
 * Training rows from which quantised gradients are used when automatic. Below, histograms cost little
 * anyway, and exact gradients keep small data sets' trees as scikit-learn grows them (quantisation
 * noise breaks near-ties between candidate splits differently, which on a few hundred test rows moves
 * accuracy by a row or two either way).
 */
const AUTO_QUANTIZED_ROWS = 100_000;

export async function boost(X: Matrix, y: ArrayLike<number>, loss: BoostingLoss, params: BoostingParams, options: FitOptions): Promise<BoostedModel> {
  const seed = options.seed ?? 0;
  const rng = new Rng(seed);
  const K = loss.nOutputs;
  const cancelled = (): KilnError => new KilnError('CANCELLED', { what: 'training' });
  // A function, not an inline test: the signal changes while training awaits between iterations.
  const aborted = (): boolean => options.signal?.aborted === true;
  if (aborted()) throw cancelled();

  // Where early stopping looks: the given validation set, else a seeded holdout of the training rows.
  const earlyStopping = params.earlyStopping === 'auto' ? X.rows > AUTO_EARLY_STOPPING_ROWS : params.earlyStopping;
  let train = { X, y };
  let watch: { X: Matrix; y: ArrayLike<number> } | undefined = options.validation;
  if (earlyStopping && watch === undefined) {
    const order = rng.shuffle(Int32Array.from({ length: X.rows }, (_, i) => i));
    const nHeld = Math.max(1, Math.floor(X.rows * params.validationFraction));
    const held = order.subarray(0, nHeld).sort();
    const kept = order.subarray(nHeld).sort();
    watch = { X: takeRows(X, held), y: Float64Array.from(held, (i) => y[i] as number) };
    train = { X: takeRows(X, kept), y: Float64Array.from(kept, (i) => y[i] as number) };
  }
  const n = train.X.rows;
  const yTrain = train.y;

  const bins = fitBins(train.X, { maxBins: params.maxBins, seed, categorical: params.categoricalFeatures });
  const binned = binMatrix(train.X, bins);
  const quantizedGradients = params.quantizedGradients === 'auto' ? n >= AUTO_QUANTIZED_ROWS : params.quantizedGradients;
  const grower = new TreeGrower(binned, bins, { ...params, quantizedGradients }, seed, loss.gradientBound ?? null);

  const baseline = loss.baseline(yTrain);
  const raw = new Float64Array(n * K);
  for (let i = 0; i < n; i++) raw.set(baseline, i * K);
  const watchRaw = watch === undefined ? undefined : new Float64Array(watch.X.rows * K);
  if (watch !== undefined && watchRaw !== undefined) for (let i = 0; i < watch.X.rows; i++) watchRaw.set(baseline, i * K);

  // Every row and output's gradient and hessian, interleaved (see BoostingLoss.gradients); with several
  // outputs, one output's pairs are copied out for the grower.
  const gradHessAll = new Float64Array(2 * n * K);
  const gradHess = K === 1 ? gradHessAll : new Float64Array(2 * n);
  const sampler = params.subsample < 1 ? new RowSampler(n, Math.max(1, Math.round(params.subsample * n)), rng) : null;
  const allFeatures = Int32Array.from({ length: X.cols }, (_, j) => j);
  const nTreeFeatures = Math.max(1, Math.round(params.featureFraction * X.cols));

  const trees: Tree[] = [];
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestIterations = 0;
  for (let iteration = 1; iteration <= params.maxIter; iteration++) {
    // Let an abort (or anything else waiting) through between iterations.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (aborted()) throw cancelled();

    loss.gradients(yTrain, raw, gradHessAll);
    const sample = sampler?.draw() ?? null;
    for (let k = 0; k < K; k++) {
      if (K > 1) {
        for (let i = 0; i < n; i++) {
          gradHess[2 * i] = gradHessAll[2 * (i * K + k)] as number;
          gradHess[2 * i + 1] = gradHessAll[2 * (i * K + k) + 1] as number;
        }
      }
      const features = nTreeFeatures < X.cols ? sampleFeatures(allFeatures, nTreeFeatures, rng) : allFeatures;
      const grown = grower.grow(gradHess, sample, features);
      const { tree } = grown;
      if (loss.leafValue !== undefined) {
        for (const leaf of grown.leaves) {
          tree.value[leaf.node] = params.learningRate * loss.leafValue(yTrain, raw, grown.rows.subarray(leaf.start, leaf.end));
        }
      }
      if (sample === null) {
        // Every row sits in exactly one leaf: add that leaf's value, no tree walk needed.
        for (const leaf of grown.leaves) {
          const v = tree.value[leaf.node] as number;
          for (let p = leaf.start; p < leaf.end; p++) {
            const at = (grown.rows[p] as number) * K + k;
            raw[at] = (raw[at] as number) + v;
          }
        }
      } else {
        addGrownTreeOutputBinned(grown, binned, raw, K, k);
      }
      if (watch !== undefined && watchRaw !== undefined) addTreeOutput(tree, watch.X.data, watch.X.rows, watch.X.cols, watchRaw, K, k);
      trees.push(tree);
    }

    const validationLoss = watch !== undefined && watchRaw !== undefined ? loss.meanLoss(watch.y, watchRaw) : undefined;
    if (options.onProgress !== undefined) {
      const trainLoss = loss.meanLoss(yTrain, raw);
      options.onProgress(
        validationLoss === undefined
          ? { iteration, maxIterations: params.maxIter, trainLoss }
          : { iteration, maxIterations: params.maxIter, trainLoss, validationLoss },
      );
    }
    if (!earlyStopping || validationLoss === undefined) {
      bestIterations = iteration;
      continue;
    }
    if (validationLoss < bestLoss - params.tol) {
      bestLoss = validationLoss;
      bestIterations = iteration;
    } else if (iteration - bestIterations >= params.nIterNoChange) {
      break;
    }
  }
  return { nFeatures: X.cols, nOutputs: K, baseline, trees: trees.slice(0, bestIterations * K), categoricalFeatures: [...params.categoricalFeatures] };
}

/** Seeded row subsampling without replacement, reusing one permutation buffer. */
class RowSampler {
  private readonly order: Int32Array;
  private readonly sample: Int32Array;

  constructor(
    n: number,
    private readonly size: number,
    private readonly rng: Rng,
  ) {
    this.order = Int32Array.from({ length: n }, (_, i) => i);
    this.sample = new Int32Array(size);
  }

  /** `size` distinct rows, increasing (so histogram building reads columns forwards). */
  draw(): Int32Array {
    const { order, rng } = this;
    for (let i = 0; i < this.size; i++) {
      const j = i + rng.int(order.length - i);
      const tmp = order[i] as number;
      order[i] = order[j] as number;
      order[j] = tmp;
    }
    this.sample.set(order.subarray(0, this.size));
    return this.sample.sort();
  }
}

/** `count` of the features, drawn without replacement, increasing. */
function sampleFeatures(all: Int32Array, count: number, rng: Rng): Int32Array {
  const shuffled = rng.shuffle(Int32Array.from(all));
  return shuffled.subarray(0, count).sort();
}
