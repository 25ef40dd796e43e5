/**
 * Target encoding (scikit-learn ≥ 1.3's TargetEncoder): each category becomes the mean target of its
 * training rows, shrunk towards the overall mean — with smooth = "auto" by the empirical-Bayes weight
 * λ = n·var(y) / (n·var(y) + SSD/n) (Micci-Barreca, eq. 5–6), else (sum + m·mean) / (n + m).
 *
 * Leak-free by cross-fitting: the training rows' own features come from `fitTransform`, where each
 * row is encoded by a model fitted on the OTHER folds (cv folds, stratified for classes, seeded), so
 * a row's own target never feeds its feature. New rows (`transform`, ONNX) use the encoding fitted
 * on the whole training part. A category not seen in training gets the training target mean.
 *
 * Binary targets give one feature (the share of class 1); multiclass targets one per class
 * (one-vs-rest, as scikit-learn 1.4); continuous targets one.
 *
 * ONNX: one LabelEncoder string → float per output feature, default = the target mean.
 */
import { KilnError } from '../core/errors.js';
import { attr, type GraphBuilder } from '../onnx/graph-builder.js';
import { kFold, stratifiedKFold } from '../data/splits/k-fold.js';
import type { Split } from '../data/split.js';
import type { Block } from './block.js';

/** The target the encoder learns from: numbers (regression) or class indices. */
export type EncodingTarget =
  | { readonly kind: 'continuous'; readonly values: Float64Array }
  | { readonly kind: 'classes'; readonly classIndex: Int32Array; readonly nClasses: number };

export interface TargetEncoderOptions {
  /** "auto" (default) or a non-negative number of pseudo-rows at the overall mean. */
  readonly smooth?: 'auto' | number;
  /** Folds for cross-fitting the training part (default 5). */
  readonly cv?: number;
  readonly seed?: number;
  /**
   * Rows that must share a cross-fitting fold, by group number (an augmented copy and its original,
   * augment-rows.ts): otherwise a copy's encoding would be fitted on its original's target.
   */
  readonly groups?: Int32Array;
}

export interface SerializedTargetEncoder {
  readonly type: 'target';
  readonly column: string;
  readonly categories: readonly string[];
  /** encodings[output][category]. */
  readonly encodings: readonly (readonly number[])[];
  /** The overall target mean per output: what unknown categories get. */
  readonly means: readonly number[];
  /** Output feature labels (empty string for a single output). */
  readonly labels: readonly string[];
}

/** The targets to encode against: one y vector per output feature. */
function targetColumns(target: EncodingTarget): { ys: Float64Array[]; labels: string[] } {
  if (target.kind === 'continuous') return { ys: [target.values], labels: [''] };
  if (target.nClasses <= 2) return { ys: [Float64Array.from(target.classIndex, (c) => (c === 1 ? 1 : 0))], labels: [''] };
  return {
    ys: Array.from({ length: target.nClasses }, (_, c) => Float64Array.from(target.classIndex, (k) => (k === c ? 1 : 0))),
    labels: Array.from({ length: target.nClasses }, (_, c) => String(c)),
  };
}

/** Encodings of `categories` from the rows in `rows`. */
function fitEncoding(codes: Int32Array, nCategories: number, y: Float64Array, rows: ArrayLike<number>, smooth: 'auto' | number): { encoding: number[]; mean: number } {
  const counts = new Float64Array(nCategories);
  const sums = new Float64Array(nCategories);
  let mean = 0;
  for (let r = 0; r < rows.length; r++) mean += y[rows[r] as number] as number;
  mean /= Math.max(1, rows.length);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r] as number;
    const c = codes[i] as number;
    if (c < 0) continue;
    counts[c] = (counts[c] as number) + 1;
    sums[c] = (sums[c] as number) + (y[i] as number);
  }
  if (smooth !== 'auto') {
    return { mean, encoding: Array.from(counts, (n, c) => (n + smooth === 0 ? mean : ((sums[c] as number) + smooth * mean) / (n + smooth))) };
  }
  let variance = 0;
  for (let r = 0; r < rows.length; r++) variance += ((y[rows[r] as number] as number) - mean) ** 2;
  variance /= Math.max(1, rows.length);
  const catMean = Array.from(counts, (n, c) => (sums[c] as number) / n);
  const ssd = new Float64Array(nCategories);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r] as number;
    const c = codes[i] as number;
    if (c < 0) continue;
    ssd[c] = (ssd[c] as number) + ((y[i] as number) - (catMean[c] as number)) ** 2;
  }
  const encoding = Array.from(counts, (n, c) => {
    const lambda = (variance * n) / (variance * n + (ssd[c] as number) / n);
    return Number.isNaN(lambda) ? mean : lambda * (catMean[c] as number) + (1 - lambda) * mean;
  });
  return { mean, encoding };
}

export class TargetEncoder {
  private readonly code: Map<string, number>;

  private constructor(readonly state: SerializedTargetEncoder) {
    this.code = new Map(state.categories.map((c, k) => [c, k]));
  }

