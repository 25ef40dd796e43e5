/**
 * How many units per arm a fixed-horizon two-proportion test needs to detect an absolute lift of `mde`
 * over a baseline rate with two-sided level alpha and the given power (the standard closed form with the
 * pooled variance under H0 and the unpooled one under H1; Fleiss, Statistical Methods for Rates, §4.2):
 *
 *   n = (z_{1−α/2} √(2 p̄ (1 − p̄)) + z_{power} √(p₁(1 − p₁) + p₂(1 − p₂)))² / mde²,  p̄ = (p₁ + p₂) / 2
 */
import { KilnError } from '../../core/errors.js';
import { normalQuantile } from '../../core/stats/distributions.js';

export interface SampleSizeInput {
  readonly baselineRate: number;
  /** Minimum detectable effect: absolute difference in rate (0.03 = 3 points). */
  readonly mde: number;
  readonly alpha?: number;
  readonly power?: number;
}

export function sampleSizePerArm(input: SampleSizeInput): number {
  const { baselineRate: p1, mde } = input;
  const alpha = input.alpha ?? 0.05;
  const power = input.power ?? 0.8;
  const p2 = p1 + mde;
  if (!(p1 > 0 && p1 < 1) || !(p2 > 0 && p2 < 1) || mde === 0) {
    throw new KilnError('INVALID_EXPERIMENT_DATA', { reason: `baseline rate ${p1} and baseline + mde ${p2} must both lie in (0, 1), with mde ≠ 0` });
  }
  if (!(alpha > 0 && alpha < 1) || !(power > 0 && power < 1)) throw new KilnError('INVALID_EXPERIMENT_DATA', { reason: `alpha (${alpha}) and power (${power}) must lie in (0, 1)` });
  const pBar = (p1 + p2) / 2;
  const numerator = normalQuantile(1 - alpha / 2) * Math.sqrt(2 * pBar * (1 - pBar)) + normalQuantile(power) * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return Math.ceil((numerator * numerator) / (mde * mde));
}
