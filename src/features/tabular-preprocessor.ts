/**
 * The preprocessing of a table for a model, fitted on the training part only and exported with the
 * model into the same ONNX graph:
 *
 *   numeric column      → median imputation → standardisation                      → 1 feature
 *   categorical column  → most-frequent imputation → one-hot (unknown → all zeros)  → k features
 *
 * In the ONNX graph every column is its own input named like the column (shape [N, 1]; FP32 with NaN
 * for a missing number, string with "" for a missing category), which is what Triton and KServe
 * clients send and what skl2onnx produces for scikit-learn pipelines.
 */
import { KilnError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import { isMissingCategory } from '../core/frame.js';
import { createMatrix, type Matrix } from '../core/matrix.js';
import { toCategoricalColumn, toNumericColumn } from '../data/coerce.js';
import { attr, tensor, type GraphBuilder } from '../onnx/graph-builder.js';
import { fitMedian, fitMostFrequent } from './impute.js';
import { fitStandardiser } from './standard-scale.js';

export interface NumericStep {
  readonly name: string;
  readonly kind: 'numeric';
  readonly median: number;
  readonly mean: number;
  readonly scale: number;
}

export interface CategoricalStep {
  readonly name: string;
  readonly kind: 'categorical';
  /** What a missing value becomes; null when the column was empty in training (then: all zeros). */
  readonly mostFrequent: string | null;
  /** The one-hot columns, sorted. */
  readonly categories: readonly string[];
}

export type ColumnStep = NumericStep | CategoricalStep;

export interface ColumnPlan {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
}

export interface SerializedPreprocessor {
  readonly format: 1;
  readonly steps: readonly ColumnStep[];
}

export class TabularPreprocessor {
  readonly nFeatures: number;

  private constructor(readonly steps: readonly ColumnStep[]) {
    this.nFeatures = steps.reduce((n, s) => n + (s.kind === 'numeric' ? 1 : s.categories.length), 0);
  }

  /** Fits every column's statistics on `frame` (the training part). */
  static fit(frame: Frame, plan: readonly ColumnPlan[]): TabularPreprocessor {
    const steps = plan.map((p): ColumnStep => {
      const column = frame.get(p.name);
      if (column === undefined) throw new KilnError('COLUMN_NOT_FOUND', { column: p.name, columns: frame.names });
      if (p.kind === 'numeric') {
        const values = toNumericColumn(column).values;
        const median = fitMedian(values);
        const imputed = values.map((v) => (Number.isNaN(v) ? median : v));
        const { mean, scale } = fitStandardiser(imputed);
        return { name: p.name, kind: 'numeric', median, mean, scale };
      }
      const values = toCategoricalColumn(column).values;
      const categories = [...new Set(values.filter((v) => !isMissingCategory(v)) as string[])].sort();
      return { name: p.name, kind: 'categorical', mostFrequent: fitMostFrequent(values), categories };
    });
    return new TabularPreprocessor(steps);
  }

  static fromJSON(json: SerializedPreprocessor): TabularPreprocessor {
    return new TabularPreprocessor(json.steps);
  }

  toJSON(): SerializedPreprocessor {
    return { format: 1, steps: this.steps };
  }

  /** The name of each output feature: the column, or `column=category` for one-hot features. */
  featureNames(): string[] {
    return this.steps.flatMap((s) => (s.kind === 'numeric' ? [s.name] : s.categories.map((c) => `${s.name}=${c}`)));
  }

  /** The columns the model reads, in order (its input signature). */
  inputColumns(): ColumnPlan[] {
    return this.steps.map((s) => ({ name: s.name, kind: s.kind }));
  }

  transform(frame: Frame): Matrix {
    const out = createMatrix(frame.nRows, this.nFeatures);
    const { data, cols } = out;
    let offset = 0;
    for (const step of this.steps) {
      const column = frame.get(step.name);
      if (column === undefined) throw new KilnError('COLUMN_NOT_FOUND', { column: step.name, columns: frame.names });
      if (step.kind === 'numeric') {
        const values = toNumericColumn(column).values;
        for (let i = 0; i < values.length; i++) {
          const v = values[i] as number;
          data[i * cols + offset] = ((Number.isNaN(v) ? step.median : v) - step.mean) / step.scale;
        }
        offset += 1;
      } else {
        const index = new Map(step.categories.map((c, k) => [c, k]));
        const values = toCategoricalColumn(column).values;
        for (let i = 0; i < values.length; i++) {
          const v = values[i];
          const k = index.get(isMissingCategory(v) ? (step.mostFrequent ?? '') : (v as string));
          if (k !== undefined) data[i * cols + offset + k] = 1;
        }
        offset += step.categories.length;
      }
    }
    return out;
  }

  /**
   * Adds one input per column and the preprocessing nodes to `g`; returns the name of the float
   * [N, nFeatures] feature tensor.
   */
  toOnnx(g: GraphBuilder): string {
    // Inputs first: their names are the public signature and must not clash with generated names.
    const inputs = this.steps.map((step) => g.input(step.name, step.kind === 'numeric' ? 'float' : 'string', ['N', 1]));
    const parts = this.steps.map((step, j) =>
      step.kind === 'numeric' ? numericToOnnx(g, step, inputs[j] as string) : categoricalToOnnx(g, step, inputs[j] as string),
    );
    if (parts.length === 1) return parts[0] as string;
    return g.op('Concat', parts, { axis: attr.int(1) }, { name: 'features' });
  }
}

function numericToOnnx(g: GraphBuilder, step: NumericStep, x: string): string {
  const imputed = g.op(
    'Imputer',
    [x],
    { imputed_value_floats: attr.floats([step.median]), replaced_value_float: attr.float(Number.NaN) },
    { domain: 'ai.onnx.ml', name: `${step.name}_imputed` },
  );
  const centred = g.op('Sub', [imputed, g.constant(`${step.name}_mean`, tensor.float([step.mean]))], {}, { name: `${step.name}_centred` });
  return g.op('Div', [centred, g.constant(`${step.name}_scale`, tensor.float([step.scale]))], {}, { name: `${step.name}_scaled` });
}

function categoricalToOnnx(g: GraphBuilder, step: CategoricalStep, x: string): string {
  // Category → its one-hot position; a missing value ("") → the most frequent category's position;
  // anything unseen in training → -1, which matches no position and so becomes all zeros.
  const keys = [...step.categories];
  const values = step.categories.map((_, k) => k);
  if (step.mostFrequent !== null && !keys.includes('')) {
    keys.push('');
    values.push(step.categories.indexOf(step.mostFrequent));
  }
  const position = g.op(
    'LabelEncoder',
    [x],
    { keys_strings: attr.strings(keys), values_int64s: attr.ints(values), default_int64: attr.int(-1) },
    { domain: 'ai.onnx.ml', name: `${step.name}_position` },
  );
  const positions = g.constant(`${step.name}_positions`, tensor.int64(step.categories.map((_, k) => k)));
  const hot = g.op('Equal', [position, positions], {}, { name: `${step.name}_is` });
  return g.op('Cast', [hot], { to: attr.int(1 /* FLOAT */) }, { name: `${step.name}_onehot` });
}
