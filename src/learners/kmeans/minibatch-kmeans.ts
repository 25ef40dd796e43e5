/**
 * Mini-batch k-means (Sculley 2010), scikit-learn's `MiniBatchKMeans`: for data too large for many
 * full Lloyd passes. Each step assigns a random batch of rows to the nearest centre and moves each
 * centre towards its batch rows with a per-centre learning rate 1/(rows seen so far), so the centres
 * converge to running means. Seeding is k-means++ on a random subsample (the best of nInit tries,
 * judged on that subsample); training stops after maxIter epochs' worth of batches or when the
 * smoothed batch inertia has not improved for maxNoImprovement steps. Centres that attract almost no
 * rows are moved to random batch rows now and then (scikit-learn's reassignment), so none is wasted.
 */
import { KilnError } from '../../core/errors.js';
import { createMatrix, takeRows, type Matrix } from '../../core/matrix.js';
import { parseParams, z } from '../../core/params.js';
import { Rng } from '../../core/rng.js';
import type { ClustererLearner, FitOptions, SerializedPredictor } from '../learner.js';
import { checkClusteringData, clusterSizes } from './kmeans.js';
import { KMeansModel, type KMeansPredictor } from './kmeans-predictor.js';
import { kmeansPlusPlus } from './kmeans-plus-plus.js';
import { assignToNearest } from './lloyd.js';
import { rowSquaredNorms } from './squared-distances.js';

const NAME = 'minibatch-kmeans';
const YIELD_EVERY_MS = 20;

export const minibatchKmeansParams = z.strictObject({
  nClusters: z.number().int().min(1).default(8).describe('How many clusters (k) to find.'),
  batchSize: z.number().int().min(1).default(1024).describe('Rows per mini-batch.'),
  maxIter: z.number().int().positive().default(100).describe('Most passes over the data (epochs), counted in batches.'),
  nInit: z.number().int().min(1).default(3).describe('k-means++ seedings tried on a subsample; the best is trained.'),
  maxNoImprovement: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('Stop after this many batches without improvement of the smoothed batch inertia.'),
  reassignmentRatio: z
    .number()
    .min(0)
    .default(0.01)
    .describe('Centres whose share of rows seen falls below this fraction of the largest share are moved to random rows.'),
});

export type MinibatchKmeansParams = z.output<typeof minibatchKmeansParams>;

export interface MinibatchKmeansLearner extends ClustererLearner<typeof minibatchKmeansParams> {
  fit(X: Matrix, params: unknown, options?: FitOptions): Promise<KMeansPredictor>;
  load(serialized: SerializedPredictor): KMeansPredictor;
}

