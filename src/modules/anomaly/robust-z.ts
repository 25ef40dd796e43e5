/**
 * The robust z-score: the baseline an anomaly detector must beat, and the reasons a row looks anomalous.
 *
 * Per numeric column, z = (x − median) / (1.4826 · MAD): the median and the median absolute deviation
 * are not dragged by the anomalies themselves the way a mean and a standard deviation are, and 1.4826
 * makes the scale a standard deviation for normal data (Iglewicz & Hoaglin's modified z-score). When
 * more than half the values are equal (MAD = 0), the mean absolute deviation · 1.2533 stands in; a
 * constant column is skipped. A row's baseline score is its largest |z|; a missing value scores 0.
 *
 * Why the reasons come from the robust z and not from the isolation forest's paths: a z is in the
 * column's own units against its usual value ("amount 4,210 against a median of 52"), the same for
 * every row and every run, whereas which features isolate a row varies from tree to tree with the
 * random splits and lives in the one-hot, standardised feature space a person never sees. Categories
 * the training rows rarely or never show are reasons too.
 */
import type { Frame } from '../../core/frame.js';
import { formatNumber } from '../cluster/segment-profiles.js';

/** |z| at or above this is an outlier on its own (Iglewicz & Hoaglin's recommendation). */
export const OUTLIER_Z = 3.5;
/** A category this rare among the training rows (or never seen) is a reason. */
export const RARE_SHARE = 0.01;
/** At most this many reasons per row. */
const MAX_REASONS = 3;

export interface NumericScale {
  readonly column: string;
  readonly median: number;
  /** A robust standard deviation: 1.4826 · MAD (or 1.2533 · mean absolute deviation when MAD is 0). */
  readonly scale: number;
}

export interface CategoryShares {
  readonly column: string;
  /** Each category's share of the non-missing training values. */
  readonly shares: Readonly<Record<string, number>>;
}

export interface RobustZ {
  readonly numeric: readonly NumericScale[];
  readonly categorical: readonly CategoryShares[];
}

export interface AnomalyReason {
  readonly column: string;
  readonly value: number | string;
  /** Numbers: the robust z. */
  readonly z?: number;
  /** Categories: the share of training rows with this value (0 = never seen). */
  readonly share?: number;
  readonly words: string;
}

/** Medians and robust scales of the numeric columns, category shares of the others, from the training rows. */
export function fitRobustZ(frame: Frame): RobustZ {
  const numeric: NumericScale[] = [];
  const categorical: CategoryShares[] = [];
  for (const column of frame.columns) {
    if (column.kind === 'numeric') {
      const values = Float64Array.from(column.values.filter((v) => !Number.isNaN(v))).sort();
      if (values.length === 0) continue;
      const median = medianOfSorted(values);
      const deviations = values.map((v) => Math.abs(v - median)).sort();
      const mad = medianOfSorted(deviations);
      const scale = mad > 0 ? 1.4826 * mad : 1.2533 * (deviations.reduce((a, b) => a + b, 0) / deviations.length);
      if (scale > 0) numeric.push({ column: column.name, median, scale });
    } else {
      const counts: Record<string, number> = {};
      let n = 0;
      for (const v of column.values) {
        if (v === null || v === '') continue;
        counts[v] = (counts[v] ?? 0) + 1;
        n++;
      }
      if (n > 0) categorical.push({ column: column.name, shares: Object.fromEntries(Object.entries(counts).map(([c, m]) => [c, m / n])) });
    }
  }
  return { numeric, categorical };
}

/** The baseline score of every row: its largest |robust z| over the numeric columns. */
export function robustZScores(model: RobustZ, frame: Frame): Float64Array {
  const scores = new Float64Array(frame.nRows);
  for (const s of model.numeric) {
    const column = frame.get(s.column);
    if (column === undefined || column.kind !== 'numeric') continue;
    for (let i = 0; i < frame.nRows; i++) {
      const v = column.values[i] as number;
      if (Number.isNaN(v)) continue;
      const z = Math.abs(v - s.median) / s.scale;
      if (z > (scores[i] as number)) scores[i] = z;
    }
  }
  return scores;
}

