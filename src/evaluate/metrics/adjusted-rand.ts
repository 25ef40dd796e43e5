/**
 * The adjusted Rand index (Hubert & Arabie 1985), scikit-learn's `adjusted_rand_score`: how far two
 * labellings of the same rows agree on which pairs of rows belong together, corrected for chance.
 * 1 is the same partition (whatever the label names), about 0 is what random labels score, and it can
 * go slightly negative. It compares a clustering with known groups, so the labels are any keys.
 */
export function adjustedRandIndex(truth: ArrayLike<string | number>, found: ArrayLike<string | number>): number {
  if (truth.length !== found.length) throw new RangeError(`the labellings have ${truth.length} and ${found.length} rows`);
  const n = truth.length;
  // The contingency table: rows per (true group, found cluster), and its margins.
  const cells = new Map<string, number>();
  const rowSums = new Map<string | number, number>();
  const colSums = new Map<string | number, number>();
  for (let i = 0; i < n; i++) {
    const a = truth[i] as string | number;
    const b = found[i] as string | number;
    const key = `${typeof a}:${a}\u0000${typeof b}:${b}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
    rowSums.set(a, (rowSums.get(a) ?? 0) + 1);
    colSums.set(b, (colSums.get(b) ?? 0) + 1);
  }
  const pairs = (m: number): number => (m * (m - 1)) / 2;
  let index = 0;
  for (const m of cells.values()) index += pairs(m);
  let sumRows = 0;
  for (const m of rowSums.values()) sumRows += pairs(m);
  let sumCols = 0;
  for (const m of colSums.values()) sumCols += pairs(m);
  const expected = n < 2 ? 0 : (sumRows * sumCols) / pairs(n);
  const max = (sumRows + sumCols) / 2;
  // Both labellings put every row together, or every row apart: the same partition (scikit-learn: 1.0).
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
