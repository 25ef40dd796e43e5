/**
 * The manifest of an AI module version: what it expects, what it answers, how it was made.
 * It travels with the ONNX file (as `manifest.json` in the artifact store, in exports and containers),
 * so a module can be served, checked and monitored without any other Kiln state.
 */
import type { DatasetRef } from '../store/store.js';
import type { AugmentOptions } from '../features/augment-rows.js';

export const MANIFEST_FORMAT = 1;

/** Open Inference Protocol datatypes that Kiln's modules use. */
export type TensorDatatype = 'FP32' | 'FP64' | 'INT64' | 'INT32' | 'BOOL' | 'BYTES';

export interface TensorSpec {
  readonly name: string;
  readonly datatype: TensorDatatype;
  /** -1 for a variable dimension (the batch). */
  readonly shape: readonly number[];
}

/** One model input: a column of the original table. */
export interface InputSpec extends TensorSpec {
  /** How its values travel: a number (NaN or null = missing) or text (null/"" = missing). */
  readonly kind: 'numeric' | 'categorical';
  /** What the column holds (numeric, categorical, boolean, datetime, text); `kind` when absent. */
  readonly type?: 'numeric' | 'categorical' | 'boolean' | 'datetime' | 'text';
  /** Datetime columns: INT64 epoch milliseconds in the tensor; how plain numbers in a table are read. */
  readonly unit?: 'ms' | 's';
}

export interface Signature {
  readonly inputs: readonly InputSpec[];
  readonly outputs: readonly TensorSpec[];
}

/** What a model trained on a table's columns predicts. */
export type TabularTask = 'binary' | 'multiclass' | 'regression';
/** Every kind of module: tabular predictions and the templates beyond tables. */
export type ModuleTask = TabularTask | 'text-classify' | 'recommend' | 'cluster' | 'detect-anomalies';

export interface ModuleManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly name: string;
  readonly task: ModuleTask;
  readonly target: string;
  /** Class labels in the order of the `probabilities` output (classification only). */
  readonly classes?: readonly (string | number)[];
  readonly signature: Signature;
  readonly learner: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Holdout metrics with scikit-learn's names, e.g. `test.accuracy`. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly dataset: DatasetRef;
  /** The immutable dataset version (Parquet snapshot) the model was trained on. */
  readonly datasetVersion?: string;
  readonly seed: number;
  /** The perturbed copies of the training rows it was also fitted on (a spec's `augment`), if any. */
  readonly augment?: AugmentOptions;
  readonly trainedAt: string;
  readonly kilnVersion: string;
}

/** The artifact names a module version is made of. */
export const MODULE_ARTIFACTS = {
  model: 'model.onnx',
  manifest: 'manifest.json',
  predictor: 'predictor.json',
  report: 'report.json',
  /** Training-time statistics of the inputs and outputs: what drift monitoring compares against. */
  reference: 'reference.json',
  /**
   * The module spec it was trained from, defaults filled in (lineage; what `kiln curves` and the app's
   * "would more rows help?" refit from). Versions trained before Kiln kept it have none.
   */
  spec: 'spec.json',
} as const;
