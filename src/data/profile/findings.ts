/**
 * Quality findings: what is wrong with a table before anyone trains on it, each in one plain
 * sentence with a suggested fix. Every check reads only the profile (profile-types.ts), so each one is
 * a small pure function that can be tested on a hand-made profile or a constructed table.
 */
import type { ColumnProfile, TableProfile } from './profile-types.js';

export type Severity = 'info' | 'warning' | 'error';

export interface Finding {
  /** Stable machine name, e.g. `missing_values`. */
  readonly code: string;
  readonly severity: Severity;
  readonly columns: readonly string[];
  readonly message: string;
  readonly fix: string;
}

/** Thresholds, named so the rules read as sentences. */
export const THRESHOLDS = {
  /** Missing share from which missing values are a warning rather than a note. */
  missingWarning: 0.05,
  /** Share of the most frequent value from which a column is "nearly constant". */
  nearConstant: 0.98,
  /** Distinct categories from which one-hot encoding gets unwieldy. */
  highCardinality: 50,
  /** Share of text values that read as numbers for "numbers stored as text". */
  numbersAsText: 0.9,
  /** Share of text values that read as numbers from which a column is "mixed". */
  mixedTypes: 0.1,
  /** Outliers must be at least this share of values (a normal sample of a million has ~2 beyond 3 IQR). */
  outlierShare: 1e-4,
  /** Minority class over majority class below which classes are imbalanced. */
  imbalance: 0.1,
  /** Rows per class below which a class is too small to learn or to test. */
  rowsPerClass: 10,
  /** Rows per feature below which a table is too small. */
  rowsPerFeature: 10,
  /** Single-column accuracy and remaining error (vs always guessing the majority) that mean leakage. */
  leakAccuracy: 0.98,
  leakErrorRatio: 0.1,
  /** |Pearson r| with a numeric target that means leakage. */
  leakCorrelation: 0.99,
} as const;

export function findIssues(profile: TableProfile): Finding[] {
  const target = profile.target?.name;
  const features = profile.columns.filter((c) => c.name !== target);
  const findings: Finding[] = [
    ...tooFewRows(profile, features.length),
    ...duplicateRows(profile),
    ...targetFindings(profile),
    ...features.flatMap((c) => [
      ...missingValues(c, profile.rows),
      ...constantColumn(c),
      ...nearConstantColumn(c),
      ...identifierColumn(c),
      ...highCardinality(c),
      ...numbersAsText(c),
      ...mixedTypes(c),
      ...outliers(c),
      ...targetLeakage(c, target),
    ]),
  ];
  return bySeverity(findings);
}

/** Errors first, then warnings, then notes; the order within each stays as given (a stable sort). */
export function bySeverity(findings: readonly Finding[]): Finding[] {
  const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return [...findings].sort((a, b) => order[a.severity] - order[b.severity]);
}

const pct = (share: number): string => {
  const p = share * 100;
  return p >= 10 || p === 0 ? `${Math.round(p)} %` : p >= 0.1 ? `${p.toFixed(1)} %` : `${p.toPrecision(1)} %`;
};
const count = (n: number): string => n.toLocaleString('en-US');
const quote = (values: readonly string[]): string => values.map((v) => `"${v}"`).join(', ');

export function tooFewRows(profile: TableProfile, features: number): Finding[] {
  if (features === 0 || profile.rows >= THRESHOLDS.rowsPerFeature * features) return [];
  return [{
    code: 'too_few_rows',
    severity: profile.rows <= features ? 'error' : 'warning',
    columns: [],
    message: `The table has ${count(profile.rows)} rows for ${features} feature columns; a model needs many more rows than columns to learn anything that holds up on new data.`,
    fix: `Collect more rows (at least ${THRESHOLDS.rowsPerFeature * features}), or drop columns that cannot matter.`,
  }];
}

export function duplicateRows(profile: TableProfile): Finding[] {
  if (profile.duplicateRows === 0) return [];
  return [{
    code: 'duplicate_rows',
    severity: 'warning',
    columns: [],
    message: `${count(profile.duplicateRows)} rows (${pct(profile.duplicateRows / profile.rows)}) are exact copies of another row; copies can land in both the training and the test part and make scores look better than they are.`,
    fix: 'Remove the duplicate rows, unless repeated rows are real, separate events.',
  }];
}

