/**
 * Squared Euclidean distances between rows and a small set of points (cluster centres, or a block of
 * training rows for k-nearest neighbours), the kernel k-means and kNN spend their time in.
 *
 * The fast path expands ‖x − c‖² = ‖x‖² − 2·x·c + ‖c‖²: the cross term is a dot product, which needs
 * two operations per element instead of three, and row and point norms are computed once. Rounding can
 * make the expansion slightly negative for near-identical vectors, so results are clamped at 0.
 * `squaredDistanceNaive` is the obvious definition, the test oracle of the fast path.
 */

/** ‖row_i‖² for each of the `rows` rows of a row-major `rows × cols` array. */
export function rowSquaredNorms(data: Float64Array, rows: number, cols: number): Float64Array {
  const norms = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const start = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[start + j] as number;
      s += v * v;
    }
    norms[i] = s;
  }
  return norms;
}

/**
 * Squared distances from rows [rowStart, rowEnd) of `x` (row-major, `cols` wide, norms `xNorms`) to
 * each of `nPoints` points (row-major in `points`, norms `pointNorms`), written into
 * `out[(i − rowStart)·nPoints + p]`.
 */
export function squaredDistancesBlock(
  x: Float64Array,
  xNorms: Float64Array,
  rowStart: number,
  rowEnd: number,
  points: Float64Array,
  pointNorms: Float64Array,
  nPoints: number,
  cols: number,
  out: Float64Array,
): void {
  for (let i = rowStart; i < rowEnd; i++) {
    const xStart = i * cols;
    const outStart = (i - rowStart) * nPoints;
    const xNorm = xNorms[i] as number;
    let p = 0;
    // Four points per pass share each load of x[j]: fewer memory reads per multiply-add.
    for (; p + 4 <= nPoints; p += 4) {
      const p0 = p * cols;
      const p1 = p0 + cols;
      const p2 = p1 + cols;
      const p3 = p2 + cols;
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      for (let j = 0; j < cols; j++) {
        const v = x[xStart + j] as number;
        d0 += v * (points[p0 + j] as number);
        d1 += v * (points[p1 + j] as number);
        d2 += v * (points[p2 + j] as number);
        d3 += v * (points[p3 + j] as number);
      }
      out[outStart + p] = Math.max(0, xNorm - 2 * d0 + (pointNorms[p] as number));
      out[outStart + p + 1] = Math.max(0, xNorm - 2 * d1 + (pointNorms[p + 1] as number));
      out[outStart + p + 2] = Math.max(0, xNorm - 2 * d2 + (pointNorms[p + 2] as number));
      out[outStart + p + 3] = Math.max(0, xNorm - 2 * d3 + (pointNorms[p + 3] as number));
    }
    for (; p < nPoints; p++) {
      const pStart = p * cols;
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += (x[xStart + j] as number) * (points[pStart + j] as number);
      out[outStart + p] = Math.max(0, xNorm - 2 * dot + (pointNorms[p] as number));
    }
  }
}

/** ‖a_i − b_p‖² by its definition: the oracle for `squaredDistancesBlock`, and exact where it matters. */
export function squaredDistanceNaive(a: Float64Array, aStart: number, b: Float64Array, bStart: number, cols: number): number {
  let s = 0;
  for (let j = 0; j < cols; j++) {
    const diff = (a[aStart + j] as number) - (b[bStart + j] as number);
    s += diff * diff;
  }
  return s;
}