export const minibatchKmeans: MinibatchKmeansLearner = {
  name: NAME,
  kind: 'clusterer',
  summary: 'Mini-batch k-means: k-means on random batches of rows, for large data; a little less exact, much faster.',
  paramsSchema: minibatchKmeansParams,

  async fit(X, rawParams, options = {}) {
    const params = parseParams(minibatchKmeansParams, rawParams, 'minibatch-kmeans parameters');
    checkClusteringData(X, params.nClusters, options);
    const cancelled = (): KilnError => new KilnError('CANCELLED', { what: 'training' });
    const aborted = (): boolean => options.signal?.aborted === true;
    if (aborted()) throw cancelled();

    const { rows: n, cols: d, data: x } = X;
    const k = params.nClusters;
    const batchSize = Math.min(params.batchSize, n);
    const rng = new Rng(options.seed ?? 0);
    let centres = bestSeeding(X, k, Math.max(k, Math.min(n, 3 * batchSize)), params.nInit, rng);

    const counts = new Float64Array(k);
    const batchIndices = new Int32Array(batchSize);
    const labels = new Int32Array(batchSize);
    const distances = new Float64Array(batchSize);
    const sums = new Float64Array(k * d);
    const batchCounts = new Float64Array(k);
    const steps = Math.max(1, Math.floor((params.maxIter * n) / batchSize));
    // Smoothing of the batch inertia over about two epochs, as scikit-learn does.
    const smoothing = Math.min(1, (2 * batchSize) / (n + 1));
    let smoothed = Number.NaN;
    let smoothedBest = Number.POSITIVE_INFINITY;
    let noImprovement = 0;
    let lastYield = performance.now();

    for (let step = 0; step < steps; step++) {
      for (let b = 0; b < batchSize; b++) batchIndices[b] = rng.int(n);
      const batch = takeRows(X, batchIndices);
      const batchInertia = assignToNearest(batch, rowSquaredNorms(batch.data, batchSize, d), centres, k, labels, distances) / batchSize;

      // Move each centre to the running mean of every row it has been given.
      sums.fill(0);
      batchCounts.fill(0);
      for (let b = 0; b < batchSize; b++) {
        const c = labels[b] as number;
        batchCounts[c] = (batchCounts[c] as number) + 1;
        for (let j = 0; j < d; j++) sums[c * d + j] = (sums[c * d + j] as number) + (batch.data[b * d + j] as number);
      }
      for (let c = 0; c < k; c++) {
        const m = batchCounts[c] as number;
        if (m === 0) continue;
        const seen = counts[c] as number;
        const total = seen + m;
        for (let j = 0; j < d; j++) centres[c * d + j] = ((centres[c * d + j] as number) * seen + (sums[c * d + j] as number)) / total;
        counts[c] = total;
      }
      let minCount = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) minCount = Math.min(minCount, counts[c] as number);
      if ((step + 1) % (10 + Math.floor(minCount)) === 0) reassignStarvedCentres(batch, centres, counts, params.reassignmentRatio, rng);

      smoothed = Number.isNaN(smoothed) ? batchInertia : smoothed * (1 - smoothing) + batchInertia * smoothing;
      // The learning curve of mini-batch training: the mean squared distance within each batch.
      options.onProgress?.({ iteration: step + 1, maxIterations: steps, trainLoss: batchInertia });
      if (smoothed < smoothedBest) {
        smoothedBest = smoothed;
        noImprovement = 0;
      } else if (++noImprovement >= params.maxNoImprovement) {
        break;
      }
      if (performance.now() - lastYield >= YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      if (aborted()) throw cancelled();
    }

    // The model's inertia and cluster sizes are measured on all the rows.
    const allLabels = new Int32Array(n);
    const inertia = assignToNearest(X, rowSquaredNorms(x, n, d), centres, k, allLabels, new Float64Array(n));
    centres = centres.slice();
    return new KMeansModel(NAME, createMatrix(k, d, centres), clusterSizes(allLabels, k), inertia);
  },

  load: (serialized) => KMeansModel.fromJSON(NAME, serialized),
};

/** k-means++ on a random subsample, nInit times; the seeding with the lowest inertia on that subsample. */
function bestSeeding(X: Matrix, k: number, sampleSize: number, nInit: number, rng: Rng): Float64Array {
  let best: Float64Array | undefined;
  let bestInertia = Number.POSITIVE_INFINITY;
  const labels = new Int32Array(sampleSize);
  const distances = new Float64Array(sampleSize);
  for (let t = 0; t < nInit; t++) {
    const sample = takeRows(X, Int32Array.from({ length: sampleSize }, () => rng.int(X.rows)));
    const centres = kmeansPlusPlus(sample, k, rng);
    const inertia = assignToNearest(sample, rowSquaredNorms(sample.data, sampleSize, X.cols), centres, k, labels, distances);
    if (inertia < bestInertia) {
      bestInertia = inertia;
      best = centres;
    }
  }
  return best as Float64Array;
}

/**
 * Moves centres that have seen fewer than ratio × the busiest centre's rows onto random batch rows,
 * and gives them the smallest count among the others so they can still move.
 */
function reassignStarvedCentres(batch: Matrix, centres: Float64Array, counts: Float64Array, ratio: number, rng: Rng): void {
  const k = counts.length;
  const d = batch.cols;
  let max = 0;
  for (let c = 0; c < k; c++) max = Math.max(max, counts[c] as number);
  const starved: number[] = [];
  let minOther = Number.POSITIVE_INFINITY;
  for (let c = 0; c < k; c++) {
    if ((counts[c] as number) < ratio * max) starved.push(c);
    else minOther = Math.min(minOther, counts[c] as number);
  }
  for (const c of starved) {
    const row = rng.int(batch.rows);
    centres.set(batch.data.subarray(row * d, (row + 1) * d), c * d);
    counts[c] = minOther;
  }
}