/**
 * Why row `i` looks anomalous: its outlying numbers (|z| ≥ 3.5) and rare or unseen categories, the
 * strongest first. When no column is extreme on its own, the most unusual number is given anyway and
 * the row is said to be unusual as a combination.
 */
export function anomalyReasons(model: RobustZ, frame: Frame, i: number): AnomalyReason[] {
  const numbers: AnomalyReason[] = [];
  for (const s of model.numeric) {
    const column = frame.get(s.column);
    const v = column?.kind === 'numeric' ? (column.values[i] as number) : Number.NaN;
    if (Number.isNaN(v)) continue;
    const z = (v - s.median) / s.scale;
    numbers.push({
      column: s.column,
      value: v,
      z,
      words: `${s.column} ${formatNumber(v)} is ${z > 0 ? 'far above' : 'far below'} the usual ${formatNumber(s.median)} (robust z ${z.toFixed(1)})`,
    });
  }
  numbers.sort((a, b) => Math.abs(b.z as number) - Math.abs(a.z as number));
  const categories: AnomalyReason[] = [];
  for (const c of model.categorical) {
    const column = frame.get(c.column);
    const v = column?.kind === 'categorical' ? column.values[i] : undefined;
    if (v === null || v === undefined || v === '') continue;
    const share = c.shares[v] ?? 0;
    if (share >= RARE_SHARE) continue;
    const words = share === 0 ? `${c.column} "${v}" never appears in the training rows` : `${c.column} "${v}" is rare (${(share * 100).toFixed(1)}% of training rows)`;
    categories.push({ column: c.column, value: v, share, words });
  }
  const outlying = numbers.filter((r) => Math.abs(r.z as number) >= OUTLIER_Z);
  const reasons = [...categories, ...outlying].sort((a, b) => strength(b) - strength(a)).slice(0, MAX_REASONS);
  if (reasons.length > 0) return reasons;
  const top = numbers[0];
  return top === undefined ? [] : [{ ...top, words: `no single column is extreme; the most unusual is ${top.words}, so the combination of values is what stands out` }];
}

/** Rare categories rank with a z as unusual as their rarity: never seen counts as extreme. */
function strength(r: AnomalyReason): number {
  if (r.z !== undefined) return Math.abs(r.z);
  return r.share === 0 ? Number.POSITIVE_INFINITY : OUTLIER_Z * (RARE_SHARE / Math.max(r.share ?? RARE_SHARE, 1e-9)) ** 0.5;
}

function medianOfSorted(values: Float64Array): number {
  const n = values.length;
  const mid = n >> 1;
  return n % 2 === 1 ? (values[mid] as number) : ((values[mid - 1] as number) + (values[mid] as number)) / 2;
}

/**
 * Per row, the numeric column with the largest |robust z| (its index in `model.numeric`) and that
 * signed z: what the served graph answers as `reason` and `reason_z`. A row with every number missing
 * gets the first column and z = 0 (as the graph's ArgMax does with all-zero rows).
 */
export function largestZ(model: RobustZ, frame: Frame): { readonly column: Int32Array; readonly z: Float64Array } {
  const column = new Int32Array(frame.nRows);
  const z = new Float64Array(frame.nRows);
  const best = new Float64Array(frame.nRows).fill(-1);
  model.numeric.forEach((s, j) => {
    const values = frame.get(s.column);
    if (values === undefined || values.kind !== 'numeric') return;
    for (let i = 0; i < frame.nRows; i++) {
      const v = values.values[i] as number;
      const zi = Number.isNaN(v) ? 0 : (v - s.median) / s.scale;
      if (Math.abs(zi) > (best[i] as number)) {
        best[i] = Math.abs(zi);
        column[i] = j;
        z[i] = zi;
      }
    }
  });
  return { column, z };
}
