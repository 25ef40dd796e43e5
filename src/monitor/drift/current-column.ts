/**
 * The current (live) values of one column, summarised once so that every test can use them: the sorted
 * values for KS, the counts and sums in the reference's buckets for Wasserstein and PSI, and
 * category counts for columns tested as categories.
 */
import type { ColumnProfile } from '../../data/profile/reference-profile.js';
import { countIntoBins } from '../../data/profile/count-into-bins.js';

export interface CurrentColumn {
  readonly name: string;
  /** Non-missing values; for categorical columns the empty array. */
  readonly numbers: Float64Array;
  /** Counts by category (numeric values as text when the reference treats the column as categories). */
  readonly categories: ReadonlyMap<string, number>;
  /** Counts in the reference's B + 2 buckets (numeric reference only). */
  readonly binCounts: Float64Array;
  /** Sums of the values in each bucket. */
  readonly binSums: Float64Array;
  readonly count: number;
  readonly missing: number;
}

/** Summarises `values` (numbers or texts; null/NaN/'' are missing) against the column's reference profile. */
export function currentColumn(reference: ColumnProfile, values: Float64Array | readonly (string | number | null)[]): CurrentColumn {
  if (reference.kind === 'categorical') {
    const categories = new Map<string, number>();
    let missing = 0;
    for (const v of values) {
      if (v === null || v === '' || (typeof v === 'number' && Number.isNaN(v))) missing++;
      else {
        const key = String(v);
        categories.set(key, (categories.get(key) ?? 0) + 1);
      }
    }
    return { name: reference.name, numbers: new Float64Array(0), categories, binCounts: new Float64Array(0), binSums: new Float64Array(0), count: values.length - missing, missing };
  }
  let numbers: Float64Array;
  if (values instanceof Float64Array) {
    numbers = values;
  } else {
    numbers = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      numbers[i] = v === null || v === '' || v === undefined ? NaN : Number(v);
    }
  }
  let n = 0;
  for (let i = 0; i < numbers.length; i++) if (!Number.isNaN(numbers[i] as number)) n++;
  const present = n === numbers.length ? numbers : numbers.filter((v) => !Number.isNaN(v));
  const binCounts = new Float64Array(reference.edges.length + 1);
  const binSums = new Float64Array(reference.edges.length + 1);
  if (reference.edges.length > 0) countIntoBins(present, Float64Array.from(reference.edges), binCounts, binSums);
  const categories = new Map<string, number>();
  if (reference.valueCounts !== null) {
    for (const v of present) categories.set(String(v), (categories.get(String(v)) ?? 0) + 1);
  }
  return {
    name: reference.name,
    numbers: present,
    categories,
    binCounts,
    binSums,
    count: n,
    missing: numbers.length - n,
  };
}
