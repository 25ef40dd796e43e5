/**
 * The kinds of module a person can start from in the app: a prediction from a table's columns, and
 * the module templates beyond tables. Each lists the spec fields it asks for; the field descriptions
 * come from the module spec's own schema (src/modules/spec.ts), so the form and the spec never
 * disagree.
 */
import { z } from '../../core/params.js';
import { moduleSpecSchema, type SpecTask } from '../../modules/spec.js';

export interface TemplateField {
  /** The spec field, e.g. `target`. */
  readonly name: string;
  /** What the form asks for: a column of the table, a number, a duration, or a list of columns. */
  readonly kind: 'column' | 'columns' | 'number' | 'duration';
  readonly required: boolean;
  readonly label: string;
  readonly description: string;
  readonly default?: unknown;
}

export interface Template {
  readonly task: SpecTask;
  readonly title: string;
  readonly description: string;
  readonly fields: readonly TemplateField[];
}

type FieldChoice = Omit<TemplateField, 'description' | 'default'>;

const TEMPLATES: readonly { task: SpecTask; title: string; description: string; fields: readonly FieldChoice[] }[] = [
  {
    task: 'auto',
    title: 'Predict a column',
    description: 'Learn to predict one column of the table from the others: a yes/no answer, one of several classes, or a number. Kiln works out which from the column you pick.',
    fields: [
      { name: 'target', kind: 'column', required: true, label: 'Column to predict' },
      { name: 'drop', kind: 'columns', required: false, label: 'Columns to leave out' },
      { name: 'budget', kind: 'duration', required: false, label: 'Time to search for the best model' },
    ],
  },
  {
    task: 'text-classify',
    title: 'Sort texts into categories',
    description: 'Learn from labelled texts (reviews, tickets, e-mails) to tell which category a new text belongs to — for example whether a review is positive.',
    fields: [
      { name: 'target', kind: 'column', required: true, label: 'Column with the category' },
      { name: 'text', kind: 'column', required: false, label: 'Column with the text' },
    ],
  },
  {
    task: 'recommend',
    title: 'Recommend items',
    description: 'Learn from who bought, watched or rated what, to suggest to each person the items they are most likely to want next.',
    fields: [
      { name: 'user', kind: 'column', required: true, label: 'Column naming the person' },
      { name: 'item', kind: 'column', required: true, label: 'Column naming the item' },
      { name: 'rating', kind: 'column', required: false, label: 'Column with a rating (optional)' },
      { name: 'time', kind: 'column', required: false, label: 'Column with the time (optional)' },
      { name: 'topK', kind: 'number', required: false, label: 'Items per recommendation' },
    ],
  },
  {
    task: 'cluster',
    title: 'Find segments',
    description: 'Group similar rows together (customers, products, places) without saying in advance what the groups are.',
    fields: [
      { name: 'clusters', kind: 'number', required: false, label: 'Number of segments (or automatic)' },
      { name: 'drop', kind: 'columns', required: false, label: 'Columns to leave out' },
    ],
  },
  {
    task: 'detect-anomalies',
    title: 'Spot unusual rows',
    description: 'Learn what normal rows look like, to flag the ones that are out of the ordinary (fraud, faults, typing errors).',
    fields: [
      { name: 'contamination', kind: 'number', required: false, label: 'Expected share of unusual rows' },
      { name: 'label', kind: 'column', required: false, label: 'Column marking known anomalies (optional, only to evaluate)' },
    ],
  },
];

let cached: readonly Template[] | undefined;

export function moduleTemplates(): readonly Template[] {
  cached ??= buildTemplates();
  return cached;
}

function buildTemplates(): Template[] {
  const schema = z.toJSONSchema(moduleSpecSchema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, { description?: string; default?: unknown }>;
  };
  const properties = schema.properties ?? {};
  return TEMPLATES.map((t) => ({
    ...t,
    fields: t.fields.map((f) => {
      const property = properties[f.name];
      return { ...f, description: property?.description ?? '', ...(property?.default === undefined ? {} : { default: property.default }) };
    }),
  }));
}

/** The JSON Schema of the whole module spec, for the app's advanced options. */
export function moduleSpecJsonSchema(): unknown {
  return z.toJSONSchema(moduleSpecSchema, { io: 'input', unrepresentable: 'any' });
}
