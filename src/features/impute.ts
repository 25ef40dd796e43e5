/**
 * Imputation, fitted on the training part only. Conventions follow scikit-learn's SimpleImputer:
 * the median or mean of the present values; the most frequent value, ties going to the smallest
 * value in sort order; or a constant. A column that is missing in every training row imputes 0 (or
 * nothing for categories) instead of being dropped as scikit-learn does, so the feature layout never
 * depends on the data.
 *
 * With `addIndicator`, each feature that had missing values in training also gets a 0/1 column
 * "was missing" (scikit-learn's MissingIndicator with features="missing-only"), appended after the
 * imputed features and left unscaled.
 */
import { isMissingCategory } from '../core/frame.js';
import { attr, tensor, type GraphBuilder } from '../onnx/graph-builder.js';
import type { Block } from './block.js';

/** Median of the non-missing values; 0 when every value is missing (nothing better is known). */
export function fitMedian(values: Float64Array): number {
  const present = new Float64Array(values.length);
  let n = 0;
  for (const v of values) if (!Number.isNaN(v)) present[n++] = v;
  if (n === 0) return 0;
  const a = present.subarray(0, n);
  const mid = n >> 1;
  const upper = selectKth(a, mid);
  if (n % 2 === 1) return upper;
  // After selection every value left of `mid` is ≤ a[mid]: the lower middle is their maximum.
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if ((a[i] as number) > lower) lower = a[i] as number;
  return (lower + upper) / 2;
}

/**
 * The k-th smallest value (0-based) of `a`, by quickselect in place (linear time; sorting a column to
 * take its median was the slowest step of fitting). Leaves a[0..k-1] ≤ a[k] ≤ a[k+1..].
 */
export function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    // Median of three as the pivot keeps sorted or constant columns linear.
    const m = (lo + hi) >> 1;
    const x = a[lo] as number;
    const y = a[m] as number;
    const z = a[hi] as number;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k] as number;
  }
  return a[k] as number;
}

/** Mean of the non-missing values; 0 when every value is missing. */
export function fitMean(values: Float64Array): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? 0 : sum / n;
}

/** Most frequent non-missing number, ties to the smallest; 0 when every value is missing. */
export function fitMostFrequentNumber(values: Float64Array): number {
  const counts = new Map<number, number>();
  for (const v of values) if (!Number.isNaN(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = 0;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

/** Most frequent non-missing category; `null` when every value is missing. */
export function fitMostFrequent(values: readonly (string | null)[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) if (!isMissingCategory(v)) counts.set(v as string, (counts.get(v as string) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== null && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

export type NumericImputeStrategy = 'mean' | 'median' | 'most_frequent' | 'constant';

export interface NumericImputerOptions {
  readonly strategy: NumericImputeStrategy;
  /** The value for strategy "constant" (default 0). */
  readonly fillValue?: number;
  readonly addIndicator?: boolean;
}

export interface SerializedNumericImputer {
  readonly type: 'numeric-imputer';
  readonly strategy: NumericImputeStrategy;
  /** The value each feature's missing entries become. */
  readonly fill: readonly number[];
  /** The features (by position) that get a "was missing" column. */
  readonly indicatorOf: readonly number[];
}

export class NumericImputer {
  private constructor(readonly state: SerializedNumericImputer) {}

  static fit(block: Block, options: NumericImputerOptions): NumericImputer {
    const fill = block.map((values) => {
      switch (options.strategy) {
        case 'mean':
          return fitMean(values);
        case 'median':
          return fitMedian(values);
        case 'most_frequent':
          return fitMostFrequentNumber(values);
        case 'constant':
          return options.fillValue ?? 0;
      }
    });
    const indicatorOf = options.addIndicator ? block.flatMap((values, j) => (values.some(Number.isNaN) ? [j] : [])) : [];
    return new NumericImputer({ type: 'numeric-imputer', strategy: options.strategy, fill, indicatorOf });
  }

  static fromJSON(json: SerializedNumericImputer): NumericImputer {
    return new NumericImputer(json);
  }

  toJSON(): SerializedNumericImputer {
    return this.state;
  }

  /** The imputed block (same width as the input). */
  transform(block: Block): Block {
    return block.map((values, j) => {
      const fill = this.state.fill[j] as number;
      return values.map((v) => (Number.isNaN(v) ? fill : v));
    });
  }

  /** The 0/1 "was missing" columns (possibly none). */
  indicators(block: Block): Block {
    return this.state.indicatorOf.map((j) => (block[j] as Float64Array).map((v) => (Number.isNaN(v) ? 1 : 0)));
  }

  indicatorNames(featureNames: readonly string[]): string[] {
    return this.state.indicatorOf.map((j) => `${featureNames[j] ?? j}_missing`);
  }

  /** `x` is a float [N, width] tensor; returns the imputed tensor of the same shape. */
  toOnnx(g: GraphBuilder, x: string, hint: string): string {
    return g.op(
      'Imputer',
      [x],
      { imputed_value_floats: attr.floats(this.state.fill), replaced_value_float: attr.float(Number.NaN) },
      { domain: 'ai.onnx.ml', name: `${hint}_imputed` },
    );
  }

  /** The "was missing" columns of the float [N, width] tensor `x`, or null when there are none. */
  indicatorsToOnnx(g: GraphBuilder, x: string, hint: string): string | null {
    if (this.state.indicatorOf.length === 0) return null;
    const missing = g.op('Cast', [g.op('IsNaN', [x], {}, { name: `${hint}_isnan` })], { to: attr.int(1 /* FLOAT */) }, { name: `${hint}_missing_all` });
    const which = g.constant(`${hint}_indicator_of`, tensor.int64(this.state.indicatorOf));
    return g.op('Gather', [missing, which], { axis: attr.int(1) }, { name: `${hint}_missing` });
  }
}

export type CategoricalImputeStrategy = 'most_frequent' | 'constant';

export interface SerializedCategoricalImputer {
  readonly type: 'categorical-imputer';
  readonly strategy: CategoricalImputeStrategy;
  /** What a missing category becomes; null when the column was empty in training (left missing). */
  readonly fill: string | null;
}

/**
 * Categorical imputation. Its ONNX form is folded into the encoder that follows (a missing value
 * arrives as "" and the encoder's LabelEncoder maps "" like the fill value), because opset 17 has
 * no string comparison to replace "" on its own.
 */
export class CategoricalImputer {
  private constructor(readonly state: SerializedCategoricalImputer) {}

  static fit(values: readonly (string | null)[], strategy: CategoricalImputeStrategy, fillValue = 'missing'): CategoricalImputer {
    const fill = strategy === 'constant' ? fillValue : fitMostFrequent(values);
    return new CategoricalImputer({ type: 'categorical-imputer', strategy, fill });
  }

  static fromJSON(json: SerializedCategoricalImputer): CategoricalImputer {
    return new CategoricalImputer(json);
  }

  toJSON(): SerializedCategoricalImputer {
    return this.state;
  }

  get fill(): string | null {
    return this.state.fill;
  }

  /** Missing values replaced by the fill (null stays null when there is no fill). */
  transform(values: readonly (string | null)[]): (string | null)[] {
    return values.map((v) => (isMissingCategory(v) ? this.state.fill : (v as string)));
  }
}
