/**
 * How one column is prepared: its kind (decides the default chain) and an optional override, written
 * in the module spec's snake_case. The defaults, per kind:
 *
 *   numeric, boolean   median imputation → standard scaling                       (1 feature)
 *   categorical        most-frequent imputation → one-hot, unknown → all zeros     (k features)
 *   datetime           parts (year, month, day, weekday, hour) → median → standard (5 features)
 *   text               TF-IDF of words, at most 1000 terms, l2-normalised          (≤ 1000 features)
 *
 * The numeric and categorical defaults are exactly those Kiln has always used (the Titanic numbers
 * depend on them): no indicator, no rare-category bucket.
 */
import { KilnError, type Problem } from '../core/errors.js';
import { parseParams, z } from '../core/params.js';
import { DATETIME_PARTS } from './datetime-parts.js';

export type ColumnKind = 'numeric' | 'categorical' | 'boolean' | 'datetime' | 'text';
export const COLUMN_KINDS: readonly ColumnKind[] = ['numeric', 'categorical', 'boolean', 'datetime', 'text'];

const count = z.number().int().min(1);
const countOrFraction = z.number().positive();

export const columnTransformSchema = z.strictObject({
  impute: z
    .strictObject({
      strategy: z.enum(['mean', 'median', 'most_frequent', 'constant']),
      /** For strategy "constant": a number (numeric columns) or a category. */
      fill_value: z.union([z.number(), z.string()]).optional(),
      /** Append a 0/1 "was missing" feature (numeric-like columns only). */
      add_indicator: z.boolean().optional(),
    })
    .optional(),
  scale: z
    .strictObject({
      method: z.enum(['standard', 'minmax', 'robust', 'none']),
      feature_range: z.tuple([z.number(), z.number()]).refine(([a, b]) => a < b, 'the range must be increasing').optional(),
      quantile_range: z.tuple([z.number().min(0), z.number().max(100)]).refine(([a, b]) => a < b, 'the range must be increasing').optional(),
    })
    .optional(),
  encode: z
    .strictObject({
      method: z.enum(['onehot', 'ordinal', 'target']),
      /** onehot: categories seen fewer times (a count, or a fraction of rows when < 1) share one feature. */
      min_frequency: countOrFraction.optional(),
      /** onehot: at most this many features, the infrequent bucket included (≥ 2). */
      max_categories: z.number().int().min(2).optional(),
      handle_unknown: z.enum(['ignore', 'infrequent_if_exist', 'error']).optional(),
      /** ordinal: the value of a category not seen in training (default -1). */
      unknown_value: z.number().optional(),
      /** target: "auto" or pseudo-rows at the mean (default "auto"). */
      smooth: z.union([z.literal('auto'), z.number().min(0)]).optional(),
      /** target: folds for cross-fitting (default 5). */
      cv: z.number().int().min(2).optional(),
    })
    .optional(),
  datetime: z
    .strictObject({
      parts: z.array(z.enum(DATETIME_PARTS)).min(1).optional(),
      /** How plain numbers in the column are read: epoch milliseconds (default) or seconds. */
      unit: z.enum(['ms', 's']).optional(),
    })
    .optional(),
  text: z
    .strictObject({
      analyzer: z.enum(['word', 'char']).optional(),
      ngram_range: z.tuple([count, count]).refine(([a, b]) => a <= b, 'ngram_range must be [min, max] with min ≤ max').optional(),
      lowercase: z.boolean().optional(),
      min_df: countOrFraction.optional(),
      max_df: countOrFraction.optional(),
      max_features: count.optional(),
      sublinear_tf: z.boolean().optional(),
      use_idf: z.boolean().optional(),
      smooth_idf: z.boolean().optional(),
      norm: z.enum(['l2', 'none']).optional(),
    })
    .optional(),
});

export type ColumnTransformChoice = z.output<typeof columnTransformSchema>;

/** Which override sections apply to which kind: any other section would be silently ignored. */
const SECTIONS: Record<ColumnKind, readonly (keyof ColumnTransformChoice)[]> = {
  numeric: ['impute', 'scale'],
  boolean: ['impute', 'scale'],
  datetime: ['datetime', 'impute', 'scale'],
  categorical: ['impute', 'encode'],
  text: ['text'],
};

/**
 * Validates a per-column override (from a spec or the API) for a column of `kind`, naming the column
 * in any problem: unknown keys, bad values, and sections that do not apply to the kind.
 */
export function parseColumnTransform(column: string, kind: ColumnKind, raw: unknown): ColumnTransformChoice {
  const what = `transform of column "${column}"`;
  const choice = parseParams(columnTransformSchema, raw, what);
  const allowed = SECTIONS[kind];
  const problems: Problem[] = (Object.keys(choice) as (keyof ColumnTransformChoice)[])
    .filter((key) => choice[key] !== undefined && !allowed.includes(key))
    .map((key) => ({ path: key, code: 'not_applicable', message: `"${key}" does not apply to a ${kind} column (it takes ${allowed.map((a) => `"${a}"`).join(', ')})` }));
  if (kind === 'categorical') {
    const { impute } = choice;
    if (impute !== undefined && impute.strategy !== 'most_frequent' && impute.strategy !== 'constant') {
      problems.push({ path: 'impute.strategy', code: 'not_applicable', message: `"${impute.strategy}" needs numbers; a categorical column takes "most_frequent" or "constant"` });
    }
    if (impute?.add_indicator) {
      problems.push({ path: 'impute.add_indicator', code: 'not_applicable', message: 'a categorical column has no indicator; use strategy "constant" to give missing values their own category' });
    }
  } else if (choice.impute?.fill_value !== undefined && typeof choice.impute.fill_value !== 'number') {
    problems.push({ path: 'impute.fill_value', code: 'invalid_type', message: `must be a number for a ${kind} column` });
  }
  const encode = choice.encode;
  if (encode !== undefined) {
    const onlyFor: Record<string, 'onehot' | 'ordinal' | 'target'> = { min_frequency: 'onehot', max_categories: 'onehot', handle_unknown: 'onehot', unknown_value: 'ordinal', smooth: 'target', cv: 'target' };
    for (const [key, method] of Object.entries(onlyFor)) {
      if (encode[key as keyof typeof encode] !== undefined && encode.method !== method) {
        problems.push({ path: `encode.${key}`, code: 'not_applicable', message: `applies to method "${method}", not "${encode.method}"` });
      }
    }
  }
  if (problems.length > 0) {
    const summary = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    throw new KilnError('INVALID_PARAMS', { what, summary }, { problems });
  }
  return choice;
}
