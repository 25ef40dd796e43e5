/**
 * The module spec: a declarative description of an AI module, written by hand in YAML or by the app.
 * One zod schema validates it and documents it.
 *
 *   name: titanic
 *   data: titanic.csv          # relative to the spec file
 *   target: Survived
 *   drop: [PassengerId, Name, Ticket, Cabin]
 *   learner: logistic-regression
 *   params: { C: 1.0 }
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { KilnError } from '../core/errors.js';
import { z, zodProblems } from '../core/params.js';
import { SEMANTIC_TYPES } from '../data/infer-schema.js';
import { TYPICAL_NOISE } from '../features/perturb-columns.js';

/** Predictions from a table's columns (tabular), and the module templates beyond tables. */
export const TABULAR_TASKS = ['auto', 'binary', 'multiclass', 'classification', 'regression'] as const;
export const MODULE_TASKS = ['text-classify', 'recommend', 'cluster', 'detect-anomalies'] as const;
export const TASKS = [...TABULAR_TASKS, ...MODULE_TASKS] as const;
export type SpecTask = (typeof TASKS)[number];

/** The longest model name (model-ref.ts allows the same). */
const MAX_NAME_LENGTH = 128;

/** What the smallest spec looks like, for a spec file that is empty or is no mapping of fields. */
const MINIMAL_SPEC = 'three lines: "name: titanic", "data: titanic.csv" (relative to the spec file) and "target: Survived"';

