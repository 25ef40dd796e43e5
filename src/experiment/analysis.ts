/**
 * The outcome analysis of a split or canary experiment: did the challenger's users do better than the
 * champion's? Outcomes are the ground truth posted as feedback on the arms' logged predictions.
 *
 *   - per arm: count, rate (binary: 0/1 conversions) or mean and standard deviation (continuous);
 *   - a fixed-horizon test with a confidence interval of the difference challenger − champion: the
 *     two-proportion z-test (binary) or Welch's t-test (continuous);
 *   - the mSPRT always-valid p-value, replayed over the outcomes in the order their predictions were
 *     served, so that it is the same whenever and however often someone looks (the running minimum of
 *     1/Λ over every prefix, which is what checking after every batch would have seen);
 *   - a verdict in words. The decision rests on the sequential test, because people do look early;
 *     the interval shown is the fixed-horizon one, as experimenters know it.
 *
 * Defaults: the minimum detectable effect (and the mSPRT's mixing scale τ, where the test is most
 * powerful) is a tenth of the champion's outcome standard deviation — 3 points for a 10% conversion
 * rate — unless `mde` says otherwise. Looks start once each arm has `minPerArm` outcomes: plug-in
 * variances of a handful of outcomes are too noisy for the test's guarantee (two users who both did
 * not convert have "variance 0", which would read as infinite evidence).
 *
 * Arms without spread: when every outcome within each arm is the same (all 0 against all 1, or a
 * continuous outcome constant per arm), the per-arm plug-in variance is 0 and says nothing about the
 * uncertainty of the difference. A look then uses the variance under the null hypothesis — both arms'
 * outcomes as one sample, as the two-proportion z-test's pooled standard error does — so 300 users who
 * all failed against 300 who all succeeded is a clear result rather than "not enough outcomes". When
 * even that is 0 (every outcome of both arms identical) there is no difference to test, which the
 * verdict says.
 */
import { KilnError } from '../core/errors.js';
import type { Experiment, LabelledPrediction } from '../store/store.js';
import type { ArmName } from './arm-traffic.js';
import { twoProportionZTest, welchTTest, type ComparisonResult, type MeanArm } from './stats/fixed-horizon.js';
import { sampleSizePerArm } from './stats/sample-size.js';
import { meansSampleSizePerArm } from './stats/sample-size-means.js';
import { initialSequentialState, sequentialLook, type SequentialState } from './stats/sequential.js';

export interface AnalysisOptions {
  /** Significance level (default 0.05). */
  readonly alpha?: number;
  /** Power of the sample-size estimate (default 0.8). */
  readonly power?: number;
  /** Minimum detectable effect, absolute (0.03 = 3 points for a binary outcome). */
  readonly mde?: number;
  /** Outcomes each arm needs before the first look (default 30). */
  readonly minPerArm?: number;
  /** A smaller outcome is the better one (e.g. time to complete a task); default: larger is better. */
  readonly lowerIsBetter?: boolean;
}

export interface ArmOutcomes {
  readonly n: number;
  /** The rate (binary) or mean (continuous); null without outcomes. */
  readonly mean: number | null;
  readonly sd: number | null;
  /** Binary outcomes only. */
  readonly successes?: number;
}

export type Conclusion = 'challenger_better' | 'challenger_worse' | 'inconclusive' | 'not_enough_data';

export interface OutcomeAnalysis {
  readonly outcome: 'binary' | 'continuous';
  readonly arms: Readonly<Record<ArmName, ArmOutcomes>>;
  /** challenger − champion (rates or means); null without outcomes in both arms. */
  readonly difference: number | null;
  readonly fixed_horizon: (ComparisonResult & { readonly test: string }) | null;
  readonly sequential: {
    readonly test: 'mSPRT';
    readonly p_value: number;
    readonly looks: number;
    readonly tau: number;
    readonly significant: boolean;
    /** The always-valid (1 − alpha) interval of the difference at the latest look. */
    readonly confidence_sequence: readonly [number, number] | null;
  } | null;
  readonly sample_size: { readonly per_arm: number; readonly more_per_arm: number; readonly mde: number; readonly power: number } | null;
  readonly conclusion: Conclusion;
  readonly verdict: string;
}

interface Unit {
  readonly arm: ArmName;
  readonly value: number;
  readonly timestamp: number;
  readonly requestId: string;
}

/** Running count, mean and sum of squared deviations (Welford), for looks after every outcome. */
class RunningArm {
  n = 0;
  mean = 0;
  m2 = 0;
  successes = 0;

