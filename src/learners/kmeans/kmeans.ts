/**
 * k-means clustering, scikit-learn's `KMeans` (algorithm 'lloyd'): greedy k-means++ seeding
 * (./kmeans-plus-plus.ts), then Lloyd's iterations (./lloyd.ts, or the same iterations with Hamerly's
 * bounds, ./hamerly.ts, by default); the whole run is repeated nInit times
 * from different seeds and the solution with the lowest inertia (Σ squared distance of each row to its
 * centre) is kept. Runs on one thread: the distance kernel is blocked and unrolled instead.
 */
import { KilnError } from '../../core/errors.js';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { parseParams, z } from '../../core/params.js';
import { Rng } from '../../core/rng.js';
import { checkFeatures, checkPredictionInput } from '../check-training-data.js';
import type { ClustererLearner, FitOptions, SerializedPredictor } from '../learner.js';
import { KMeansModel, type KMeansPredictor } from './kmeans-predictor.js';
import { kmeansPlusPlus } from './kmeans-plus-plus.js';
import { hamerly } from './hamerly.js';
import { lloyd, scaledTolerance } from './lloyd.js';

const NAME = 'kmeans';

export const kmeansParams = z.strictObject({
  nClusters: z.number().int().min(1).default(8).describe('How many clusters (k) to find.'),
  nInit: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('Independent runs from different k-means++ seeds; the one with the lowest inertia is kept (scikit-learn 1.2\'s default 10).'),
  maxIter: z.number().int().positive().default(300).describe('Most Lloyd iterations per run.'),
  tol: z
    .number()
    .min(0)
    .default(1e-4)
    .describe('Stop a run when the centres move less than tol × the mean feature variance (squared), as in scikit-learn.'),
  algorithm: z
    .enum(['hamerly', 'lloyd'])
    .default('hamerly')
    .describe("'hamerly' skips distance computations that bounds prove useless (same result, faster for small k); 'lloyd' computes them all."),
});

export type KMeansParams = z.output<typeof kmeansParams>;

export interface KMeansLearner extends ClustererLearner<typeof kmeansParams> {
  fit(X: Matrix, params: unknown, options?: FitOptions): Promise<KMeansPredictor>;
  load(serialized: SerializedPredictor): KMeansPredictor;
}

export const kmeans: KMeansLearner = {
  name: NAME,
  kind: 'clusterer',
  summary: 'k-means: splits rows into k groups around centres, with k-means++ seeding; fast and simple, best for round, similar-sized groups.',
  paramsSchema: kmeansParams,

  async fit(X, rawParams, options = {}) {
    const params = parseParams(kmeansParams, rawParams, 'kmeans parameters');
    checkClusteringData(X, params.nClusters, options);
    const cancelled = (): KilnError => new KilnError('CANCELLED', { what: 'training' });
    if (options.signal?.aborted === true) throw cancelled();

    const rng = new Rng(options.seed ?? 0);
    const k = params.nClusters;
    const tol = scaledTolerance(X, params.tol);
    const validation = options.validation;
    const maxIterations = params.nInit * params.maxIter;
    let iterationsBefore = 0;
    let best: { centres: Float64Array; labels: Int32Array; inertia: number } | undefined;
    for (let run = 0; run < params.nInit; run++) {
      const start = kmeansPlusPlus(X, k, rng);
      const iterate = params.algorithm === 'hamerly' ? hamerly : lloyd;
      const result = await iterate(X, start, k, {
        maxIter: params.maxIter,
        tol,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        onIteration: (iteration, inertia, centres) => {
          if (options.onProgress === undefined) return;
          const base = { iteration: iterationsBefore + iteration, maxIterations, trainLoss: inertia / X.rows };
          if (validation === undefined) return options.onProgress(base);
          const current = new KMeansModel(NAME, createMatrix(k, X.cols, centres.slice()), new Float64Array(k), inertia);
          options.onProgress({ ...base, validationLoss: current.inertia(validation.X) / validation.X.rows });
        },
      });
      if (result.aborted) throw cancelled();
      iterationsBefore += result.iterations;
      if (best === undefined || result.inertia < best.inertia) best = result;
    }
    if (best === undefined) throw new KilnError('TRAINING_FAILED', { reason: 'no k-means run completed' });
    return new KMeansModel(NAME, createMatrix(k, X.cols, best.centres), clusterSizes(best.labels, k), best.inertia);
  },

  load: (serialized) => KMeansModel.fromJSON(NAME, serialized),
};

/** Finite data with at least k rows; a validation set, if given, with the same columns. */
export function checkClusteringData(X: Matrix, k: number, options: FitOptions): void {
  checkFeatures(X);
  if (X.rows < k) throw new KilnError('FEWER_ROWS_THAN_PARAM', { rows: X.rows, param: 'nClusters', value: k });
  if (options.validation !== undefined) {
    checkFeatures(options.validation.X, 'the validation data');
    checkPredictionInput(options.validation.X, X.cols, 'the validation data');
  }
}

export function clusterSizes(labels: Int32Array, k: number): Float64Array {
  const sizes = new Float64Array(k);
  for (let i = 0; i < labels.length; i++) sizes[labels[i] as number] = (sizes[labels[i] as number] as number) + 1;
  return sizes;
}
