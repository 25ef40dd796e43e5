/**
 * The cross-validation folds of a search, prepared once: for each fold the preprocessing is fitted on
 * that fold's training rows only (so no statistic of a validation row leaks into its own scoring),
 * and the resulting matrices are reused by every trial.
 */
import { KilnError } from '../../core/errors.js';
import type { Frame } from '../../core/frame.js';
import { takeRows, takeValues, type Matrix } from '../../core/matrix.js';
import { Rng } from '../../core/rng.js';
import type { Split } from '../../data/split.js';
import { augmentRows, type AugmentOptions } from '../../features/augment-rows.js';
import { TabularPreprocessor, type ColumnPlan } from '../../features/tabular-preprocessor.js';
import type { EncodingTarget } from '../../features/target-encode.js';

export interface Fold {
  readonly X: Matrix;
  readonly y: Int32Array | Float64Array;
  readonly Xval: Matrix;
  readonly yval: Int32Array | Float64Array;
  /** Row positions (into the searched rows) of the validation part. */
  readonly valRows: Int32Array;
  /**
   * Distinct training rows: `X.rows`, or fewer when X also holds perturbed copies of them
   * (augmentation). Sizes — a rung's rows, a learning curve's x — count these.
   */
  readonly sourceRows: number;
  /**
   * A fixed, seeded order of the training rows: rung subsamples are its prefixes, so they nest. With
   * copies, each row comes with its copies, so that a prefix holds whole rows and nothing of the rest.
   */
  readonly order: Int32Array;
}

export interface FoldOptions {
  /** Sees the first fold before the others are made (the search measures its memory there, checkFoldsFit). */
  readonly afterFirst?: (fold: Fold) => void;
  /** Perturbed copies of each fold's training rows, as the final fit gets them (augment-rows.ts). */
  readonly augment?: AugmentOptions;
}

/** `nClasses` 0 means a regression target (needed by target encoding inside each fold). */
export function prepareFolds(
  frame: Frame,
  plan: readonly ColumnPlan[],
  y: Int32Array | Float64Array,
  splits: readonly Split[],
  seed: number,
  nClasses = 0,
  options: FoldOptions = {},
): Fold[] {
  const rng = new Rng(seed);
  return splits.map((split, k) => {
    const valFrame = frame.take(split.test);
    // only the rows a fold fits on are augmented: its validation rows are scored as they are
    const augmented = options.augment === undefined ? undefined : augmentRows(frame.take(split.train), plan, options.augment, seed + k);
    const trainFrame = augmented?.frame ?? frame.take(split.train);
    const yTrain = augmented === undefined ? takeValues(y, split.train) : takeValues(y, takeValues(split.train, augmented.source));
    const target: EncodingTarget =
      nClasses > 0 ? { kind: 'classes', classIndex: yTrain as Int32Array, nClasses } : { kind: 'continuous', values: yTrain as Float64Array };
    const preprocessor = TabularPreprocessor.fit(trainFrame, plan, { target, seed, ...(augmented === undefined ? {} : { groups: augmented.source }) });
    const fold: Fold = {
      X: preprocessor.transform(trainFrame),
      y: yTrain,
      Xval: preprocessor.transform(valFrame),
      yval: takeValues(y, split.test),
      valRows: split.test,
      sourceRows: split.train.length,
      order: withCopies(rng.shuffle(Int32Array.from({ length: split.train.length }, (_, i) => i)), trainFrame.nRows),
    };
    if (k === 0) options.afterFirst?.(fold);
    return fold;
  });
}

/**
 * An order of `n` distinct rows extended to `total` rows, where row j + k·n is the k-th copy of row j
 * (augment-rows.ts lays copies out so): each row is followed by its copies.
 */
function withCopies(order: Int32Array, total: number): Int32Array {
  const n = order.length;
  const perRow = n === 0 ? 1 : total / n;
  if (perRow === 1) return order;
  return Int32Array.from({ length: total }, (_, i) => (order[Math.floor(i / perRow)] as number) + (i % perRow) * n);
}

/**
 * The first `rows` distinct rows of the fold's seeded order, with their copies if it has any (the whole
 * fold when rows ≥ its size).
 */
export function subsample(fold: Fold, rows: number): { X: Matrix; y: Int32Array | Float64Array } {
  if (rows >= fold.sourceRows) return { X: fold.X, y: fold.y };
  const idx = fold.order.subarray(0, rows * (fold.X.rows / fold.sourceRows));
  return { X: takeRows(fold.X, idx), y: takeValues(fold.y, idx) };
}

/** Bytes of one prepared fold's matrices (its training and validation rows, float64). */
export function foldBytes(fold: Fold): number {
  return (fold.X.rows + fold.Xval.rows) * fold.X.cols * Float64Array.BYTES_PER_ELEMENT;
}

/**
 * Refuses a search whose prepared folds would take more than half of `totalMemory`: each fold holds a
 * copy of the training part (and the worker threads share one more), so 20 folds × 3 cuts of a large
 * table is sixty copies — better a clear error before the work than running out of memory during it.
 */
export function checkFoldsFit(bytesPerFold: number, folds: number, totalMemory: number): void {
  const needed = bytesPerFold * folds;
  if (needed <= totalMemory / 2) return;
  const gigabytes = (b: number) => (b / 1024 ** 3).toFixed(1);
  throw new KilnError('SEARCH_TOO_LARGE', { folds, gigabytes: gigabytes(needed), available: gigabytes(totalMemory) });
}
