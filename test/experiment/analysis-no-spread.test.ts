/**
 * Arms whose outcomes do not vary: 300 users who all failed against 300 who all succeeded used to read
 * "not enough outcomes yet (300 champion, 300 challenger; the analysis starts at 30 per arm)", because
 * the per-arm plug-in variance was 0 and no sequential look was taken. A look now uses the variance under
 * the null hypothesis (both arms as one sample, the z-test's pooled standard error); when every outcome
 * of both arms is the same there is nothing to tell apart, and the verdict says that instead.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyseOutcomes } from '../../src/experiment/analysis.js';
import type { LabelledPrediction } from '../../src/store/store.js';
import { expectCode } from '../helpers/assertions.js';

type Arm = 'champion' | 'challenger';

/** `perArm` users per arm, interleaved in time as a 50/50 split serves them. */
function simulate(perArm: number, outcome: (arm: Arm, i: number) => number | boolean | string): LabelledPrediction[] {
  const out: LabelledPrediction[] = [];
  for (let i = 0; i < perArm; i++) {
    for (const arm of ['champion', 'challenger'] as const) {
      const t = out.length;
      out.push({ requestId: `r${t}`, model: 'm', version: arm === 'champion' ? 1 : 2, timestamp: t, latencyMs: 1, inputs: {}, outputs: {}, experiment: 'e', arm, outcome: outcome(arm, i), feedbackAt: t });
    }
  }
  return out;
}

test('all 300 champion users failed, all 300 challenger users succeeded: a clear win, not "not enough outcomes"', () => {
  const a = analyseOutcomes({ outcome: 'binary' }, simulate(300, (arm) => (arm === 'champion' ? 0 : 1)));
  assert.equal(a.conclusion, 'challenger_better', a.verdict);
  assert.doesNotMatch(a.verdict, /not enough outcomes/);
  assert.match(a.verdict, /^challenger better by 100\.0 points/);
  // By hand: the champion had no spread, so τ falls back to one point; the null-hypothesis variance of
  // the difference at the last look is p̄(1 − p̄)(1/300 + 1/300) with p̄ = 0.5. The difference is 1 at
  // every look and the variance shrinks, so the last look holds the smallest 1/Λ.
  const tau = 0.01;
  const s2 = 0.25 * (2 / 300);
  const lambda = Math.sqrt(s2 / (s2 + tau * tau)) * Math.exp((tau * tau) / (2 * s2 * (s2 + tau * tau)));
  assert.ok(a.sequential !== null);
  assert.equal(a.sequential.tau, tau);
  assert.ok(Math.abs(a.sequential.p_value - 1 / lambda) < 1e-12, `${a.sequential.p_value} vs ${1 / lambda}`);
  assert.ok(a.sequential.p_value < 1e-6);
});

test('every outcome of both arms the same: inconclusive, and the verdict says there is nothing to tell apart', () => {
  for (const [value, words] of [[1, /every outcome in both arms is 1 \(every user converted\)/], [0, /every outcome in both arms is 0 \(no user converted\)/]] as const) {
    const a = analyseOutcomes({ outcome: 'binary' }, simulate(300, () => value));
    assert.equal(a.conclusion, 'inconclusive', a.verdict);
    assert.match(a.verdict, /^inconclusive after 300 outcomes per arm: /);
    assert.match(a.verdict, words);
    assert.equal(a.difference, 0);
  }
  const same = analyseOutcomes({ outcome: 'continuous' }, simulate(50, () => 5));
  assert.equal(same.conclusion, 'inconclusive', same.verdict);
  assert.match(same.verdict, /every outcome in both arms is 5\.00/);
  // below the minimum per arm it is still too early, whatever the values
  assert.equal(analyseOutcomes({ outcome: 'binary' }, simulate(10, () => 1)).conclusion, 'not_enough_data');
});

test('a continuous outcome constant within each arm (5 against 6): found, and Welch\'s t is infinite rather than 0', () => {
  const labelled = simulate(50, (arm) => (arm === 'champion' ? 5 : 6));
  const a = analyseOutcomes({ outcome: 'continuous' }, labelled);
  assert.equal(a.conclusion, 'challenger_better', a.verdict);
  assert.equal(a.difference, 1);
  assert.equal(a.fixed_horizon?.statistic, Infinity);
  assert.equal(a.fixed_horizon?.p_value, 0);
  // JSON (the API, `kiln ab status --json`) writes the infinite statistic as null, as its schema says
  assert.equal((JSON.parse(JSON.stringify(a)) as { fixed_horizon: { statistic: unknown } }).fixed_horizon.statistic, null);
  assert.equal(analyseOutcomes({ outcome: 'continuous' }, labelled, { lowerIsBetter: true }).conclusion, 'challenger_worse');
});

test('outcomes too large for double precision are refused in words about the outcomes, not about an mde nobody gave', () => {
  const huge = simulate(40, (arm, i) => (arm === 'champion' ? 1e300 : -1e300) * (i % 2 === 0 ? 1 : 1.5));
  assert.throws(() => analyseOutcomes({ outcome: 'continuous' }, huge), (err: Error) => {
    expectCode('INVALID_EXPERIMENT_DATA')(err);
    assert.match(err.message, /outcomes are too large/);
    assert.doesNotMatch(err.message, /minimum detectable effect/);
    return true;
  });
});
