/**
 * Step 2, Build a module: "What do you want to predict?" (a column; Kiln infers the kind of prediction
 * and says it in words) or a template (sentiment of text, recommendations, segments, anomalies). The
 * defaults are sensible; the advanced options (time budget, algorithm, metric, test share, seed) are
 * folded away. The spec Kiln will train from can be read and downloaded as YAML.
 */
import { useEffect, useId, useState } from 'react';
import { api } from '../api/client.js';
import type { InspectReport, Job, ModuleSpec, SourcePreview, SpecSuggestion, Template } from '../api/types.js';
import { useAction, useApi } from '../api/use-api.js';
import { Card, CodeBlock, downloadText, ForEngineers, Page } from '../components/bits.js';
import { Empty, ErrorBox, Loading, Show } from '../components/states.js';
import { buildHref, readBuildChoice, type BuildChoice } from '../flow/build-state.js';
import { specToYaml } from '../flow/spec-yaml.js';
import { targetWarning } from '../flow/target-check.js';
import { href, Link, navigate, rememberInUrl, useLocation } from '../router.js';

/** Templates the tabular "pick a column" flow covers already. */
const TABULAR = new Set(['auto', 'binary', 'multiclass', 'classification', 'regression', 'tabular']);

export function BuildPage() {
  const source = useLocation().query.get('source') ?? undefined;
  if (source === undefined) {
    return (
      <Page title="Build a module">
        <Empty title="First choose your data.">
          <p>
            A module learns from a table. <Link to="/data">Upload a file or connect to a database</Link>, then come back here.
          </p>
        </Empty>
      </Page>
    );
  }
  return <Builder source={source} />;
}

function Builder({ source }: { source: string }) {
  const query = useLocation().query;
  const preview = useApi<SourcePreview>('/api/sources/preview', { source });
  const templates = useApi<readonly Template[]>('/api/templates');
  // the choice starts from the URL (a reload, Back from the training page) and is written back to it
  const [choice, setChoice] = useState<BuildChoice>(() => readBuildChoice(query));
  useEffect(() => rememberInUrl(buildHref(source, choice)), [source, choice]);
  const { target, fields } = choice;
  const template = templates.state === 'loaded' ? templates.data.find((t) => t.task === choice.template && !TABULAR.has(t.task)) : undefined;
  const setFields = (next: Record<string, string>) => setChoice((c) => ({ ...c, fields: next }));
  const columns = preview.state === 'loaded' ? preview.data.columns.map((c) => c.name) : [];
  const goal = goalOf(source, target, template, fields);
  const suggestion = useApi<SpecSuggestion>(goal === undefined ? undefined : '/api/specs/suggest', goal);
  const targetId = useId();
  // an id picked as the column to predict: the suggestion calls it "a choice among several classes"
  const profile = useApi<InspectReport>(template === undefined && suggestion.state === 'loaded' && suggestion.data.task === 'multiclass' ? '/api/inspect' : undefined, { source });
  const warning = profile.state === 'loaded' ? targetWarning(profile.data.columns.find((c) => c.name === target), profile.data.rows) : undefined;
  // a choice Kiln cannot build from is said beside the choice, in the card where it was made
  const refused = goal !== undefined && suggestion.state === 'failed' ? suggestion.error : undefined;
  const retry = refused !== undefined && (refused.status === 0 || refused.status >= 500) ? suggestion.reload : undefined;
  const refusal = refused === undefined ? null : <ErrorBox error={refused} {...(retry === undefined ? {} : { onRetry: retry })} />;
  const moduleTemplates = templates.state === 'loaded' ? templates.data.filter((t) => !TABULAR.has(t.task)) : [];
  return (
    <Page title="Build a module" lead="Tell Kiln what you want to know. It picks a sensible way to learn it; you can change the details later.">
      <Show value={preview} what="the columns of your data">
        {(p) => (
          <Card title="What do you want to predict?">
            <label htmlFor={targetId}>The column to predict</label>
            <select id={targetId} value={template === undefined ? target : ''} onChange={(e) => setChoice({ target: e.target.value, template: '', fields: {} })}>
              <option value="">Choose a column…</option>
              {p.columns.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
            <p className="muted small">Kiln will learn to guess this column from the other columns, for new rows where it is not known yet.</p>
            {template === undefined && refusal}
            {warning !== undefined && (
              <p className="warning-box" role="alert">
                {warning}
              </p>
            )}
          </Card>
        )}
      </Show>
      {moduleTemplates.length > 0 && (
        <Card title="Or start from a template">
          <fieldset className="templates">
            <legend className="visually-hidden">Templates</legend>
            {moduleTemplates.map((t) => (
              <label key={t.task} className={`template${template?.task === t.task ? ' chosen' : ''}`}>
                <input
                  type="radio"
                  name="template"
                  value={t.task}
                  checked={template?.task === t.task}
                  onChange={() => setChoice({ target: '', template: t.task, fields: {} })}
                />
                <span>
                  <strong>{t.title}</strong>
                  <span className="muted small"> {t.description}</span>
                </span>
              </label>
            ))}
          </fieldset>
          {template !== undefined && <TemplateFields template={template} columns={columns} values={fields} onChange={setFields} />}
          {template !== undefined && refusal}
        </Card>
      )}
      {templates.state === 'failed' && <ErrorBox error={templates.error} onRetry={templates.reload} />}
      {goal !== undefined && refused === undefined && (
        <Show value={suggestion} what="a suggestion">
          {(s) => <SpecEditor key={`${s.task}:${target}`} suggestion={s} overrides={template === undefined ? {} : templateOverrides(template, fields)} />}
        </Show>
      )}
    </Page>
  );
}

/** What to ask /api/specs/suggest, once enough is chosen: a target column, or a template with its required columns. */
function goalOf(source: string, target: string, template: Template | undefined, fields: Readonly<Record<string, string>>): Record<string, string> | undefined {
  if (template === undefined) return target === '' ? undefined : { source, target };
  const missing = (template.fields ?? []).some((f) => f.required && (fields[f.name] ?? '') === '');
  if (missing) return undefined;
  return { source, task: template.task, ...(fields['target'] === undefined || fields['target'] === '' ? {} : { target: fields['target'] }) };
}

/** A `columns` field (columns to leave out) holds its column names one per line. */
const COLUMN_SEPARATOR = '\n';

/** The template's fields as spec values (numbers as numbers; `clusters` may also be "auto"; columns as a list). */
function templateOverrides(template: Template, fields: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of template.fields ?? []) {
    const text = (fields[f.name] ?? '').trim();
    if (text === '' || f.kind === 'duration') continue;
    out[f.name] = f.kind === 'columns' ? text.split(COLUMN_SEPARATOR) : f.kind === 'number' && text !== 'auto' ? Number(text) : text;
  }
  return out;
}

