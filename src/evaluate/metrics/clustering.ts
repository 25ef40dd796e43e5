/**
 * How well separated clusters are, without labels: the silhouette (−1..1, higher is better) and the
 * Davies–Bouldin index (≥ 0, lower is better), as scikit-learn computes them (euclidean distances).
 * The silhouette is O(n²): callers sample large data first (the segments module uses ≤ 10,000 rows).
 */
import type { Matrix } from '../../core/matrix.js';

function distance(X: Matrix, i: number, j: number): number {
  let s = 0;
  const a = i * X.cols;
  const b = j * X.cols;
  for (let c = 0; c < X.cols; c++) {
    const d = (X.data[a + c] as number) - (X.data[b + c] as number);
    s += d * d;
  }
  return Math.sqrt(s);
}

function clusterCount(labels: Int32Array): number {
  let k = 0;
  for (const l of labels) if (l + 1 > k) k = l + 1;
  return k;
}

/** Mean silhouette coefficient over all rows; rows alone in their cluster score 0. */
export function silhouetteScore(X: Matrix, labels: Int32Array): number {
  const n = X.rows;
  const k = clusterCount(labels);
  const sizes = new Float64Array(k);
  for (const l of labels) sizes[l] = (sizes[l] as number) + 1;
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) if (j !== i) sums[labels[j] as number] = (sums[labels[j] as number] as number) + distance(X, i, j);
    const own = labels[i] as number;
    if ((sizes[own] as number) <= 1) continue;
    const a = (sums[own] as number) / ((sizes[own] as number) - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && (sizes[c] as number) > 0) b = Math.min(b, (sums[c] as number) / (sizes[c] as number));
    total += (b - a) / Math.max(a, b);
  }
  return total / n;
}

/** Davies–Bouldin: mean over clusters of the worst (s_i + s_j) / d(c_i, c_j). */
export function daviesBouldinScore(X: Matrix, labels: Int32Array): number {
  const k = clusterCount(labels);
  const d = X.cols;
  const centres = new Float64Array(k * d);
  const sizes = new Float64Array(k);
  for (let i = 0; i < X.rows; i++) {
    const l = labels[i] as number;
    sizes[l] = (sizes[l] as number) + 1;
    for (let c = 0; c < d; c++) centres[l * d + c] = (centres[l * d + c] as number) + (X.data[i * d + c] as number);
  }
  for (let l = 0; l < k; l++) for (let c = 0; c < d; c++) centres[l * d + c] = (centres[l * d + c] as number) / Math.max(1, sizes[l] as number);
  const scatter = new Float64Array(k);
  for (let i = 0; i < X.rows; i++) {
    const l = labels[i] as number;
    let s = 0;
    for (let c = 0; c < d; c++) s += ((X.data[i * d + c] as number) - (centres[l * d + c] as number)) ** 2;
    scatter[l] = (scatter[l] as number) + Math.sqrt(s);
  }
  for (let l = 0; l < k; l++) scatter[l] = (scatter[l] as number) / Math.max(1, sizes[l] as number);
  let total = 0;
  for (let i = 0; i < k; i++) {
    let worst = 0;
    for (let j = 0; j < k; j++) {
      if (i === j) continue;
      let s = 0;
      for (let c = 0; c < d; c++) s += ((centres[i * d + c] as number) - (centres[j * d + c] as number)) ** 2;
      const sep = Math.sqrt(s);
      worst = Math.max(worst, sep === 0 ? Infinity : ((scatter[i] as number) + (scatter[j] as number)) / sep);
    }
    total += worst;
  }
  return total / k;
}
