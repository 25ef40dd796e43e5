/**
 * One-hot encoding (scikit-learn's OneHotEncoder): one 0/1 feature per category seen in training,
 * sorted. Rare categories can share one "infrequent" feature, placed last:
 *
 *   minFrequency   a category seen fewer times than this (a count ≥ 1, or a fraction of the rows
 *                  when < 1) is infrequent;
 *   maxCategories  at most this many output features, the infrequent bucket included; the least
 *                  frequent categories go to the bucket first.
 *
 * A category not seen in training: "ignore" → all zeros; "infrequent_if_exist" → the infrequent
 * feature if there is one, else all zeros; "error" → a coded error (in ONNX, which cannot raise,
 * all zeros).
 *
 * ONNX (decision 2 in docs/decisions.md): LabelEncoder maps each category to its feature position
 * (missing "" to the imputed category's position, anything else to -1 or the bucket); Equal against
 * 0..k-1 and Cast give the block.
 */
import { KilnError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { attr, tensor, type GraphBuilder } from '../onnx/graph-builder.js';
import type { Block } from './block.js';

export type HandleUnknown = 'ignore' | 'infrequent_if_exist' | 'error';

export interface OneHotOptions {
  readonly minFrequency?: number;
  readonly maxCategories?: number;
  readonly handleUnknown?: HandleUnknown;
}

export interface SerializedOneHot {
  readonly type: 'one-hot';
  readonly column: string;
  /** The categories with a feature of their own, sorted. */
  readonly categories: readonly string[];
  /** The categories sharing the last feature, sorted (empty: no such feature). */
  readonly infrequent: readonly string[];
  readonly handleUnknown: HandleUnknown;
}

/** The label of the shared feature of rare categories (scikit-learn: "infrequent_sklearn"). */
export const INFREQUENT = 'infrequent';

export class OneHotEncoder {
  private readonly position: Map<string, number>;

  private constructor(readonly state: SerializedOneHot) {
    this.position = new Map(state.categories.map((c, k) => [c, k]));
    for (const c of state.infrequent) this.position.set(c, state.categories.length);
  }

  /** `values` are the imputed training values; null (a column empty in training) is skipped. */
  static fit(column: string, values: readonly (string | null)[], options: OneHotOptions = {}): OneHotEncoder {
    const counts = new Map<string, number>();
    for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
    const sorted = [...counts.keys()].sort();
    const infrequent = new Set<string>();
    const { minFrequency, maxCategories } = options;
    if (minFrequency !== undefined) {
      const threshold = minFrequency < 1 ? minFrequency * values.length : minFrequency;
      for (const c of sorted) if ((counts.get(c) as number) < threshold) infrequent.add(c);
    }
    if (maxCategories !== undefined && maxCategories < sorted.length - infrequent.size + 1) {
      // As scikit-learn: a stable sort by count (ties in category order), the smallest go to the bucket.
      const byCount = [...sorted].sort((a, b) => (counts.get(a) as number) - (counts.get(b) as number));
      for (const c of byCount.slice(0, sorted.length - maxCategories + 1)) infrequent.add(c);
    }
    return new OneHotEncoder({
      type: 'one-hot',
      column,
      categories: sorted.filter((c) => !infrequent.has(c)),
      infrequent: sorted.filter((c) => infrequent.has(c)),
      handleUnknown: options.handleUnknown ?? 'ignore',
    });
  }

  static fromJSON(json: SerializedOneHot): OneHotEncoder {
    return new OneHotEncoder(json);
  }

  toJSON(): SerializedOneHot {
    return this.state;
  }

  get width(): number {
    return this.state.categories.length + (this.state.infrequent.length > 0 ? 1 : 0);
  }

  featureNames(): string[] {
    const names = this.state.categories.map((c) => `${this.state.column}=${c}`);
    if (this.state.infrequent.length > 0) names.push(`${this.state.column}=${INFREQUENT}`);
    return names;
  }

  /** The feature an unseen category goes to, or -1 for none. */
  private unknownPosition(): number {
    return this.state.handleUnknown === 'infrequent_if_exist' && this.state.infrequent.length > 0 ? this.state.categories.length : -1;
  }

  /** The feature each row sets (-1: none). `values` are imputed; null (no fill was known) sets none. */
  private positions(values: readonly (string | null)[]): Int32Array {
    const unknown = this.unknownPosition();
    return Int32Array.from(values, (v) => {
      if (v === null) return -1;
      const k = this.position.get(v);
      if (k !== undefined) return k;
      if (this.state.handleUnknown === 'error') throw new KilnError('UNKNOWN_CATEGORY', { column: this.state.column, value: v });
      return unknown;
    });
  }

  transform(values: readonly (string | null)[]): Block {
    const block = Array.from({ length: this.width }, () => new Float64Array(values.length));
    this.positions(values).forEach((k, i) => {
      if (k >= 0) (block[k] as Float64Array)[i] = 1;
    });
    return block;
  }

  /** Writes the features straight into columns offset… of `out` (which holds zeros there). */
  transformInto(values: readonly (string | null)[], out: Matrix, offset: number): void {
    this.positions(values).forEach((k, i) => {
      if (k >= 0) out.data[i * out.cols + offset + k] = 1;
    });
  }

  /** `x` is the string [N, 1] input ("" = missing); `missingAs` is the imputed category. */
  toOnnx(g: GraphBuilder, x: string, missingAs: string | null): string {
    const hint = this.state.column;
    const keys = [...this.position.keys()];
    const values = keys.map((k) => this.position.get(k) as number);
    if (!this.position.has('')) {
      keys.push('');
      values.push(missingAs === null ? -1 : (this.position.get(missingAs) ?? this.unknownPosition()));
    }
    const position = g.op(
      'LabelEncoder',
      [x],
      { keys_strings: attr.strings(keys), values_int64s: attr.ints(values), default_int64: attr.int(this.unknownPosition()) },
      { domain: 'ai.onnx.ml', name: `${hint}_position` },
    );
    const positions = g.constant(`${hint}_positions`, tensor.int64(Array.from({ length: this.width }, (_, k) => k)));
    const hot = g.op('Equal', [position, positions], {}, { name: `${hint}_is` });
    return g.op('Cast', [hot], { to: attr.int(1 /* FLOAT */) }, { name: `${hint}_onehot` });
  }
}
