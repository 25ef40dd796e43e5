/**
 * Augmentation: the training rows plus perturbed copies of them (perturb-columns.ts), each copy
 * keeping its row's target. A model fitted on them has seen inputs a little worse than the clean table,
 * as production sends them, and leans less on any one column that may arrive noisy or empty.
 *
 * How a column is perturbed follows what it IS (its planned kind), not how it is stored:
 *   numeric      noise of `jitter` standard deviations, then blanks;
 *   categorical  swapped for another seen value (also codes stored as numbers, such as a class 1/2/3),
 *   boolean      then blanks;
 *   datetime     blanks only (noise on a date moves it into another season or weekday);
 *   text         blanks only (another row's text would carry another row's answer).
 *
 * Only rows a model is FITTED on are augmented: the final fit's training part and each cross-validation
 * fold's training part. Validation and test rows stay as they are, and augmenting inside each fold (not
 * before cutting the folds) keeps a row's copy from being scored against its own original.
 */
import { Frame, concatRows, type Column } from '../core/frame.js';
import { Rng } from '../core/rng.js';
import { blankValues, jitterByKind, percent, swapByKind } from './perturb-columns.js';
import type { ColumnKind } from './column-transform.js';

export interface AugmentOptions {
  /** Perturbed copies added per training row (1 doubles the rows). */
  readonly copies: number;
  /** Noise added to numbers, as a fraction of each column's standard deviation. */
  readonly jitter: number;
  /** Share of categories replaced by another value of the same column. */
  readonly swap: number;
  /** Share of cells made missing. */
  readonly missing: number;
}

export interface AugmentedRows {
  /** The original rows first, then `copies` perturbed copies of them, in the same order. */
  readonly frame: Frame;
  /** For each row of `frame`, the position of the row it came from (to take its target). */
  readonly source: Int32Array;
}

/** `plan` gives each column's kind (ColumnPlan); a column not in it is perturbed by how it is stored. */
export function augmentRows(frame: Frame, plan: readonly { name: string; kind: ColumnKind }[], options: AugmentOptions, seed: number): AugmentedRows {
  const kinds = new Map(plan.map((p) => [p.name, p.kind]));
  const rng = new Rng(seed);
  const n = frame.nRows;
  let out = frame;
  for (let copy = 0; copy < options.copies; copy++) {
    out = concatRows(out, new Frame(frame.columns.map((c) => perturbed(c, kinds.get(c.name), options, rng))));
  }
  return { frame: out, source: Int32Array.from({ length: n * (options.copies + 1) }, (_, i) => i % n) };
}

function perturbed(c: Column, kind: ColumnKind | undefined, options: AugmentOptions, rng: Rng): Column {
  // a column is either jittered or swapped (or neither), then blanked
  return blankValues(swapByKind(jitterByKind(c, kind, options.jitter, rng), kind, options.swap, rng), options.missing, rng);
}

/** In words, for progress lines: "1 perturbed copy of every training row (numbers ± 0.1 sd, 10% …)". */
export function describeAugmentation(options: AugmentOptions): string {
  return `${options.copies} perturbed ${options.copies === 1 ? 'copy' : 'copies'} of every training row (numbers ± ${options.jitter} sd, ${percent(options.swap)} of categories swapped, ${percent(options.missing)} of cells blank)`;
}
