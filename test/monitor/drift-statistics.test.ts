/** The drift statistics against their naive oracles and against scipy's numbers (test/fixtures/scipy). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import { countIntoBins } from '../../src/data/profile/count-into-bins.js';
import { chiSquareSf, kolmogorovSf, normalQuantile, normalSf, studentTQuantile, studentTTwoSided } from '../../src/core/stats/distributions.js';
import { chiSquareContingency } from '../../src/monitor/drift/chi-square.js';
import { binnedWasserstein, jensenShannonDistance, populationStabilityIndex } from '../../src/monitor/drift/distances.js';
import { ksPValue, ksPValueExact, ksStatistic } from '../../src/monitor/drift/ks.js';
import { proportionsZTest } from '../../src/monitor/drift/z-test.js';
import { buildReferenceProfile, type NumericProfile } from '../../src/data/profile/reference-profile.js';
import { Frame } from '../../src/core/frame.js';
import { naiveChiSquare, naiveJensenShannon, naiveKsPValue, naiveKsStatistic, naiveWasserstein } from './naive-drift.js';

interface Fixtures {
  ks_exact: { a: number[]; b: number[]; statistic: number; p_value: number }[];
  ks_asymp: { n1: number; n2: number; d: number; p_value: number }[];
  chisquare: { reference: Record<string, number>; current: Record<string, number>; statistic: number; p_value: number; dof: number }[];
  z: { reference: Record<string, number>; current: Record<string, number>; statistic: number; p_value: number }[];
  wasserstein: { a: number[]; b: number[]; distance: number; std_a: number };
  jensenshannon: { p: number[]; q: number[]; distance: number }[];
  distributions: Record<string, number[][]>;
}
const fx = JSON.parse(readFileSync(new URL('../fixtures/scipy/drift.json', import.meta.url), 'utf8')) as Fixtures;

const close = (actual: number, expected: number, rtol: number, atol = 1e-12, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= atol + rtol * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const sorted = (v: readonly number[]) => Float64Array.from(v).sort();

test('KS statistic equals the counting oracle, ties included', () => {
  const rng = new Rng(3);
  for (let trial = 0; trial < 20; trial++) {
    const a = Array.from({ length: 5 + rng.int(40) }, () => Math.round(rng.normal() * 3));
    const b = Array.from({ length: 5 + rng.int(40) }, () => Math.round(rng.normal() * 3 + 0.5));
    close(ksStatistic(sorted(a), sorted(b)), naiveKsStatistic(a, b), 0, 1e-12, 'D');
  }
});

test('exact KS p-value equals enumeration of every interleaving', () => {
  for (const [m, n] of [[3, 4], [5, 5], [6, 4], [7, 3], [8, 6]] as const) {
    const lcm = (m * n) / gcd(m, n);
    for (let h = 1; h <= lcm; h += 2) {
      const d = h / lcm; // attainable values of D lie on this lattice
      close(ksPValueExact(m, n, d), naiveKsPValue(m, n, d), 1e-9, 1e-12, `m=${m} n=${n} d=${d}`);
    }
  }
});

test('KS matches scipy.stats.ks_2samp (exact and asymptotic)', () => {
  for (const c of fx.ks_exact) {
    const d = ksStatistic(sorted(c.a), sorted(c.b));
    close(d, c.statistic, 1e-12, 1e-12, 'statistic');
    close(ksPValue(c.a.length, c.b.length, d), c.p_value, 1e-6, 1e-12, `p n=${c.a.length},${c.b.length}`);
  }
  // Kiln uses the Kolmogorov limit with Stephens' correction where scipy uses the exact one-sample law at
  // n = mn/(m+n): they agree to about 1% of p, far below what moves a p-value across 0.05.
  for (const c of fx.ks_asymp) close(ksPValue(c.n1, c.n2, c.d), c.p_value, 0.02, 1e-4, `asymp ${c.n1},${c.n2}`);
});

test('chi-square contingency matches naive sums and scipy.stats.chi2_contingency', () => {
  for (const c of fx.chisquare) {
    const r = chiSquareContingency(new Map(Object.entries(c.reference)), new Map(Object.entries(c.current)));
    close(r.statistic, naiveChiSquare(c.reference, c.current), 1e-12, 1e-12, 'naive');
    close(r.statistic, c.statistic, 1e-9, 1e-12, 'statistic');
    close(r.pValue, c.p_value, 1e-6, 1e-14, 'p');
    assert.equal(r.dof, c.dof);
  }
});

test('two-proportion z-test matches the closed form', () => {
  for (const c of fx.z) {
    const r = proportionsZTest(new Map(Object.entries(c.reference)), new Map(Object.entries(c.current)));
    close(r.statistic, c.statistic, 1e-12, 1e-12, 'z');
    close(r.pValue, c.p_value, 1e-6, 1e-14, 'p');
  }
});

test('Jensen–Shannon matches the definition and scipy; PSI is zero for equal shares and grows with the gap', () => {
  for (const c of fx.jensenshannon) {
    close(jensenShannonDistance(c.p, c.q), naiveJensenShannon(c.p, c.q), 1e-12, 1e-15, 'naive');
    close(jensenShannonDistance(c.p, c.q), c.distance, 1e-9, 1e-12, 'scipy');
  }
  assert.equal(populationStabilityIndex([0.2, 0.8], [0.2, 0.8]), 0);
  const near = populationStabilityIndex([0.5, 0.5], [0.45, 0.55]);
  const far = populationStabilityIndex([0.5, 0.5], [0.2, 0.8]);
  close(near, 0.05 * Math.log(0.5 / 0.45) - 0.05 * Math.log(0.5 / 0.55), 1e-12, 0, 'psi');
  assert.ok(far > near && far > 0.1);
});

test('binned Wasserstein through the reference profile is within 1% of std of the exact distance (scipy)', () => {
  const { a, b, distance, std_a } = fx.wasserstein;
  close(naiveWasserstein(a.slice(0, 300), b.slice(0, 200)), naiveWasserstein(b.slice(0, 200), a.slice(0, 300)), 1e-12, 1e-12, 'symmetric');
  close(naiveWasserstein(a, b), distance, 1e-9, 1e-12, 'naive vs scipy');
  const profile = buildReferenceProfile(new Frame([{ kind: 'numeric', name: 'x', values: Float64Array.from(a) }])).columns[0] as NumericProfile;
  close(profile.std, std_a, 1e-9, 0, 'std');
  const edges = Float64Array.from(profile.edges);
  const counts = new Float64Array(edges.length + 1);
  const sums = new Float64Array(edges.length + 1);
  countIntoBins(Float64Array.from(b), edges, counts, sums);
  const w = binnedWasserstein(edges, { counts: profile.binCounts, sums: profile.binSums }, { counts, sums });
  assert.ok(Math.abs(w - distance) / std_a < 0.01, `binned ${w} vs exact ${distance}`);
  // Same data on both sides: exactly zero.
  assert.ok(Math.abs(binnedWasserstein(edges, { counts: profile.binCounts, sums: profile.binSums }, { counts: profile.binCounts, sums: profile.binSums })) < 1e-12);
});

test('bucket counting equals a linear scan over the edges', () => {
  const rng = new Rng(9);
  const edges = Float64Array.from([-1, -0.5, 0, 0, 0.5, 1]);
  const values = Array.from({ length: 500 }, () => (rng.next() < 0.1 ? 0 : rng.normal()));
  values.push(NaN, -1, 1);
  const counts = new Float64Array(edges.length + 1);
  const sums = new Float64Array(edges.length + 1);
  countIntoBins(values, edges, counts, sums);
  const expected = new Float64Array(edges.length + 1);
  const expectedSums = new Float64Array(edges.length + 1);
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    const k = edges.filter((e) => e < v).length;
    expected[k]! += 1;
    expectedSums[k]! += v;
  }
  assert.deepEqual(counts, expected);
  assert.ok(sums.every((s, k) => Math.abs(s - expectedSums[k]!) < 1e-9));
});

test('distribution functions match scipy', () => {
  const d = fx.distributions;
  for (const [x, p] of d['norm_sf']!) close(normalSf(x!), p!, 2e-7, 1e-15, `norm.sf(${x})`);
  for (const [p, x] of d['norm_ppf']!) close(normalQuantile(p!), x!, 1e-7, 1e-9, `norm.ppf(${p})`);
  for (const [x, k, p] of d['chi2_sf']!) close(chiSquareSf(x!, k!), p!, 1e-9, 1e-15, `chi2.sf(${x}, ${k})`);
  for (const [t, df, p] of d['t_sf2']!) close(studentTTwoSided(t!, df!), p!, 1e-8, 1e-15, `t(${t}, ${df})`);
  for (const [p, df, t] of d['t_ppf']!) close(studentTQuantile(p!, df!), t!, 1e-8, 1e-10, `t.ppf(${p}, ${df})`);
  for (const [x, p] of d['kolmogorov_sf']!) close(kolmogorovSf(x!), p!, 1e-9, 1e-12, `kstwobign.sf(${x})`);
});
