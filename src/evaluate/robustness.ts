/**
 * Robustness check: how the held-out score holds up when the inputs get a little worse than in
 * training — numbers jittered, categories swapped, values gone missing — as they do in production.
 * A model whose score collapses under 10% missing values will disappoint on real traffic.
 */
import { Frame, type Column } from '../core/frame.js';
import { Rng } from '../core/rng.js';
import type { ColumnKind } from '../features/column-transform.js';
import { blankValues, jitterByKind, percent, swapByKind, TYPICAL_NOISE } from '../features/perturb-columns.js';

/** The table's three cases, and free text's (src/modules/text/text-robustness.ts). */
export type Perturbation = 'numeric_jitter' | 'swapped_categories' | 'extra_missing' | 'typos' | 'dropped_words' | 'missing_texts';

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
  /**
   * What each column IS (the model's planned kinds): noise only on numbers, swaps only among categories
   * and flags, as augmentation perturbs them. Without it, columns are perturbed by how they are stored.
   */
  readonly kinds?: ReadonlyMap<string, ColumnKind>;
}

export function robustnessCheck(frame: Frame, score: (f: Frame) => number, options: RobustnessOptions = {}): RobustnessResult[] {
  const jitter = options.jitter ?? TYPICAL_NOISE.jitter;
  const swapShare = options.swapShare ?? TYPICAL_NOISE.swap;
  const missingShare = options.missingShare ?? TYPICAL_NOISE.missing;
  const clean = score(frame);
  const rng = new Rng(options.seed ?? 0);
  const cases: [Perturbation, string, (c: Column) => Column][] = [
    ['numeric_jitter', `numbers nudged at random by about ${percent(jitter)} of each column's usual spread (standard deviation)`, (c) => jitterByKind(c, options.kinds?.get(c.name), jitter, rng)],
    ['swapped_categories', `${percent(swapShare)} of categories replaced by another value of the same column`, (c) => swapByKind(c, options.kinds?.get(c.name), swapShare, rng)],
    ['extra_missing', `${percent(missingShare)} of values made missing`, (c) => blankValues(c, missingShare, rng)],
  ];
  return cases.map(([perturbation, description, perturb]) => {
    const s = score(new Frame(frame.columns.map(perturb)));
    return { perturbation, description, score: s, change: s - clean };
  });
}
