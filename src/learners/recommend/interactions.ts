/**
 * The data every recommender learns from: who interacted with what, as a sparse user × item matrix.
 *
 * Users and items are known by their ids (text) and numbered 0..n-1 in order of first appearance.
 * A (user, item) pair appears once: repeated rows of the same pair are merged (explicit ratings are
 * averaged, implicit interactions counted), so `values` holds a rating or an interaction count.
 * The matrix is kept twice, compressed by user rows (CSR) and by item columns (CSC), because ALS
 * alternates between solving for every user and solving for every item.
 */
import { KilnError } from '../../core/errors.js';

export type Feedback = 'explicit' | 'implicit';

/** One direction of the sparse matrix: row r's entries are `index[ptr[r]..ptr[r+1])` with `value`s. */
export interface CompressedRows {
  readonly ptr: Int32Array;
  readonly index: Int32Array;
  readonly value: Float64Array;
}

export interface InteractionMatrix {
  readonly feedback: Feedback;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  /** Each user's items (sorted by item index). */
  readonly byUser: CompressedRows;
  /** Each item's users (sorted by user index). */
  readonly byItem: CompressedRows;
  /** Distinct (user, item) pairs. */
  readonly nnz: number;
}

/** Pairs given as indices into an InteractionMatrix's users and items (−1 = not known in training). */
export interface IndexedPairs {
  readonly users: Int32Array;
  readonly items: Int32Array;
  /** Ratings (explicit) or counts (implicit). */
  readonly values: Float64Array;
}

/**
 * Builds the matrix from parallel arrays of user ids, item ids and (explicit) ratings. Implicit data
 * has no ratings: each row counts as one interaction. Missing ids and non-finite ratings are refused
 * with the row that holds them.
 */
export function buildInteractions(users: readonly (string | null)[], items: readonly (string | null)[], ratings?: ArrayLike<number>): InteractionMatrix {
  const n = users.length;
  if (items.length !== n || (ratings !== undefined && ratings.length !== n)) {
    throw new KilnError('TARGET_LENGTH_MISMATCH', { rows: n, targets: ratings === undefined ? items.length : ratings.length });
  }
  if (n === 0) throw new KilnError('DATA_EMPTY', { path: 'the interactions' });
  const userIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const u = new Int32Array(n);
  const i = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    u[r] = indexOf(userIndex, users[r] ?? null, r, 'user');
    i[r] = indexOf(itemIndex, items[r] ?? null, r, 'item');
    if (ratings !== undefined && !Number.isFinite(ratings[r] as number)) {
      throw new KilnError('TARGET_NOT_FINITE', { row: r + 1, value: ratings[r] });
    }
  }
  return fromIndexedRows([...userIndex.keys()], [...itemIndex.keys()], u, i, ratings);
}

function indexOf(index: Map<string, number>, id: string | null, row: number, what: 'user' | 'item'): number {
  if (id === null || id === '') {
    throw new KilnError('INVALID_PARAMS', { what: 'interactions', summary: `row ${row + 1} has no ${what} id; drop the rows without one before training` });
  }
  let k = index.get(id);
  if (k === undefined) {
    k = index.size;
    index.set(id, k);
  }
  return k;
}

/** The matrix from rows already numbered against `userIds` / `itemIds` (duplicates merged). */
export function fromIndexedRows(
  userIds: readonly string[],
  itemIds: readonly string[],
  users: Int32Array,
  items: Int32Array,
  ratings?: ArrayLike<number>,
): InteractionMatrix {
  const nItems = itemIds.length;
  // Sort rows by (user, item) so that duplicates sit together and each user's items are ordered.
  const order = Int32Array.from({ length: users.length }, (_, r) => r).sort(
    (a, b) => (users[a] as number) - (users[b] as number) || (items[a] as number) - (items[b] as number),
  );
  const pairUser: number[] = [];
  const pairItem: number[] = [];
  const pairValue: number[] = [];
  let count = 0;
  for (let k = 0; k < order.length; k++) {
    const r = order[k] as number;
    const last = pairUser.length - 1;
    const value = ratings === undefined ? 1 : (ratings[r] as number);
    if (last >= 0 && pairUser[last] === users[r] && pairItem[last] === items[r]) {
      // explicit: running mean of the repeated ratings; implicit: one more interaction
      count++;
      pairValue[last] = ratings === undefined ? (pairValue[last] as number) + 1 : (pairValue[last] as number) + (value - (pairValue[last] as number)) / count;
    } else {
      count = 1;
      pairUser.push(users[r] as number);
      pairItem.push(items[r] as number);
      pairValue.push(value);
    }
  }
  const byUser = compress(userIds.length, Int32Array.from(pairUser), Int32Array.from(pairItem), Float64Array.from(pairValue));
  const byItem = transpose(byUser, nItems);
  return { feedback: ratings === undefined ? 'implicit' : 'explicit', userIds, itemIds, byUser, byItem, nnz: pairUser.length };
}

/** Rows sorted by (row, column) → compressed rows. */
function compress(nRows: number, rows: Int32Array, cols: Int32Array, values: Float64Array): CompressedRows {
  const ptr = new Int32Array(nRows + 1);
  for (let k = 0; k < rows.length; k++) ptr[(rows[k] as number) + 1] = (ptr[(rows[k] as number) + 1] as number) + 1;
  for (let r = 0; r < nRows; r++) ptr[r + 1] = (ptr[r + 1] as number) + (ptr[r] as number);
  return { ptr, index: cols, value: values };
}

/** The same matrix compressed the other way (columns become rows; each row's entries stay sorted). */
export function transpose(m: CompressedRows, nCols: number): CompressedRows {
  const nnz = m.index.length;
  const ptr = new Int32Array(nCols + 1);
  for (let k = 0; k < nnz; k++) ptr[(m.index[k] as number) + 1] = (ptr[(m.index[k] as number) + 1] as number) + 1;
  for (let c = 0; c < nCols; c++) ptr[c + 1] = (ptr[c + 1] as number) + (ptr[c] as number);
  const next = ptr.slice(0, nCols);
  const index = new Int32Array(nnz);
  const value = new Float64Array(nnz);
  const nRows = m.ptr.length - 1;
  for (let r = 0; r < nRows; r++) {
    for (let k = m.ptr[r] as number; k < (m.ptr[r + 1] as number); k++) {
      const c = m.index[k] as number;
      const at = next[c] as number;
      index[at] = r;
      value[at] = m.value[k] as number;
      next[c] = at + 1;
    }
  }
  return { ptr, index, value };
}

/** Ids → indices of a trained matrix (−1 for ids training never saw). */
export function indexPairs(
  matrix: Pick<InteractionMatrix, 'userIds' | 'itemIds'>,
  users: readonly (string | null)[],
  items: readonly (string | null)[],
  values: ArrayLike<number>,
): IndexedPairs {
  const userIndex = new Map(matrix.userIds.map((id, k) => [id, k]));
  const itemIndex = new Map(matrix.itemIds.map((id, k) => [id, k]));
  return {
    users: Int32Array.from(users, (id) => userIndex.get(id ?? '') ?? -1),
    items: Int32Array.from(items, (id) => itemIndex.get(id ?? '') ?? -1),
    values: Float64Array.from(values),
  };
}

/** The number of distinct users who interacted with each item, divided by the number of users. */
export function itemPopularity(matrix: InteractionMatrix): Float64Array {
  const nItems = matrix.itemIds.length;
  const nUsers = matrix.userIds.length;
  const out = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) out[i] = ((matrix.byItem.ptr[i + 1] as number) - (matrix.byItem.ptr[i] as number)) / nUsers;
  return out;
}
