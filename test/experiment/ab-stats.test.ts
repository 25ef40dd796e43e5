/**
 * A/B statistics: closed forms against scipy's numbers, a known 3-point uplift is detected, A/A tests
 * stay inconclusive in at least 95% of seeded runs even when the sequential test is checked after every
 * batch, the sample-size formula, and sticky, uniform assignment.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import { stickyAssigner, murmur3 } from '../../src/experiment/stats/assignment.js';
import { summarise, twoProportionZTest, welchTTest } from '../../src/experiment/stats/fixed-horizon.js';
import { sampleSizePerArm } from '../../src/experiment/stats/sample-size.js';
import { initialSequentialState, mixtureLikelihoodRatio, sequentialMeansLook, sequentialProportionsLook, type SequentialState } from '../../src/experiment/stats/sequential.js';
import { expectCode } from '../helpers/assertions.js';

const fx = JSON.parse(readFileSync(new URL('../fixtures/scipy/drift.json', import.meta.url), 'utf8')) as { welch: { a: number[]; b: number[]; statistic: number; p_value: number } };
const close = (a: number, b: number, rtol: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 + rtol * Math.abs(b), `${what}: ${a} vs ${b}`);

test("Welch's t-test matches scipy.stats.ttest_ind(equal_var=False) and its interval is the t interval", () => {
  const a = summarise(fx.welch.a);
  const b = summarise(fx.welch.b);
  const r = welchTTest(a, b);
  // scipy reports mean(a) − mean(b); Kiln reports B − A
  close(-r.statistic, fx.welch.statistic, 1e-9, 't');
  close(r.p_value, fx.welch.p_value, 1e-7, 'p');
  const [lo, hi] = r.confidence_interval;
  close((lo + hi) / 2, r.difference, 1e-12, 'centre');
  // the 95% interval excludes 0 exactly when p < 0.05
  assert.equal(lo > 0 || hi < 0, r.p_value < 0.05);
  assert.throws(() => welchTTest({ n: 1, mean: 0, variance: NaN }, b), expectCode('INVALID_EXPERIMENT_DATA'));
});

test('two-proportion z-test: the closed form by hand', () => {
  const r = twoProportionZTest({ successes: 100, trials: 1000 }, { successes: 130, trials: 1000 });
  const pooled = 230 / 2000;
  const z = 0.03 / Math.sqrt(pooled * (1 - pooled) * (2 / 1000));
  close(r.statistic, z, 1e-12, 'z');
  const se = Math.sqrt((0.1 * 0.9) / 1000 + (0.13 * 0.87) / 1000);
  close(r.confidence_interval[1] - r.confidence_interval[0], 2 * 1.959963984540054 * se, 1e-9, 'ci width');
  assert.ok(r.significant);
  assert.throws(() => twoProportionZTest({ successes: 5, trials: 3 }, { successes: 1, trials: 3 }), expectCode('INVALID_EXPERIMENT_DATA'));
});

test('sample size per arm matches the closed form (values from scipy.stats.norm.ppf)', () => {
  // (z.975·√(2·0.115·0.885) + z.8·√(0.1·0.9 + 0.13·0.87))² / 0.03² = 1773.98
  assert.equal(sampleSizePerArm({ baselineRate: 0.1, mde: 0.03 }), 1774);
  assert.equal(sampleSizePerArm({ baselineRate: 0.5, mde: 0.05, alpha: 0.01, power: 0.9 }), 2966);
  assert.ok(sampleSizePerArm({ baselineRate: 0.1, mde: 0.01 }) > sampleSizePerArm({ baselineRate: 0.1, mde: 0.03 }));
  assert.throws(() => sampleSizePerArm({ baselineRate: 0.99, mde: 0.05 }), expectCode('INVALID_EXPERIMENT_DATA'));
});

test('mSPRT likelihood ratio equals the paper\'s balanced-arm formula', () => {
  const n = 400;
  const V = 0.09 + 0.1;
  const tau = 0.03;
  const delta = 0.02;
  const paper = Math.sqrt(V / (V + n * tau * tau)) * Math.exp((n * n * tau * tau * delta * delta) / (2 * V * (V + n * tau * tau)));
  close(mixtureLikelihoodRatio(delta, V / n, tau), paper, 1e-12, 'Λ');
});

/** Runs one experiment in batches; returns whether the sequential test rejected at any look, and the final z-test. */
function simulate(seed: number, rateA: number, rateB: number, batches: number, batchSize: number) {
  const rng = new Rng(seed);
  let sa = 0;
  let sb = 0;
  let n = 0;
  let state: SequentialState = initialSequentialState;
  let rejectedAt = -1;
  for (let k = 0; k < batches; k++) {
    for (let i = 0; i < batchSize; i++) {
      if (rng.next() < rateA) sa++;
      if (rng.next() < rateB) sb++;
    }
    n += batchSize;
    const look = sequentialProportionsLook(state, { successes: sa, trials: n }, { successes: sb, trials: n }, { tau: 0.03 });
    state = look;
    if (look.significant && rejectedAt < 0) rejectedAt = k;
  }
  return { rejectedAt, p: state.p_value, fixed: twoProportionZTest({ successes: sa, trials: n }, { successes: sb, trials: n }) };
}

