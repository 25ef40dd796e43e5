/**
 * The drift tests, keyed by name and frozen at start-up (Evidently's stat-test registry). Each takes a
 * column's reference profile and its current summary and returns `{column, test, statistic, p_value?,
 * threshold, drift}`; p-value tests flag drift when p is below the threshold (KS: at or below, as
 * Evidently), distance tests when the distance reaches it.
 */
import { KilnError } from '../../core/errors.js';
import type { ColumnProfile } from '../../data/profile/reference-profile.js';
import { chiSquareContingency } from './chi-square.js';
import type { CurrentColumn } from './current-column.js';
import { alignedShares, binnedWasserstein, decileCounts, jensenShannonDistance, populationStabilityIndex } from './distances.js';
import { ksPValue, ksStatistic } from './ks.js';
import { proportionsZTest } from './z-test.js';

export interface DriftResult {
  readonly column: string;
  readonly test: string;
  readonly statistic: number;
  readonly p_value?: number;
  readonly threshold: number;
  readonly drift: boolean;
}

export interface DriftTest {
  readonly name: string;
  readonly description: string;
  /** `p_value`: drift when p is small; `distance`: drift when the statistic is large. */
  readonly kind: 'p_value' | 'distance';
  readonly defaultThreshold: number;
  run(reference: ColumnProfile, current: CurrentColumn, threshold: number): DriftResult;
}

/** Reference category counts (numeric columns with few values count by value). */
export function referenceCategories(reference: ColumnProfile): Map<string, number> {
  if (reference.kind === 'categorical') return new Map(Object.entries(reference.counts));
  return new Map(Object.entries(reference.valueCounts ?? {}));
}

function usesCategories(reference: ColumnProfile): boolean {
  return reference.kind === 'categorical' || reference.valueCounts !== null;
}

function needsNumeric(test: string, reference: ColumnProfile): asserts reference is Extract<ColumnProfile, { kind: 'numeric' }> {
  if (reference.kind !== 'numeric') throw new KilnError('DRIFT_TEST_UNSUITED', { test, column: reference.name, kind: reference.kind });
}

const pTest = (column: string, test: string, statistic: number, p: number, threshold: number, inclusive: boolean): DriftResult => ({
  column,
  test,
  statistic,
  p_value: p,
  threshold,
  drift: inclusive ? p <= threshold : p < threshold,
});

const distanceTest = (column: string, test: string, statistic: number, threshold: number): DriftResult => ({ column, test, statistic, threshold, drift: statistic >= threshold });

