/**
 * Fixed-horizon A/B analysis: the two-proportion z-test for conversion-style outcomes and Welch's t-test
 * for continuous ones, each with a confidence interval for the difference (B − A). Valid when the sample
 * size was fixed in advance and the result is looked at once; for repeated looks use `sequential.ts`.
 */
import { KilnError } from '../../core/errors.js';
import { normalQuantile, normalSf, studentTQuantile, studentTTwoSided } from '../../core/stats/distributions.js';

export interface ProportionArm {
  readonly successes: number;
  readonly trials: number;
}

export interface MeanArm {
  readonly n: number;
  readonly mean: number;
  /** Sample variance (divides by n − 1). */
  readonly variance: number;
}

export interface ComparisonResult {
  /** B − A: difference in rates or in means. */
  readonly difference: number;
  readonly statistic: number;
  readonly p_value: number;
  readonly confidence_interval: readonly [number, number];
  readonly confidence: number;
  /** p < alpha: the arms differ. */
  readonly significant: boolean;
  /** Degrees of freedom (Welch only). */
  readonly df?: number;
}

function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new KilnError('INVALID_EXPERIMENT_DATA', { reason: `alpha must lie in (0, 1), got ${alpha}` });
}

export function checkProportionArm(arm: ProportionArm, name: string): void {
  if (!Number.isInteger(arm.trials) || !Number.isInteger(arm.successes) || arm.trials < 1 || arm.successes < 0 || arm.successes > arm.trials) {
    throw new KilnError('INVALID_EXPERIMENT_DATA', { reason: `arm ${name} has ${arm.successes} successes in ${arm.trials} trials` });
  }
}

/**
 * Two-sided two-proportion z-test with the pooled rate under the null hypothesis; the confidence interval
 * of the difference uses the unpooled (Wald) standard error, as the textbook interval does.
 */
export function twoProportionZTest(a: ProportionArm, b: ProportionArm, alpha = 0.05): ComparisonResult {
  checkAlpha(alpha);
  checkProportionArm(a, 'A');
  checkProportionArm(b, 'B');
  const pa = a.successes / a.trials;
  const pb = b.successes / b.trials;
  const pooled = (a.successes + b.successes) / (a.trials + b.trials);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials));
  const z = sePooled === 0 ? 0 : (pb - pa) / sePooled;
  const se = Math.sqrt((pa * (1 - pa)) / a.trials + (pb * (1 - pb)) / b.trials);
  const half = normalQuantile(1 - alpha / 2) * se;
  const p = 2 * normalSf(Math.abs(z));
  return { difference: pb - pa, statistic: z, p_value: p, confidence_interval: [pb - pa - half, pb - pa + half], confidence: 1 - alpha, significant: p < alpha };
}

/** Mean and sample variance of outcomes, for `welchTTest`. */
export function summarise(values: ArrayLike<number>): MeanArm {
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const delta = v - mean;
    mean += delta / (i + 1);
    m2 += delta * (v - mean);
  }
  return { n: values.length, mean, variance: values.length > 1 ? m2 / (values.length - 1) : NaN };
}

/** Welch's unequal-variance t-test with the Welch–Satterthwaite degrees of freedom. */
export function welchTTest(a: MeanArm, b: MeanArm, alpha = 0.05): ComparisonResult {
  checkAlpha(alpha);
  for (const [arm, name] of [[a, 'A'], [b, 'B']] as const) {
    if (!(arm.n >= 2) || !(arm.variance >= 0)) throw new KilnError('INVALID_EXPERIMENT_DATA', { reason: `arm ${name} has ${arm.n} outcome(s); Welch's test needs at least two per arm` });
  }
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  const difference = b.mean - a.mean;
  if (se === 0) {
    // Both arms without spread: a difference of 0 is no evidence (t = 0), any other an infinite t (as
    // scipy's ttest_ind answers), which JSON writes as null.
    const statistic = difference === 0 ? 0 : Math.sign(difference) * Infinity;
    return { difference, statistic, p_value: difference === 0 ? 1 : 0, confidence_interval: [difference, difference], confidence: 1 - alpha, significant: difference !== 0, df: a.n + b.n - 2 };
  }
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const t = difference / se;
  const p = studentTTwoSided(t, df);
  const half = studentTQuantile(1 - alpha / 2, df) * se;
  return { difference, statistic: t, p_value: p, confidence_interval: [difference - half, difference + half], confidence: 1 - alpha, significant: p < alpha, df };
}
