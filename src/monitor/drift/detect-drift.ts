/**
 * Drift of a whole data set: one test per column, chosen by column type and sample sizes with
 * Evidently's defaults, plus the PSI of every column, and the data-set verdict (drift when at least half
 * of the columns drift).
 *
 *   either side ≤ 1,000 rows: numeric with > 5 distinct values → KS (p ≤ 0.05); binary → z-test (p < 0.05);
 *                             other categories → chi-square (p < 0.05)
 *   both sides > 1,000 rows:  numeric with > 5 distinct values → Wasserstein / std (≥ 0.1);
 *                             categories (and numbers with ≤ 5 values) → Jensen–Shannon (≥ 0.1)
 *
 *   ids (a profile measuring `unseen` ids) → unseen_share: the share of ids the model never saw
 *
 * Evidently decides by the reference's size alone. Kiln also looks at the current window's: a distance
 * knows nothing of sample size, so on a window of a few dozen predictions its sampling noise alone
 * crosses 0.1 (ten ordinary reviews sent to the sentiment module read as "Wasserstein 0.30: drift,
 * consider retraining"), while a test with a p-value weighs how many values it saw. The distances stay
 * for what they are for: two large samples, where p-values flag differences too small to matter.
 */
import { KilnError } from '../../core/errors.js';
import type { ColumnProfile } from '../../data/profile/reference-profile.js';
import { currentColumn, type CurrentColumn } from './current-column.js';
import { driftTest, referenceCategories, type DriftResult } from './registry.js';

/** Evidently's bound between the small-sample tests and the distances. */
export const SMALL_REFERENCE_ROWS = 1000;
export const DATASET_DRIFT_SHARE = 0.5;

export interface ColumnDrift extends DriftResult {
  readonly psi: number;
  readonly psi_drift: boolean;
  readonly reference_rows: number;
  readonly current_rows: number;
}

/** A column that could not be tested: no values on one side (e.g. a field every live request left empty). */
export interface UntestedColumn {
  readonly column: string;
  readonly reason: string;
}

export interface DatasetDrift {
  readonly columns: readonly ColumnDrift[];
  /** Columns left out of the verdict, with why. */
  readonly untested: readonly UntestedColumn[];
  readonly drifted_columns: number;
  readonly share_drifted: number;
  readonly dataset_drift: boolean;
}

export interface DriftOptions {
  /** Test by column name, overriding the default choice. */
  readonly tests?: Readonly<Record<string, string>>;
  /** Threshold by column name, overriding the test's default. */
  readonly thresholds?: Readonly<Record<string, number>>;
  /** Share of drifted columns at which the data set drifts (default 0.5). */
  readonly datasetDriftShare?: number;
}

/** The default test for a column (Evidently's rule, plus the current window's size when it is known). */
export function defaultTestFor(reference: ColumnProfile, currentRows?: number): string {
  if (reference.kind === 'numeric' && reference.measure === 'unseen') return 'unseen_share';
  const categories = reference.kind === 'categorical' || reference.valueCounts !== null;
  const small = reference.count <= SMALL_REFERENCE_ROWS || (currentRows !== undefined && currentRows <= SMALL_REFERENCE_ROWS);
  if (!categories) return small ? 'ks' : 'wasserstein';
  if (!small) return 'jensenshannon';
  return referenceCategories(reference).size <= 2 ? 'z' : 'chisquare';
}

/** Drift of one column whose current values are already summarised. */
export function columnDrift(reference: ColumnProfile, current: CurrentColumn, options: DriftOptions = {}): ColumnDrift {
  const test = driftTest(options.tests?.[reference.name] ?? defaultTestFor(reference, current.count));
  const result = test.run(reference, current, options.thresholds?.[reference.name] ?? test.defaultThreshold);
  const psiTest = driftTest('psi');
  const psi = psiTest.run(reference, current, psiTest.defaultThreshold);
  return { ...result, psi: psi.statistic, psi_drift: psi.drift, reference_rows: reference.count, current_rows: current.count };
}

/**
 * Drift of every profiled column: `current` maps a column name to its current values. A column missing
 * from `current` is an error naming it; a column with no values on one side cannot be tested and is
 * listed as untested (one empty field must not hide the drift of all the others).
 */
export function detectDrift(profiles: readonly ColumnProfile[], current: ReadonlyMap<string, Float64Array | readonly (string | number | null)[]>, options: DriftOptions = {}): DatasetDrift {
  const columns: ColumnDrift[] = [];
  const untested: UntestedColumn[] = [];
  for (const reference of profiles) {
    const values = current.get(reference.name);
    if (values === undefined) throw new KilnError('MONITOR_COLUMN_MISSING', { column: reference.name });
    const summary = currentColumn(reference, values);
    if (reference.count === 0 || summary.count === 0) {
      const side = reference.count === 0 ? 'the training data' : 'the current window';
      untested.push({ column: reference.name, reason: `no values in ${side} (all missing)` });
      continue;
    }
    columns.push(columnDrift(reference, summary, options));
  }
  return datasetVerdict(columns, options.datasetDriftShare ?? DATASET_DRIFT_SHARE, untested);
}

export function datasetVerdict(columns: readonly ColumnDrift[], share: number, untested: readonly UntestedColumn[] = []): DatasetDrift {
  const drifted = columns.filter((c) => c.drift).length;
  const shareDrifted = columns.length === 0 ? 0 : drifted / columns.length;
  return { columns, untested, drifted_columns: drifted, share_drifted: shareDrifted, dataset_drift: columns.length > 0 && shareDrifted >= share };
}
