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

export type Task = 'binary' | 'multiclass' | 'regression';

export interface Progress {
  readonly iteration: number;
  /** The most iterations the learner will run (it may stop earlier). */
  readonly maxIterations: number;
  readonly trainLoss: number;
  readonly validationLoss?: number;
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

export type Predictor = ClassifierPredictor | RegressorPredictor;

export interface ClassifierLearner<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly kind: 'classifier';
  readonly summary: string;
  readonly paramsSchema: S;
  /** `y` holds class indices 0..nClasses-1. `params` is validated against `paramsSchema` here. */
  fit(X: Matrix, y: Int32Array, nClasses: number, params: unknown, options?: FitOptions): Promise<ClassifierPredictor>;
  load(serialized: SerializedPredictor): ClassifierPredictor;
}

export interface RegressorLearner<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly kind: 'regressor';
  readonly summary: string;
  readonly paramsSchema: S;
  fit(X: Matrix, y: Float64Array, params: unknown, options?: FitOptions): Promise<RegressorPredictor>;
  load(serialized: SerializedPredictor): RegressorPredictor;
}

export type Learner = ClassifierLearner | RegressorLearner;
