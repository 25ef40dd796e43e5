/**
 * The run search language, parsed into data and then into parameterised SQL:
 *
 *   metrics.test.roc_auc > 0.8 and params.C = 1 and tags.team = 'risk' and status = 'finished'
 *
 * A filter is comparisons joined by `and` (as in MLflow: no `or`, no parentheses). The left side names a
 * field: `metrics.NAME`, `params.NAME`, `tags.NAME` (NAME may contain dots; quote it with backticks when
 * it holds other characters: metrics.`my metric`), or a run attribute (`name`, `task`, `learner`,
 * `status`, `started_at`, `finished_at`, `dataset_version`). The operator is one of = != < <= > >=.
 * The right side is a number, a quoted string ('…' or "…", doubled quote to escape) or true/false.
 *
 * Values never enter the SQL text: each becomes a `?` placeholder with its value in `params`, and field
 * names are checked against a fixed list or bound as parameters too. A bad filter is INVALID_PARAMS with
 * one problem naming the position and what was expected.
 */
import { KilnError, type Problem } from '../core/errors.js';
import type { RunQuery } from './store.js';

export type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type Literal = number | string | boolean;

export const RUN_ATTRIBUTES = ['name', 'task', 'learner', 'status', 'started_at', 'finished_at', 'dataset_version'] as const;
export type RunAttribute = (typeof RUN_ATTRIBUTES)[number];

export type RunField =
  | { readonly kind: 'metrics' | 'params' | 'tags'; readonly key: string }
  | { readonly kind: 'attribute'; readonly name: RunAttribute };

export interface Comparison {
  readonly field: RunField;
  readonly op: Operator;
  readonly value: Literal;
}

export interface RunOrder {
  readonly field: { readonly kind: 'metrics'; readonly key: string } | { readonly kind: 'attribute'; readonly name: 'started_at' | 'finished_at' | 'name' | 'status' };
  readonly direction: 'asc' | 'desc';
}

/** Database columns of the run attributes. */
const ATTRIBUTE_COLUMN: Record<RunAttribute, string> = {
  name: 'r.name',
  task: 'r.task',
  learner: 'r.learner',
  status: 'r.status',
  started_at: 'r.started_at',
  finished_at: 'r.finished_at',
  dataset_version: 'r.dataset_version_id',
};

// --- tokens ------------------------------------------------------------------------------------------

type Token =
  | { readonly type: 'word'; readonly text: string; readonly at: number }
  | { readonly type: 'string'; readonly text: string; readonly at: number }
  | { readonly type: 'number'; readonly value: number; readonly at: number }
  | { readonly type: 'op'; readonly text: Operator; readonly at: number }
  | { readonly type: 'dot'; readonly at: number };

const OPERATORS: readonly Operator[] = ['<=', '>=', '!=', '=', '<', '>'];
const WORD = /[A-Za-z0-9_-]/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;

function fail(what: string, filter: string, at: number, message: string): never {
  const problem: Problem = { path: `${what}[${at}]`, message, code: 'invalid_filter' };
  const near = filter.slice(at, at + 20);
  throw new KilnError(
    'INVALID_PARAMS',
    { what, summary: `${message} at position ${at + 1}${near === '' ? ' (the end)' : ` (near "${near}")`}` },
    { problems: [problem] },
  );
}

