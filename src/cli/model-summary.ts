/**
 * `kiln models show REF` for people: one version in aligned "key  value" lines and short sections —
 * what it is, what it learned from, how well it did on the held-out test part (metric names in words),
 * how it was trained, where it came from, and where its files are. `--json` prints the registry's
 * record instead (models.ts), unchanged.
 */
import { describeAugmentation } from '../features/augment-rows.js';
import type { ModuleManifest } from '../modules/manifest.js';
import { metricInWords, lowerIsBetter, metricValue } from './metric-words.js';
import { fields, utcTime } from './output.js';
import { learnerOf, searchedMetric, taskOf, versionHeadline, type VersionFacts } from './version-facts.js';

type Pair = readonly [string, string | undefined];

export interface SummaryOptions {
  /** Where the artifact with this digest is stored, for the files section (a path, for a local home). */
  readonly locate: (digest: string) => string;
  /** Characters a line may take: long lists (inputs, classes) are cut to fit; paths are not cut. */
  readonly width: number;
}

export function modelSummary(facts: VersionFacts, options: SummaryOptions): string {
  const { version } = facts;
  const ref = `${version.model}:${version.version}`;
  const description = version.description !== '' ? version.description : stringOf(facts.spec?.['description']);
  return [
    ref + (description === undefined ? '' : ` — ${description}`),
    ...fields(identity(facts, options.width)),
    '',
    ...heldOut(facts),
    ...section('training', training(facts)),
    ...section('lineage', lineage(facts)),
    ...section('files (each named by its sha256)', Object.entries(version.artifacts).map(([name, digest]) => [name, options.locate(digest)] as const)),
    `more: kiln report ${ref} · kiln export ${ref} --format onnx --out DIR · --json for the registry's record`,
  ].join('\n');
}

/** What the version is and what it learned from. */
function identity(facts: VersionFacts, width: number): Pair[] {
  const { version, manifest } = facts;
  const task = taskOf(facts);
  return [
    ['status', version.status],
    ['aliases', version.aliases.length === 0 ? 'none' : version.aliases.join(', ')],
    ['task', task === undefined ? undefined : `${task} (${TASK_WORDS[task] ?? 'a prediction'})`],
    ['learner', learnerOf(facts)],
    ['data', manifest === undefined ? undefined : `${manifest.dataset.source} (${count(manifest.dataset.rows, 'row')}, ${count(manifest.dataset.columns, 'column')})`],
    ...(manifest === undefined ? [] : columnsOf(manifest, facts.spec, width - KEY_ROOM)),
    ['inputs', manifest === undefined ? undefined : `${manifest.signature.inputs.length}: ${namesWithin(manifest.signature.inputs.map((i) => i.name), width - KEY_ROOM - 5)}`],
    ['tags', Object.keys(version.tags).length === 0 ? undefined : Object.entries(version.tags).map(([k, v]) => `${k}=${v}`).join(', ')],
  ];
}

const TASK_WORDS: Readonly<Record<string, string>> = {
  binary: 'a yes/no answer',
  multiclass: 'one of several classes',
  regression: 'a number',
  'text-classify': 'a label for a text',
  recommend: 'items a user is likely to want',
  cluster: 'segments of similar rows',
  'detect-anomalies': 'unusual rows',
};

/** The columns that play a part: the target of a prediction, a recommender's users and items, a check's labels. */
function columnsOf(manifest: ModuleManifest, spec: Readonly<Record<string, unknown>> | undefined, room: number): Pair[] {
  const classes = manifest.classes === undefined ? '' : ` (classes ${namesWithin(manifest.classes.map(String), room - manifest.target.length - 10)})`;
  switch (manifest.task) {
    case 'recommend':
      return [['users', stringOf(spec?.['user'])], ['items', stringOf(spec?.['item']) ?? manifest.target], ['ratings', stringOf(spec?.['rating'])]];
    case 'cluster':
    case 'detect-anomalies': {
      // no target to learn: the answer is a new column; a label column, when given, only checks it
      const label = stringOf(spec?.['label']);
      return [['answers in', manifest.target], ['checked against', label === undefined ? undefined : `${label} (known labels, not learned from)`]];
    }
    case 'text-classify':
      return [['target', manifest.target + classes], ['text', stringOf(manifest.params['text']) ?? stringOf(spec?.['text'])]];
    default:
      return [['target', manifest.target + classes]];
  }
}

/** The held-out test metrics, headline first, each with its name in words and its baseline beside it. */
function heldOut(facts: VersionFacts): string[] {
  const test = Object.fromEntries(
    Object.entries(facts.version.metrics).filter(([k]) => k.startsWith('test.')).map(([k, v]) => [k.slice('test.'.length), v]),
  );
  const names = Object.keys(test).filter((n) => !(n.startsWith('baseline_') && test[n.slice('baseline_'.length)] !== undefined));
  if (names.length === 0) return ['held-out test: no metrics recorded', ''];
  const headline = versionHeadline(facts);
  const ordered = headline === undefined ? names : [headline, ...names.filter((n) => n !== headline)];
  const why = searchedMetric(facts.run) === headline ? 'what the search optimised' : 'the headline metric';
  const rows = ordered.map((name): Pair => {
    const words = metricInWords(name);
    const baseline = test[`baseline_${name}`];
    const notes = [
      lowerIsBetter(name) ? 'lower is better' : undefined,
      baseline === undefined ? undefined : `baseline ${metricValue(baseline)}`,
    ].filter((n) => n !== undefined);
    const value = [metricValue(test[name] ?? Number.NaN), notes.join(', '), name === headline ? `← ${why}` : ''].filter((p) => p !== '').join('  ');
    return [words === name ? name : `${words} (${name})`, value];
  });
  return [`held-out test${heldOutShare(facts)}`, ...fields(rows), ''];
}