export function missingValues(c: ColumnProfile, rows: number): Finding[] {
  if (c.missing === 0 || c.type === 'constant') return [];
  return [{
    code: 'missing_values',
    severity: c.missingShare >= THRESHOLDS.missingWarning ? 'warning' : 'info',
    columns: [c.name],
    message: `"${c.name}" is empty in ${count(c.missing)} of ${count(rows)} rows (${pct(c.missingShare)}).`,
    fix: c.missingShare > 0.5
      ? `Consider dropping "${c.name}": most of it is empty. If emptiness itself means something, keep it with a missing-value indicator.`
      : `Kiln fills the gaps when training (the median for numbers, the most frequent value for categories); check that the values are missing at random, or fill them yourself.`,
  }];
}

export function constantColumn(c: ColumnProfile): Finding[] {
  if (c.type !== 'constant') return [];
  const what = c.count === 0 ? 'is empty in every row' : `holds the same value ("${c.topValues[0]?.value ?? ''}") in every row`;
  return [{
    code: 'constant_column',
    severity: 'warning',
    columns: [c.name],
    message: `"${c.name}" ${what}, so it cannot tell rows apart.`,
    fix: `Drop "${c.name}"; Kiln leaves it out of training.`,
  }];
}

export function nearConstantColumn(c: ColumnProfile): Finding[] {
  const top = c.topValues[0];
  if (c.type === 'constant' || top === undefined || c.count === 0) return [];
  const share = top.count / c.count;
  if (share < THRESHOLDS.nearConstant) return [];
  return [{
    code: 'near_constant_column',
    severity: 'info',
    columns: [c.name],
    message: `"${c.name}" is "${top.value}" in ${pct(share)} of rows; the few other values give a model little to learn from.`,
    fix: `Keep it only if the rare values matter for the outcome; otherwise drop "${c.name}".`,
  }];
}

export function identifierColumn(c: ColumnProfile): Finding[] {
  if (c.type !== 'identifier') return [];
  return [{
    code: 'identifier_column',
    severity: 'info',
    columns: [c.name],
    message: `"${c.name}" looks like an identifier (${c.typeReason}); it names rows rather than describing them.`,
    fix: `Leave it out of the features (Kiln does so automatically); use it to join tables or to group a split.`,
  }];
}

export function highCardinality(c: ColumnProfile): Finding[] {
  if (c.type !== 'categorical' || c.distinct <= THRESHOLDS.highCardinality) return [];
  return [{
    code: 'high_cardinality',
    severity: 'warning',
    columns: [c.name],
    message: `"${c.name}" has ${c.distinctExact ? '' : 'about '}${count(c.distinct)} different categories; one column per category makes the model large and slow, and rare categories are learnt from a handful of rows.`,
    fix: `Group rare categories into "other", or drop "${c.name}" if it is close to an identifier. Engineers can also replace each category by the average answer seen for it (a target encoding: "transforms: {${c.name}: {encode: {method: target}}}" in the spec).`,
  }];
}

export function numbersAsText(c: ColumnProfile): Finding[] {
  const t = c.text;
  if (t === undefined || c.count === 0) return [];
  const share = t.formattedNumberLike / c.count;
  if (share < THRESHOLDS.numbersAsText) return [];
  const others = c.count - t.formattedNumberLike;
  const formatted = t.formattedNumberLike - t.numberLike;
  const details = [
    formatted > 0 ? `${count(formatted)} written with symbols or separators (like "$1,200" or "12 %")` : '',
    others > 0 ? `${count(others)} that are not numbers at all (${quote(t.nonNumberExamples)})` : '',
  ].filter((s) => s !== '');
  return [{
    code: 'numbers_as_text',
    severity: 'warning',
    columns: [c.name],
    message: `"${c.name}" holds numbers stored as text: ${pct(share)} of its values are numbers, but ${details.length > 0 ? `it has ${details.join(' and ')}` : 'the source stores them as text'}, so it is read as categories.`,
    fix: `Clean "${c.name}": remove currency signs and thousands separators, and leave placeholders such as ${quote(t.nonNumberExamples.slice(0, 2)) || '"N/A"'} empty, so it is read as a number.`,
  }];
}

export function mixedTypes(c: ColumnProfile): Finding[] {
  const t = c.text;
  if (t === undefined || c.count === 0) return [];
  const share = t.formattedNumberLike / c.count;
  if (share < THRESHOLDS.mixedTypes || share >= THRESHOLDS.numbersAsText) return [];
  return [{
    code: 'mixed_types',
    severity: 'warning',
    columns: [c.name],
    message: `"${c.name}" mixes numbers (${pct(share)} of values) with text such as ${quote(t.nonNumberExamples)}; a column should hold one kind of value.`,
    fix: `Split "${c.name}" into a number column and a category column, or fix the values that do not belong.`,
  }];
}