function tokenize(filter: string, what: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === "'" || c === '"' || c === '`') {
      let text = '';
      i++;
      for (;;) {
        if (i >= filter.length) fail(what, filter, at, `the quote ${c} is never closed`);
        if (filter[i] === c) {
          if (filter[i + 1] === c) {
            text += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += filter[i];
        i++;
      }
      // A backticked name is a word that may hold any character; quoted text is a string value.
      tokens.push(c === '`' ? { type: 'word', text, at } : { type: 'string', text, at });
      continue;
    }
    const op = OPERATORS.find((o) => filter.startsWith(o, i));
    if (op !== undefined) {
      tokens.push({ type: 'op', text: op, at });
      i += op.length;
      continue;
    }
    if (c === '.' && !/\d/.test(filter[i + 1] ?? '')) {
      tokens.push({ type: 'dot', at });
      i++;
      continue;
    }
    const previous = tokens.at(-1);
    const number = previous?.type === 'op' ? NUMBER.exec(filter.slice(i)) : null;
    if (number !== null) {
      tokens.push({ type: 'number', value: Number(number[0]), at });
      i += number[0].length;
      continue;
    }
    if (WORD.test(c)) {
      let text = '';
      while (i < filter.length && WORD.test(filter[i] as string)) text += filter[i++];
      tokens.push({ type: 'word', text, at });
      continue;
    }
    fail(what, filter, at, `unexpected character "${c}"`);
  }
  return tokens;
}

// --- parsing -----------------------------------------------------------------------------------------

/** Parses a filter into its comparisons (an empty or blank filter has none). */
export function parseRunFilter(filter: string, what = 'run filter'): Comparison[] {
  const tokens = tokenize(filter, what);
  const comparisons: Comparison[] = [];
  let i = 0;
  const end = filter.length;
  const atOf = (k: number): number => tokens[k]?.at ?? end;

  while (i < tokens.length) {
    if (comparisons.length > 0) {
      const and = tokens[i];
      if (and?.type !== 'word' || and.text.toLowerCase() !== 'and') {
        const said = and?.type === 'word' && and.text.toLowerCase() === 'or' ? '"or" is not supported; run two searches' : 'expected "and" between comparisons';
        fail(what, filter, atOf(i), said);
      }
      i++;
    }
    // field: word (. word)*
    const first = tokens[i];
    if (first?.type !== 'word') fail(what, filter, atOf(i), 'expected a field such as metrics.roc_auc, params.C, tags.team or status');
    const parts = [first.text];
    i++;
    while (tokens[i]?.type === 'dot') {
      const next = tokens[i + 1];
      if (next?.type !== 'word') fail(what, filter, atOf(i + 1), 'expected a name after "."');
      parts.push(next.text);
      i += 2;
    }
    const field = toField(parts, what, filter, first.at);
    const op = tokens[i];
    if (op?.type !== 'op') fail(what, filter, atOf(i), 'expected an operator: = != < <= > >=');
    i++;
    const valueToken = tokens[i];
    let value: Literal;
    if (valueToken?.type === 'number') value = valueToken.value;
    else if (valueToken?.type === 'string') value = valueToken.text;
    else if (valueToken?.type === 'word' && /^(true|false)$/i.test(valueToken.text)) value = valueToken.text.toLowerCase() === 'true';
    else fail(what, filter, atOf(i), "expected a value: a number, a 'quoted string', true or false");
    i++;
    checkComparison(field, op.text, value, what, filter, first.at);
    comparisons.push({ field, op: op.text, value });
  }
  return comparisons;
}

function toField(parts: readonly string[], what: string, filter: string, at: number): RunField {
  const [head, ...rest] = parts;
  if (head === 'metrics' || head === 'params' || head === 'tags') {
    if (rest.length === 0) fail(what, filter, at, `name the ${head.slice(0, -1)}: ${head}.NAME`);
    return { kind: head, key: rest.join('.') };
  }
  if (rest.length === 0 && (RUN_ATTRIBUTES as readonly string[]).includes(head ?? '')) {
    return { kind: 'attribute', name: head as RunAttribute };
  }
  return fail(what, filter, at, `unknown field "${parts.join('.')}"; use metrics.NAME, params.NAME, tags.NAME or one of ${RUN_ATTRIBUTES.join(', ')}`);
}

