/**
 * Permutation importance, for any model: how much the held-out score drops when one input column is
 * shuffled (breaking its link with the target while keeping its distribution). Works on the original
 * columns, so a one-hot encoded category counts as one column, as a person thinks of it.
 */
import { Frame, takeColumn } from '../../core/frame.js';
import { Rng } from '../../core/rng.js';

export interface ColumnImportance {
  readonly column: string;
  /** Mean drop of the score (higher = more important; ≈ 0 = unused). */
  readonly importance: number;
  readonly std: number;
}

export interface PermutationOptions {
  readonly repeats?: number;
  readonly seed?: number;
}

/** `score(frame)` must return a higher-is-better number (e.g. accuracy, ROC AUC, R², −RMSE). */
export function permutationImportance(
  frame: Frame,
  columns: readonly string[],
  score: (frame: Frame) => number,
  options: PermutationOptions = {},
): ColumnImportance[] {
  const repeats = options.repeats ?? 5;
  const rng = new Rng(options.seed ?? 0);
  const reference = score(frame);
  const result = columns.map((column) => {
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const order = rng.shuffle(Int32Array.from({ length: frame.nRows }, (_, i) => i));
      const shuffled = new Frame(frame.columns.map((c) => (c.name === column ? takeColumn(c, order) : c)));
      drops.push(reference - score(shuffled));
    }
    const mean = drops.reduce((a, b) => a + b, 0) / repeats;
    const std = Math.sqrt(drops.reduce((a, d) => a + (d - mean) ** 2, 0) / repeats);
    return { column, importance: mean, std };
  });
  return result.sort((a, b) => b.importance - a.importance);
}
