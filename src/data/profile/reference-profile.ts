/**
 * The reference profile: what a model version remembers of its training data so that drift can be
 * checked later without the raw rows. Built once at training time and stored with the version as the
 * `reference.json` artifact.
 *
 * Per numeric column: count, missing, mean and standard deviation, min and max, a uniform sample of up
 * to 1,000 values (the small-sample tests such as Kolmogorov–Smirnov use it; below 1,000 rows it is every
 * value, so those tests are exact), fixed quantile bin edges with the count of reference values per bin
 * (Wasserstein, PSI, Jensen–Shannon and the report's histograms on large samples), and the value counts
 * when the column has at most a handful of distinct values (such columns are tested as categories).
 * Per categorical column: the category counts. The parts are mergeable summaries (counts and bucket sums
 * add, moments combine, samples subsample); merging two profiles needs shared bin edges, which this first
 * version does not yet build (see the monitoring notes in the report of issue 8).
 */
import { KilnError } from '../../core/errors.js';
import type { Column, Frame } from '../../core/frame.js';
import { Rng } from '../../core/rng.js';
import { countIntoBins } from './count-into-bins.js';

export const REFERENCE_FORMAT = 'kiln.reference/1';

/** Numeric columns with at most this many distinct values are tested as categories (Evidently's rule). */
export const MAX_DISTINCT_FOR_CATEGORIES = 5;

export interface NumericProfile {
  readonly kind: 'numeric';
  readonly name: string;
  /** Non-missing values. */
  readonly count: number;
  readonly missing: number;
  readonly mean: number;
  /** Population standard deviation (divides by count, as numpy's default). */
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** A uniform sample of up to `sampleSize` values; all of them when the column has that few. */
  readonly sample: readonly number[];
  /** Quantile edges e_0 = min < … ≤ e_B = max of B bins. */
  readonly edges: readonly number[];
  /**
   * Reference counts per bucket: bucket 0 holds values ≤ e_0, bucket k holds (e_{k−1}, e_k], the last
   * bucket values > e_B (empty for the reference itself; used by current data).
   */
  readonly binCounts: readonly number[];
  /** Sum of the reference values in each bucket (makes the Wasserstein integral exact per bucket). */
  readonly binSums: readonly number[];
  /** Counts by value (as text) when the column has at most 5 distinct values, else null. */
  readonly valueCounts: Readonly<Record<string, number>> | null;
  /**
   * Set when the profile describes a number measured on the column rather than the column itself:
   * `words` — the word count of free text (every review is new, so the texts themselves always
   * "drift"; how long they are is what can be compared). `unseen` — of an id (a recommender's user
   * or item): 1 when the model never saw the id in training, else 0 (ids are names, not a distribution
   * to compare: any few requests name other users than training did; what matters is how many of them
   * the model knows nothing about). Current values are measured the same way.
   */
  readonly measure?: ColumnMeasure;
  /** For `measure: 'unseen'`: the ids the model was trained on, sorted (what "seen" means). */
  readonly known?: readonly string[];
}

/** What a profile may measure on a column instead of profiling its values. */
export type ColumnMeasure = 'words' | 'unseen';

/**
 * The measure of each value (NaN for a missing one). `known` is the set of training ids, needed by
 * `unseen` (a profile's `known`); an `unseen` measure without it is a programming error.
 */
export function measureValues(measure: ColumnMeasure, values: ArrayLike<string | number | null>, known?: ReadonlySet<string>): Float64Array {
  if (measure === 'unseen' && known === undefined) throw new KilnError('INTERNAL', { reason: 'measuring unseen ids needs the set of known ids' });
  return Float64Array.from({ length: values.length }, (_, i) => {
    const v = values[i];
    if (v === null || v === undefined || v === '') return Number.NaN;
    if (measure === 'words') return (String(v).match(WORD) ?? []).length;
    return known?.has(String(v)) === true ? 0 : 1;
  });
}

/** Measures live values the way `profile` measured the reference (its `measure`, with its known ids). */
export function measureLikeProfile(profile: NumericProfile & { readonly measure: ColumnMeasure }, values: ArrayLike<string | number | null>): Float64Array {
  return measureValues(profile.measure, values, profile.known === undefined ? undefined : new Set(profile.known));
}