export function outliers(c: ColumnProfile): Finding[] {
  const n = c.numeric;
  if (n === undefined || n.outlierFences === null || n.outliers === 0 || c.type === 'identifier') return [];
  const share = n.outliers / Math.max(1, c.count);
  if (share < THRESHOLDS.outlierShare) return [];
  const fmt = (x: number) => Number(x.toPrecision(4)).toString();
  return [{
    code: 'outliers',
    severity: 'info',
    columns: [c.name],
    message: `"${c.name}" has ${count(n.outliers)} values (${pct(share)}) far from the rest: ${outlierSides(n.min, n.max, n.outlierFences, fmt)}, while half of its values lie between ${fmt(n.quantiles.p25)} and ${fmt(n.quantiles.p75)}.`,
    fix: 'Check whether they are typing or unit errors (an extra zero, cents instead of euros). If they are real, keep them: models made of decision trees, which a search (--budget) tries, are not thrown off by a few extreme values.',
  }];
}

/**
 * Which side the far values are on: a fence beyond the column's range is left out (a fare "below
 * -61.42" when no fare is below 0 only confuses).
 */
function outlierSides(min: number, max: number, fences: { readonly low: number; readonly high: number }, fmt: (x: number) => string): string {
  const sides = [...(min < fences.low ? [`below ${fmt(fences.low)} (down to ${fmt(min)})`] : []), ...(max > fences.high ? [`above ${fmt(fences.high)} (up to ${fmt(max)})`] : [])];
  return sides.join(' or ');
}

export function targetFindings(profile: TableProfile): Finding[] {
  const t = profile.target;
  if (t === undefined) return [];
  const out: Finding[] = [];
  if (t.missing > 0) {
    out.push({
      code: 'target_missing',
      severity: 'error',
      columns: [t.name],
      message: `The target "${t.name}" is empty in ${count(t.missing)} rows; a model cannot learn from rows without an answer.`,
      fix: 'Remove those rows before training, or fill in their outcome.',
    });
  }
  if (t.task !== 'classification' || t.classes.length < 2) return out;
  const majority = t.classes[0] as { value: string; count: number };
  const minority = t.classes[t.classes.length - 1] as { value: string; count: number };
  if (minority.count / majority.count < THRESHOLDS.imbalance) {
    out.push({
      code: 'class_imbalance',
      severity: 'warning',
      columns: [t.name],
      message: `The classes of "${t.name}" are imbalanced: "${minority.value}" has ${count(minority.count)} rows against ${count(majority.count)} for "${majority.value}"; accuracy will look high even for a model that never predicts "${minority.value}".`,
      fix: 'Judge models by ROC AUC, F1 or balanced accuracy, split with stratification, and consider class weights or collecting more rows of the rare class.',
    });
  }
  const small = t.classes.filter((c) => c.count < THRESHOLDS.rowsPerClass);
  if (small.length > 0) {
    out.push({
      code: 'too_few_rows_per_class',
      severity: small.some((c) => c.count < 2) ? 'error' : 'warning',
      columns: [t.name],
      message: `Some classes of "${t.name}" have very few rows: ${small.slice(0, 5).map((c) => `"${c.value}" (${c.count})`).join(', ')}${small.length > 5 ? ` and ${small.length - 5} more` : ''}; they cannot be learnt or tested reliably.`,
      fix: `Collect more rows of those classes, or merge them into a related class or an "other" class.`,
    });
  }
  return out;
}

export function targetLeakage(c: ColumnProfile, target: string | undefined): Finding[] {
  const a = c.targetAssociation;
  if (target === undefined || a === undefined || c.type === 'identifier' || c.type === 'constant') return [];
  if (a.measure === 'accuracy') {
    const baselineError = 1 - (a.baseline ?? 0);
    const error = 1 - a.value;
    if (a.value < THRESHOLDS.leakAccuracy || error > THRESHOLDS.leakErrorRatio * baselineError) return [];
    return [{
      code: 'target_leakage',
      severity: 'error',
      columns: [c.name, target],
      message: `"${c.name}" alone predicts "${target}" for ${pct(a.value)} of rows (always guessing the most common class gets ${pct(a.baseline ?? 0)}); a column this telling usually records the outcome itself or something known only after it.`,
      fix: `Check when "${c.name}" becomes known; if it is not available at prediction time, drop it.`,
    }];
  }
  if (Math.abs(a.value) < THRESHOLDS.leakCorrelation) return [];
  return [{
    code: 'target_leakage',
    severity: 'error',
    columns: [c.name, target],
    message: `"${c.name}" moves almost exactly with "${target}" (correlation ${a.value.toFixed(3)}); it is probably the outcome in another form, or computed from it.`,
    fix: `Check when "${c.name}" becomes known; if it is not available at prediction time, drop it.`,
  }];
}
