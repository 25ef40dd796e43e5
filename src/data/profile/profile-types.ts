/** What `kiln inspect` reports about a table: per-column statistics and the target, as plain data. */
import type { SemanticType } from '../infer-schema.js';

export interface ValueCount {
  readonly value: string;
  readonly count: number;
}

/** Equal-width bins: `counts[k]` values fell in `[edges[k], edges[k+1])` (the last bin is closed). */
export interface Histogram {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

export interface NumericSummary {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1), like pandas' describe; null with one value. */
  readonly std: number | null;
  /** Quantiles of a uniform sample of about 8,192 values (quantile-sample.ts); exact below that many rows. */
  readonly quantiles: { readonly p01: number; readonly p05: number; readonly p25: number; readonly p50: number; readonly p75: number; readonly p95: number; readonly p99: number };
  /** Values beyond 3 interquartile ranges from the quartiles. */
  readonly outliers: number;
  readonly outlierFences: { readonly low: number; readonly high: number } | null;
}

export interface TextSummary {
  readonly minLength: number;
  readonly maxLength: number;
  readonly meanWords: number;
  /** Present values that read as plain numbers (`12`, `-3.5`). */
  readonly numberLike: number;
  /** Present values that read as numbers once `$ € £ %`, spaces and thousands commas are removed. */
  readonly formattedNumberLike: number;
  /** A few present values that are not numbers (shown in findings about mixed columns). */
  readonly nonNumberExamples: readonly string[];
}

/** How well this one column alone predicts the target. */
export interface TargetAssociation {
  /** `accuracy`: of predicting the most frequent class per value (or bin); `correlation`: Pearson's r. */
  readonly measure: 'accuracy' | 'correlation';
  readonly value: number;
  /** `accuracy` only: the accuracy of always predicting the most frequent class. */
  readonly baseline?: number;
}

export interface ColumnProfile {
  readonly name: string;
  readonly sourceType: string;
  readonly type: SemanticType;
  readonly typeReason: string;
  /** Present (non-missing) values. */
  readonly count: number;
  readonly missing: number;
  readonly missingShare: number;
  readonly distinct: number;
  /** False when `distinct` is a HyperLogLog estimate (many distinct numbers: ±2 %). */
  readonly distinctExact: boolean;
  /** The most frequent values; empty for numbers with many distinct values (see the histogram). */
  readonly topValues: readonly ValueCount[];
  readonly numeric?: NumericSummary;
  readonly histogram?: Histogram;
  readonly text?: TextSummary;
  readonly datetime?: { readonly min: string; readonly max: string };
  readonly targetAssociation?: TargetAssociation;
}

export interface TargetProfile {
  readonly name: string;
  readonly task: 'classification' | 'regression';
  /** Classification: rows per class, most frequent first. */
  readonly classes: readonly ValueCount[];
  readonly missing: number;
}

export interface TableProfile {
  readonly rows: number;
  readonly columns: readonly ColumnProfile[];
  /** Rows that repeat an earlier row exactly. */
  readonly duplicateRows: number;
  readonly target?: TargetProfile;
}
