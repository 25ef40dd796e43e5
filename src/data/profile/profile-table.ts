/**
 * Profiling a staged table: one aggregate scan for every column at once inside DuckDB (counts, distinct
 * estimates, text lengths: summary-pass.ts), quantiles from a sample of rows (quantile-sample.ts), one
 * streamed scan of the numeric columns through JavaScript loops (min/max/mean/std, histograms,
 * outliers, distinct estimates: numeric-pass.ts), exact value counts of the columns with few values
 * (value-count-pass.ts), then small follow-up queries only for the few columns that need them (the top
 * values and exact distinct count of high-cardinality text and id-like columns, examples of text in
 * number-like columns, duplicate rows). Rows are only ever seen a chunk at a time, so a table larger
 * than memory profiles within DuckDB's memory limit.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { KilnError } from '../../core/errors.js';
import { closestNames } from '../closest-names.js';
import { queryRows, sqlIdentifier } from '../duckdb.js';
import { decideType, type ColumnFacts } from '../infer-schema.js';
import { describeTable, type ColumnType } from '../sources/staged-table.js';
import { classAssociation } from './class-association.js';
import { numberLedPerColumn } from './number-lead.js';
import type { NumericMeasures } from './numeric-accumulator.js';
import { fencesOf, measureNumbers } from './numeric-pass.js';
import type { ColumnProfile, TableProfile, TargetAssociation, TargetProfile, ValueCount } from './profile-types.js';
import { sampleQuantiles } from './quantile-sample.js';
import { NUMBER_DECORATIONS, profileKind, summarizeColumns, valueExpression, type ColumnSummary } from './summary-pass.js';
import { countClasses, countValues, VALUE_COUNT_LIMIT } from './value-count-pass.js';

export interface ProfileOptions {
  /** The column to predict: its classes or values are profiled, and leakage into it is looked for. */
  readonly target?: string;
  readonly onProgress?: (message: string) => void;
  /** The source's name, for messages. */
  readonly source?: string;
}

const TOP_VALUES = 10;
/** A numeric target with at most this many whole-number values is a set of classes (as in training). */
const MAX_CLASS_VALUES = 20;
/** Grouping by more classes than this is not useful for leakage and slows the scan. */
const MAX_GROUPED_CLASSES = 50;
/** Columns whose estimated distinct count is this share of their values get an exact count. */
const EXACT_DISTINCT_SHARE = 0.8;

/** What the scans found about one column, before the follow-up queries. */
interface Scanned {
  readonly summary: ColumnSummary;
  /** Estimated distinct values (the summary's, or the numeric pass's for numbers). */
  readonly approxDistinct: number;
  /** Text values that start like a number (number-lead.ts). */
  readonly numberLed: number;
  readonly numbers?: NumericMeasures;
  readonly values?: ReadonlyMap<string, number>;
  readonly association?: TargetAssociation;
}

