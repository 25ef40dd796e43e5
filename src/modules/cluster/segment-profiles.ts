/**
 * What each segment is, in plain words, from the original columns (not the standardised features):
 *
 *   Segment 2 (18%): lower age (27 vs 45 overall), much higher spend (820 vs 400 overall), mostly mobile (channel: 92% vs 40% overall)
 *
 * A trait is a column on which the segment stands apart, measured in one unit for every kind of column:
 * the standardised difference of the segment's mean from the overall mean, z = (mean_segment − mean) / sd.
 * For a number that is its own mean and standard deviation; for a category it is the category's share
 * (the mean of a 0/1 indicator, whose standard deviation is √(p(1 − p))), so "mostly mobile" and "high
 * spend" compete on the same scale. The strongest few traits with |z| ≥ 0.5 (a "medium" effect in
 * Cohen's terms) describe the segment.
 */
import type { Column, Frame } from '../../core/frame.js';

/** Traits weaker than this are not worth a word. */
export const MIN_TRAIT_Z = 0.5;
/** At most this many traits per segment: a description, not a table. */
export const MAX_TRAITS = 4;

export interface SegmentTrait {
  readonly column: string;
  /** The category that is over-represented (categorical columns). */
  readonly category?: string;
  /** Standardised difference from the overall mean (see above); its sign says higher or lower. */
  readonly z: number;
  /** The segment's mean, or the category's share in it. */
  readonly segmentValue: number;
  /** The overall mean, or the category's overall share. */
  readonly overallValue: number;
  readonly words: string;
}

export interface SegmentProfile {
  readonly segment: number;
  readonly rows: number;
  readonly share: number;
  readonly traits: readonly SegmentTrait[];
  readonly sentence: string;
}

/** Profiles of segments 0..k−1 of the rows of `frame` (labels[i] is row i's segment). */
export function profileSegments(frame: Frame, labels: Int32Array, k: number): SegmentProfile[] {
  const members: number[][] = Array.from({ length: k }, () => []);
  labels.forEach((l, i) => members[l]?.push(i));
  const candidates: SegmentTrait[][] = Array.from({ length: k }, () => []);
  for (const column of frame.columns) {
    const traits = column.kind === 'numeric' ? numericTraits(column, members) : categoricalTraits(column, members);
    traits.forEach((t, s) => candidates[s]?.push(...t));
  }
  return members.map((rows, segment) => {
    const traits = (candidates[segment] as SegmentTrait[])
      .filter((t) => Math.abs(t.z) >= MIN_TRAIT_Z)
      .sort((a, b) => Math.abs(b.z) - Math.abs(a.z))
      .slice(0, MAX_TRAITS);
    const share = labels.length === 0 ? 0 : rows.length / labels.length;
    const described = traits.length === 0 ? 'close to the overall averages on every column' : traits.map((t) => t.words).join(', ');
    return { segment, rows: rows.length, share, traits, sentence: `Segment ${segment} (${percent(share)}): ${described}` };
  });
}

function numericTraits(column: Extract<Column, { kind: 'numeric' }>, members: readonly number[][]): SegmentTrait[][] {
  const { mean, sd } = moments(column.values, null);
  if (!(sd > 0)) return members.map(() => []);
  return members.map((rows) => {
    const segmentMean = moments(column.values, rows).mean;
    if (Number.isNaN(segmentMean)) return [];
    const z = (segmentMean - mean) / sd;
    const level = Math.abs(z) >= 1.5 ? 'much ' : Math.abs(z) >= 0.8 ? '' : 'slightly ';
    const words = `${level}${z > 0 ? 'higher' : 'lower'} ${column.name} (${formatNumber(segmentMean)} vs ${formatNumber(mean)} overall)`;
    return [{ column: column.name, z, segmentValue: segmentMean, overallValue: mean, words }];
  });
}

/** Over-represented categories: a positive z of the category's share (under-representation is implied by the others). */
function categoricalTraits(column: Extract<Column, { kind: 'categorical' }>, members: readonly number[][]): SegmentTrait[][] {
  const overall = shares(column.values, null);
  return members.map((rows) => {
    const inSegment = shares(column.values, rows);
    const traits: SegmentTrait[] = [];
    for (const [category, p] of overall.shares) {
      const s = inSegment.shares.get(category) ?? 0;
      const sd = Math.sqrt(p * (1 - p));
      if (!(sd > 0) || s <= p) continue;
      const z = (s - p) / sd;
      const level = s >= 0.75 ? 'mostly' : s >= 0.4 ? 'often' : 'more often';
      traits.push({ column: column.name, category, z, segmentValue: s, overallValue: p, words: `${level} ${category} (${column.name}: ${percent(s)} vs ${percent(p)} overall)` });
    }
    return traits;
  });
}

/** Mean and population standard deviation of the non-missing values (of `rows` only, when given). */
function moments(values: Float64Array, rows: readonly number[] | null): { mean: number; sd: number } {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  const visit = (v: number): void => {
    if (Number.isNaN(v)) return;
    n++;
    sum += v;
    sumSq += v * v;
  };
  if (rows === null) for (const v of values) visit(v);
  else for (const i of rows) visit(values[i] as number);
  if (n === 0) return { mean: Number.NaN, sd: Number.NaN };
  const mean = sum / n;
  return { mean, sd: Math.sqrt(Math.max(0, sumSq / n - mean * mean)) };
}

/** Each category's share of the non-missing values (of `rows` only, when given). */
function shares(values: readonly (string | null)[], rows: readonly number[] | null): { shares: Map<string, number> } {
  const counts = new Map<string, number>();
  let n = 0;
  const visit = (v: string | null | undefined): void => {
    if (v === null || v === undefined || v === '') return;
    n++;
    counts.set(v, (counts.get(v) ?? 0) + 1);
  };
  if (rows === null) for (const v of values) visit(v);
  else for (const i of rows) visit(values[i]);
  return { shares: new Map([...counts].map(([c, m]) => [c, m / Math.max(1, n)])) };
}

const percent = (share: number): string => `${Math.round(share * 100)}%`;

/** Three significant digits, without exponent notation for everyday magnitudes. */
export function formatNumber(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const magnitude = Math.abs(v);
  if (magnitude >= 1000) return Math.round(v).toLocaleString('en-US');
  return String(Number(v.toPrecision(3)));
}
