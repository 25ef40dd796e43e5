/**
 * The outcome analysis on simulated experiments: a known 3-point uplift is found and called "safe to
 * promote"; A/A experiments stay inconclusive in at least 95% of seeded runs when the analysis is
 * looked at after every batch of outcomes; continuous outcomes go through Welch's test; the verdicts
 * for too little data and for bad outcomes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import { analyseOutcomes } from '../../src/experiment/analysis.js';
import { twoProportionZTest } from '../../src/experiment/stats/fixed-horizon.js';
import type { LabelledPrediction } from '../../src/store/store.js';
import { expectCode } from '../helpers/assertions.js';

type Arm = 'champion' | 'challenger';

/** Outcomes of `perArm` users per arm, interleaved in time as a 50/50 split would serve them. */
function simulate(rng: Rng, perArm: number, outcome: (arm: Arm) => number | boolean | string, start = 0): LabelledPrediction[] {
  const out: LabelledPrediction[] = [];
  for (let i = 0; i < perArm; i++) {
    for (const arm of ['champion', 'challenger'] as const) {
      const t = start + out.length;
      out.push({ requestId: `r${t}`, model: 'm', version: arm === 'champion' ? 1 : 2, timestamp: t, latencyMs: 1, inputs: {}, outputs: {}, experiment: 'e', arm, outcome: outcome(arm), feedbackAt: t });
    }
  }
  return out;
}

const bernoulli = (rng: Rng, p: number): number => (rng.next() < p ? 1 : 0);

test('a known 3-point uplift (10% → 13%) is detected and called safe to promote', () => {
  const rng = new Rng(7);
  const labelled = simulate(rng, 5000, (arm) => bernoulli(rng, arm === 'champion' ? 0.1 : 0.13));
  const a = analyseOutcomes({ outcome: 'binary' }, labelled);
  assert.equal(a.conclusion, 'challenger_better', a.verdict);
  assert.match(a.verdict, /^challenger better by \d\.\d points \(95% CI \d\.\d–\d\.\d\); safe to promote/);
  assert.ok(a.difference !== null && Math.abs(a.difference - 0.03) < 0.015, `difference ${a.difference}`);
  // the fixed-horizon numbers are the z-test's on the same counts
  const { champion, challenger } = a.arms;
  const z = twoProportionZTest({ successes: champion.successes!, trials: champion.n }, { successes: challenger.successes!, trials: challenger.n });
  assert.equal(a.fixed_horizon?.statistic, z.statistic);
  assert.ok(a.sequential !== null && a.sequential.p_value <= 0.05 && a.sequential.looks > 1000);
  // the always-valid interval is wider than the fixed-horizon one and also excludes 0
  const [lo, hi] = a.sequential.confidence_sequence!;
  const [flo, fhi] = a.fixed_horizon!.confidence_interval;
  assert.ok(lo < flo && hi > fhi && lo > 0, `${lo}..${hi} vs ${flo}..${fhi}`);
  // default mde and τ: a tenth of the champion's standard deviation (√(0.1·0.9)/10 ≈ 3 points)
  assert.ok(Math.abs(a.sequential.tau - 0.03) < 0.003, `tau ${a.sequential.tau}`);
});

test('a worse challenger is called worse; with lowerIsBetter the same data favour it', () => {
  const rng = new Rng(11);
  const labelled = simulate(rng, 3000, (arm) => bernoulli(rng, arm === 'champion' ? 0.2 : 0.15));
  const worse = analyseOutcomes({ outcome: 'binary' }, labelled);
  assert.equal(worse.conclusion, 'challenger_worse', worse.verdict);
  assert.match(worse.verdict, /^challenger worse by 5\.\d points \(95% CI -\d\.\d to -\d\.\d\); keep the champion/);
  assert.equal(analyseOutcomes({ outcome: 'binary' }, labelled, { lowerIsBetter: true }).conclusion, 'challenger_better');
});