export async function profileTable(conn: DuckDBConnection, table: string, options: ProfileOptions = {}): Promise<TableProfile> {
  const columns = await describeTable(conn, table);
  const target = options.target;
  if (target !== undefined && !columns.some((c) => c.name === target)) {
    const names = columns.map((c) => c.name);
    throw new KilnError('TARGET_NOT_FOUND', { target, columns: names, closest: closestNames(target, names) });
  }
  const targetType = columns.find((c) => c.name === target)?.type;
  const regressionCandidate = target !== undefined && targetType !== undefined && profileKind(targetType) === 'number' ? target : undefined;

  options.onProgress?.(`profiling ${columns.length} columns: counts, distinct values, quantiles`);
  const summarized = await summarizeColumns(conn, table, columns, regressionCandidate);
  if (summarized.rows === 0) throw new KilnError('DATA_EMPTY', { path: options.source ?? 'the table' });
  const summary = { rows: summarized.rows, columns: await withQuantiles(conn, table, columns, summarized.columns, summarized.rows) };
  const targetSummary = summary.columns.find((s) => s.name === target);
  const task = targetSummary === undefined ? undefined : targetTask(targetSummary);
  const groupByClass = task === 'classification' && (targetSummary?.approxDistinct ?? 0) <= MAX_GROUPED_CLASSES ? target : undefined;
  const classCounts = groupByClass === undefined ? undefined : await countClasses(conn, table, groupByClass);
  const classes = [...(classCounts?.keys() ?? [])].filter((k): k is string => k !== null);

  options.onProgress?.('profiling: numbers (ranges, histograms, outliers, distinct values)');
  const numbers = await measureNumbers(conn, table, columns, summary.columns, {
    rows: summary.rows,
    ...(groupByClass === undefined ? {} : { classTarget: { name: groupByClass, classes } }),
    ...(task === 'regression' && target !== undefined ? { regressionTarget: target } : {}),
  });
  const approxDistinct = summary.columns.map((s, i) => numbers[i]?.approxDistinct ?? s.approxDistinct ?? 0);

  options.onProgress?.('profiling: value counts');
  const counts = await countValues(conn, table, columns, summary.columns.map((s) => s.count), approxDistinct, groupByClass);

  const numberLed = await numberLedPerColumn(conn, table, columns, summary.columns, counts.columns);

  options.onProgress?.('profiling: distinct values, duplicate rows');
  const profiles: ColumnProfile[] = [];
  for (const [i, c] of columns.entries()) {
    const numeric = numbers[i];
    const values = counts.columns[i];
    const perClassValues = counts.perClass[i];
    // How well the column alone predicts the class: by its values when counted, else by histogram bin.
    const association = groupByClass === undefined || c.name === groupByClass
      ? undefined
      : perClassValues !== undefined
        ? classAssociation(perClassValues)
        : numeric?.classBins === undefined ? undefined : classAssociation(binsByClass(numeric.classBins, classes));
    const scanned: Scanned = {
      summary: summary.columns[i] as ColumnSummary,
      approxDistinct: approxDistinct[i] ?? 0,
      numberLed: numberLed[i] ?? 0,
      ...(numeric === undefined ? {} : { numbers: numeric }),
      ...(values === undefined ? {} : { values }),
      ...(association === undefined ? {} : { association }),
    };
    profiles.push(await columnProfile(conn, table, c, scanned, summary.rows, task === 'regression'));
  }
  const mostDistinct = approxDistinct.reduce((best, d, i) => (d > (approxDistinct[best] ?? 0) ? i : best), 0);
  const duplicateRows = await countDuplicateRows(conn, table, columns, columns[mostDistinct]);
  const targetProfile = target === undefined || task === undefined
    ? undefined
    : await profileTarget(conn, table, target, task, profiles, classCounts);
  return { rows: summary.rows, columns: profiles, duplicateRows, ...(targetProfile === undefined ? {} : { target: targetProfile }) };
}

/** The summaries with the quantiles of their numbers, from one sample of rows. */
async function withQuantiles(conn: DuckDBConnection, table: string, columns: readonly ColumnType[], summaries: readonly ColumnSummary[], rows: number): Promise<ColumnSummary[]> {
  const numeric = columns.flatMap((column, i) => {
    const s = summaries[i] as ColumnSummary;
    return s.kind === 'number' && s.count > 0 ? [{ column, count: s.count, index: i }] : [];
  });
  const quantiles = await sampleQuantiles(conn, table, numeric, rows);
  const out = [...summaries];
  numeric.forEach((n, k) => (out[n.index] = { ...(summaries[n.index] as ColumnSummary), quantiles: quantiles[k] ?? [] }));
  return out;
}

/** Per-class bin counts (class code k + 1 is `classes[k]`; code 0, no class, is left out) as maps of the bins with rows. */
function binsByClass(classBins: readonly (readonly number[])[], classes: readonly string[]): Map<string, Map<string, number>> {
  const byClass = new Map<string, Map<string, number>>();
  classes.forEach((cls, k) => {
    const bins = new Map<string, number>();
    (classBins[k + 1] ?? []).forEach((n, bin) => {
      if (n > 0) bins.set(String(bin), n);
    });
    byClass.set(cls, bins);
  });
  return byClass;
}

/** Classes for text, booleans and few whole numbers; otherwise a regression (as training decides). */
function targetTask(s: ColumnSummary): 'classification' | 'regression' {
  if (s.kind !== 'number') return 'classification';
  return s.allIntegers === true && (s.approxDistinct ?? Number.POSITIVE_INFINITY) <= MAX_CLASS_VALUES ? 'classification' : 'regression';
}

