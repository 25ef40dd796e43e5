/** Slow, obvious versions of the drift statistics: the oracles of the fast ones. */

/** sup |F_a − F_b| by counting, at every observed value. */
export function naiveKsStatistic(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (const x of [...a, ...b]) {
    const fa = a.filter((v) => v <= x).length / a.length;
    const fb = b.filter((v) => v <= x).length / b.length;
    d = Math.max(d, Math.abs(fa - fb));
  }
  return d;
}

/** P(D ≥ d) by enumerating every way to interleave m and n values (tiny sizes only). */
export function naiveKsPValue(m: number, n: number, d: number): number {
  let total = 0;
  let atLeast = 0;
  const walk = (i: number, j: number, maxDiff: number): void => {
    const diff = Math.max(maxDiff, Math.abs(i / m - j / n));
    if (i === m && j === n) {
      total++;
      if (diff >= d - 1e-12) atLeast++;
      return;
    }
    if (i < m) walk(i + 1, j, diff);
    if (j < n) walk(i, j + 1, diff);
  };
  walk(0, 0, 0);
  return atLeast / total;
}

/** Exact W1 between two raw samples: ∫|F_a − F_b| over the merged sorted values. */
export function naiveWasserstein(a: readonly number[], b: readonly number[]): number {
  const xs = [...a, ...b].sort((x, y) => x - y);
  const cdf = (s: readonly number[], x: number): number => s.filter((v) => v <= x).length / s.length;
  let w = 0;
  for (let k = 0; k + 1 < xs.length; k++) w += Math.abs(cdf(a, xs[k]!) - cdf(b, xs[k]!)) * (xs[k + 1]! - xs[k]!);
  return w;
}

/** Jensen–Shannon distance written from the definition with base-e KL divergences. */
export function naiveJensenShannon(p: readonly number[], q: readonly number[]): number {
  const m = p.map((v, i) => (v + q[i]!) / 2);
  const kl = (x: readonly number[]) => x.reduce((s, v, i) => (v > 0 ? s + v * Math.log(v / m[i]!) : s), 0);
  return Math.sqrt((kl(p) + kl(q)) / 2);
}

/** Pearson chi-square of a 2 × k table from expected counts. */
export function naiveChiSquare(ref: Record<string, number>, cur: Record<string, number>): number {
  const keys = [...new Set([...Object.keys(ref), ...Object.keys(cur)])];
  const rows = [keys.map((k) => ref[k] ?? 0), keys.map((k) => cur[k] ?? 0)];
  const total = rows.flat().reduce((a, b) => a + b, 0);
  let stat = 0;
  for (const row of rows) {
    const rowSum = row.reduce((a, b) => a + b, 0);
    row.forEach((o, k) => {
      const e = (rowSum * (rows[0]![k]! + rows[1]![k]!)) / total;
      stat += (o - e) ** 2 / e;
    });
  }
  return stat;
}