  add(value: number): void {
    this.n++;
    const delta = value - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (value - this.mean);
    if (value === 1) this.successes++;
  }

  get variance(): number {
    return this.n > 1 ? this.m2 / (this.n - 1) : NaN;
  }

  summary(): MeanArm {
    return { n: this.n, mean: this.mean, variance: this.variance };
  }
}

export function analyseOutcomes(experiment: Pick<Experiment, 'outcome'>, labelled: readonly LabelledPrediction[], options: AnalysisOptions = {}): OutcomeAnalysis {
  const alpha = options.alpha ?? 0.05;
  const power = options.power ?? 0.8;
  const minPerArm = Math.max(2, options.minPerArm ?? 30);
  const binary = experiment.outcome === 'binary';
  const units = unitsOf(labelled, binary);

  const arms = { champion: new RunningArm(), challenger: new RunningArm() };
  // τ needs the champion's spread before the replay starts: take it from all of the champion's outcomes.
  const championAll = new RunningArm();
  const everyone = new RunningArm();
  for (const u of units) {
    if (u.arm === 'champion') championAll.add(u.value);
    everyone.add(u.value);
  }
  if (!Number.isFinite(everyone.mean) || !Number.isFinite(everyone.m2)) {
    // e.g. revenues posted as 1e300: their variance overflows, and every number below would be ±Infinity or NaN
    throw new KilnError('INVALID_EXPERIMENT_DATA', { reason: 'the outcomes are too large to compute their mean and spread in double precision; post them in a smaller unit (e.g. thousands)' });
  }
  const mde = options.mde ?? defaultMde(binary, championAll, everyone);
  if (mde !== null && !(Number.isFinite(mde) && mde > 0)) {
    throw new KilnError('INVALID_EXPERIMENT_DATA', { reason: `the minimum detectable effect must be a positive number, got ${mde}` });
  }

  let state: SequentialState = initialSequentialState;
  let lastVariance: number | null = null;
  const pooled = new RunningArm(); // both arms' outcomes so far, for the variance under the null hypothesis
  for (const u of units) {
    arms[u.arm].add(u.value);
    pooled.add(u.value);
    const a = arms.champion;
    const b = arms.challenger;
    if (mde === null || a.n < minPerArm || b.n < minPerArm) continue;
    const perArm = binary ? rateVariance(a) + rateVariance(b) : a.variance / a.n + b.variance / b.n;
    const variance = perArm > 0 ? perArm : nullVariance(binary, pooled, a.n, b.n);
    if (!(variance > 0)) continue;
    state = sequentialLook(state, b.mean - a.mean, variance, { tau: mde, alpha });
    lastVariance = variance;
  }

  const a = arms.champion;
  const b = arms.challenger;
  const armOutcomes = (arm: RunningArm): ArmOutcomes => ({
    n: arm.n,
    mean: arm.n === 0 ? null : arm.mean,
    sd: arm.n === 0 ? null : binary ? Math.sqrt(arm.mean * (1 - arm.mean)) : arm.n > 1 ? Math.sqrt(arm.variance) : null,
    ...(binary ? { successes: arm.successes } : {}),
  });
  const difference = a.n > 0 && b.n > 0 ? b.mean - a.mean : null;
  const enough = a.n >= minPerArm && b.n >= minPerArm;
  // Enough outcomes but no look: every outcome of both arms is one and the same value (see the header).
  const allAlike = enough && state.looks === 0 ? everyone.mean : null;
  const fixed = enough ? fixedHorizon(binary, a, b, alpha) : null;
  const sequential =
    state.looks === 0 || mde === null || difference === null
      ? null
      : {
          test: 'mSPRT' as const,
          p_value: state.p_value,
          looks: state.looks,
          tau: mde,
          significant: state.p_value <= alpha,
          confidence_sequence: lastVariance === null ? null : confidenceSequence(difference, lastVariance, mde, alpha),
        };
  const sampleSize = mde === null ? null : estimateSampleSize(binary, a, b, mde, alpha, power);

  const better = options.lowerIsBetter === true ? (d: number) => d < 0 : (d: number) => d > 0;
  let conclusion: Conclusion;
  if (allAlike !== null) conclusion = 'inconclusive';
  else if (!enough || sequential === null || difference === null) conclusion = 'not_enough_data';
  else if (!sequential.significant) conclusion = 'inconclusive';
  else conclusion = better(difference) ? 'challenger_better' : 'challenger_worse';

  return {
    outcome: experiment.outcome,
    arms: { champion: armOutcomes(a), challenger: armOutcomes(b) },
    difference,
    fixed_horizon: fixed,
    sequential,
    sample_size: sampleSize,
    conclusion,
    verdict: verdictOf({ conclusion, binary, difference, fixed, sampleSize, counts: [a.n, b.n], minPerArm, alpha, sequential, allAlike }),
  };
}