function checkComparison(field: RunField, op: Operator, value: Literal, what: string, filter: string, at: number): void {
  if (field.kind === 'metrics' && typeof value !== 'number') fail(what, filter, at, `metrics.${field.key} is a number; compare it with a number`);
  if ((field.kind === 'tags' || field.kind === 'attribute') && typeof value !== 'string') {
    const name = field.kind === 'attribute' ? field.name : `tags.${field.key}`;
    fail(what, filter, at, `${name} is text; quote the value: ${name} ${op} '${String(value)}'`);
  }
  if (typeof value === 'boolean' && op !== '=' && op !== '!=') fail(what, filter, at, 'true and false can only be compared with = or !=');
}

/** Parses `started_at desc`, `metrics.test.accuracy asc`, … */
export function parseRunOrder(orderBy: string, what = 'run order'): RunOrder {
  const match = /^\s*(\S+)(?:\s+(asc|desc))?\s*$/i.exec(orderBy);
  const name = match?.[1];
  const direction = (match?.[2]?.toLowerCase() ?? (name?.startsWith('metrics.') === true ? 'desc' : name === 'name' ? 'asc' : 'desc')) as 'asc' | 'desc';
  if (name !== undefined && name.startsWith('metrics.') && name.length > 'metrics.'.length) {
    return { field: { kind: 'metrics', key: name.slice('metrics.'.length) }, direction };
  }
  if (name === 'started_at' || name === 'finished_at' || name === 'name' || name === 'status') {
    return { field: { kind: 'attribute', name }, direction };
  }
  throw new KilnError('INVALID_PARAMS', {
    what,
    summary: `cannot order by "${orderBy}"; use started_at, finished_at, name, status or metrics.NAME, then asc or desc`,
  });
}

// --- SQL ---------------------------------------------------------------------------------------------

export interface RunSearchSql {
  /** A SELECT over `runs r` returning the run rows, with `?` placeholders. */
  readonly sql: string;
  readonly params: (string | number | null)[];
}

/**
 * The SQL for a run search. Each comparison on metrics, params or tags is an EXISTS probe of the side
 * tables (`run_metrics`, `run_params`, `run_tags`: one row per run and key, primary key (run_id, key)),
 * so the database walks the runs in the order asked for (the started_at index, or the (key, value) index
 * of the metric ordered by) and stops at `limit` matches, checking each run with a few index lookups —
 * instead of reading every run's JSON, or building the full list of matches of every condition first.
 * Ordering by a metric lists the runs that have that metric (NaN values last).
 * `sequence` is the column that orders runs created in the same millisecond (rowid in SQLite);
 * `descNullsLast` is how the dialect says "descending, missing values last" (SQLite's DESC already is).
 */