  /**
   * Fits on the training part and returns the CROSS-FITTED features of those same rows: use these to
   * train, never `transform` of the training rows (that would leak each row's own target).
   */
  static fitTransform(column: string, values: readonly (string | null)[], target: EncodingTarget, options: TargetEncoderOptions = {}): { encoder: TargetEncoder; block: Block } {
    const n = values.length;
    const targetLength = target.kind === 'continuous' ? target.values.length : target.classIndex.length;
    if (targetLength !== n) throw new KilnError('TARGET_LENGTH_MISMATCH', { rows: n, targets: targetLength });
    const smooth = options.smooth ?? 'auto';
    const categories = [...new Set(values.filter((v): v is string => v !== null))].sort();
    const index = new Map(categories.map((c, k) => [c, k]));
    const codes = Int32Array.from(values, (v) => (v === null ? -1 : (index.get(v) as number)));
    const { ys, labels } = targetColumns(target);
    const all = Int32Array.from({ length: n }, (_, i) => i);
    const fitted = ys.map((y) => fitEncoding(codes, categories.length, y, all, smooth));
    const encoder = new TargetEncoder({
      type: 'target',
      column,
      categories,
      encodings: fitted.map((f) => f.encoding),
      means: fitted.map((f) => f.mean),
      labels,
    });

    const folds = crossFittingFolds(target, n, options.cv ?? 5, options.seed ?? 0, options.groups);
    const block = ys.map(() => new Float64Array(n));
    for (const fold of folds) {
      ys.forEach((y, o) => {
        // A category absent from this fold's training rows has count 0 and so encodes as the mean.
        const { encoding, mean } = fitEncoding(codes, categories.length, y, fold.train, smooth);
        const out = block[o] as Float64Array;
        for (const i of fold.test) {
          const c = codes[i] as number;
          out[i] = c >= 0 ? (encoding[c] as number) : mean;
        }
      });
    }
    return { encoder, block };
  }

  static fromJSON(json: SerializedTargetEncoder): TargetEncoder {
    return new TargetEncoder(json);
  }

  toJSON(): SerializedTargetEncoder {
    return this.state;
  }

  get width(): number {
    return this.state.encodings.length;
  }

  featureNames(): string[] {
    return this.state.labels.map((l) => (l === '' ? `${this.state.column}_target` : `${this.state.column}_target_${l}`));
  }

  /** Encodes new rows with the encoding fitted on the whole training part. */
  transform(values: readonly (string | null)[]): Block {
    return this.state.encodings.map((encoding, o) => {
      const mean = this.state.means[o] as number;
      return Float64Array.from(values, (v) => {
        const c = v === null ? undefined : this.code.get(v);
        return c === undefined ? mean : (encoding[c] as number);
      });
    });
  }

  toOnnx(g: GraphBuilder, x: string, missingAs: string | null): string {
    const parts = this.state.encodings.map((encoding, o) => {
      const mean = this.state.means[o] as number;
      const keys = [...this.state.categories];
      const values = [...encoding];
      if (!this.code.has('')) {
        keys.push('');
        const c = missingAs === null ? undefined : this.code.get(missingAs);
        values.push(c === undefined ? mean : (encoding[c] as number));
      }
      return g.op(
        'LabelEncoder',
        [x],
        { keys_strings: attr.strings(keys), values_floats: attr.floats(values), default_float: attr.float(mean) },
        { domain: 'ai.onnx.ml', name: `${this.state.column}_target${this.state.labels[o] ?? ''}` },
      );
    });
    return parts.length === 1 ? (parts[0] as string) : g.op('Concat', parts, { axis: attr.int(1) }, { name: `${this.state.column}_target` });
  }
}

/**
 * The cross-fitting folds: stratified (classes) or plain k-fold over the rows — or, with `groups`, over
 * the groups (each group's class is its first row's), every row following its group into its fold.
 */
function crossFittingFolds(target: EncodingTarget, n: number, cv: number, seed: number, groups?: Int32Array): Split[] {
  const cut = (t: EncodingTarget, rows: number) =>
    t.kind === 'classes' ? stratifiedKFold(t.classIndex, t.nClasses, cv, { shuffle: true, seed }) : kFold(rows, cv, { shuffle: true, seed });
  if (groups === undefined) return cut(target, n);
  if (groups.length !== n) throw new KilnError('TARGET_LENGTH_MISMATCH', { rows: n, targets: groups.length });
  // one representative row per group, in order of first appearance
  const groupOf = new Map<number, number>();
  const firstRows: number[] = [];
  groups.forEach((g, i) => {
    if (!groupOf.has(g)) {
      groupOf.set(g, firstRows.length);
      firstRows.push(i);
    }
  });
  const representative: EncodingTarget =
    target.kind === 'classes'
      ? { kind: 'classes', classIndex: Int32Array.from(firstRows, (i) => target.classIndex[i] as number), nClasses: target.nClasses }
      : { kind: 'continuous', values: Float64Array.from(firstRows, (i) => target.values[i] as number) };
  const foldOfGroup = new Int32Array(firstRows.length);
  const groupFolds = cut(representative, firstRows.length);
  groupFolds.forEach((f, k) => f.test.forEach((g) => (foldOfGroup[g] = k)));
  const rowsOfFold: number[][] = groupFolds.map(() => []);
  groups.forEach((g, i) => rowsOfFold[foldOfGroup[groupOf.get(g) as number] as number]?.push(i));
  return rowsOfFold.map((test, k) => ({
    test: Int32Array.from(test),
    train: Int32Array.from(rowsOfFold.flatMap((rows, other) => (other === k ? [] : rows))),
  }));
}
