/**
 * One-click fixes: the quality findings whose fix is safe to apply without judgement, in a form the
 * app can send back to POST /api/sources/fix. Only two kinds qualify — leaving out a column that cannot
 * help (an identifier, a constant) and removing exact duplicate rows; every other finding (missing
 * values, leakage, outliers, …) needs a person's decision and keeps its advice in words only.
 */
import type { Finding } from '../../data/profile/findings.js';
import type { InspectReport } from '../../data/profile/inspect.js';

export type OneClickFix = { readonly kind: 'drop_columns'; readonly columns: readonly string[] } | { readonly kind: 'drop_duplicates' };

/**
 * A finding as the app reads it: with a one-click fix, `fix` is that fix and `suggestion` the advice
 * in words; without one, `fix` stays the advice in words, as in `kiln inspect --json`.
 */
export type AppFinding = Omit<Finding, 'fix'> & ({ readonly fix: OneClickFix; readonly suggestion: string } | { readonly fix: string });

/** Finding codes whose columns can always be dropped: they carry nothing a model can learn from. */
const DROPPABLE_COLUMN_FINDINGS: ReadonlySet<string> = new Set(['identifier_column', 'constant_column']);

export function oneClickFix(finding: Finding): OneClickFix | undefined {
  if (finding.code === 'duplicate_rows') return { kind: 'drop_duplicates' };
  if (DROPPABLE_COLUMN_FINDINGS.has(finding.code) && finding.columns.length > 0) return { kind: 'drop_columns', columns: finding.columns };
  return undefined;
}

export function withOneClickFixes(report: InspectReport): Omit<InspectReport, 'findings'> & { readonly findings: readonly AppFinding[] } {
  return {
    ...report,
    findings: report.findings.map((f): AppFinding => {
      const fix = oneClickFix(f);
      return fix === undefined ? f : { ...f, fix, suggestion: f.fix };
    }),
  };
}
