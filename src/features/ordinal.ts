/**
 * Ordinal encoding (scikit-learn's OrdinalEncoder): each category seen in training becomes its
 * position in sorted order, 0..k-1, as one feature. A category not seen in training becomes
 * `unknownValue` (default -1; NaN is allowed for learners that handle missing values), as
 * scikit-learn's handle_unknown="use_encoded_value" does.
 *
 * ONNX: one LabelEncoder from string to float, "" (missing) mapped like the imputed category.
 */
import { attr, type GraphBuilder } from '../onnx/graph-builder.js';
import type { Block } from './block.js';

export interface SerializedOrdinal {
  readonly type: 'ordinal';
  readonly column: string;
  readonly categories: readonly string[];
  /** JSON has no NaN: null stands for NaN. */
  readonly unknownValue: number | null;
}

export class OrdinalEncoder {
  private readonly code: Map<string, number>;

  private constructor(readonly state: SerializedOrdinal) {
    this.code = new Map(state.categories.map((c, k) => [c, k]));
  }

  static fit(column: string, values: readonly (string | null)[], unknownValue = -1): OrdinalEncoder {
    const categories = [...new Set(values.filter((v): v is string => v !== null))].sort();
    return new OrdinalEncoder({ type: 'ordinal', column, categories, unknownValue: Number.isNaN(unknownValue) ? null : unknownValue });
  }

  static fromJSON(json: SerializedOrdinal): OrdinalEncoder {
    return new OrdinalEncoder(json);
  }

  toJSON(): SerializedOrdinal {
    return this.state;
  }

  get width(): number {
    return 1;
  }

  private get unknown(): number {
    return this.state.unknownValue ?? Number.NaN;
  }

  featureNames(): string[] {
    return [this.state.column];
  }

  transform(values: readonly (string | null)[]): Block {
    return [Float64Array.from(values, (v) => (v === null ? this.unknown : (this.code.get(v) ?? this.unknown)))];
  }

  toOnnx(g: GraphBuilder, x: string, missingAs: string | null): string {
    const keys = [...this.state.categories];
    const values = keys.map((_, k) => k);
    if (!this.code.has('')) {
      keys.push('');
      values.push(missingAs === null ? this.unknown : (this.code.get(missingAs) ?? this.unknown));
    }
    return g.op(
      'LabelEncoder',
      [x],
      { keys_strings: attr.strings(keys), values_floats: attr.floats(values), default_float: attr.float(this.unknown) },
      { domain: 'ai.onnx.ml', name: `${this.state.column}_ordinal` },
    );
  }
}
