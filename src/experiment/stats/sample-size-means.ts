/**
 * How many units per arm a fixed-horizon two-sample test of means needs to detect a difference of `mde`
 * when the outcome's standard deviation is `sd` in both arms (the normal approximation; Chow, Shao and
 * Wang, Sample Size Calculations in Clinical Research, §3.2.1):
 *
 *   n = 2 σ² (z_{1−α/2} + z_{power})² / mde²
 *
 * The companion of `sampleSizePerArm` (rates) for continuous outcomes such as revenue or time on page.
 */
import { KilnError } from '../../core/errors.js';
import { normalQuantile } from '../../core/stats/distributions.js';

export interface MeansSampleSizeInput {
  /** Standard deviation of the outcome (assumed equal in both arms). */
  readonly sd: number;
  /** Minimum detectable effect: absolute difference of means, in the outcome's units. */
  readonly mde: number;
  readonly alpha?: number;
  readonly power?: number;
}

export function meansSampleSizePerArm(input: MeansSampleSizeInput): number {
  const alpha = input.alpha ?? 0.05;
  const power = input.power ?? 0.8;
  if (!(input.sd > 0) || !Number.isFinite(input.sd) || !(input.mde !== 0 && Number.isFinite(input.mde))) {
    throw new KilnError('INVALID_EXPERIMENT_DATA', { reason: `the standard deviation (${input.sd}) must be positive and the mde (${input.mde}) a non-zero number` });
  }
  if (!(alpha > 0 && alpha < 1) || !(power > 0 && power < 1)) throw new KilnError('INVALID_EXPERIMENT_DATA', { reason: `alpha (${alpha}) and power (${power}) must lie in (0, 1)` });
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  return Math.ceil((2 * input.sd * input.sd * z * z) / (input.mde * input.mde));
}