export const moduleSpecSchema = z.strictObject({
  name: z
    .string()
    // the length is its own check, so that a long name of good characters is told what is wrong with it
    .max(MAX_NAME_LENGTH, { error: (issue) => `a module name is at most ${MAX_NAME_LENGTH} characters long; this one has ${String(issue.input ?? '').length}` })
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a module name uses letters, digits, "_", "-" and "." (e.g. titanic)')
    .describe('The model name it is registered under.'),
  description: z.string().optional().describe('What the module predicts, in plain words.'),
  data: z
    .string()
    .min(1)
    .describe('The training table: a file (CSV, TSV, JSON, NDJSON, Parquet, xlsx) relative to the spec, or sqlite:…, postgres://…, sql:…'),
  target: z
    .string()
    .min(1)
    .optional()
    .describe('The column to predict (tables and text-classify); cluster and recommend have none.'),
  testData: z
    .string()
    .min(1)
    .optional()
    .describe('A separate table to test on (relative to the spec); without it, a part of `data` is held out.'),
  task: z.enum(TASKS).default('auto').describe('What kind of prediction; "auto" infers it from the target column.'),
  drop: z.array(z.string()).default([]).describe('Columns to leave out (ids, free text, leaks).'),
  columns: z
    .record(z.string(), z.enum(SEMANTIC_TYPES))
    .default({})
    .describe('Overrides of inferred column types, e.g. {Pclass: categorical}.'),
  transforms: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Per-column preprocessing instead of the default for its type, e.g. {Embarked: {encode: {method: ordinal}}} (see docs/features.md).'),
  split: z
    .strictObject({
      test: z.number().gt(0).lt(1).default(0.2).describe('Fraction of rows held out for the final test.'),
      stratify: z.boolean().default(true).describe('Keep class shares equal in both parts (classification).'),
      group: z
        .string()
        .min(1)
        .optional()
        .describe('Keep each value of this column (a customer, a patient) on one side of every split: the test and the search\'s folds.'),
      time: z
        .string()
        .min(1)
        .optional()
        .describe('Order rows by this column: the latest are the test, and the search\'s folds train on the past only.'),
    })
    .refine((split) => split.group === undefined || split.time === undefined, { message: 'choose group or time, not both' })
    .prefault({})
    .describe('How the holdout test part is drawn.'),
  seed: z.number().int().min(0).default(42).describe('Seed for every random choice: same seed and data, same model.'),
  learner: z.string().optional().describe('The algorithm; the task\'s default when omitted, "auto" to search.'),
  budget: z
    .union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?\s*(s|m|h)?$/, 'a duration such as 60s, 5m or 1h')])
    .optional()
    .describe('Search learners and settings for this long (AutoML), e.g. 60s or 5m.'),
  metric: z.string().optional().describe('What the search optimises (scikit-learn names: roc_auc, accuracy, log_loss, f1_macro, rmse, mae, r2, …).'),
  learners: z.array(z.string()).optional().describe('Only search these learners.'),
  folds: z.number().int().min(2).max(20).default(5).describe('Cross-validation folds used by the search.'),
  repeats: z
    .number()
    .int()
    .min(1)
    .max(10)
    .optional()
    .describe('Repeat the search\'s cross-validation with freshly drawn folds (default: 3 on up to 5,000 training rows, where one set of folds is too noisy to choose by; otherwise 1).'),
  ensemble: z.boolean().default(true).describe('Let the search average its best few models when that scores better.'),
  params: z.record(z.string(), z.unknown()).default({}).describe('The learner\'s parameters.'),
  augment: z
    .preprocess(
      // `augment: true` asks for the defaults; `augment: false` for none
      (v) => (v === true ? {} : v === false ? undefined : v),
      z.strictObject({
        copies: z.number().int().min(1).max(5).default(1).describe('Perturbed copies added per training row (1 doubles the rows).'),
        jitter: z.number().min(0).max(1).default(TYPICAL_NOISE.jitter).describe('Noise added to numbers, in standard deviations of the column.'),
        swap: z.number().min(0).max(0.5).default(TYPICAL_NOISE.swap).describe('Share of categories replaced by another value of the same column (text-classify: share of words with a typing slip).'),
        missing: z.number().min(0).max(0.5).default(TYPICAL_NOISE.missing).describe('Share of cells left empty (text-classify: share of words left out).'),
      }).optional(),
    )
    .describe('Also train on perturbed copies of the training rows (noisy numbers, swapped categories, blank cells; for text-classify, texts with typing slips and words left out), as the robustness check perturbs the test rows: a model that has seen them degrades less when production data is messier. Tables and text-classify; validation and test rows are never perturbed.'),
  // --- module templates beyond tables (each trainer checks the fields it needs) ---------------------
  text: z.string().min(1).optional().describe('text-classify: the column holding the text (default: the only text column).'),
  user: z.string().min(1).optional().describe('recommend: the column identifying the user.'),
  item: z.string().min(1).optional().describe('recommend: the column identifying the item.'),
  rating: z.string().min(1).optional().describe('recommend: the column with explicit ratings; without it, each row is an implicit interaction.'),
  time: z.string().min(1).optional().describe('recommend: the column ordering each user\'s interactions (the per-user holdout is their latest).'),
  topK: z.number().int().min(1).max(1000).default(10).describe('recommend: how many items a recommendation returns (and k of precision@k, NDCG@k).'),
  clusters: z.union([z.number().int().min(2).max(100), z.literal('auto')]).default('auto').describe('cluster: the number of segments, or "auto" to suggest one (silhouette and elbow).'),
  contamination: z.number().gt(0).lt(0.5).default(0.01).describe('detect-anomalies: the expected share of anomalies; sets the score threshold.'),
  label: z.string().min(1).optional().describe('detect-anomalies: a column marking known anomalies (1/true); cluster: a column of known groups. Used only to evaluate, never to train.'),
})
  .superRefine((spec, ctx) => {
    // The fields each task cannot do without, reported with every other problem of the spec.
    for (const field of REQUIRED_FIELDS[spec.task]) {
      if (spec[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required for task "${spec.task}"` });
    }
    if (spec.augment !== undefined && (MODULE_TASKS as readonly string[]).includes(spec.task) && spec.task !== 'text-classify') {
      ctx.addIssue({ code: 'custom', path: ['augment'], message: `augmentation perturbs the rows of tables and the texts of text-classify; task "${spec.task}" does not use it (leave augment out)` });
    }
    if (spec.repeats !== undefined && spec.repeats > 1 && spec.split.time !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['repeats'], message: 'time-ordered folds are the same on every repeat; leave repeats out (or set it to 1) with split.time' });
    }
  });

const REQUIRED_FIELDS: Record<SpecTask, readonly ('target' | 'user' | 'item')[]> = {
  auto: ['target'],
  binary: ['target'],
  multiclass: ['target'],
  classification: ['target'],
  regression: ['target'],
  'text-classify': ['target'],
  recommend: ['user', 'item'],
  cluster: [],
  'detect-anomalies': [],
};

export type ModuleSpec = z.output<typeof moduleSpecSchema>;

/** A budget as seconds: 60, "60", "60s", "5m", "1h". */
export function budgetSeconds(budget: number | string): number {
  if (typeof budget === 'number') return budget;
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/.exec(budget.trim());
  const value = Number(m?.[1] ?? Number.NaN);
  return value * (m?.[2] === 'h' ? 3600 : m?.[2] === 'm' ? 60 : 1);
}

/** A field a task needs that the spec left out: a coded INVALID_SPEC naming it and the task. */
export function requireSpecField<K extends 'target' | 'text' | 'user' | 'item'>(spec: ModuleSpec, field: K, file: string | null = null): string {
  const value = spec[field];
  if (value === undefined) {
    throw new KilnError('INVALID_SPEC', { file: file ?? '', summary: `${field}: required for task "${spec.task}" (name the column)` });
  }
  return value;
}

/** A spec with `data` resolved to an absolute path. */
export interface LoadedSpec {
  readonly spec: ModuleSpec;
  readonly dataPath: string;
  /** `testData` resolved, when the spec names one. */
  readonly testDataPath?: string;
  /** What relative paths inside sources (e.g. `sqlite:shop.db?table=t`) are relative to. */
  readonly baseDir: string;
  readonly file: string | null;
}

export function validateSpec(raw: unknown, file: string | null, baseDir: string): LoadedSpec {
  const result = moduleSpecSchema.safeParse(raw);
  if (!result.success) {
    const problems = zodProblems(result.error);
    const summary = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
    throw new KilnError('INVALID_SPEC', { file: file ?? '', summary }, { problems });
  }
  const spec = result.data;
  // File paths are relative to the spec; other sources (sqlite:, postgres://, sql:) are kept as written.
  const at = (source: string) => (isAbsolute(source) || /^[a-z][a-z0-9+.-]*:/i.test(source) ? source : resolve(baseDir, source));
  return { spec, dataPath: at(spec.data), ...(spec.testData === undefined ? {} : { testDataPath: at(spec.testData) }), baseDir, file };
}

export function loadSpecFile(file: string): LoadedSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new KilnError('DATA_UNREADABLE', { path: file, reason: 'it is a folder; give the module spec inside it (e.g. examples/titanic/kiln.yaml)', folder: true });
    }
    throw new KilnError('DATA_NOT_FOUND', { path: file, what: 'module spec file' });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new KilnError('INVALID_SPEC', { file, summary: `it is not valid YAML (${reason})` });
  }
  // YAML reads an empty file (or one of only comments) as null, which the schema would call "expected object"
  if (raw === null || raw === undefined) {
    throw new KilnError('INVALID_SPEC', { file, summary: `the file is empty; a minimal spec is ${MINIMAL_SPEC}` });
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new KilnError('INVALID_SPEC', { file, summary: `it holds ${Array.isArray(raw) ? 'a list' : 'a single value'}, not fields; a minimal spec is ${MINIMAL_SPEC}` });
  }
  return validateSpec(raw, file, dirname(resolve(file)));
}
