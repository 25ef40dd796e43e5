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

export const DRIFT_TESTS: ReadonlyMap<string, DriftTest> = Object.freeze(new Map(tests.map((t) => [t.name, Object.freeze(t)])));

export function driftTest(name: string): DriftTest {
  const test = DRIFT_TESTS.get(name);
  if (test === undefined) throw new KilnError('DRIFT_TEST_UNKNOWN', { test: name, known: [...DRIFT_TESTS.keys()].join(', ') });
  return test;
}