export function runSearchSql(
  query: RunQuery,
  sequence: string,
  descNullsLast = 'DESC NULLS LAST',
  /** Index (in `runComparisons(query)`) of the comparison to drive the search from, as an IN list. */
  driving?: number,
): RunSearchSql {
  const comparisons = runComparisons(query);
  const conditions: string[] = [];
  const params: (string | number | null)[] = [];
  comparisons.forEach((c, i) => {
    const probe = sideTableProbe(c);
    if (c.field.kind === 'attribute') {
      conditions.push(`${ATTRIBUTE_COLUMN[c.field.name]} ${c.op} ?`);
      params.push(c.value as string);
    } else if (probe === undefined) {
      throw new Error(`no side table for ${c.field.kind}`); // unreachable: every non-attribute field has one
    } else if (i === driving) {
      conditions.push(`r.id IN (SELECT run_id FROM ${probe.table} WHERE key = ? AND ${probe.column} ${c.op} ?)`);
      params.push(probe.key, probe.value);
    } else {
      conditions.push(`EXISTS (SELECT 1 FROM ${probe.table} s WHERE s.run_id = r.id AND s.key = ? AND s.${probe.column} ${c.op} ?)`);
      params.push(probe.key, probe.value);
    }
  });

  const order = query.orderBy === undefined ? undefined : parseRunOrder(query.orderBy);
  let join = '';
  let orderSql = `r.started_at DESC, ${sequence} DESC`;
  if (order !== undefined) {
    const dir = order.direction.toUpperCase();
    if (order.field.kind === 'metrics') {
      join = ' JOIN run_metrics o ON o.run_id = r.id AND o.key = ?';
      orderSql = `o.value ${dir === 'DESC' ? descNullsLast : 'ASC NULLS LAST'}, r.started_at DESC, ${sequence} DESC`;
    } else {
      orderSql = `${ATTRIBUTE_COLUMN[order.field.name]} ${dir} NULLS LAST, ${sequence} ${dir}`;
    }
  }
  const joinParams: (string | number | null)[] = order?.field.kind === 'metrics' ? [order.field.key] : [];

  let sql = `SELECT r.* FROM runs r${join}`;
  if (conditions.length > 0) sql += ` WHERE ${conditions.join(' AND ')}`;
  sql += ` ORDER BY ${orderSql}`;
  const tail: (string | number | null)[] = [];
  if (query.limit !== undefined) {
    sql += ' LIMIT ?';
    tail.push(checkPositive(query.limit, 'limit'));
  }
  if (query.offset !== undefined && query.offset !== 0) {
    // SQLite needs a LIMIT before OFFSET; -1 means none. PostgreSQL accepts LIMIT ALL only, hence the
    // caller-independent form: a limit as large as any table.
    if (query.limit === undefined) {
      sql += ' LIMIT ?';
      tail.push(Number.MAX_SAFE_INTEGER);
    }
    sql += ' OFFSET ?';
    tail.push(checkOffset(query.offset));
  }
  return { sql, params: [...joinParams, ...params, ...tail] };
}

/** The comparisons of a query: its filter's, then one per tag in `tags`. */
export function runComparisons(query: RunQuery): Comparison[] {
  const comparisons = query.where === undefined ? [] : parseRunFilter(query.where);
  for (const [key, value] of Object.entries(query.tags ?? {})) comparisons.push({ field: { kind: 'tags', key }, op: '=', value });
  return comparisons;
}

/**
 * Where a comparison on metrics, params or tags is answered: a side table, the column compared (numbers
 * compare as numbers; other param values as their text, true/false as 'true'/'false') and the bound values.
 * Undefined for run attributes, which are columns of `runs`.
 */
export function sideTableProbe(c: Comparison): { table: string; column: string; key: string; value: string | number } | undefined {
  switch (c.field.kind) {
    case 'metrics':
      return { table: 'run_metrics', column: 'value', key: c.field.key, value: c.value as number };
    case 'tags':
      return { table: 'run_tags', column: 'value', key: c.field.key, value: c.value as string };
    case 'params':
      return typeof c.value === 'number'
        ? { table: 'run_params', column: 'num', key: c.field.key, value: c.value }
        : { table: 'run_params', column: 'text', key: c.field.key, value: String(c.value) };
    case 'attribute':
      return undefined;
  }
}

/**
 * How many runs match one comparison, counted from its index but never past `cap`: cheap enough to ask
 * for every comparison before a search, to pick the most selective one to drive from.
 */
export function cappedCountSql(c: Comparison, cap: number): RunSearchSql | undefined {
  const probe = sideTableProbe(c);
  if (probe === undefined) return undefined;
  return {
    sql: `SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${probe.table} WHERE key = ? AND ${probe.column} ${c.op} ? LIMIT ?) capped`,
    params: [probe.key, probe.value, cap],
  };
}

export function checkPositive(value: number, what: string): number {
  if (Number.isInteger(value) && value > 0) return value;
  throw new KilnError('INVALID_PARAMS', { what, summary: `expected a positive whole number, got ${value}` });
}

function checkOffset(offset: number): number {
  if (Number.isInteger(offset) && offset >= 0) return offset;
  throw new KilnError('INVALID_PARAMS', { what: 'offset', summary: `expected a whole number ≥ 0, got ${offset}` });
}
