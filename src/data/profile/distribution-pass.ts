/**
 * Pass 2 of a profile: one more scan, with bounds learnt in pass 1, gives every column's histogram
 * (equal-width bins, counted by DuckDB's `histogram` aggregate over a bucket number), the exact counts of
 * each value for columns with few distinct values (top values), and the outliers beyond 3 IQR.
 *
 * When the target is a set of classes, the scan is grouped by class: the same numbers per class tell
 * how well each column alone separates the classes (target leakage) at no extra cost.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, sqlIdentifier } from '../duckdb.js';
import type { ColumnType } from '../sources/staged-table.js';
import type { Histogram, TargetAssociation } from './profile-types.js';
import { valueExpression, type ColumnSummary } from './summary-pass.js';

/** Columns with at most this many distinct values get exact value counts. */
export const VALUE_COUNT_LIMIT = 1000;
const BINS = 20;
/** Whole numbers spanning fewer values than this get one bin per value. */
const MAX_UNIT_BINS = 40;
/** A value (or bin) must hold this many rows on average before "it predicts the class" counts. */
const MIN_ROWS_PER_KEY = 20;

export interface ColumnDistribution {
  readonly histogram?: Histogram;
  /** Exact count of each value (columns with few distinct values only). */
  readonly values?: ReadonlyMap<string, number>;
  readonly outliers: number;
  readonly fences: { readonly low: number; readonly high: number } | null;
  readonly association?: TargetAssociation;
}

export interface Distributions {
  readonly columns: readonly ColumnDistribution[];
  /** Rows per class (classification targets only), keyed by the class as text; `null` marks no class. */
  readonly classes?: ReadonlyMap<string | null, number>;
}

interface Binning {
  readonly edges: number[];
  readonly bucket: string;
}

function binning(s: ColumnSummary, x: string): Binning | undefined {
  const { min, max } = s;
  if (s.kind !== 'number' || min === undefined || max === undefined || !Number.isFinite(min) || !Number.isFinite(max) || min === max) return undefined;
  const d = `CAST(${x} AS DOUBLE)`;
  if (s.allIntegers === true && max - min < MAX_UNIT_BINS) {
    const edges = Array.from({ length: max - min + 2 }, (_, k) => min + k);
    return { edges, bucket: `CAST(${d} - ${literal(min)} AS INTEGER)` };
  }
  const width = (max - min) / BINS;
  const edges = Array.from({ length: BINS + 1 }, (_, k) => (k === BINS ? max : min + k * width));
  // least() skips NULLs in DuckDB (least(19, NULL) = 19): keep a missing value out of the last bin.
  return { edges, bucket: `CASE WHEN ${x} IS NOT NULL THEN least(${BINS - 1}, CAST(floor((${d} - ${literal(min)}) / ${literal(width)}) AS INTEGER)) END` };
}

function literal(x: number): string {
  return `CAST(${String(x)} AS DOUBLE)`;
}

function fencesOf(s: ColumnSummary): { low: number; high: number } | null {
  const q25 = s.quantiles?.[2];
  const q75 = s.quantiles?.[4];
  if (q25 === undefined || q75 === undefined || !(q75 > q25)) return null;
  const iqr = q75 - q25;
  return { low: q25 - 3 * iqr, high: q75 + 3 * iqr };
}

export async function distributeColumns(
  conn: DuckDBConnection,
  table: string,
  columns: readonly ColumnType[],
  summaries: readonly ColumnSummary[],
  classTarget?: string,
): Promise<Distributions> {
  const parts: string[] = ['count(*) AS kiln_rows'];
  const plans = columns.map((c, i) => {
    const s = summaries[i] as ColumnSummary;
    const x = valueExpression(c);
    const p = `c${i}_`;
    const bins = binning(s, x);
    const counted = s.count > 0 && s.approxDistinct <= VALUE_COUNT_LIMIT;
    const fences = fencesOf(s);
    if (bins !== undefined) parts.push(`histogram(${bins.bucket}) AS ${p}h`);
    if (counted) parts.push(`histogram(CAST(${x} AS VARCHAR)) AS ${p}v`);
    if (fences !== null) parts.push(`count_if(${x} < ${literal(fences.low)} OR ${x} > ${literal(fences.high)}) AS ${p}o`);
    return { bins, counted, fences };
  });
  const sql = classTarget === undefined
    ? `SELECT ${parts.join(', ')} FROM ${table}`
    : `SELECT CAST(${sqlIdentifier(classTarget)} AS VARCHAR) AS kiln_class, ${parts.join(', ')} FROM ${table} GROUP BY 1`;
  const groups = await queryRows(conn, sql);

  const classes = classTarget === undefined ? undefined : new Map(groups.map((g) => [g['kiln_class'] as string | null, Number(g['kiln_rows'])]));
  const distributions = columns.map((c, i): ColumnDistribution => {
    const p = `c${i}_`;
    const plan = plans[i] as (typeof plans)[number];
    const perClassBins = new Map<string, Map<string, number>>();
    const perClassValues = new Map<string, Map<string, number>>();
    const binCounts = new Map<string, number>();
    const valueCounts = new Map<string, number>();
    let outliers = 0;
    for (const g of groups) {
      outliers += Number(g[p + 'o'] ?? 0);
      accumulate(binCounts, g[p + 'h']);
      accumulate(valueCounts, g[p + 'v']);
      const cls = g['kiln_class'];
      if (classTarget !== undefined && typeof cls === 'string' && c.name !== classTarget) {
        perClassBins.set(cls, accumulate(new Map(), g[p + 'h']));
        perClassValues.set(cls, accumulate(new Map(), g[p + 'v']));
      }
    }
    const histogram = plan.bins === undefined
      ? undefined
      : { edges: plan.bins.edges, counts: plan.bins.edges.slice(0, -1).map((_, k) => binCounts.get(String(k)) ?? 0) };
    const association = classTarget === undefined || c.name === classTarget
      ? undefined
      : classAssociation(plan.counted ? perClassValues : perClassBins);
    return {
      ...(histogram === undefined ? {} : { histogram }),
      ...(plan.counted ? { values: valueCounts } : {}),
      outliers,
      fences: plan.fences,
      ...(association === undefined ? {} : { association }),
    };
  });
  return { columns: distributions, ...(classes === undefined ? {} : { classes }) };
}

/** Adds a DuckDB MAP (as `[{key, value}]`) into `into`; keys become text. */
function accumulate(into: Map<string, number>, map: unknown): Map<string, number> {
  if (!Array.isArray(map)) return into;
  for (const entry of map as { key: unknown; value: unknown }[]) {
    if (entry.key === null || entry.key === undefined) continue;
    const key = String(entry.key);
    into.set(key, (into.get(key) ?? 0) + Number(entry.value));
  }
  return into;
}

/**
 * The accuracy of the rule "predict the most frequent class of this value (or bin)", against always
 * predicting the most frequent class overall, over the rows where both are present.
 */
export function classAssociation(perClass: ReadonlyMap<string, ReadonlyMap<string, number>>): TargetAssociation | undefined {
  const best = new Map<string, number>();
  let total = 0;
  let majority = 0;
  for (const counts of perClass.values()) {
    let present = 0;
    for (const [key, n] of counts) {
      best.set(key, Math.max(best.get(key) ?? 0, n));
      present += n;
    }
    total += present;
    majority = Math.max(majority, present);
  }
  if (total === 0 || best.size < 2 || best.size > total / MIN_ROWS_PER_KEY) return undefined;
  let correct = 0;
  for (const n of best.values()) correct += n;
  return { measure: 'accuracy', value: correct / total, baseline: Math.min(1, majority / total) };
}
