/**
 * The distance measures for large samples: Wasserstein (earth mover's) distance from binned data,
 * Jensen–Shannon distance and the population stability index (PSI) between two frequency tables.
 */

/**
 * W1 = ∫|F_ref − F_cur| dx from counts and sums in the same quantile buckets (see binning.ts). Within a
 * bucket (a, b] the integral of an empirical CDF is exact from the bucket's count and sum:
 * ∫_a^b F = F(a)·(b − a) + (count·b − sum) / n. The distance adds |∫(F_ref − F_cur)| per bucket, which is
 * exact wherever the two CDFs do not cross inside a bucket (they may cross in at most a few of the 100
 * bins, where the error is bounded by the bucket's tiny share). The parts beyond the reference's min and
 * max are exact too (the reference has no mass there).
 */
export function binnedWasserstein(
  edges: ArrayLike<number>,
  ref: { readonly counts: ArrayLike<number>; readonly sums: ArrayLike<number> },
  cur: { readonly counts: ArrayLike<number>; readonly sums: ArrayLike<number> },
): number {
  const last = edges.length; // index of the bucket above e_B
  let nRef = 0;
  let nCur = 0;
  for (let k = 0; k <= last; k++) {
    nRef += ref.counts[k] as number;
    nCur += cur.counts[k] as number;
  }
  const low = edges[0] as number;
  const high = edges[last - 1] as number;
  // Below e_0 only the current has mass (values equal to e_0 add nothing); likewise above e_B.
  const below = ((cur.counts[0] as number) * low - (cur.sums[0] as number)) / nCur;
  const above = ((cur.sums[last] as number) - (cur.counts[last] as number) * high) / nCur;
  let distance = below + above;
  let cdfRef = (ref.counts[0] as number) / nRef;
  let cdfCur = (cur.counts[0] as number) / nCur;
  for (let k = 1; k < last; k++) {
    const a = edges[k - 1] as number;
    const b = edges[k] as number;
    const integralRef = cdfRef * (b - a) + ((ref.counts[k] as number) * b - (ref.sums[k] as number)) / nRef;
    const integralCur = cdfCur * (b - a) + ((cur.counts[k] as number) * b - (cur.sums[k] as number)) / nCur;
    distance += Math.abs(integralRef - integralCur);
    cdfRef += (ref.counts[k] as number) / nRef;
    cdfCur += (cur.counts[k] as number) / nCur;
  }
  return distance;
}

/** Shares of two count tables over the union of their keys, in one order. */
export function alignedShares(reference: ReadonlyMap<string, number> | readonly number[], current: ReadonlyMap<string, number> | readonly number[]): { ref: number[]; cur: number[] } {
  if (Array.isArray(reference) && Array.isArray(current)) {
    return { ref: shares(reference as number[]), cur: shares(current as number[]) };
  }
  const r = reference as ReadonlyMap<string, number>;
  const c = current as ReadonlyMap<string, number>;
  const keys = [...new Set([...r.keys(), ...c.keys()])];
  return { ref: shares(keys.map((k) => r.get(k) ?? 0)), cur: shares(keys.map((k) => c.get(k) ?? 0)) };
}

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total === 0 ? 0 : c / total));
}

/** Jensen–Shannon distance (natural log, as scipy's `jensenshannon`): √((KL(p‖m) + KL(q‖m)) / 2), m = (p + q) / 2. */
export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number {
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] as number;
    const b = q[i] as number;
    const m = (a + b) / 2;
    if (a > 0) js += a * Math.log(a / m);
    if (b > 0) js += b * Math.log(b / m);
  }
  return Math.sqrt(Math.max(0, js / 2));
}

/** Evidently's fill for empty bins, so the logarithm stays finite. */
const EMPTY_SHARE = 0.0001;

/** PSI = Σ (ref − cur) · ln(ref / cur) over shares, empty shares replaced by 0.0001 (Evidently). */
export function populationStabilityIndex(p: readonly number[], q: readonly number[]): number {
  let psi = 0;
  for (let i = 0; i < p.length; i++) {
    const a = (p[i] as number) === 0 ? EMPTY_SHARE : (p[i] as number);
    const b = (q[i] as number) === 0 ? EMPTY_SHARE : (q[i] as number);
    psi += (a - b) * Math.log(a / b);
  }
  return psi;
}

/** The B + 2 buckets grouped into deciles (B a multiple of 10); the two outer buckets join the first and last decile. */
export function decileCounts(counts: ArrayLike<number>): number[] {
  const bins = counts.length - 2;
  const per = bins / 10;
  const out = new Array<number>(10).fill(0);
  for (let k = 0; k < counts.length; k++) {
    const bin = Math.min(bins - 1, Math.max(0, k - 1));
    const decile = Math.floor(bin / per);
    out[decile] = (out[decile] as number) + (counts[k] as number);
  }
  return out;
}