function TemplateFields({
  template,
  columns,
  values,
  onChange,
}: {
  template: Template;
  columns: readonly string[];
  values: Readonly<Record<string, string>>;
  onChange: (values: Record<string, string>) => void;
}) {
  const prefix = useId();
  const shown = (template.fields ?? []).filter((f) => f.kind === 'column' || f.kind === 'number');
  // columns to leave out (ids, a column of known answers): without them a segmentation learns from the answer itself
  const lists = (template.fields ?? []).filter((f) => f.kind === 'columns');
  if (shown.length === 0 && lists.length === 0) return null;
  return (
    <div className="form-grid template-fields">
      {lists.map((f) => {
        const chosen = new Set((values[f.name] ?? '').split(COLUMN_SEPARATOR).filter((c) => c !== ''));
        const toggle = (column: string, on: boolean) => {
          const next = columns.filter((c) => (c === column ? on : chosen.has(c)));
          onChange({ ...values, [f.name]: next.join(COLUMN_SEPARATOR) });
        };
        return (
          <fieldset key={f.name} className="column-choices">
            <legend>{f.label}</legend>
            {columns.map((c) => (
              <label key={c} className="checkbox">
                <input type="checkbox" checked={chosen.has(c)} onChange={(e) => toggle(c, e.target.checked)} /> {c}
              </label>
            ))}
            {f.description !== '' && <p className="muted small">{fieldHelp(f.description)}</p>}
          </fieldset>
        );
      })}
      {shown.map((f) => {
        const id = `${prefix}-${f.name}`;
        const set = (v: string) => onChange({ ...values, [f.name]: v });
        return (
          <div key={f.name}>
            <label htmlFor={id}>
              {f.label}
              {/* some labels say it already ("Column with a rating (optional)", "Number of segments (or automatic)") */}
              {f.required || /\boptional\b|\(/i.test(f.label) ? '' : ' (optional)'}
            </label>
            {f.kind === 'column' ? (
              <select id={id} value={values[f.name] ?? ''} onChange={(e) => set(e.target.value)}>
                <option value="">{f.required ? 'Choose a column…' : 'None'}</option>
                {columns.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            ) : (
              <input id={id} type="text" inputMode="decimal" value={values[f.name] ?? ''} placeholder={f.default === undefined ? '' : String(f.default)} onChange={(e) => set(e.target.value)} />
            )}
            {f.description !== '' && <p className="muted small">{fieldHelp(f.description)}</p>}
          </div>
        );
      })}
    </div>
  );
}

/**
 * A template field's description is the spec's documentation of the field, which names the task it
 * belongs to ("cluster: the number of segments…"); the page is already about that task.
 */
function fieldHelp(description: string): string {
  const text = description.replace(/^[a-z-]+: /, '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Suggestions for the algorithm field, by task (src/learners/registry.ts has them all; any name can be typed). */
const LEARNERS: Record<string, readonly string[]> = {
  binary: ['auto', 'logistic-regression', 'gradient-boosting', 'random-forest', 'extra-trees', 'decision-tree', 'knn', 'gaussian-nb', 'mlp'],
  multiclass: ['auto', 'logistic-regression', 'gradient-boosting', 'random-forest', 'extra-trees', 'decision-tree', 'knn', 'gaussian-nb', 'mlp'],
  regression: ['auto', 'ridge', 'linear-regression', 'gradient-boosting-regressor', 'random-forest-regressor', 'extra-trees-regressor', 'knn-regressor', 'mlp-regressor'],
};
const METRICS: Record<string, readonly string[]> = {
  binary: ['roc_auc', 'accuracy', 'log_loss', 'f1'],
  multiclass: ['accuracy', 'f1_macro', 'log_loss'],
  regression: ['rmse', 'mae', 'r2'],
};

interface Options {
  name: string;
  budget: string;
  learner: string;
  metric: string;
  testShare: string;
  seed: string;
  /** Also train on perturbed copies of the rows (the spec's `augment`). */
  augment: boolean;
}

/** Tasks whose rows can be augmented (tables' predictions), and text classification (its texts). */
const AUGMENTABLE = new Set(['binary', 'multiclass', 'regression', 'text-classify']);

function initialOptions(spec: ModuleSpec): Options {
  const split = spec['split'] as { test?: number } | undefined;
  return {
    name: String(spec.name ?? ''),
    budget: spec['budget'] === undefined ? '' : String(spec['budget']),
    learner: typeof spec['learner'] === 'string' ? spec['learner'] : '',
    metric: typeof spec['metric'] === 'string' ? spec['metric'] : '',
    testShare: String(split?.test ?? 0.2),
    seed: String(spec['seed'] ?? 42),
    augment: spec['augment'] !== undefined && spec['augment'] !== false,
  };
}

/** The suggested spec with the person's choices applied; empty fields keep Kiln's defaults. */
function applyOptions(spec: ModuleSpec, o: Options): ModuleSpec {
  const out: Record<string, unknown> = { ...spec, name: o.name.trim() };
  const set = (key: string, value: unknown) => {
    if (value === '' || value === undefined) delete out[key];
    else out[key] = value;
  };
  set('budget', o.budget.trim());
  set('learner', o.learner.trim());
  set('metric', o.metric.trim());
  const test = Number(o.testShare);
  out['split'] = { ...((spec['split'] as object | undefined) ?? {}), ...(o.testShare.trim() === '' || Number.isNaN(test) ? {} : { test }) };
  const seed = Number(o.seed);
  set('seed', o.seed.trim() === '' || Number.isNaN(seed) ? undefined : seed);
  // settings already in the spec are kept; ticking the box alone asks for the defaults
  set('augment', o.augment ? (typeof spec['augment'] === 'object' ? spec['augment'] : true) : undefined);
  return out;
}

function SpecEditor({ suggestion, overrides }: { suggestion: SpecSuggestion; overrides: Readonly<Record<string, unknown>> }) {
  const [options, setOptions] = useState(() => initialOptions(suggestion.spec));
  useEffect(() => setOptions(initialOptions(suggestion.spec)), [suggestion]);
  const spec = applyOptions({ ...suggestion.spec, ...overrides }, options);
  const yaml = specToYaml(spec);
  const start = useAction(async () => {
    const job = await api<Job>('/api/jobs', { body: { spec } });
    navigate(href(`/jobs/${encodeURIComponent(job.id)}`));
    return job;
  });
  const field = (key: Exclude<keyof Options, 'augment'>) => ({
    value: options[key],
    onChange: (e: { target: { value: string } }) => setOptions((o) => ({ ...o, [key]: e.target.value })),
  });
  const ids = { name: useId(), budget: useId(), learner: useId(), metric: useId(), test: useId(), seed: useId(), learners: useId(), augment: useId() };
  return (
    <Card title="Your module" className="spec-editor">
      <p className="explanation" role="status">
        {suggestion.explanation}
      </p>
      <label htmlFor={ids.name}>Name</label>
      <input id={ids.name} type="text" autoComplete="off" spellCheck={false} aria-describedby={`${ids.name}-help`} {...field('name')} />
      <p id={`${ids.name}-help`} className="muted small">
        The name it is saved and served under. Training it again makes a new version under the same name.
      </p>
      <details className="engineer">
        <summary>Advanced options</summary>
        <div className="details-body form-grid">
          <div>
            <label htmlFor={ids.budget}>Time to search for the best model</label>
            <input id={ids.budget} type="text" placeholder="e.g. 30s or 5m" aria-describedby={`${ids.budget}-help`} {...field('budget')} />
            <p id={`${ids.budget}-help`} className="muted small">
              Empty: train one good default model. With a time, Kiln tries several algorithms and settings and keeps the best.
            </p>
          </div>
          <div>
            <label htmlFor={ids.learner}>Algorithm</label>
            <input id={ids.learner} type="text" list={ids.learners} placeholder="the task's default" {...field('learner')} />
            <datalist id={ids.learners}>
              {(LEARNERS[suggestion.task] ?? ['auto']).map((l) => (
                <option key={l} value={l} />
              ))}
            </datalist>
          </div>
          <div>
            <label htmlFor={ids.metric}>What to optimise</label>
            <select id={ids.metric} {...field('metric')}>
              <option value="">The task's default</option>
              {(METRICS[suggestion.task] ?? []).map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={ids.test}>Share of rows kept aside for testing</label>
            <input id={ids.test} type="number" min={0.05} max={0.5} step={0.05} {...field('testShare')} />
          </div>
          <div>
            <label htmlFor={ids.seed}>Random seed</label>
            <input id={ids.seed} type="number" min={0} step={1} aria-describedby={`${ids.seed}-help`} {...field('seed')} />
            <p id={`${ids.seed}-help`} className="muted small">
              The same seed and data give the same model.
            </p>
          </div>
          {AUGMENTABLE.has(suggestion.task) && (
            <div>
              <label htmlFor={ids.augment}>
                <input
                  id={ids.augment}
                  type="checkbox"
                  checked={options.augment}
                  aria-describedby={`${ids.augment}-help`}
                  onChange={(e) => setOptions((o) => ({ ...o, augment: e.target.checked }))}
                />{' '}
                {suggestion.task === 'text-classify' ? 'Also learn from messier copies of the texts' : 'Also learn from noisy copies of the rows'}
              </label>
              <p id={`${ids.augment}-help`} className="muted small">
                {suggestion.task === 'text-classify'
                  ? 'Adds a copy of every training text with a few typing slips and a few words left out, so the model copes better with hurried writing. The test texts are never changed.'
                  : 'Adds a copy of every training row with a little noise in the numbers, some categories swapped and some cells left empty, so the model copes better when real data is messier. The test rows are never changed.'}
              </p>
            </div>
          )}
        </div>
      </details>
      <ForEngineers summary="The module spec (YAML)">
        <CodeBlock code={yaml} label="kiln.yaml" />
        <button type="button" className="button" onClick={() => downloadText(`${options.name.trim() || 'module'}.yaml`, yaml)}>
          Download the spec
        </button>
        <p className="muted small">
          Train the same module from a terminal with <code>kiln train {options.name.trim() || 'module'}.yaml</code> (the <code>data</code> path is on this server).
        </p>
      </ForEngineers>
      <div className="actions">
        <button type="button" className="button primary" disabled={start.busy || options.name.trim() === ''} onClick={() => void start.run()}>
          {start.busy ? 'Starting…' : 'Train'}
        </button>
        <span className="muted small">
          {options.budget.trim() === '' ? 'Trains one model: usually a few seconds.' : `Searches for about ${options.budget.trim()}, then trains the best model on all the training rows.`}
        </span>
        {start.busy && <Loading what="the training job" />}
      </div>
      {start.error !== undefined && <ErrorBox error={start.error} />}
    </Card>
  );
}