/** " (20 % of the rows, stratified)", from the run or the spec. */
function heldOutShare(facts: VersionFacts): string {
  const fraction = numberOf(facts.run?.params['test_fraction']) ?? numberOf((facts.spec?.['split'] as Record<string, unknown> | undefined)?.['test']);
  if (fraction === undefined) return '';
  const split = stringOf(facts.run?.params['split']);
  return ` (${Math.round(fraction * 1000) / 10} % of the rows${split === undefined || split === 'random' ? '' : `, ${split}`})`;
}

/** How it was trained: the learner's settings, the search, the seed, what was left out or added. */
function training(facts: VersionFacts): Pair[] {
  const { manifest, run, spec } = facts;
  const searched = run?.learner === 'automl';
  // a search's run params are the search's, not the learner's: then only the manifest has those
  const params = manifest?.params ?? (searched ? undefined : run?.params);
  const members = Array.isArray(params?.['members']) ? (params['members'] as readonly Member[]) : undefined;
  const dropped = Array.isArray(spec?.['drop']) ? (spec['drop'] as readonly unknown[]).map(String) : [];
  return [
    ...(members === undefined
      ? [['settings', params === undefined ? undefined : settingsInWords(params)] as Pair]
      : members.map((m, i): Pair => [i === 0 ? 'members' : '', `${m.learner} weight ${m.weight ?? 1}: ${settingsInWords(m.params ?? {})}`])),
    ['search', searched && run !== undefined ? searchInWords(run.params) : undefined],
    ['seed', manifest === undefined ? undefined : String(manifest.seed)],
    ['dropped columns', dropped.length === 0 ? undefined : dropped.join(', ')],
    ['augmented with', manifest?.augment === undefined ? undefined : describeAugmentation(manifest.augment)],
  ];
}

interface Member {
  readonly learner: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly weight?: number;
}

function searchInWords(params: Readonly<Record<string, unknown>>): string {
  const budget = numberOf(params['budget_s']);
  const folds = numberOf(params['folds']);
  return [
    budget === undefined ? undefined : `${budget} s budget`,
    folds === undefined ? undefined : `${folds}-fold cross-validation`,
    stringOf(params['metric']) === undefined ? undefined : `optimising ${stringOf(params['metric'])}`,
  ]
    .filter((p) => p !== undefined)
    .join(', ');
}

const SHOWN_ELSEWHERE: ReadonlySet<string> = new Set(['seed', 'test_fraction', 'stratify', 'split', 'members', 'text']);

/** Settings as a reader would write them — "class weight balanced, C 0.01" — instead of JSON. */
function settingsInWords(params: Readonly<Record<string, unknown>>): string {
  // the seed, the split and a text model's column are shown on their own lines; the rest are the learner's
  const entries = Object.entries(params).filter(([k, v]) => v !== null && v !== undefined && !SHOWN_ELSEWHERE.has(k));
  if (entries.length === 0) return 'defaults';
  const words = (key: string) => (key.length === 1 ? key : key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase());
  const value = (v: unknown): string =>
    Array.isArray(v) ? v.map(value).join('–') : typeof v === 'number' ? String(Number(v.toPrecision(4))) : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  return entries.map(([k, v]) => `${words(k)} ${value(v)}`).join(', ');
}

/** Where it came from: the run, the data snapshot, when it was trained and registered. */
function lineage(facts: VersionFacts): Pair[] {
  const { version, manifest } = facts;
  return [
    ['run', version.runId ?? undefined],
    ['dataset version', manifest?.datasetVersion],
    ['data digest', manifest === undefined ? undefined : `sha256 ${manifest.dataset.digest}`],
    ['trained', manifest === undefined ? undefined : `${utcTime(manifest.trainedAt, 'second')} UTC with Kiln ${manifest.kilnVersion}`],
    ['registered', `${utcTime(version.createdAt, 'second')} UTC`],
  ];
}

function section(title: string, pairs: readonly Pair[]): string[] {
  const lines = fields(pairs);
  return lines.length === 0 ? [] : [title, ...lines, ''];
}

/** What the indent and the keys of the first section take of a line, about. */
const KEY_ROOM = 20;

/**
 * "Pclass, Sex, Age" — or, when the names would not fit in `room` characters, as many as do and how
 * many more: a table of hundreds of columns, or a target of hundreds of classes, should not fill the screen.
 */
function namesWithin(names: readonly string[], room: number): string {
  const all = names.join(', ');
  if (all.length <= room) return all;
  const some = (n: number) => `${names.slice(0, n).join(', ')}, … ${names.length - n} more`;
  let n = 1;
  while (n + 1 < names.length && some(n + 1).length <= room) n += 1;
  return some(n);
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function numberOf(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
