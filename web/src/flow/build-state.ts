/**
 * What the Build page has chosen so far — the column to predict, or a template and its fields — kept
 * in the page's URL (`/build?source=…&target=Survived`, `…&template=recommend&user=userId`), so a
 * reload, Back from the training page, or a shared link comes back to the same choice.
 */
export interface BuildChoice {
  readonly target: string;
  /** The chosen template's task ('' for none: predict a column). */
  readonly template: string;
  /** The template's fields as typed, by field name. */
  readonly fields: Readonly<Record<string, string>>;
}

/** The query names the page itself uses; a template's field of the same name is not read from the URL. */
const RESERVED = new Set(['source', 'target', 'template']);

export function readBuildChoice(query: URLSearchParams): BuildChoice {
  const template = query.get('template') ?? '';
  const fields: Record<string, string> = {};
  if (template !== '') {
    for (const [key, value] of query) if (!RESERVED.has(key) && value !== '') fields[key] = value;
    // a template's "target" field (text-classify) travels as `target`
    const target = query.get('target');
    if (target !== null && target !== '') fields['target'] = target;
  }
  return { target: template === '' ? (query.get('target') ?? '') : '', template, fields };
}

export function buildHref(source: string, choice: BuildChoice): string {
  const query = new URLSearchParams({ source });
  if (choice.template === '') {
    if (choice.target !== '') query.set('target', choice.target);
  } else {
    query.set('template', choice.template);
    for (const [key, value] of Object.entries(choice.fields)) if (value !== '' && (key === 'target' || !RESERVED.has(key))) query.set(key, value);
  }
  return `/build?${query.toString()}`;
}
