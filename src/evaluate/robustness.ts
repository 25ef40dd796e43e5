/**
 * Robustness check: how the held-out score holds up when the inputs get a little worse than in
 * training — numbers jittered, categories swapped, values gone missing — as they do in production.
 * A model whose score collapses under 10% missing values will disappoint on real traffic.
 */
import { Frame, isMissingCategory, type Column } from '../core/frame.js';
import { Rng } from '../core/rng.js';

export type Perturbation = 'numeric_jitter' | 'swapped_categories' | 'extra_missing';

export interface RobustnessResult {
  readonly perturbation: Perturbation;
  /** What was done, in words. */
  readonly description: string;
  readonly score: number;
  /** Score under the perturbation minus the clean score (negative = worse). */
  readonly change: number;
}

export interface RobustnessOptions {
  /** Jitter as a fraction of each numeric column's standard deviation (default 0.1). */
  readonly jitter?: number;
  /** Share of rows whose category is replaced by another seen value (default 0.1). */
  readonly swapShare?: number;
  /** Share of cells made missing (default 0.1). */
  readonly missingShare?: number;
  readonly seed?: number;
}

export function robustnessCheck(frame: Frame, score: (f: Frame) => number, options: RobustnessOptions = {}): RobustnessResult[] {
  const jitter = options.jitter ?? 0.1;
  const swapShare = options.swapShare ?? 0.1;
  const missingShare = options.missingShare ?? 0.1;
  const clean = score(frame);
  const rng = new Rng(options.seed ?? 0);
  const cases: [Perturbation, string, (c: Column) => Column][] = [
    ['numeric_jitter', `numbers moved by noise of ${jitter} standard deviations`, (c) => (c.kind === 'numeric' ? jitterColumn(c.values, jitter, rng, c.name) : c)],
    ['swapped_categories', `${pct(swapShare)} of categories replaced by another value of the same column`, (c) => (c.kind === 'categorical' ? swapColumn(c.values, swapShare, rng, c.name) : c)],
    ['extra_missing', `${pct(missingShare)} of values made missing`, (c) => blankColumn(c, missingShare, rng)],
  ];
  return cases.map(([perturbation, description, perturb]) => {
    const s = score(new Frame(frame.columns.map(perturb)));
    return { perturbation, description, score: s, change: s - clean };
  });
}

function jitterColumn(values: Float64Array, fraction: number, rng: Rng, name: string): Column {
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
  const sd = n > 1 ? Math.sqrt(m2 / n) : 0;
  return { kind: 'numeric', name, values: values.map((v) => (Number.isNaN(v) ? v : v + fraction * sd * rng.normal())) };
}

function swapColumn(values: readonly (string | null)[], share: number, rng: Rng, name: string): Column {
  const seen = [...new Set(values.filter((v) => !isMissingCategory(v)))] as string[];
  return {
    kind: 'categorical',
    name,
    values: values.map((v) => (seen.length > 1 && !isMissingCategory(v) && rng.next() < share ? (seen.filter((s) => s !== v)[rng.int(seen.length - 1)] as string) : v)),
  };
}

function blankColumn(c: Column, share: number, rng: Rng): Column {
  return c.kind === 'numeric'
    ? { ...c, values: c.values.map((v) => (rng.next() < share ? Number.NaN : v)) }
    : { ...c, values: c.values.map((v) => (rng.next() < share ? null : v)) };
}

const pct = (x: number): string => `${Math.round(100 * x)}%`;