test('a known 3-point uplift (10% → 13%) is detected by the fixed-horizon and the sequential test', () => {
  const n = sampleSizePerArm({ baselineRate: 0.1, mde: 0.03, power: 0.8 });
  let fixedHits = 0;
  let sequentialHits = 0;
  const runs = 40;
  for (let s = 0; s < runs; s++) {
    // the sequential test pays for peeking with a larger sample: give it 2.5× the fixed-horizon size
    const r = simulate(500 + s, 0.1, 0.13, 25, Math.ceil((2.5 * n) / 25));
    if (r.rejectedAt >= 0) sequentialHits++;
    const f = simulate(900 + s, 0.1, 0.13, 1, n).fixed;
    if (f.significant && f.difference > 0) fixedHits++;
  }
  assert.ok(fixedHits / runs >= 0.65, `fixed-horizon power ${fixedHits}/${runs} (planned 80%)`);
  assert.ok(sequentialHits / runs >= 0.8, `sequential power ${sequentialHits}/${runs}`);
});

test('A/A tests stay inconclusive in at least 95% of seeded runs, checked after every batch', () => {
  const runs = 200;
  let falsePositives = 0;
  let peekingFixed = 0;
  for (let s = 0; s < runs; s++) {
    const r = simulate(10_000 + s, 0.1, 0.1, 40, 100);
    if (r.rejectedAt >= 0) falsePositives++;
  }
  // Contrast: re-running the fixed z-test after every batch rejects far more often (why mSPRT exists).
  for (let s = 0; s < 100; s++) {
    const rng = new Rng(20_000 + s);
    let sa = 0;
    let sb = 0;
    let ever = false;
    for (let k = 1; k <= 40; k++) {
      for (let i = 0; i < 100; i++) {
        if (rng.next() < 0.1) sa++;
        if (rng.next() < 0.1) sb++;
      }
      if (twoProportionZTest({ successes: sa, trials: k * 100 }, { successes: sb, trials: k * 100 }).significant) ever = true;
    }
    if (ever) peekingFixed++;
  }
  assert.ok(falsePositives / runs <= 0.05, `sequential A/A false positives ${falsePositives}/${runs}`);
  assert.ok(peekingFixed / 100 > 0.1, `peeking with the fixed test: ${peekingFixed}/100`);
});

test('the sequential test on means: A/A stays quiet, a shift of 0.3 sd is found', () => {
  let aa = 0;
  let found = 0;
  for (let s = 0; s < 60; s++) {
    for (const shift of [0, 0.3]) {
      const rng = new Rng(30_000 + s * 2 + (shift > 0 ? 1 : 0));
      const xs: number[] = [];
      const ys: number[] = [];
      let state: SequentialState = initialSequentialState;
      let hit = false;
      for (let k = 0; k < 20; k++) {
        for (let i = 0; i < 25; i++) {
          xs.push(rng.normal());
          ys.push(rng.normal() + shift);
        }
        state = sequentialMeansLook(state, summarise(xs), summarise(ys), { tau: 0.3 });
        if (state.p_value <= 0.05) hit = true;
      }
      if (shift === 0 && hit) aa++;
      if (shift > 0 && hit) found++;
    }
  }
  assert.ok(aa / 60 <= 0.05, `A/A ${aa}/60`);
  assert.ok(found / 60 >= 0.8, `power ${found}/60`);
});

test('sticky assignment: deterministic, uniform by weight, independent across experiments', () => {
  // MurmurHash3 x86_32 reference vectors
  assert.equal(murmur3(''), 0);
  assert.equal(murmur3('hello'), 0x248bfa47);
  assert.equal(murmur3('The quick brown fox jumps over the lazy dog'), 0x2e4ff723);
  const assign = stickyAssigner('checkout-v2', [{ name: 'champion', weight: 0.5 }, { name: 'challenger', weight: 0.3 }, { name: 'holdout', weight: 0.2 }]);
  assert.equal(assign('user-42'), assign('user-42'));
  const counts: Record<string, number> = { champion: 0, challenger: 0, holdout: 0 };
  const n = 30_000;
  for (let i = 0; i < n; i++) counts[assign(`user-${i}`)]! += 1;
  // chi-square goodness of fit with 2 degrees of freedom: 13.8 is its 0.999 quantile
  const expected = { champion: 0.5 * n, challenger: 0.3 * n, holdout: 0.2 * n };
  const chi = Object.entries(expected).reduce((s, [k, e]) => s + (counts[k]! - e) ** 2 / e, 0);
  assert.ok(chi < 13.8, `chi-square ${chi}: ${JSON.stringify(counts)}`);
  const other = stickyAssigner('search-v3', [{ name: 'A', weight: 1 }, { name: 'B', weight: 1 }]);
  let agree = 0;
  for (let i = 0; i < 4000; i++) if ((assign(`u${i}`) === 'champion') === (other(`u${i}`) === 'A')) agree++;
  // independent experiments agree on "first arm" about half the time
  assert.ok(Math.abs(agree / 4000 - 0.5) < 4 * Math.sqrt(0.25 / 4000) + 0.01, `agreement ${agree / 4000}`);
  assert.throws(() => stickyAssigner('x', [{ name: 'A', weight: -1 }]), expectCode('INVALID_EXPERIMENT_DATA'));
  assert.throws(() => stickyAssigner('x', []), expectCode('INVALID_EXPERIMENT_DATA'));
});