/** Outcomes as numbers, oldest prediction first; shadow answers are left out (nobody saw them). */
function unitsOf(labelled: readonly LabelledPrediction[], binary: boolean): Unit[] {
  const units: Unit[] = [];
  for (const l of labelled) {
    if (l.shadow === true || (l.arm !== 'champion' && l.arm !== 'challenger')) continue;
    units.push({ arm: l.arm, value: binary ? binaryOutcome(l) : continuousOutcome(l), timestamp: l.timestamp, requestId: l.requestId });
  }
  return units.sort((x, y) => x.timestamp - y.timestamp || (x.requestId < y.requestId ? -1 : x.requestId > y.requestId ? 1 : 0));
}

const TRUE = new Set(['1', 'true', 'yes']);
const FALSE = new Set(['0', 'false', 'no']);

function binaryOutcome(l: LabelledPrediction): number {
  const o = l.outcome;
  if (o === true || o === 1) return 1;
  if (o === false || o === 0) return 0;
  if (typeof o === 'string' && TRUE.has(o.trim().toLowerCase())) return 1;
  if (typeof o === 'string' && FALSE.has(o.trim().toLowerCase())) return 0;
  throw new KilnError('INVALID_EXPERIMENT_DATA', {
    reason: `the experiment's outcome is binary, but request ${l.requestId} has outcome ${JSON.stringify(o)}; post 1/0 or true/false as feedback, or start the experiment with outcome "continuous"`,
  });
}

function continuousOutcome(l: LabelledPrediction): number {
  const o = l.outcome;
  const value = typeof o === 'number' ? o : typeof o === 'string' && o.trim() !== '' ? Number(o) : typeof o === 'boolean' ? Number(o) : NaN;
  if (!Number.isFinite(value)) {
    throw new KilnError('INVALID_EXPERIMENT_DATA', { reason: `the experiment's outcome is continuous, but request ${l.requestId} has outcome ${JSON.stringify(o)}, which is not a number` });
  }
  return value;
}

const rateVariance = (arm: RunningArm): number => (arm.mean * (1 - arm.mean)) / arm.n;

/**
 * The variance of the difference under the null hypothesis (no difference): both arms' outcomes as one
 * sample — the pooled rate p̄(1 − p̄), or the pooled sample variance — times 1/n_A + 1/n_B.
 */
function nullVariance(binary: boolean, pooled: RunningArm, na: number, nb: number): number {
  const spread = binary ? pooled.mean * (1 - pooled.mean) : pooled.variance;
  return spread * (1 / na + 1 / nb);
}

/**
 * A tenth of the champion's outcome standard deviation; null when it cannot be known yet. A champion
 * without spread so far falls back to one point (binary: no conversions yet), or to a tenth of the
 * spread of both arms' outcomes together (continuous: the champion's were all the same).
 */
function defaultMde(binary: boolean, champion: RunningArm, everyone: RunningArm): number | null {
  if (champion.n < 2) return null;
  const sd = binary ? Math.sqrt(champion.mean * (1 - champion.mean)) : Math.sqrt(champion.variance);
  if (sd > 0) return 0.1 * sd;
  if (binary) return 0.01;
  const all = Math.sqrt(everyone.variance);
  return all > 0 ? 0.1 * all : null;
}

function fixedHorizon(binary: boolean, a: RunningArm, b: RunningArm, alpha: number): (ComparisonResult & { test: string }) | null {
  if (binary) return { test: 'two-proportion z-test', ...twoProportionZTest({ successes: a.successes, trials: a.n }, { successes: b.successes, trials: b.n }, alpha) };
  if (!(a.variance >= 0 && b.variance >= 0)) return null;
  return { test: "Welch's t-test", ...welchTTest(a.summary(), b.summary(), alpha) };
}

/**
 * The always-valid interval of the difference at one look: every θ whose mixture likelihood ratio
 * stays below 1/α, |Δ̂ − θ| < √((s²(s²+τ²)/τ²)(2 ln(1/α) + ln((s²+τ²)/s²))) (Johari et al., §4).
 */
function confidenceSequence(difference: number, variance: number, tau: number, alpha: number): readonly [number, number] {
  const t2 = tau * tau;
  const half = Math.sqrt(((variance * (variance + t2)) / t2) * (2 * Math.log(1 / alpha) + Math.log((variance + t2) / variance)));
  return [difference - half, difference + half];
}