async function columnProfile(
  conn: DuckDBConnection,
  table: string,
  c: ColumnType,
  scanned: Scanned,
  rows: number,
  withCorrelation: boolean,
): Promise<ColumnProfile> {
  const { summary: s, numbers: n } = scanned;
  const x = valueExpression(c);
  let distinct = scanned.values?.size ?? scanned.approxDistinct;
  let distinctExact = scanned.values !== undefined || s.count === 0;
  let consecutive = false;
  // Identifier-like columns need an exact count: "a different value on every row" is a yes/no question.
  const idCandidate = !distinctExact && (s.kind !== 'number' || n?.allIntegers === true) && scanned.approxDistinct >= EXACT_DISTINCT_SHARE * s.count;
  if (idCandidate) {
    const r = (await queryRows(conn, `SELECT count(DISTINCT ${x}) AS d FROM ${table}`))[0];
    distinct = Number(r?.['d'] ?? distinct);
    distinctExact = true;
  }
  if (n !== undefined) consecutive = distinctExact && n.max - n.min + 1 === distinct;

  let topValues: ValueCount[];
  if (scanned.values !== undefined) topValues = topOf(scanned.values);
  else if (s.kind === 'text' && s.count > 0) {
    const top = await queryRows(conn, `SELECT ${x} AS v, count(*) AS n FROM ${table} WHERE ${x} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${TOP_VALUES}`);
    topValues = top.map((r) => ({ value: String(r['v']), count: Number(r['n']) }));
  } else topValues = [];

  // Words only decide between free text and an identifier, for text that differs on almost every row.
  const meanWords = s.kind === 'text' && s.count > 0 && distinct > 0.9 * s.count ? await meanWordsOf(conn, table, x) : 1;
  const facts: ColumnFacts = {
    name: c.name,
    sourceType: c.type,
    rows,
    missing: rows - s.count,
    distinct,
    allIntegers: n?.allIntegers ?? false,
    consecutive,
    meanWords,
  };
  const { type, reason } = decideType(facts);
  const missing = rows - s.count;
  const profile: ColumnProfile = {
    name: c.name,
    sourceType: c.type,
    type,
    typeReason: reason,
    count: s.count,
    missing,
    missingShare: rows > 0 ? missing / rows : 0,
    distinct,
    distinctExact,
    topValues,
    ...(n?.histogram === undefined ? {} : { histogram: n.histogram }),
  };
  if (n !== undefined) {
    const q = s.quantiles ?? [];
    const at = (k: number): number => q[k] ?? Number.NaN;
    const correlation = !withCorrelation || n.correlation === undefined || Number.isNaN(n.correlation)
      ? undefined
      : { measure: 'correlation' as const, value: n.correlation };
    const association = scanned.association ?? correlation;
    return {
      ...profile,
      numeric: {
        min: n.min,
        max: n.max,
        mean: n.mean,
        std: n.std,
        quantiles: { p01: at(0), p05: at(1), p25: at(2), p50: at(3), p75: at(4), p95: at(5), p99: at(6) },
        outliers: n.outliers,
        outlierFences: fencesOf(s),
      },
      ...(association === undefined ? {} : { targetAssociation: association }),
    };
  }
  const association = scanned.association === undefined ? {} : { targetAssociation: scanned.association };
  if (s.kind === 'text' && s.count > 0) {
    const { numberLike, formatted } = scanned.numberLed > 0 ? await countNumbersInText(conn, table, x) : { numberLike: 0, formatted: 0 };
    // Examples only matter when some values are numbers and some are not.
    const examples = formatted > 0 && formatted < s.count ? await nonNumberExamples(conn, table, x) : [];
    return {
      ...profile,
      text: {
        minLength: s.minLength ?? 0,
        maxLength: s.maxLength ?? 0,
        meanWords,
        numberLike,
        formattedNumberLike: formatted,
        nonNumberExamples: examples,
      },
      ...association,
    };
  }
  if (s.kind === 'datetime' && s.firstTime !== undefined && s.lastTime !== undefined) {
    return { ...profile, datetime: { min: s.firstTime, max: s.lastTime }, ...association };
  }
  return { ...profile, ...association };
}

