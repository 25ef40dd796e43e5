/**
 * Schema inference: what kind of thing each column holds, in the terms a person would use. The
 * semantic type decides how a column is prepared for learning, or whether it is left out (an id
 * number or a free-text column fed to a linear model as a category only adds noise).
 *
 * The decision is made from a few facts about a column (`ColumnFacts`), so the same rules apply
 * whether the facts were counted over a Frame in memory (`inferSchema`, for training) or by SQL
 * aggregates inside DuckDB (`kiln inspect`, for files larger than memory). A module spec overrides
 * any column's type with `columns: {name: type}` (`applyTypeOverrides`).
 */
import type { Column, Frame } from '../core/frame.js';
import { isMissingCategory } from '../core/frame.js';
import { isDatetimeSourceType, isNumericSourceType } from './source-types.js';

export type SemanticType =
  | 'numeric'
  | 'integer'
  | 'boolean'
  | 'categorical'
  | 'datetime'
  | 'text'
  | 'identifier'
  | 'constant';

export const SEMANTIC_TYPES: readonly SemanticType[] = ['numeric', 'integer', 'boolean', 'categorical', 'datetime', 'text', 'identifier', 'constant'];

export interface ColumnSchema {
  readonly name: string;
  readonly type: SemanticType;
  readonly sourceType: string;
  readonly missing: number;
  readonly distinct: number;
  /** Why the type was chosen, in plain words (shown when a column is left out). */
  readonly reason: string;
}

/** Types a model learns from directly; the others are left out until a transform for them exists. */
export const FEATURE_TYPES: ReadonlySet<SemanticType> = new Set(['numeric', 'integer', 'boolean', 'categorical']);

/** What the type decision looks at. */
export interface ColumnFacts {
  readonly name: string;
  /** DuckDB's storage type (BIGINT, DOUBLE, VARCHAR, DATE, …). */
  readonly sourceType: string;
  readonly rows: number;
  readonly missing: number;
  /** Distinct present values (exact whenever it is near 1 or near the present count). */
  readonly distinct: number;
  /** Numbers only: every present value is a whole number. */
  readonly allIntegers: boolean;
  /** Numbers only: the values are consecutive (max − min + 1 = distinct). */
  readonly consecutive: boolean;
  /** Text only: mean number of words per present value. */
  readonly meanWords: number;
}

/** Rows needed before "a different value on almost every row" means something. */
const MIN_ROWS_FOR_UNIQUENESS = 20;

/** The one set of rules; `reason` says in plain words why. */
export function decideType(f: ColumnFacts): { type: SemanticType; reason: string } {
  const present = f.rows - f.missing;
  if (f.distinct <= 1) return { type: 'constant', reason: f.distinct === 0 ? 'every value is missing' : 'it holds a single value' };
  if (f.sourceType === 'BOOLEAN') return { type: 'boolean', reason: 'true/false values' };
  if (isNumericSourceType(f.sourceType)) {
    if (f.allIntegers && f.distinct === present && f.rows >= MIN_ROWS_FOR_UNIQUENESS && (looksLikeIdName(f.name) || f.consecutive)) {
      return { type: 'identifier', reason: 'a different whole number on every row, like a row number or an id' };
    }
    return f.allIntegers ? { type: 'integer', reason: 'whole numbers' } : { type: 'numeric', reason: 'numbers' };
  }
  if (isDatetimeSourceType(f.sourceType)) return { type: 'datetime', reason: 'dates or times' };
  const uniqueShare = f.distinct / Math.max(1, present);
  if (present >= MIN_ROWS_FOR_UNIQUENESS && uniqueShare > 0.9) {
    return f.meanWords >= 3
      ? { type: 'text', reason: 'free text that differs on almost every row' }
      : { type: 'identifier', reason: 'a different value on almost every row, like a name or a code' };
  }
  return { type: 'categorical', reason: 'a limited set of values' };
}

/**
 * Column names that say "identifier": `id`, `user_id`, `PassengerId`, `ID`, and the words business
 * files use for one (`Order Number`, `invoice_no`, `Kundennr`, `uuid`, `account key`).
 */
export function looksLikeIdName(name: string): boolean {
  return /(^|[^a-z])id$|_id$|Id$|ID$|^id/i.test(name) || /(^|[^a-z])(number|num|nr|no|key|uuid|guid)\.?$|nummer$/i.test(name) || /[a-z](Number|Nr|No|Key)$/.test(name);
}

export function inferSchema(frame: Frame, sourceTypes: Readonly<Record<string, string>>): ColumnSchema[] {
  return frame.columns.map((c) => {
    const facts = frameColumnFacts(c, sourceTypes[c.name] ?? (c.kind === 'numeric' ? 'DOUBLE' : 'VARCHAR'));
    return { name: c.name, sourceType: facts.sourceType, missing: facts.missing, distinct: facts.distinct, ...decideType(facts) };
  });
}

/** Overrides from a module spec (`columns: {Pclass: categorical}`) laid over inferred types. */
export function applyTypeOverrides(schema: readonly ColumnSchema[], overrides: Readonly<Record<string, SemanticType>>): ColumnSchema[] {
  return schema.map((c) => {
    const type = overrides[c.name];
    return type === undefined || type === c.type ? c : { ...c, type, reason: 'set in the spec' };
  });
}

/** The facts of one in-memory column (the naive reference of what `kiln inspect` counts in SQL). */
export function frameColumnFacts(c: Column, sourceType: string): ColumnFacts {
  const rows = c.values.length;
  if (c.kind === 'numeric') {
    const seen = new Set<number>();
    let missing = 0;
    let allIntegers = true;
    let min = Infinity;
    let max = -Infinity;
    for (const v of c.values) {
      if (Number.isNaN(v)) {
        missing++;
        continue;
      }
      seen.add(v);
      if (!Number.isInteger(v)) allIntegers = false;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { name: c.name, sourceType, rows, missing, distinct: seen.size, allIntegers, consecutive: seen.size > 0 && max - min + 1 === seen.size, meanWords: 0 };
  }
  const seen = new Set<string>();
  let missing = 0;
  let totalWords = 0;
  for (const v of c.values) {
    if (isMissingCategory(v)) {
      missing++;
      continue;
    }
    const s = v as string;
    seen.add(s);
    totalWords += s.trim().split(/\s+/).length;
  }
  const present = rows - missing;
  return { name: c.name, sourceType, rows, missing, distinct: seen.size, allIntegers: false, consecutive: false, meanWords: present > 0 ? totalWords / present : 0 };
}
