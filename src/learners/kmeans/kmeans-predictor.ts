/**
 * What a fitted k-means model is: k centres. The predictor k-means and mini-batch k-means share assigns
 * rows to the nearest centre, gives each row's distance to every centre, and exports both to ONNX.
 */
import { KilnError } from '../../core/errors.js';
import { createMatrix, type Matrix } from '../../core/matrix.js';
import { z } from '../../core/params.js';
import { attr, tensor, type GraphBuilder } from '../../onnx/graph-builder.js';
import { checkPredictionInput } from '../check-training-data.js';
import type { ClustererPredictor, SerializedPredictor } from '../learner.js';
import { squaredDistanceNaive } from './squared-distances.js';

const FORMAT = 1;

export interface KMeansPredictor extends ClustererPredictor {
  /** The centres, one row per cluster (scikit-learn's `cluster_centers_`). */
  readonly centres: Matrix;
  /** Σ squared distance of the training rows to their centre (scikit-learn's `inertia_`). */
  readonly trainingInertia: number;
  /** Training rows per cluster. */
  readonly clusterSizes: Float64Array;
  /** Σ squared distance of the rows of X to their nearest centre. */
  inertia(X: Matrix): number;
}

const stateSchema = z.strictObject({
  nFeatures: z.number().int().positive(),
  centres: z.array(z.array(z.number())),
  clusterSizes: z.array(z.number().min(0)),
  inertia: z.number().min(0),
});

export class KMeansModel implements KMeansPredictor {
  readonly kind = 'clusterer';
  readonly nFeatures: number;
  readonly nClusters: number;

  constructor(
    readonly learner: string,
    readonly centres: Matrix,
    readonly clusterSizes: Float64Array,
    readonly trainingInertia: number,
  ) {
    this.nFeatures = centres.cols;
    this.nClusters = centres.rows;
  }

  /** Squared distances, computed by definition (exact, and cheap next to training). */
  private squaredDistances(X: Matrix): Matrix {
    checkPredictionInput(X, this.nFeatures, this.learner);
    const k = this.nClusters;
    const d = this.nFeatures;
    const out = createMatrix(X.rows, k);
    for (let i = 0; i < X.rows; i++) {
      for (let c = 0; c < k; c++) out.data[i * k + c] = squaredDistanceNaive(X.data, i * d, this.centres.data, c * d, d);
    }
    return out;
  }

  predict(X: Matrix): Int32Array {
    const sq = this.squaredDistances(X);
    const k = this.nClusters;
    const labels = new Int32Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if ((sq.data[i * k + c] as number) < (sq.data[i * k + best] as number)) best = c;
      labels[i] = best;
    }
    return labels;
  }

  transform(X: Matrix): Matrix {
    const sq = this.squaredDistances(X);
    for (let k = 0; k < sq.data.length; k++) sq.data[k] = Math.sqrt(sq.data[k] as number);
    return sq;
  }

  inertia(X: Matrix): number {
    const sq = this.squaredDistances(X);
    const k = this.nClusters;
    let total = 0;
    for (let i = 0; i < X.rows; i++) {
      let best = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) best = Math.min(best, sq.data[i * k + c] as number);
      total += best;
    }
    return total;
  }

  /**
   * Squared distances as (x − c)² summed over features, by broadcasting [N,1,d] − [k,d]: in float32
   * the MatMul expansion ‖x‖² − 2x·c + ‖c‖² loses ~1e-5 to cancellation on unscaled data, which the
   * 1e-5 agreement cannot afford, and with k centres the broadcast costs only N·k·d. ArgMin picks the
   * first of equal distances, as `predict` does.
   */
  toOnnx(g: GraphBuilder, features: string): { readonly cluster: string; readonly distances: string } {
    const hint = this.learner.replace(/-/g, '_');
    const centres = g.constant(`${hint}_centres`, tensor.float(Float32Array.from(this.centres.data), [this.nClusters, this.nFeatures]));
    const axis1 = g.constant(`${hint}_axis1`, tensor.int64([1]));
    const rows = g.op('Unsqueeze', [features, axis1], {}, { name: `${hint}_rows` });
    const diff = g.op('Sub', [rows, centres], {}, { name: `${hint}_diff` });
    const squared = g.op('ReduceSumSquare', [diff], { axes: attr.ints([2]), keepdims: attr.int(0) }, { name: `${hint}_squared_distances` });
    const distances = g.op('Sqrt', [squared], {}, { name: `${hint}_distances` });
    const cluster = g.op('ArgMin', [squared], { axis: attr.int(1), keepdims: attr.int(1) }, { name: `${hint}_cluster` });
    return { cluster, distances };
  }

  /**
   * Clustering has no target to explain, so the importance of a feature is its share of the
   * between-cluster spread: Σ_c n_c·(μ_cj − μ_j)² over the centres μ_c (weighted by cluster size),
   * normalised to sum to 1. Features along which the clusters lie far apart matter most.
   */
  featureImportances(): Float64Array {
    const { nClusters: k, nFeatures: d } = this;
    const c = this.centres.data;
    let n = 0;
    for (let r = 0; r < k; r++) n += this.clusterSizes[r] as number;
    const importances = new Float64Array(d);
    if (n === 0) return importances;
    for (let j = 0; j < d; j++) {
      let mean = 0;
      for (let r = 0; r < k; r++) mean += (this.clusterSizes[r] as number) * (c[r * d + j] as number);
      mean /= n;
      let spread = 0;
      for (let r = 0; r < k; r++) spread += (this.clusterSizes[r] as number) * ((c[r * d + j] as number) - mean) ** 2;
      importances[j] = spread;
    }
    const total = importances.reduce((a, b) => a + b, 0);
    return total > 0 ? importances.map((v) => v / total) : importances;
  }

  toJSON(): SerializedPredictor {
    const d = this.nFeatures;
    return {
      learner: this.learner,
      format: FORMAT,
      state: {
        nFeatures: d,
        centres: Array.from({ length: this.nClusters }, (_, r) => Array.from(this.centres.data.subarray(r * d, (r + 1) * d))),
        clusterSizes: Array.from(this.clusterSizes),
        inertia: this.trainingInertia,
      },
    };
  }

  static fromJSON(learner: string, serialized: SerializedPredictor): KMeansModel {
    const invalid = (reason: string): KilnError => new KilnError('INVALID_PREDICTOR', { learner, reason });
    if (serialized.learner !== learner) throw invalid(`it was saved by learner "${serialized.learner}"`);
    if (serialized.format !== FORMAT) throw invalid(`format ${serialized.format} is not the supported format ${FORMAT}`);
    const parsed = stateSchema.safeParse(serialized.state);
    if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const { nFeatures, centres, clusterSizes, inertia } = parsed.data;
    if (centres.length === 0 || centres.some((c) => c.length !== nFeatures) || clusterSizes.length !== centres.length) {
      throw invalid(`expected one centre of ${nFeatures} values and one size per cluster`);
    }
    const matrix = createMatrix(centres.length, nFeatures);
    centres.forEach((c, r) => matrix.data.set(c, r * nFeatures));
    return new KMeansModel(learner, matrix, Float64Array.from(clusterSizes), inertia);
  }
}
