/**
 * Two-sample Kolmogorov–Smirnov test, with scipy's `ks_2samp` p-values (two-sided, method "auto"): exact
 * when both samples have at most 10,000 values, else the asymptotic Kolmogorov distribution.
 */
import { kolmogorovSf } from '../../core/stats/distributions.js';

/** sup |F_a − F_b| of two sorted samples (ties handled by stepping over equal values together). */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i] as number, b[j] as number);
    while (i < a.length && (a[i] as number) <= x) i++;
    while (j < b.length && (b[j] as number) <= x) j++;
    const diff = Math.abs(i / a.length - j / b.length);
    if (diff > d) d = diff;
  }
  return d;
}

const MAX_EXACT_N = 10_000;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The two-sided p-value P(D ≥ d) for samples of sizes n1 and n2, like scipy's `ks_2samp(method='auto')`. */
export function ksPValue(n1: number, n2: number, d: number): number {
  if (Math.max(n1, n2) <= MAX_EXACT_N) return ksPValueExact(n1, n2, d);
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  // Stephens' small-sample correction of the limiting distribution.
  const sqrtEn = Math.sqrt(en);
  return kolmogorovSf((sqrtEn + 0.12 + 0.11 / sqrtEn) * d);
}

/**
 * Exact P(D ≥ d): the share of lattice paths from (0,0) to (m,n) that leave the band |i/m − j/n| < d
 * somewhere (Hodges 1958). O(i,j) holds that share among the paths to (i,j), normalised by C(i+j, j) as
 * it is built, so no number grows beyond 1: O(i,j) = 1 outside the band, and inside it
 * O(i,j) = (i·O(i−1,j) + j·O(i,j−1)) / (i+j). Counting the paths that leave, rather than one minus
 * those that stay inside, keeps tiny p-values (a large shift: 1e-45) instead of rounding them to 0.
 */
export function ksPValueExact(n1: number, n2: number, d: number): number {
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const g = gcd(m, n);
  const mg = m / g;
  const ng = n / g;
  const lcm = mg * n;
  // d on the lattice of attainable values (as scipy does), then the band in integer units: |ng·i − mg·j| < h.
  const h = Math.round(d * lcm);
  if (h === 0) return 1;
  // O(i−1, j) of the previous row; 1 wherever that row was outside the band (as m ≥ n, the band's ends
  // move by at most one column per row, so resetting the column just left behind keeps this true)
  const o = new Float64Array(n + 1).fill(1);
  for (let i = 0; i <= m; i++) {
    const lo = Math.max(0, Math.floor((ng * i - h) / mg) + 1);
    const hi = Math.min(n, Math.ceil((ng * i + h) / mg) - 1);
    if (lo > hi) return 1;
    if (lo > 0) o[lo - 1] = 1;
    let below = 1; // O(i, j−1) of this row; 1 outside the band
    for (let j = lo; j <= hi; j++) {
      const value = i === 0 && j === 0 ? 0 : (i * (o[j] as number) + j * below) / (i + j);
      o[j] = value;
      below = value;
    }
    if (hi < n) o[hi + 1] = 1;
  }
  return Math.min(1, Math.max(0, o[n] as number));
}
