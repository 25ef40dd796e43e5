/**
 * "What do you want to predict?" → a complete module spec, with the task Kiln inferred and a plain
 * explanation of it. For a prediction from a table the target column is read and encoded exactly as
 * training will (encodeTarget, inferSchema, planColumns), so the explanation states what training
 * will do, not a guess: the task, the classes, and the columns that will be left out and why.
 */
import { stringify as toYaml } from 'yaml';
import { KilnError } from '../../core/errors.js';
import type { Frame } from '../../core/frame.js';
import { inferSchema } from '../../data/infer-schema.js';
import { readTable } from '../../data/sources/read-table.js';
import { MODULE_TASKS, TABULAR_TASKS, validateSpec, type ModuleSpec, type SpecTask } from '../../modules/spec.js';
import { encodeTarget, planColumns, type TargetEncoding } from '../../modules/tabular/plan-columns.js';
import { datasetNameOf } from '../../store/datasets.js';

/** How long the search for the best model runs by default when the app trains: short, but AutoML. */
export const DEFAULT_APP_BUDGET = '30s';

export interface SuggestRequest {
  /** A source the data layer reads (already checked by AppSources). */
  readonly source: string;
  readonly target?: string;
  readonly task?: SpecTask;
}

export interface Suggestion {
  /** The spec with its defaults filled, without the fields of other templates (e.g. `topK` for a table). */
  readonly spec: Readonly<Record<string, unknown>>;
  /** For tables, the inferred task (binary, multiclass, regression); for templates, the template. */
  readonly task: string;
  readonly explanation: string;
  readonly yaml: string;
}

export async function suggestSpec(request: SuggestRequest): Promise<Suggestion> {
  const task = request.task ?? 'auto';
  const name = datasetNameOf(request.source);
  const table = await readTable(request.source);
  if ((MODULE_TASKS as readonly string[]).includes(task)) return templateSuggestion(request, name, task, table.frame);
  if (request.target === undefined) {
    throw new KilnError('TARGET_REQUIRED_FOR_SUGGESTION', {
      source: request.source,
      columns: table.frame.names.join(', '),
      templates: MODULE_TASKS.filter((t) => t !== 'text-classify').join(', '),
    });
  }
  const raw = { name, data: request.source, target: request.target, task, budget: DEFAULT_APP_BUDGET };
  const { spec } = validateSpec(raw, null, process.cwd());
  const target = encodeTarget(table.frame, spec);
  const { features, excluded } = planColumns(inferSchema(table.frame, table.sourceTypes), spec);
  const sentences = [
    targetSentence(target, table.frame),
    `It will learn from ${features.length} column${features.length === 1 ? '' : 's'} (${listed(features.map((f) => f.name))}).`,
    ...(excluded.length === 0 ? [] : [`It will leave out ${excluded.map((e) => `${e.name} (${e.reason})`).join('; ')}.`]),
    `Kiln will try several kinds of model for ${DEFAULT_APP_BUDGET.replace('s', ' seconds')}, keep the one that scores best on rows it did not learn from, and test it on ${Math.round(spec.split.test * 100)} % of the rows held out until the end.`,
  ];
  return finish(spec, target.task, sentences.join(' '));
}

function templateSuggestion(request: SuggestRequest, name: string, task: SpecTask, frame: Frame): Suggestion {
  const raw: Record<string, unknown> = { name, data: request.source, task, ...(request.target === undefined ? {} : { target: request.target }) };
  // recommend needs to know who and what: take columns named like it when the request does not say
  if (task === 'recommend') {
    const user = frame.names.find((n) => /^(user|customer|client|member|person|visitor)(_?id)?$/i.test(n));
    const item = frame.names.find((n) => /^(item|product|movie|book|article|sku|song)(_?id)?$/i.test(n));
    if (user !== undefined) raw['user'] = user;
    if (item !== undefined) raw['item'] = item;
  }
  for (const column of [request.target, raw['user'], raw['item']]) {
    if (typeof column === 'string' && !frame.has(column)) throw new KilnError('COLUMN_NOT_FOUND', { column, columns: frame.names });
  }
  const { spec } = validateSpec(raw, null, process.cwd());
  return finish(spec, task, TEMPLATE_EXPLANATIONS[task as (typeof MODULE_TASKS)[number]](spec));
}

const TEMPLATE_EXPLANATIONS: Record<(typeof MODULE_TASKS)[number], (spec: ModuleSpec) => string> = {
  'text-classify': (s) => `Kiln will learn from the texts${s.text === undefined ? '' : ` in "${s.text}"`} to predict "${s.target ?? ''}" — which category a new text belongs to.`,
  recommend: (s) => `Kiln will learn from which items each person ("${s.user ?? ''}") chose ("${s.item ?? ''}") to recommend the ${s.topK} items they are most likely to want next.`,
  cluster: (s) => `Kiln will group similar rows into ${s.clusters === 'auto' ? 'a number of segments it suggests' : `${s.clusters} segments`}, and describe what sets each segment apart.`,
  'detect-anomalies': (s) => `Kiln will learn what usual rows look like and flag about ${Math.round(s.contamination * 1000) / 10} % of rows as unusual.`,
};

function targetSentence(target: TargetEncoding, frame: Frame): string {
  const name = `"${target.name}"`;
  if (target.task === 'regression') {
    const values = frame.get(target.name)?.values as Float64Array;
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return `${name} holds numbers from ${round(min)} to ${round(max)}: Kiln will learn to estimate that number for new rows — a regression.`;
  }
  const classes = target.classes.map(String);
  if (target.task === 'binary') {
    return `${name} has two values, ${classes[0]} and ${classes[1]}: Kiln will learn to predict which — a yes/no prediction.`;
  }
  const shown = classes.length <= 6 ? listed(classes) : `${classes.slice(0, 5).join(', ')} and ${classes.length - 5} more`;
  const sentence = `${name} has ${classes.length} values (${shown}): Kiln will learn to predict which one — a choice among several classes.`;
  // an id, a name or a free text: a value seen once cannot be learnt, and training would say so late
  return classes.length > Math.max(20, frame.nRows / 2) ? `${sentence} ${idLikeWarning(classes.length, frame.nRows)}` : sentence;
}

/** Why a target with about as many values as rows is almost surely the wrong column. */
function idLikeWarning(values: number, rows: number): string {
  return `But ${values} different values in ${rows} rows means most values occur once or twice, like an id or a name: a model cannot learn to predict a value it has barely seen. Choose a column whose values repeat (a category, a yes/no), or a number to estimate.`;
}

/** Spec fields that only one template reads; a suggestion for another task leaves them out. */
const TEMPLATE_FIELDS: Readonly<Record<string, SpecTask>> = {
  text: 'text-classify',
  user: 'recommend',
  item: 'recommend',
  rating: 'recommend',
  time: 'recommend',
  topK: 'recommend',
  clusters: 'cluster',
  contamination: 'detect-anomalies',
  label: 'detect-anomalies',
};

function finish(spec: ModuleSpec, task: string, explanation: string): Suggestion {
  const relevant = Object.fromEntries(Object.entries(spec).filter(([key]) => (TEMPLATE_FIELDS[key] ?? spec.task) === spec.task));
  const yaml = `# Kiln module spec, written by the app (see examples/titanic/kiln.yaml)\n${toYaml(relevant)}`;
  return { spec: relevant, task, explanation, yaml };
}

function listed(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function round(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

/** Tasks a suggestion may be asked for. */
export const SUGGEST_TASKS = [...TABULAR_TASKS, ...MODULE_TASKS] as const;
