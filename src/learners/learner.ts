/**
 * The learner contract (scikit-learn's estimator contract, made explicit):
 *
 *   - a learner is configured by ONE plain params object, validated by its zod schema;
 *   - `fit()` returns a separate predictor that holds only what prediction needs;
 *   - a predictor predicts on a Matrix, serialises to JSON, describes itself, and adds itself to an
 *     ONNX graph whose outputs agree with its own `predict*` within 1e-5.
 *
 * Training is deterministic given `seed`, reports progress per iteration (the app draws learning curves
 * from it), and stops with a CANCELLED error when `signal` aborts.
 */
import type { z } from 'zod';
import type { Matrix } from '../core/matrix.js';
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { LearnerFamily } from './learner-family.js';

/** Supervised tasks, and the two unsupervised ones (segments, anomalies). */
export type Task = 'binary' | 'multiclass' | 'regression' | 'cluster' | 'anomaly';

export interface Progress {
  readonly iteration: number;
  /** The most iterations the learner will run (it may stop earlier). */
  readonly maxIterations: number;
  readonly trainLoss: number;
  readonly validationLoss?: number;
  /**
   * Set when the progress is that of one part of the model (a soft-voting ensemble's member, e.g.
   * "mlp, 2 of 3"): each part has its own loss curve, and the parts one after the other are not a
   * learning curve of the whole (their losses are on different scales).
   */
  readonly part?: string;
}

export interface FitOptions {
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /** A held-out set to report validation loss on (never used to fit). */
  readonly validation?: { readonly X: Matrix; readonly y: Int32Array | Float64Array };
}

/** What a predictor serialises to: enough to rebuild it with the learner's `load`. */
export interface SerializedPredictor {
  readonly learner: string;
  readonly format: number;
  readonly state: unknown;
}

interface PredictorBase {
  readonly learner: string;
  /**
   * 1 for each row of X on which the exported ONNX graph must match this predictor to float32
   * precision, 0 where it may honestly differ: a k-nearest-neighbours query whose k-th and (k+1)-th
   * nearest training rows are tied within float32 rounding may get the other one in the graph.
   * Absent: every row.
   */
  onnxExactRows?(X: Matrix): Uint8Array;
  readonly nFeatures: number;
  toJSON(): SerializedPredictor;
  /** Per-feature importance (e.g. |coefficient| for linear models), one value per input column. */
  featureImportances(): Float64Array;
}

export interface ClassifierPredictor extends PredictorBase {
  readonly kind: 'classifier';
  readonly nClasses: number;
  /** Class probabilities: `rows × nClasses`, each row summing to 1. */
  predictProba(X: Matrix): Matrix;
  /**
   * Adds the model to `g`, reading `features` (float [N, nFeatures]); returns the name of a
   * float [N, nClasses] probability tensor.
   */
  toOnnx(g: GraphBuilder, features: string): { readonly probabilities: string };
}

export interface RegressorPredictor extends PredictorBase {
  readonly kind: 'regressor';
  predict(X: Matrix): Float64Array;
  /** Adds the model to `g`; returns the name of a float [N, 1] prediction tensor. */
  toOnnx(g: GraphBuilder, features: string): { readonly prediction: string };
}

/** Assigns rows to one of `nClusters` groups (k-means). */
export interface ClustererPredictor extends PredictorBase {
  readonly kind: 'clusterer';
  readonly nClusters: number;
  /** The cluster index of each row. */
  predict(X: Matrix): Int32Array;
  /** Distance of each row to each cluster centre: `rows × nClusters`. */
  transform(X: Matrix): Matrix;
  /** Adds the model to `g`; returns an int64 [N, 1] cluster tensor and a float [N, nClusters] distance tensor. */
  toOnnx(g: GraphBuilder, features: string): { readonly cluster: string; readonly distances: string };
}

/** Scores how unusual each row is (isolation forest). */
export interface AnomalyPredictor extends PredictorBase {
  readonly kind: 'anomaly';
  /** Rows scoring above this are flagged (set from the contamination parameter at fit time). */
  readonly threshold: number;
  /** Anomaly score per row; higher means more unusual. */
  score(X: Matrix): Float64Array;
  /** 1 for rows scoring above `threshold`, else 0. */
  predict(X: Matrix): Int32Array;
  /** Adds the model to `g`; returns a float [N, 1] score tensor and an int64 [N, 1] flag tensor. */
  toOnnx(g: GraphBuilder, features: string): { readonly score: string; readonly flag: string };
}

export type SupervisedPredictor = ClassifierPredictor | RegressorPredictor;

export type Predictor = SupervisedPredictor | ClustererPredictor | AnomalyPredictor;

export interface ClassifierLearner<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly kind: 'classifier';
  readonly family: LearnerFamily;
  readonly summary: string;
  readonly paramsSchema: S;
  /** `y` holds class indices 0..nClasses-1. `params` is validated against `paramsSchema` here. */
  fit(X: Matrix, y: Int32Array, nClasses: number, params: unknown, options?: FitOptions): Promise<ClassifierPredictor>;
  load(serialized: SerializedPredictor): ClassifierPredictor;
}

export interface RegressorLearner<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly kind: 'regressor';
  readonly family: LearnerFamily;
  readonly summary: string;
  readonly paramsSchema: S;
  fit(X: Matrix, y: Float64Array, params: unknown, options?: FitOptions): Promise<RegressorPredictor>;
  load(serialized: SerializedPredictor): RegressorPredictor;
}

export interface ClustererLearner<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly kind: 'clusterer';
  readonly summary: string;
  readonly paramsSchema: S;
  fit(X: Matrix, params: unknown, options?: FitOptions): Promise<ClustererPredictor>;
  load(serialized: SerializedPredictor): ClustererPredictor;
}

export interface AnomalyLearner<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly kind: 'anomaly';
  readonly summary: string;
  readonly paramsSchema: S;
  fit(X: Matrix, params: unknown, options?: FitOptions): Promise<AnomalyPredictor>;
  load(serialized: SerializedPredictor): AnomalyPredictor;
}

export type Learner = ClassifierLearner | RegressorLearner | ClustererLearner | AnomalyLearner;
