/**
 * The preprocessing of a table for a model, fitted on the training part only and exported with the
 * model into the same ONNX graph. Each column gets its own chain (column-pipeline.ts), chosen by its
 * kind unless its plan names a transform:
 *
 *   numeric column      → median imputation → standardisation                      → 1 feature
 *   categorical column  → most-frequent imputation → one-hot (unknown → all zeros)  → k features
 *   boolean column      → as numeric (0/1)
 *   datetime column     → parts (year, month, day, weekday, hour) → median → standard
 *   text column         → TF-IDF of words
 *
 * In the ONNX graph every column is its own input named like the column (shape [N, 1]; FP32 with NaN
 * for a missing number, string with "" for a missing category or text, INT64 epoch milliseconds with
 * INT64_MIN for a missing datetime), which is what Triton and KServe clients send and what skl2onnx
 * produces for scikit-learn pipelines.
 *
 * Leakage: everything is fitted on the frame given to `fit`. Target encoding also needs the training
 * rows' features to be cross-fitted; `fitTransform` returns them, and `transform` of the very frame
 * given to `fit` returns them too, so the fit-then-transform pattern stays leak-free.
 */
import { KilnError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import { createMatrix, type Matrix } from '../core/matrix.js';
import { attr, type GraphBuilder } from '../onnx/graph-builder.js';
import { writeBlock } from './block.js';
import { ColumnPipeline, type InputColumn, type SerializedColumnPipeline } from './column-pipeline.js';
import { parseColumnTransform, type ColumnKind, type ColumnTransformChoice } from './column-transform.js';
import type { EncodingTarget } from './target-encode.js';

export type { InputColumn } from './column-pipeline.js';

export interface ColumnPlan {
  readonly name: string;
  readonly kind: ColumnKind;
  /** Overrides the kind's default chain (validated; see column-transform.ts). */
  readonly transform?: ColumnTransformChoice;
}

export interface FitOptions {
  /** The training rows' target: needed by target encoding, ignored otherwise. */
  readonly target?: EncodingTarget;
  /** Seeds target encoding's cross-fitting folds (default 0). */
  readonly seed?: number;
  /**
   * Rows that must share a cross-fitting fold, by group number: an augmented copy and its original
   * (augment-rows.ts `source`), so that no copy is encoded with its original's target.
   */
  readonly groups?: Int32Array;
}

/** Format 2: one fitted chain per column. */
export interface SerializedPreprocessor {
  readonly format: 2;
  readonly columns: readonly SerializedColumnPipeline[];
}

/** Format 1 (Kiln ≤ 0.1): median + standard for numbers, most-frequent + one-hot for categories. */
export interface SerializedPreprocessorV1 {
  readonly format: 1;
  readonly steps: readonly (
    | { readonly name: string; readonly kind: 'numeric'; readonly median: number; readonly mean: number; readonly scale: number }
    | { readonly name: string; readonly kind: 'categorical'; readonly mostFrequent: string | null; readonly categories: readonly string[] }
  )[];
}

export class TabularPreprocessor {
  readonly nFeatures: number;
  /** The frame `fit` saw and its (cross-fitted) features; dropped from JSON. */
  private training: { frame: Frame; features: Matrix } | null = null;

  private constructor(readonly columns: readonly ColumnPipeline[]) {
    this.nFeatures = columns.reduce((n, c) => n + c.width, 0);
  }

  /** Fits every column's transforms on `frame` (the training part). */
  static fit(frame: Frame, plan: readonly ColumnPlan[], options: FitOptions = {}): TabularPreprocessor {
    return TabularPreprocessor.fitTransform(frame, plan, options).preprocessor;
  }

  /** Fits on `frame` and returns its features, target-encoded columns cross-fitted. */
  static fitTransform(frame: Frame, plan: readonly ColumnPlan[], options: FitOptions = {}): { preprocessor: TabularPreprocessor; features: Matrix } {
    const fitted = plan.map((p) => {
      const column = frame.get(p.name);
      if (column === undefined) throw new KilnError('COLUMN_NOT_FOUND', { column: p.name, columns: frame.names });
      const choice = p.transform === undefined ? {} : parseColumnTransform(p.name, p.kind, p.transform);
      return { column, ...ColumnPipeline.fit(column, p.kind, choice, options) };
    });
    const preprocessor = new TabularPreprocessor(fitted.map((f) => f.pipeline));
    const features = createMatrix(frame.nRows, preprocessor.nFeatures);
    let offset = 0;
    for (const { column, pipeline, crossFitted } of fitted) {
      if (crossFitted) writeBlock(crossFitted, features, offset);
      else pipeline.transformInto(column, features, offset);
      offset += pipeline.width;
    }
    preprocessor.training = { frame, features };
    return { preprocessor, features };
  }

  static fromJSON(json: SerializedPreprocessor | SerializedPreprocessorV1): TabularPreprocessor {
    if (json.format === 1) return new TabularPreprocessor(json.steps.map((s) => ColumnPipeline.fromJSON(fromV1(s))));
    return new TabularPreprocessor(json.columns.map((c) => ColumnPipeline.fromJSON(c)));
  }

  toJSON(): SerializedPreprocessor {
    return { format: 2, columns: this.columns.map((c) => c.toJSON()) };
  }

  /** The name of each output feature: the column, `column=category` for one-hot features, etc. */
  featureNames(): string[] {
    return this.columns.flatMap((c) => c.featureNames());
  }

  /** The input column each output feature comes from (explanations add features up per column). */
  featureColumns(): string[] {
    return this.columns.flatMap((c) => c.featureNames().map(() => c.name));
  }

  /** The columns the model reads, in order (its input signature). */
  inputColumns(): InputColumn[] {
    return this.columns.map((c) => c.input());
  }

  /** Features of `frame`. For the frame given to `fit`, its cross-fitted training features. */
  transform(frame: Frame): Matrix {
    if (this.training !== null && frame === this.training.frame) return this.training.features;
    const out = createMatrix(frame.nRows, this.nFeatures);
    let offset = 0;
    for (const c of this.columns) {
      const column = frame.get(c.name);
      if (column === undefined) throw new KilnError('COLUMN_NOT_FOUND', { column: c.name, columns: frame.names });
      c.transformInto(column, out, offset);
      offset += c.width;
    }
    return out;
  }

  /**
   * Adds one input per column and the preprocessing nodes to `g`; returns the name of the float
   * [N, nFeatures] feature tensor.
   */
  toOnnx(g: GraphBuilder): string {
    // Inputs first: their names are the public signature and must not clash with generated names.
    const inputs = this.columns.map((c) => c.inputToOnnx(g));
    const parts = this.columns.map((c, j) => c.toOnnx(g, inputs[j] as string));
    if (parts.length === 1) return parts[0] as string;
    return g.op('Concat', parts, { axis: attr.int(1) }, { name: 'features' });
  }
}

function fromV1(step: SerializedPreprocessorV1['steps'][number]): SerializedColumnPipeline {
  if (step.kind === 'numeric') {
    return {
      kind: 'numeric',
      name: step.name,
      imputer: { type: 'numeric-imputer', strategy: 'median', fill: [step.median], indicatorOf: [] },
      scaler: { type: 'scaler', kind: 'standard', offset: [step.mean], scale: [step.scale] },
    };
  }
  return {
    kind: 'categorical',
    name: step.name,
    imputer: { type: 'categorical-imputer', strategy: 'most_frequent', fill: step.mostFrequent },
    encoder: { type: 'one-hot', column: step.name, categories: step.categories, infrequent: [], handleUnknown: 'ignore' },
  };
}
