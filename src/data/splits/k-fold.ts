/**
 * K-fold splits with scikit-learn's semantics, seeded with Kiln's own RNG (so the folds are
 * reproducible in TypeScript, though not the same rows scikit-learn's random_state would pick):
 *
 *   kFold             — KFold: the first n % k folds hold one row more than the others.
 *   stratifiedKFold   — StratifiedKFold: each class spread over the folds, fold counts per class
 *                       differing by at most one (scikit-learn's allocation, reproduced exactly).
 *   groupKFold        — GroupKFold: largest groups first, each into the fold with the fewest rows.
 *   timeSeriesSplit   — TimeSeriesSplit: growing windows of the past, each tested on what follows.
 *
 * Every function returns the folds as `{ train, test }` index arrays into the original rows.
 */
import { KilnError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { distinctInOrder, timeOrder, type Split } from '../split.js';

export interface KFoldOptions {
  /** Shuffle the rows before cutting them into folds (default true); false keeps row order. */
  readonly shuffle?: boolean;
  readonly seed?: number;
}

function checkFolds(k: number, n: number, what: string): void {
  if (!Number.isInteger(k) || k < 2) throw new KilnError('INVALID_SPLIT', { what, reason: `the number of folds must be an integer of at least 2, not ${k}` });
  if (k > n) throw new KilnError('INVALID_SPLIT', { what, reason: `${k} folds need at least ${k} rows, and there are ${n}` });
}

/** Turns a fold number per row into k `{train, test}` splits. */
function foldsFromAssignment(fold: Int32Array, k: number): Split[] {
  return Array.from({ length: k }, (_, f) => {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < fold.length; i++) (fold[i] === f ? test : train).push(i);
    return { train: Int32Array.from(train), test: Int32Array.from(test) };
  });
}

export function kFold(n: number, k: number, options: KFoldOptions = {}): Split[] {
  checkFolds(k, n, `${k} folds`);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (options.shuffle ?? true) new Rng(options.seed ?? 0).shuffle(order);
  const fold = new Int32Array(n);
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    for (let j = start; j < start + size; j++) fold[order[j] as number] = f;
    start += size;
  }
  return foldsFromAssignment(fold, k);
}

/**
 * How many rows of each class go to each fold, computed as scikit-learn's StratifiedKFold does:
 * sort the labels, deal them round-robin to the folds, count. Returns counts[fold][class].
 */
export function stratifiedAllocation(classes: Int32Array, nClasses: number, k: number): number[][] {
  // scikit-learn orders the classes by first appearance before sorting; the order changes which
  // classes get the extra rows, so it is reproduced here.
  const rank = new Int32Array(nClasses).fill(-1);
  const classOfRank: number[] = [];
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i] as number;
    if (c < 0 || c >= nClasses) throw new KilnError('CLASS_OUT_OF_RANGE', { row: i + 1, value: c, maxClass: nClasses - 1 });
    if (rank[c] === -1) {
      rank[c] = classOfRank.length;
      classOfRank.push(c);
    }
  }
  const sorted = Int32Array.from(classes, (c) => rank[c] as number).sort();
  const counts = Array.from({ length: k }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < sorted.length; i++) {
    const row = counts[i % k] as number[];
    const c = classOfRank[sorted[i] as number] as number;
    row[c] = (row[c] as number) + 1;
  }
  return counts;
}

export function stratifiedKFold(classes: Int32Array, nClasses: number, k: number, options: KFoldOptions = {}): Split[] {
  const n = classes.length;
  checkFolds(k, n, `${k} stratified folds`);
  const allocation = stratifiedAllocation(classes, nClasses, k);
  const rng = new Rng(options.seed ?? 0);
  const fold = new Int32Array(n);
  for (let c = 0; c < nClasses; c++) {
    // The class's fold labels, in fold order (0,0,…,1,1,…), optionally shuffled, then dealt to the
    // class's rows in row order: as StratifiedKFold does.
    const labels: number[] = [];
    for (let f = 0; f < k; f++) for (let j = 0; j < (allocation[f]?.[c] ?? 0); j++) labels.push(f);
    if (options.shuffle ?? true) rng.shuffle(labels);
    let next = 0;
    for (let i = 0; i < n; i++) if (classes[i] === c) fold[i] = labels[next++] as number;
  }
  return foldsFromAssignment(fold, k);
}

