/**
 * Schema inference: what kind of thing each column holds, in the terms a person would use. The
 * semantic type decides how a column is prepared for learning, or whether it is left out (an id
 * number or a free-text column fed to a linear model as a category only adds noise).
 */
import type { Column, Frame } from '../core/frame.js';
import { isMissingCategory } from '../core/frame.js';
import { isNumericSourceType } from './sources/csv.js';

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

export function inferSchema(frame: Frame, sourceTypes: Readonly<Record<string, string>>): ColumnSchema[] {
  return frame.columns.map((c) => inferColumn(c, sourceTypes[c.name] ?? (c.kind === 'numeric' ? 'DOUBLE' : 'VARCHAR')));
}

function inferColumn(c: Column, sourceType: string): ColumnSchema {
  const n = c.values.length;
  const base = { name: c.name, sourceType };
  if (c.kind === 'numeric') {
    const seen = new Set<number>();
    let missing = 0;
    let allIntegers = true;
    for (const v of c.values) {
      if (Number.isNaN(v)) missing++;
      else {
        seen.add(v);
        if (!Number.isInteger(v)) allIntegers = false;
      }
    }
    const distinct = seen.size;
    const stats = { ...base, missing, distinct };
    if (distinct <= 1) return { ...stats, type: 'constant', reason: distinct === 0 ? 'every value is missing' : 'it holds a single value' };
    if (sourceType === 'BOOLEAN') return { ...stats, type: 'boolean', reason: 'true/false values' };
    if (allIntegers && distinct === n - missing && n >= 20 && looksLikeSequenceOrId(c.name, seen)) {
      return { ...stats, type: 'identifier', reason: 'a different whole number on every row, like a row number or an id' };
    }
    return allIntegers ? { ...stats, type: 'integer', reason: 'whole numbers' } : { ...stats, type: 'numeric', reason: 'numbers' };
  }

  const counts = new Map<string, number>();
  let missing = 0;
  let totalWords = 0;
  for (const v of c.values) {
    if (isMissingCategory(v)) {
      missing++;
      continue;
    }
    const s = v as string;
    counts.set(s, (counts.get(s) ?? 0) + 1);
    totalWords += s.trim().split(/\s+/).length;
  }
  const present = n - missing;
  const distinct = counts.size;
  const stats = { ...base, missing, distinct };
  if (distinct <= 1) return { ...stats, type: 'constant', reason: distinct === 0 ? 'every value is missing' : 'it holds a single value' };
  if (/^(DATE|TIME|TIMESTAMP)/.test(sourceType)) return { ...stats, type: 'datetime', reason: 'dates or times' };
  if (isNumericSourceType(sourceType)) return { ...stats, type: 'numeric', reason: 'numbers' };
  const uniqueShare = distinct / Math.max(1, present);
  if (present >= 20 && uniqueShare > 0.9) {
    return totalWords / present >= 3
      ? { ...stats, type: 'text', reason: 'free text that differs on almost every row' }
      : { ...stats, type: 'identifier', reason: 'a different value on almost every row, like a name or a code' };
  }
  return { ...stats, type: 'categorical', reason: 'a limited set of values' };
}

/** Unique integers are an id when they count up like row numbers or the column is named like one. */
function looksLikeSequenceOrId(name: string, values: Set<number>): boolean {
  if (/(^|[^a-z])id$|_id$|Id$|ID$|^id/i.test(name)) return true;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return max - min + 1 === values.size;
}
