/**
 * The ways a table's values get a little worse between training and production, one column at a time:
 * numbers measured with noise, categories recorded as another value, cells left empty. The robustness
 * check applies them to the held-out rows to see what the score does (evaluate/robustness.ts);
 * augmentation applies them to copies of the training rows so the model learns to expect them
 * (augment-rows.ts). Every draw comes from the caller's seeded generator.
 */
import { isMissingCategory, type Column } from '../core/frame.js';
import type { Rng } from '../core/rng.js';
import type { ColumnKind } from './column-transform.js';

/**
 * How much worse, by default: noise of a tenth of a standard deviation, one category in ten swapped,
 * one cell in ten missing — what the robustness check measures, and what augmentation trains against.
 */
export const TYPICAL_NOISE = { jitter: 0.1, swap: 0.1, missing: 0.1 } as const;

/** A share in words, as the perturbations are described: 0.1 → "10%". */
export const percent = (share: number): string => `${Math.round(100 * share)}%`;

/**
 * The column's numbers plus Gaussian noise of `fraction` × the column's standard deviation (computed on
 * these values; missing values stay missing). A column of whole numbers (a count, a code) gets its noise
 * rounded to whole units: a count is miscounted by one, never by 0.07 — and trees fitted on such
 * fractions put their cuts beside the whole values, where the slightest noise crosses them (measured:
 * bench/augment, Titanic's augmented boosting lost 0.037 AUC under jitter instead of 0.026).
 */
export function jitterNumbers(values: Float64Array, fraction: number, rng: Rng, name: string): Column {
  const sd = standardDeviation(values);
  const whole = values.every((v) => Number.isNaN(v) || Number.isInteger(v));
  return { kind: 'numeric', name, values: values.map((v) => (Number.isNaN(v) ? v : whole ? v + Math.round(fraction * sd * rng.normal()) : v + fraction * sd * rng.normal())) };
}

/**
 * Each present category replaced, with probability `share`, by another value seen in the same column
 * (never a new one: the model's encoders know every value it can become).
 */
export function swapCategories(values: readonly (string | null)[], share: number, rng: Rng, name: string): Column {
  const seen = [...new Set(values.filter((v) => !isMissingCategory(v)))] as string[];
  const other = otherValue(seen, rng);
  return { kind: 'categorical', name, values: values.map((v) => (seen.length > 1 && !isMissingCategory(v) && rng.next() < share ? other(v as string) : v)) };
}

/**
 * Each present number replaced, with probability `share`, by another value seen in the same column: for
 * codes stored as numbers (a class 1/2/3, a 0/1 flag), where noise would make values that do not exist.
 */
export function swapNumbers(values: Float64Array, share: number, rng: Rng, name: string): Column {
  const seen = [...new Set(values.filter((v) => !Number.isNaN(v)))];
  const other = otherValue(seen, rng);
  return { kind: 'numeric', name, values: values.map((v) => (seen.length > 1 && !Number.isNaN(v) && rng.next() < share ? other(v) : v)) };
}

/**
 * A uniformly drawn value of `seen` (at least two) other than the one given: the draw indexes the values
 * with the given one left out — the same draw and value as filtering it out first, in O(1) per swap.
 */
function otherValue<T>(seen: readonly T[], rng: Rng): (v: T) => T {
  const position = new Map(seen.map((s, k) => [s, k]));
  return (v) => {
    const j = rng.int(seen.length - 1);
    return seen[j >= (position.get(v) as number) ? j + 1 : j] as T;
  };
}

/** Each cell made missing with probability `share` (NaN for numbers, null for categories). */
export function blankValues(c: Column, share: number, rng: Rng): Column {
  return c.kind === 'numeric'
    ? { ...c, values: c.values.map((v) => (rng.next() < share ? Number.NaN : v)) }
    : { ...c, values: c.values.map((v) => (rng.next() < share ? null : v)) };
}

/** Population standard deviation of the present values (Welford); 0 for fewer than two. */
function standardDeviation(values: Float64Array): number {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    n++;
    const d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }
  return n > 1 ? Math.sqrt(m2 / n) : 0;
}

/**
 * Noise on a column that IS a number (its planned kind; by how it is stored when no plan is given): a
 * class stored as 1/2/3, a flag, a date is left as it is — noise would make values that cannot occur.
 */
export function jitterByKind(c: Column, kind: ColumnKind | undefined, fraction: number, rng: Rng): Column {
  return c.kind === 'numeric' && (kind ?? 'numeric') === 'numeric' ? jitterNumbers(c.values, fraction, rng, c.name) : c;
}

/**
 * Another seen value in a column that IS a category or a flag (its planned kind; by how it is stored
 * when no plan is given), numbers included; free text and dates are left as they are (another row's
 * text would carry another row's answer).
 */
export function swapByKind(c: Column, kind: ColumnKind | undefined, share: number, rng: Rng): Column {
  const planned = kind ?? c.kind;
  if (planned !== 'categorical' && planned !== 'boolean') return c;
  return c.kind === 'numeric' ? swapNumbers(c.values, share, rng, c.name) : swapCategories(c.values, share, rng, c.name);
}