test('A/A experiments stay inconclusive in at least 95% of seeded runs, looked at after every batch', () => {
  const runs = 100;
  const batches = 20;
  const batchPerArm = 100;
  let everConclusive = 0;
  for (let s = 0; s < runs; s++) {
    const rng = new Rng(40_000 + s);
    const labelled: LabelledPrediction[] = [];
    let conclusive = false;
    for (let k = 0; k < batches; k++) {
      labelled.push(...simulate(rng, batchPerArm, () => bernoulli(rng, 0.1), labelled.length));
      const a = analyseOutcomes({ outcome: 'binary' }, labelled);
      if (a.conclusion === 'challenger_better' || a.conclusion === 'challenger_worse') conclusive = true;
    }
    if (conclusive) everConclusive++;
  }
  assert.ok(everConclusive / runs <= 0.05, `A/A called a winner in ${everConclusive}/${runs} runs`);
});

test('the verdict does not depend on the order outcomes are handed in (they are replayed in serving order)', () => {
  const rng = new Rng(3);
  const labelled = simulate(rng, 800, (arm) => bernoulli(rng, arm === 'champion' ? 0.3 : 0.36));
  const shuffled = [...labelled].reverse();
  assert.deepEqual(analyseOutcomes({ outcome: 'binary' }, shuffled), analyseOutcomes({ outcome: 'binary' }, labelled));
});

test("continuous outcomes: Welch's test, a shift of 0.3 sd is found, A/A is not", () => {
  const rng = new Rng(5);
  const shifted = simulate(rng, 400, (arm) => 10 + 2 * rng.normal() + (arm === 'challenger' ? 0.6 : 0));
  const a = analyseOutcomes({ outcome: 'continuous' }, shifted, { mde: 0.6 });
  assert.equal(a.fixed_horizon?.test, "Welch's t-test");
  assert.equal(a.conclusion, 'challenger_better', a.verdict);
  assert.match(a.verdict, /^challenger better by [\d.]+ \(95% CI [\d.]+–[\d.]+\); safe to promote/);
  // within four standard errors (2·√(2/400) ≈ 0.14) of the true shift
  assert.ok(Math.abs(a.difference! - 0.6) < 4 * 0.142, `difference ${a.difference}`);
  const same = simulate(rng, 400, () => 10 + 2 * rng.normal());
  assert.notEqual(analyseOutcomes({ outcome: 'continuous' }, same, { mde: 0.6 }).conclusion, 'challenger_better');
  // a numeric string is a number; text is refused with the request named
  assert.equal(analyseOutcomes({ outcome: 'continuous' }, simulate(rng, 40, () => '1.5')).arms.champion.mean, 1.5);
  assert.throws(() => analyseOutcomes({ outcome: 'continuous' }, simulate(rng, 3, () => 'lots')), expectCode('INVALID_EXPERIMENT_DATA'));
});

test('too few outcomes: not enough data, with the sample size still to collect; inconclusive says how many more', () => {
  const rng = new Rng(9);
  const few = analyseOutcomes({ outcome: 'binary' }, simulate(rng, 10, () => bernoulli(rng, 0.5)));
  assert.equal(few.conclusion, 'not_enough_data');
  assert.equal(few.sequential, null);
  assert.match(few.verdict, /^not enough outcomes yet \(10 champion, 10 challenger; the analysis starts at 30 per arm\)/);

  const some = analyseOutcomes({ outcome: 'binary' }, simulate(rng, 300, () => bernoulli(rng, 0.1)), { mde: 0.03 });
  assert.equal(some.conclusion, 'inconclusive', some.verdict);
  assert.ok(some.sample_size !== null && some.sample_size.more_per_arm === some.sample_size.per_arm - 300);
  assert.match(some.verdict, new RegExp(`^inconclusive: need about ${some.sample_size.more_per_arm} more outcomes per arm`));

  // outcomes: true/false and "yes"/"no" are binary; anything else is refused
  assert.equal(analyseOutcomes({ outcome: 'binary' }, simulate(rng, 5, (arm) => arm === 'champion')).arms.champion.mean, 1);
  assert.equal(analyseOutcomes({ outcome: 'binary' }, simulate(rng, 5, () => 'no')).arms.challenger.successes, 0);
  assert.throws(() => analyseOutcomes({ outcome: 'binary' }, simulate(rng, 5, () => 0.5)), expectCode('INVALID_EXPERIMENT_DATA'));
  // shadow answers are not outcomes of what users saw
  const shadow = simulate(rng, 50, () => 1).map((l) => ({ ...l, shadow: true }));
  assert.equal(analyseOutcomes({ outcome: 'binary' }, shadow).arms.champion.n, 0);
});