function estimateSampleSize(binary: boolean, a: RunningArm, b: RunningArm, mde: number, alpha: number, power: number): OutcomeAnalysis['sample_size'] {
  let perArm: number;
  try {
    if (binary) {
      if (a.n === 0) return null;
      // plan for a lift in whichever direction stays a rate
      perArm = sampleSizePerArm({ baselineRate: a.mean, mde: a.mean + mde < 1 ? mde : -mde, alpha, power });
    } else {
      const pooled = a.n > 1 && b.n > 1 ? Math.sqrt(((a.n - 1) * a.variance + (b.n - 1) * b.variance) / (a.n + b.n - 2)) : a.n > 1 ? Math.sqrt(a.variance) : NaN;
      perArm = meansSampleSizePerArm({ sd: pooled, mde, alpha, power });
    }
  } catch (err) {
    if (err instanceof KilnError && err.code === 'INVALID_EXPERIMENT_DATA') return null; // e.g. a champion rate of 0 so far
    throw err;
  }
  return { per_arm: perArm, more_per_arm: Math.max(0, perArm - Math.min(a.n, b.n)), mde, power };
}

interface VerdictInput {
  readonly conclusion: Conclusion;
  readonly binary: boolean;
  readonly difference: number | null;
  readonly fixed: ComparisonResult | null;
  readonly sampleSize: OutcomeAnalysis['sample_size'];
  readonly counts: readonly [number, number];
  readonly minPerArm: number;
  readonly alpha: number;
  readonly sequential: OutcomeAnalysis['sequential'];
  /** Set when every outcome of both arms is this one value. */
  readonly allAlike: number | null;
}

/** "challenger better by 3.1 points (95% CI 1.2–5.0); safe to promote", and its siblings. */
function verdictOf(v: VerdictInput): string {
  const amount = (d: number): string => (v.binary ? `${(Math.abs(d) * 100).toFixed(1)} points` : formatNumber(Math.abs(d)));
  const bound = (d: number): string => (v.binary ? (d * 100).toFixed(1) : formatNumber(d));
  const interval = (): string => {
    if (v.fixed === null) return '';
    const [lo, hi] = v.fixed.confidence_interval;
    const level = `${Math.round(v.fixed.confidence * 100)}% CI`;
    return lo >= 0 ? ` (${level} ${bound(lo)}–${bound(hi)})` : ` (${level} ${bound(lo)} to ${bound(hi)})`;
  };
  const more = v.sampleSize === null ? '' : `need about ${v.sampleSize.more_per_arm} more outcomes per arm (${v.sampleSize.per_arm} per arm detect a difference of ${amount(v.sampleSize.mde)} with ${Math.round(v.sampleSize.power * 100)}% power)`;
  const [na, nb] = v.counts;
  switch (v.conclusion) {
    case 'challenger_better':
      return `challenger better by ${amount(v.difference as number)}${interval()}; safe to promote (always-valid p = ${formatP(v.sequential?.p_value)})`;
    case 'challenger_worse':
      return `challenger worse by ${amount(v.difference as number)}${interval()}; keep the champion (always-valid p = ${formatP(v.sequential?.p_value)})`;
    case 'inconclusive':
      if (v.allAlike !== null) {
        const value = v.binary ? `${v.allAlike} (${v.allAlike === 1 ? 'every user converted' : 'no user converted'})` : formatNumber(v.allAlike);
        return `inconclusive after ${Math.min(na, nb)} outcomes per arm: every outcome in both arms is ${value}, so nothing tells the versions apart yet`;
      }
      if (v.sampleSize !== null && v.sampleSize.more_per_arm === 0) {
        return `inconclusive after ${Math.min(na, nb)} outcomes per arm: any difference is likely smaller than ${amount(v.sampleSize.mde)} (always-valid p = ${formatP(v.sequential?.p_value)})`;
      }
      return `inconclusive: ${more || 'keep collecting outcomes'} (always-valid p = ${formatP(v.sequential?.p_value)})`;
    case 'not_enough_data':
      return `not enough outcomes yet (${na} champion, ${nb} challenger; the analysis starts at ${v.minPerArm} per arm)${more === '' ? '' : `: ${more}`}`;
  }
}

function formatNumber(x: number): string {
  if (x === 0) return '0';
  const magnitude = Math.abs(x);
  return magnitude >= 100 ? x.toFixed(0) : magnitude >= 1 ? x.toFixed(2) : x.toPrecision(2);
}

const formatP = (p: number | undefined): string => (p === undefined ? 'n/a' : p < 0.001 ? p.toExponential(1) : p.toFixed(3));