function topOf(values: ReadonlyMap<string, number>): ValueCount[] {
  return [...values.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, TOP_VALUES)
    .map(([value, count]) => ({ value, count }));
}

/** Text values that read as plain numbers, and as numbers once `$ € £ %`, spaces and commas are gone. */
async function countNumbersInText(conn: DuckDBConnection, table: string, x: string): Promise<{ numberLike: number; formatted: number }> {
  const sql = `SELECT count(TRY_CAST(${x} AS DOUBLE)) AS plain, count(TRY_CAST(regexp_replace(${x}, ${NUMBER_DECORATIONS}, '', 'g') AS DOUBLE)) AS formatted FROM ${table}`;
  const r = (await queryRows(conn, sql))[0];
  return { numberLike: Number(r?.['plain'] ?? 0), formatted: Number(r?.['formatted'] ?? 0) };
}

/** Mean words per value (spaces + 1), which tells free text from identifiers among unique values. */
async function meanWordsOf(conn: DuckDBConnection, table: string, x: string): Promise<number> {
  const r = (await queryRows(conn, `SELECT avg(length(trim(${x})) - length(replace(trim(${x}), ' ', '')) + 1) AS w FROM ${table}`))[0];
  return Number(r?.['w'] ?? 0);
}

async function nonNumberExamples(conn: DuckDBConnection, table: string, x: string): Promise<string[]> {
  const number = `TRY_CAST(regexp_replace(${x}, ${NUMBER_DECORATIONS}, '', 'g') AS DOUBLE)`;
  const rows = await queryRows(conn, `SELECT DISTINCT ${x} AS v FROM ${table} WHERE ${x} IS NOT NULL AND ${number} IS NULL ORDER BY 1 LIMIT 3`);
  return rows.map((r) => String(r['v']));
}

/**
 * Rows equal to an earlier row: rows minus distinct row hashes. A 64-bit hash collision among a billion
 * rows has a chance below 3 %; among a million, below one in ten million.
 *
 * Equal rows have equal values in every column, so only rows whose value in `key` (the column with the
 * most distinct values) repeats — or is missing — can be duplicates; the rest are not hashed at all.
 * On a table with a real identifier column that leaves nothing to hash.
 */
async function countDuplicateRows(conn: DuckDBConnection, table: string, columns: readonly ColumnType[], key: ColumnType | undefined): Promise<number> {
  const rowHash = `hash(${columns.map((c) => sqlIdentifier(c.name)).join(', ')})`;
  let candidates = '';
  if (key !== undefined) {
    const k = sqlIdentifier(key.name);
    candidates = ` WHERE ${k} IS NULL OR ${k} IN (SELECT ${k} FROM ${table} WHERE ${k} IS NOT NULL GROUP BY 1 HAVING count(*) > 1)`;
  }
  const r = (await queryRows(conn, `SELECT count(*) - count(DISTINCT ${rowHash}) AS d FROM ${table}${candidates}`))[0];
  return Number(r?.['d'] ?? 0);
}

async function profileTarget(
  conn: DuckDBConnection,
  table: string,
  target: string,
  task: 'classification' | 'regression',
  profiles: readonly ColumnProfile[],
  classes: ReadonlyMap<string | null, number> | undefined,
): Promise<TargetProfile> {
  const column = profiles.find((p) => p.name === target) as ColumnProfile;
  if (task === 'regression') return { name: target, task, classes: [], missing: column.missing };
  let counts: ValueCount[];
  if (classes !== undefined) {
    counts = [...classes.entries()].filter((e): e is [string, number] => e[0] !== null).map(([value, count]) => ({ value, count }));
  } else {
    // Too many classes to group the scan by: count them directly.
    const col = sqlIdentifier(target);
    const rows = await queryRows(conn, `SELECT CAST(${col} AS VARCHAR) AS v, count(*) AS n FROM ${table} WHERE ${col} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT ${VALUE_COUNT_LIMIT}`);
    counts = rows.map((r) => ({ value: String(r['v']), count: Number(r['n']) }));
  }
  counts.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
  return { name: target, task, classes: counts, missing: column.missing };
}
