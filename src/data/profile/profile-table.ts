/**
 * Profiling a staged table inside DuckDB: two scans for every column at once (summary-pass.ts,
 * distribution-pass.ts), then small follow-up queries only for the few columns that need them (the
 * top values and exact distinct count of high-cardinality text and id-like columns, examples of text
 * in number-like columns, duplicate rows). The rows never enter JavaScript, so a table larger than
 * memory profiles within DuckDB's memory limit.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { KilnError } from '../../core/errors.js';
import { closestNames } from '../closest-names.js';
import { queryRows, sqlIdentifier } from '../duckdb.js';
import { decideType, type ColumnFacts } from '../infer-schema.js';
import { describeTable, type ColumnType } from '../sources/staged-table.js';
import { distributeColumns, VALUE_COUNT_LIMIT, type ColumnDistribution } from './distribution-pass.js';
import type { ColumnProfile, TableProfile, TargetProfile, ValueCount } from './profile-types.js';
import { NUMBER_DECORATIONS, profileKind, summarizeColumns, valueExpression, type ColumnSummary } from './summary-pass.js';

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

export async function profileTable(conn: DuckDBConnection, table: string, options: ProfileOptions = {}): Promise<TableProfile> {
  const columns = await describeTable(conn, table);
  const target = options.target;
  if (target !== undefined && !columns.some((c) => c.name === target)) {
    const names = columns.map((c) => c.name);
    throw new KilnError('TARGET_NOT_FOUND', { target, columns: names, closest: closestNames(target, names) });
  }
  const targetType = columns.find((c) => c.name === target)?.type;
  const regressionCandidate = target !== undefined && targetType !== undefined && profileKind(targetType) === 'number' ? target : undefined;

  options.onProgress?.(`profiling ${columns.length} columns: counts, ranges, quantiles`);
  const pass1 = await summarizeColumns(conn, table, columns, regressionCandidate);
  if (pass1.rows === 0) throw new KilnError('DATA_EMPTY', { path: options.source ?? 'the table' });
  const targetSummary = pass1.columns.find((s) => s.name === target);
  const task = targetSummary === undefined ? undefined : targetTask(targetSummary);
  const groupByClass = task === 'classification' && (targetSummary?.approxDistinct ?? 0) <= MAX_GROUPED_CLASSES ? target : undefined;

  options.onProgress?.('profiling: histograms, value counts, outliers');
  const pass2 = await distributeColumns(conn, table, columns, pass1.columns, groupByClass);

  options.onProgress?.('profiling: distinct values, duplicate rows');
  const profiles: ColumnProfile[] = [];
  for (const [i, c] of columns.entries()) {
    profiles.push(await columnProfile(conn, table, c, pass1.columns[i] as ColumnSummary, pass2.columns[i] as ColumnDistribution, pass1.rows, task === 'regression'));
  }
  const duplicateRows = await countDuplicateRows(conn, table, columns);
  const targetProfile = target === undefined || task === undefined
    ? undefined
    : await profileTarget(conn, table, target, task, profiles, pass2.classes);
  return { rows: pass1.rows, columns: profiles, duplicateRows, ...(targetProfile === undefined ? {} : { target: targetProfile }) };
}

/** Classes for text, booleans and few whole numbers; otherwise a regression (as training decides). */
function targetTask(s: ColumnSummary): 'classification' | 'regression' {
  if (s.kind !== 'number') return 'classification';
  return s.allIntegers === true && s.approxDistinct <= MAX_CLASS_VALUES ? 'classification' : 'regression';
}

async function columnProfile(
  conn: DuckDBConnection,
  table: string,
  c: ColumnType,
  s: ColumnSummary,
  d: ColumnDistribution,
  rows: number,
  withCorrelation: boolean,
): Promise<ColumnProfile> {
  const x = valueExpression(c);
  let distinct = d.values?.size ?? s.approxDistinct;
  let distinctExact = d.values !== undefined || s.count === 0;
  let consecutive = false;
  // Identifier-like columns need an exact count: "a different value on every row" is a yes/no question.
  const idCandidate = !distinctExact && (s.kind !== 'number' || s.allIntegers === true) && s.approxDistinct >= EXACT_DISTINCT_SHARE * s.count;
  if (idCandidate) {
    const r = (await queryRows(conn, `SELECT count(DISTINCT ${x}) AS d FROM ${table}`))[0];
    distinct = Number(r?.['d'] ?? distinct);
    distinctExact = true;
  }
  if (s.kind === 'number' && s.min !== undefined && s.max !== undefined) consecutive = distinctExact && s.max - s.min + 1 === distinct;

  let topValues: ValueCount[];
  if (d.values !== undefined) topValues = topOf(d.values);
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
    allIntegers: s.allIntegers ?? false,
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
    ...(d.histogram === undefined ? {} : { histogram: d.histogram }),
  };
  if (s.kind === 'number' && s.min !== undefined && s.max !== undefined && s.mean !== undefined) {
    const q = s.quantiles ?? [];
    const at = (k: number): number => q[k] ?? Number.NaN;
    const correlation = !withCorrelation || s.correlation === undefined || s.correlation === null || Number.isNaN(s.correlation)
      ? undefined
      : { measure: 'correlation' as const, value: s.correlation };
    const association = d.association ?? correlation;
    return {
      ...profile,
      numeric: {
        min: s.min,
        max: s.max,
        mean: s.mean,
        std: s.std ?? null,
        quantiles: { p01: at(0), p05: at(1), p25: at(2), p50: at(3), p75: at(4), p95: at(5), p99: at(6) },
        outliers: d.outliers,
        outlierFences: d.fences,
      },
      ...(association === undefined ? {} : { targetAssociation: association }),
    };
  }
  const association = d.association === undefined ? {} : { targetAssociation: d.association };
  if (s.kind === 'text' && s.count > 0) {
    const { numberLike, formatted } = (s.digitLed ?? 0) > 0 ? await countNumbersInText(conn, table, x) : { numberLike: 0, formatted: 0 };
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
 */
async function countDuplicateRows(conn: DuckDBConnection, table: string, columns: readonly ColumnType[]): Promise<number> {
  const rowHash = `hash(${columns.map((c) => sqlIdentifier(c.name)).join(', ')})`;
  const r = (await queryRows(conn, `SELECT count(*) - count(DISTINCT ${rowHash}) AS d FROM ${table}`))[0];
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