const WORD = /[\p{L}\p{N}']+/gu;

export interface CategoricalProfile {
  readonly kind: 'categorical';
  readonly name: string;
  readonly count: number;
  readonly missing: number;
  readonly counts: Readonly<Record<string, number>>;
}

export type ColumnProfile = NumericProfile | CategoricalProfile;

export interface ReferenceProfile {
  readonly format: typeof REFERENCE_FORMAT;
  readonly rows: number;
  readonly columns: readonly ColumnProfile[];
  /**
   * The model's outputs (see `outputsFrame`), for prediction drift: on held-out rows, which live traffic
   * resembles (profiles before this were of the training rows' outputs, more confident than any new row's).
   */
  readonly predictions: readonly ColumnProfile[];
}

export interface ReferenceProfileOptions {
  /**
   * The model's outputs, e.g. `outputsFrame(...)`: a `label` and one column per class probability. Pass
   * its outputs on held-out rows (any number), not on the rows it was fitted on.
   */
  readonly predictions?: Frame;
  /** Size of the stored value sample per numeric column (default 1,000, Evidently's small-sample bound). */
  readonly sampleSize?: number;
  /** Quantile bins per numeric column (default 100; PSI groups them into deciles). */
  readonly bins?: number;
  /** Seed of the value sample (default 0): the same data give the same profile. */
  readonly seed?: number;
  /** Columns profiled by a measure of their values (e.g. free text by its word count). */
  readonly measures?: Readonly<Record<string, ColumnMeasure>>;
  /**
   * Id columns, each with the ids the model was trained on: profiled by `measure: 'unseen'` (the share
   * of the frame's ids the model never saw). Pass held-out rows as the frame, so the profile holds the
   * share of unseen ids to expect in use (a recommender's per-user holdout: none).
   */
  readonly ids?: Readonly<Record<string, readonly string[]>>;
}

/** Quantile edges are taken from a sample this large (their counts are always exact). */
const EDGE_SAMPLE = 100_000;

export function buildReferenceProfile(frame: Frame, options: ReferenceProfileOptions = {}): ReferenceProfile {
  const sampleSize = options.sampleSize ?? 1000;
  const bins = options.bins ?? 100;
  if (!Number.isInteger(sampleSize) || sampleSize < 1 || !Number.isInteger(bins) || bins < 10 || bins % 10 !== 0) {
    throw new KilnError('INVALID_PARAMS', { what: 'reference profile options', summary: `sampleSize must be a positive integer and bins a multiple of 10 (got ${sampleSize}, ${bins})` });
  }
  if (frame.nRows === 0) throw new KilnError('DATA_EMPTY', { path: 'the reference (training) rows' });
  const rng = new Rng(options.seed ?? 0);
  const profileOf = (c: Column): ColumnProfile => {
    const known = options.ids?.[c.name];
    if (known !== undefined) {
      const ids = [...new Set(known)].sort();
      const values = c.kind === 'numeric' ? Array.from(c.values, (v) => (Number.isNaN(v) ? null : String(v))) : c.values;
      return { ...numericProfile(c.name, measureValues('unseen', values, new Set(ids)), sampleSize, bins, rng), measure: 'unseen', known: ids };
    }
    const measure = options.measures?.[c.name];
    if (measure !== undefined) return { ...numericProfile(c.name, measureValues(measure, c.values), sampleSize, bins, rng), measure };
    return c.kind === 'numeric' ? numericProfile(c.name, c.values, sampleSize, bins, rng) : categoricalProfile(c.name, c.values);
  };
  const predictions = options.predictions;
  if (predictions !== undefined && predictions.nRows === 0) throw new KilnError('DATA_EMPTY', { path: 'the reference predictions (held-out rows)' });
  return {
    format: REFERENCE_FORMAT,
    rows: frame.nRows,
    columns: frame.columns.map(profileOf),
    predictions: predictions === undefined ? [] : predictions.columns.map(profileOf),
  };
}

/**
 * An id column profiled as categories (how recommend modules stored it before ids were measured as
 * `unseen`) read as an `unseen` profile: its categories are the ids seen in training, and none of the
 * profiled ids was unseen. Lets monitoring check versions trained before without retraining them.
 */
export function unseenIdsFromCategories(profile: CategoricalProfile): NumericProfile & { readonly measure: 'unseen' } {
  const n = profile.count;
  return {
    kind: 'numeric',
    name: profile.name,
    count: n,
    missing: profile.missing,
    mean: 0,
    std: 0,
    min: 0,
    max: 0,
    sample: [],
    edges: [],
    binCounts: [],
    binSums: [],
    valueCounts: { '0': n },
    measure: 'unseen',
    known: Object.keys(profile.counts).sort(),
  };
}

export function categoricalProfile(name: string, values: readonly (string | null)[]): CategoricalProfile {
  const counts: Record<string, number> = {};
  let missing = 0;
  for (const v of values) {
    if (v === null || v === '') missing++;
    else counts[v] = (counts[v] ?? 0) + 1;
  }
  return { kind: 'categorical', name, count: values.length - missing, missing, counts };
}

export function numericProfile(name: string, values: Float64Array, sampleSize: number, bins: number, rng: Rng): NumericProfile {
  // One pass: moments (Welford), min/max, distinct values up to the threshold, and the present values.
  const present = new Float64Array(values.length);
  let n = 0;
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  let distinct: Map<number, number> | null = new Map();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    present[n++] = v;
    const delta = v - mean;
    mean += delta / n;
    m2 += delta * (v - mean);
    if (v < min) min = v;
    if (v > max) max = v;
    if (distinct !== null) {
      distinct.set(v, (distinct.get(v) ?? 0) + 1);
      if (distinct.size > MAX_DISTINCT_FOR_CATEGORIES) distinct = null;
    }
  }
  const missing = values.length - n;
  if (n === 0) {
    return { kind: 'numeric', name, count: 0, missing, mean: NaN, std: NaN, min: NaN, max: NaN, sample: [], edges: [], binCounts: [], binSums: [], valueCounts: null };
  }
  const all = present.subarray(0, n);
  const sample = n <= sampleSize ? Array.from(all) : Array.from(sampleWithoutReplacement(all, sampleSize, rng));
  const forEdges = n <= EDGE_SAMPLE ? Float64Array.from(all) : sampleWithoutReplacement(all, EDGE_SAMPLE, rng);
  forEdges.sort();
  const edges = [min];
  for (let k = 1; k < bins; k++) edges.push(quantileOfSorted(forEdges, k / bins));
  edges.push(max);
  const edgeArray = Float64Array.from(edges);
  const counts = new Float64Array(bins + 2);
  const sums = new Float64Array(bins + 2);
  countIntoBins(all, edgeArray, counts, sums);
  return {
    kind: 'numeric',
    name,
    count: n,
    missing,
    mean,
    std: Math.sqrt(m2 / n),
    min,
    max,
    sample,
    edges,
    binCounts: Array.from(counts),
    binSums: Array.from(sums),
    valueCounts: distinct === null ? null : Object.fromEntries([...distinct].sort((a, b) => a[0] - b[0]).map(([v, c]) => [String(v), c])),
  };
}

