/**
 * A sequential test with always-valid p-values: the normal-mixture mixture sequential probability ratio
 * test (mSPRT) of Johari, Pekelis and Walsh ("Always valid inference", 2017/2022), for the difference of
 * two means or two rates. Its p-value may be checked after every batch of outcomes — peeking does not
 * inflate the false-positive rate beyond alpha, unlike re-running a fixed-horizon test.
 *
 * With Δ̂ the observed difference B − A, s² = σ²_A/n_A + σ²_B/n_B its variance, and a normal mixing
 * distribution N(0, τ²) over the true difference, the mixture likelihood ratio is
 *
 *   Λ = √(s² / (s² + τ²)) · exp(τ² Δ̂² / (2 s² (s² + τ²)))
 *
 * (with n_A = n_B = n and s² = V/n this is the paper's √(V/(V+nτ²))·exp(n²τ²Δ̂²/(2V(V+nτ²)))). The
 * always-valid p-value is the running minimum of 1/Λ; the variances are plug-in estimates, as in the
 * paper's deployment at Optimizely. τ is the size of effect one expects: the test is most powerful near it.
 */
import { KilnError } from '../../core/errors.js';
import { checkProportionArm, type MeanArm, type ProportionArm } from './fixed-horizon.js';

export interface SequentialState {
  /** The always-valid p-value so far (1 before the first look). */
  readonly p_value: number;
  readonly looks: number;
}

export interface SequentialLook extends SequentialState {
  readonly difference: number;
  readonly likelihood_ratio: number;
  /** p ≤ alpha: the arms differ, and stopping now is safe. */
  readonly significant: boolean;
}

export const initialSequentialState: SequentialState = { p_value: 1, looks: 0 };

/** The mixture likelihood ratio Λ for an observed difference with variance s² and mixing sd τ. */
export function mixtureLikelihoodRatio(difference: number, variance: number, tau: number): number {
  if (!(tau > 0)) throw new KilnError('INVALID_EXPERIMENT_DATA', { reason: `the mixing standard deviation tau must be positive, got ${tau}` });
  if (!(variance > 0)) return difference === 0 ? 1 : Infinity;
  const t2 = tau * tau;
  return Math.sqrt(variance / (variance + t2)) * Math.exp((t2 * difference * difference) / (2 * variance * (variance + t2)));
}

/** One look at the cumulative outcomes of two means (summaries of everything seen so far). */
export function sequentialMeansLook(state: SequentialState, a: MeanArm, b: MeanArm, options: { tau: number; alpha?: number }): SequentialLook {
  if (!(a.n >= 2 && b.n >= 2)) throw new KilnError('INVALID_EXPERIMENT_DATA', { reason: 'each arm needs at least two outcomes before a look' });
  return look(state, b.mean - a.mean, a.variance / a.n + b.variance / b.n, options);
}

/** One look at the cumulative outcomes of two rates. */
export function sequentialProportionsLook(state: SequentialState, a: ProportionArm, b: ProportionArm, options: { tau: number; alpha?: number }): SequentialLook {
  checkProportionArm(a, 'A');
  checkProportionArm(b, 'B');
  const pa = a.successes / a.trials;
  const pb = b.successes / b.trials;
  return look(state, pb - pa, (pa * (1 - pa)) / a.trials + (pb * (1 - pb)) / b.trials, options);
}

/**
 * One look at an observed difference whose variance the caller estimated: the analysis uses it when the
 * per-arm plug-in estimate is zero (every outcome of each arm the same) and falls back to the variance
 * under the null hypothesis, as the two-proportion z-test does.
 */
export function sequentialLook(state: SequentialState, difference: number, variance: number, options: { tau: number; alpha?: number }): SequentialLook {
  return look(state, difference, variance, options);
}

function look(state: SequentialState, difference: number, variance: number, options: { tau: number; alpha?: number }): SequentialLook {
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new KilnError('INVALID_EXPERIMENT_DATA', { reason: `alpha must lie in (0, 1), got ${alpha}` });
  const ratio = mixtureLikelihoodRatio(difference, variance, options.tau);
  const p = Math.min(state.p_value, 1 / ratio);
  return { p_value: p, looks: state.looks + 1, difference, likelihood_ratio: ratio, significant: p <= alpha };
}