/**
 * Groups never straddle two folds. Groups are placed largest first, each into the fold that holds
 * the fewest rows so far (scikit-learn's GroupKFold); equal-sized groups are taken in a seeded random
 * order, which is the only randomness.
 */
export function groupKFold(groups: ArrayLike<string | number>, k: number, options: Pick<KFoldOptions, 'seed'> = {}): Split[] {
  const ids = distinctInOrder(groups);
  if (ids.length < k) throw new KilnError('TOO_FEW_GROUPS', { groups: ids.length, needed: k });
  checkFolds(k, groups.length, `${k} group folds`);
  const size = new Map<string | number, number>();
  for (let i = 0; i < groups.length; i++) size.set(groups[i] as string | number, (size.get(groups[i] as string | number) ?? 0) + 1);
  const shuffled = new Rng(options.seed ?? 0).shuffle([...ids]);
  const tieBreak = new Map(shuffled.map((g, r) => [g, r]));
  const bySize = [...ids].sort((a, b) => (size.get(b) as number) - (size.get(a) as number) || (tieBreak.get(a) as number) - (tieBreak.get(b) as number));
  const rowsInFold = new Array<number>(k).fill(0);
  const foldOfGroup = new Map<string | number, number>();
  for (const g of bySize) {
    let lightest = 0;
    for (let f = 1; f < k; f++) if ((rowsInFold[f] as number) < (rowsInFold[lightest] as number)) lightest = f;
    foldOfGroup.set(g, lightest);
    rowsInFold[lightest] = (rowsInFold[lightest] as number) + (size.get(g) as number);
  }
  const fold = Int32Array.from({ length: groups.length }, (_, i) => foldOfGroup.get(groups[i] as string | number) as number);
  return foldsFromAssignment(fold, k);
}

export interface TimeSeriesSplitOptions {
  /** Rows per test window; default n / (k + 1), rounded down. */
  readonly testSize?: number;
  /** Rows left out between the end of training and the test window (default 0). */
  readonly gap?: number;
  /** Keep only the latest rows of each training window. */
  readonly maxTrainSize?: number;
}

/**
 * scikit-learn's TimeSeriesSplit over rows sorted by `times`: k test windows of equal size at the
 * end of the series; each trains on everything before its window (minus `gap` rows). Deterministic:
 * there is nothing to shuffle in time.
 */
export function timeSeriesSplit(times: ArrayLike<number>, k: number, options: TimeSeriesSplitOptions = {}): Split[] {
  const order = timeOrder(times);
  const n = order.length;
  const gap = options.gap ?? 0;
  const testSize = options.testSize ?? Math.floor(n / (k + 1));
  if (!Number.isInteger(k) || k < 2) throw new KilnError('INVALID_SPLIT', { what: `${k} time-series folds`, reason: 'the number of folds must be an integer of at least 2' });
  if (testSize < 1 || n - gap - testSize * k <= 0) {
    throw new KilnError('INVALID_SPLIT', { what: `${k} time-series folds`, reason: `${n} rows are too few for ${k} test windows of ${testSize} rows with a gap of ${gap}` });
  }
  const splits: Split[] = [];
  for (let start = n - k * testSize; start < n; start += testSize) {
    const trainEnd = start - gap;
    const trainStart = options.maxTrainSize !== undefined ? Math.max(0, trainEnd - options.maxTrainSize) : 0;
    splits.push({ train: order.slice(trainStart, trainEnd), test: order.slice(start, start + testSize) });
  }
  return splits;
}