/** Linear-interpolation quantile of sorted values (numpy's default). */
export function quantileOfSorted(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + (pos - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** `k` values drawn uniformly without replacement (partial Fisher–Yates on a copy). */
function sampleWithoutReplacement(values: Float64Array, k: number, rng: Rng): Float64Array {
  const copy = Float64Array.from(values);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(copy.length - i);
    const t = copy[i] as number;
    copy[i] = copy[j] as number;
    copy[j] = t;
  }
  return copy.slice(0, k);
}

/**
 * Reads a stored `reference.json` (already parsed), checking its shape so that a damaged or foreign
 * artifact gives a clear error rather than NaNs further down.
 */
export function parseReferenceProfile(raw: unknown, where: string): ReferenceProfile {
  const r = raw as Partial<ReferenceProfile> | null;
  if (r === null || typeof r !== 'object' || r.format !== REFERENCE_FORMAT || !Array.isArray(r.columns) || typeof r.rows !== 'number') {
    throw new KilnError('REFERENCE_INVALID', { where, reason: `expected a JSON object with format "${REFERENCE_FORMAT}", rows and columns` });
  }
  for (const c of [...r.columns, ...(r.predictions ?? [])]) {
    if (c === null || typeof c !== 'object' || typeof c.name !== 'string' || (c.kind !== 'numeric' && c.kind !== 'categorical')) {
      throw new KilnError('REFERENCE_INVALID', { where, reason: 'every column needs a name and a kind (numeric or categorical)' });
    }
    if (c.kind === 'numeric' && c.measure === 'unseen' && !(Array.isArray(c.known) && (c.known as unknown[]).every((id) => typeof id === 'string'))) {
      throw new KilnError('REFERENCE_INVALID', { where, reason: `column "${c.name}" measures unseen ids but lists no known ids` });
    }
  }
  return { format: REFERENCE_FORMAT, rows: r.rows, columns: r.columns, predictions: r.predictions ?? [] };
}