const tests: readonly DriftTest[] = [
  {
    name: 'ks',
    description: 'two-sample Kolmogorov–Smirnov test on the reference sample (p ≤ threshold)',
    kind: 'p_value',
    defaultThreshold: 0.05,
    run(reference, current, threshold) {
      needsNumeric('ks', reference);
      const ref = Float64Array.from(reference.sample).sort();
      const cur = Float64Array.from(current.numbers).sort();
      const d = ksStatistic(ref, cur);
      return pTest(reference.name, 'ks', d, ksPValue(ref.length, cur.length, d), threshold, true);
    },
  },
  {
    name: 'chisquare',
    description: 'chi-square test of the 2 × k contingency table of category counts (p < threshold)',
    kind: 'p_value',
    defaultThreshold: 0.05,
    run(reference, current, threshold) {
      if (!usesCategories(reference)) throw new KilnError('DRIFT_TEST_UNSUITED', { test: 'chisquare', column: reference.name, kind: 'numeric with many values' });
      const { statistic, pValue } = chiSquareContingency(referenceCategories(reference), current.categories);
      return pTest(reference.name, 'chisquare', statistic, pValue, threshold, false);
    },
  },
  {
    name: 'z',
    description: 'two-proportion z-test on a binary column (p < threshold)',
    kind: 'p_value',
    defaultThreshold: 0.05,
    run(reference, current, threshold) {
      if (!usesCategories(reference)) throw new KilnError('DRIFT_TEST_UNSUITED', { test: 'z', column: reference.name, kind: 'numeric with many values' });
      const { statistic, pValue } = proportionsZTest(referenceCategories(reference), current.categories);
      return pTest(reference.name, 'z', statistic, pValue, threshold, false);
    },
  },
  {
    name: 'wasserstein',
    description: 'Wasserstein distance divided by the reference standard deviation (≥ threshold)',
    kind: 'distance',
    defaultThreshold: 0.1,
    run(reference, current, threshold) {
      needsNumeric('wasserstein', reference);
      const w = binnedWasserstein(reference.edges, { counts: reference.binCounts, sums: reference.binSums }, { counts: current.binCounts, sums: current.binSums });
      // A constant reference column: any movement at all is drift.
      const normed = reference.std > 0 ? w / reference.std : w > 0 ? Infinity : 0;
      return distanceTest(reference.name, 'wasserstein', normed, threshold);
    },
  },
  {
    name: 'jensenshannon',
    description: 'Jensen–Shannon distance between category shares, or between quantile-bin shares for numbers (≥ threshold)',
    kind: 'distance',
    defaultThreshold: 0.1,
    run(reference, current, threshold) {
      const { ref, cur } = usesCategories(reference)
        ? alignedShares(referenceCategories(reference), current.categories)
        : alignedShares(decileCounts((reference as Extract<ColumnProfile, { kind: 'numeric' }>).binCounts), decileCounts(current.binCounts));
      return distanceTest(reference.name, 'jensenshannon', jensenShannonDistance(ref, cur), threshold);
    },
  },
  {
    // Ids are names, not a distribution (see `measure: 'unseen'` in the reference profile): what a window
    // can say is how many of them the model never saw. A share is noisy on a few requests (1 new user
    // of 3 is 33%), and a trickle of newcomers is ordinary, so drift needs the window's share to be,
    // with 95% confidence (Wilson's lower bound), at least `threshold` above the held-out share.
    name: 'unseen_share',
    description: 'share of ids the model never saw in training, by its 95% lower bound, above the held-out share by at least threshold',
    kind: 'distance',
    defaultThreshold: 0.1,
    run(reference, current, threshold) {
      if (reference.kind !== 'numeric' || reference.measure !== 'unseen') {
        throw new KilnError('DRIFT_TEST_UNSUITED', { test: 'unseen_share', column: reference.name, kind: 'not an id column (measure "unseen")' });
      }
      const { expected } = unseenShares(reference, current);
      const lower = wilsonLowerBound(current.categories.get('1') ?? 0, current.count);
      return distanceTest(reference.name, 'unseen_share', lower - expected, threshold);
    },
  },
  {
    name: 'psi',
    description: 'population stability index over reference deciles or categories (≥ threshold)',
    kind: 'distance',
    defaultThreshold: 0.1,
    run(reference, current, threshold) {
      const { ref, cur } = usesCategories(reference)
        ? alignedShares(referenceCategories(reference), current.categories)
        : alignedShares(decileCounts((reference as Extract<ColumnProfile, { kind: 'numeric' }>).binCounts), decileCounts(current.binCounts));
      return distanceTest(reference.name, 'psi', populationStabilityIndex(ref, cur), threshold);
    },
  },
];

/** The held-out share of unseen ids (`expected`) and the window's (`current`); NaN with no values. */
export function unseenShares(reference: ColumnProfile, current: CurrentColumn): { expected: number; current: number } {
  const counts = referenceCategories(reference);
  return { expected: (counts.get('1') ?? 0) / reference.count, current: (current.categories.get('1') ?? 0) / current.count };
}

/** Wilson's 95% lower confidence bound of a proportion `x / n` (0 when n is 0). */
export function wilsonLowerBound(x: number, n: number, z = 1.959963984540054): number {
  if (n === 0) return 0;
  const p = x / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.max(0, (centre - spread) / (1 + z2 / n));
}

export const DRIFT_TESTS: ReadonlyMap<string, DriftTest> = Object.freeze(new Map(tests.map((t) => [t.name, Object.freeze(t)])));

export function driftTest(name: string): DriftTest {
  const test = DRIFT_TESTS.get(name);
  if (test === undefined) throw new KilnError('DRIFT_TEST_UNKNOWN', { test: name, known: [...DRIFT_TESTS.keys()].join(', ') });
  return test;
}
