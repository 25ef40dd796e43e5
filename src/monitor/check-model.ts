/**
 * One monitoring check of a model version: its reference profile against a window of its prediction
 * log — feature drift, prediction drift, the histograms the report draws and the verdict in plain words;
 * performance against the training-time test metrics once outcomes arrived (feedback); latency, error
 * rate and traffic of the same window; and the alerts recently fired for the model.
 *
 * The window (the last N predictions, or those of the last DURATION) applies to each part in its own
 * terms: drift and serving read the window's predictions, performance the window's labelled ones (the
 * last N with an outcome, or those of the last DURATION that have one).
 */
import { KilnError } from '../core/errors.js';
import { formatModelRef, type ModelRef } from '../store/model-ref.js';
import type { ArtifactStore, ModelVersion, PredictionRecord, Store } from '../store/store.js';
import { alertEventJson, type AlertEventJson } from './alert-json.js';
import { currentColumn } from './drift/current-column.js';
import { datasetVerdict, detectDrift, columnDrift, DATASET_DRIFT_SHARE, type DatasetDrift, type DriftOptions } from './drift/detect-drift.js';
import { decileCounts } from './drift/distances.js';
import { referenceCategories, unseenShares } from './drift/registry.js';
import { errorRate, latencyOverTime, summariseLatency, type LatencyBucket, type LatencySummary } from './latency.js';
import { measurePerformance, type PerformanceReport } from './performance.js';
import { DEFAULT_WINDOW, describeWindow, inputColumns, outputColumns, readWindow, windowQuery, type MonitorWindow } from './prediction-window.js';
import { trafficPerHour, type TrafficBucket } from './traffic.js';
import { measureLikeProfile, parseReferenceProfile, unseenIdsFromCategories, type ColumnProfile, type ReferenceProfile } from '../data/profile/reference-profile.js';
import { MODULE_ARTIFACTS } from '../modules/manifest.js';
import { ITEM_INPUT, USER_INPUT } from '../modules/recommend/recommend-graph.js';

/** The artifact name of the reference profile in a model version. */
export const REFERENCE_ARTIFACT = MODULE_ARTIFACTS.reference;

export interface Histogram {
  readonly column: string;
  /** Bucket labels: decile ranges of the reference, or categories. */
  readonly labels: readonly string[];
  readonly reference: readonly number[];
  readonly current: readonly number[];
}

export interface MonitorReport {
  readonly model: string;
  readonly version: number;
  readonly window: string;
  /** Predictions in the window, failed ones included. */
  readonly rows: number;
  /** Of those, the failed ones (logged with an error code); drift and latency use the others. */
  readonly failed: number;
  readonly reference_rows: number;
  readonly drift: DatasetDrift;
  /** Drift of the model's outputs, when the reference profile holds the training-time outputs. */
  readonly prediction_drift: DatasetDrift | null;
  readonly performance: PerformanceReport;
  readonly latency_ms: LatencySummary;
  readonly latency_over_time: readonly LatencyBucket[];
  readonly error_rate: number | null;
  readonly traffic_per_hour: readonly TrafficBucket[];
  /** The model's most recent alert events (any version), newest first. */
  readonly alerts: readonly AlertEventJson[];
  /** The drift verdict in plain words (performance has its own, in `performance.verdict`). */
  readonly verdict: string;
  readonly histograms: readonly Histogram[];
}

/** The serving side of a window: latency of the successful predictions, error rate and traffic of all. */
export interface ServingHealth {
  readonly failed: number;
  readonly latency_ms: LatencySummary;
  readonly latency_over_time: readonly LatencyBucket[];
  readonly error_rate: number | null;
  readonly traffic_per_hour: readonly TrafficBucket[];
}

/** How many recent alert events a report lists. */
const REPORT_ALERTS = 20;

export interface CheckOptions extends DriftOptions {
  readonly window?: MonitorWindow;
  /** Use this profile instead of the version's `reference.json` artifact. */
  readonly reference?: ReferenceProfile;
  readonly now?: number;
}

/** The version's stored reference profile. */
export async function loadReferenceProfile(artifacts: ArtifactStore, version: ModelVersion): Promise<ReferenceProfile> {
  const digest = version.artifacts[REFERENCE_ARTIFACT];
  const ref = `${version.model}:${version.version}`;
  if (digest === undefined) throw new KilnError('REFERENCE_MISSING', { model: ref });
  let parsed: unknown;
  try {
    parsed = JSON.parse((await artifacts.get(digest)).toString('utf8'));
  } catch (err) {
    throw new KilnError('REFERENCE_INVALID', { where: `of ${ref}`, reason: err instanceof Error ? err.message : String(err) }, { cause: err });
  }
  return legacyRecommendIds(parseReferenceProfile(parsed, `of ${ref}`), artifacts, version);
}

/**
 * Recommend modules trained before ids were profiled as `unseen` stored their `user` / `item` input as
 * categories, which any few requests "drift" from; read such a column as the ids it saw in training.
 */
async function legacyRecommendIds(profile: ReferenceProfile, artifacts: ArtifactStore, version: ModelVersion): Promise<ReferenceProfile> {
  const isIdColumn = (c: ColumnProfile): c is Extract<ColumnProfile, { kind: 'categorical' }> => c.kind === 'categorical' && (c.name === USER_INPUT || c.name === ITEM_INPUT);
  const manifestDigest = version.artifacts[MODULE_ARTIFACTS.manifest];
  if (!profile.columns.some(isIdColumn) || manifestDigest === undefined) return profile;
  let task: unknown;
  try {
    task = (JSON.parse((await artifacts.get(manifestDigest)).toString('utf8')) as { task?: unknown }).task;
  } catch {
    return profile; // no readable manifest: not a module this applies to
  }
  if (task !== 'recommend') return profile;
  return { ...profile, columns: profile.columns.map((c) => (isIdColumn(c) ? unseenIdsFromCategories(c) : c)) };
}

export async function checkModel(home: { store: Store; artifacts: ArtifactStore }, ref: ModelRef, options: CheckOptions = {}): Promise<MonitorReport> {
  const version = await home.store.resolve(ref);
  const reference = options.reference ?? (await loadReferenceProfile(home.artifacts, version));
  const window = options.window ?? DEFAULT_WINDOW;
  const now = options.now ?? Date.now();
  const all = await readWindow(home.store, version.model, version.version, window, now);
  const records = all.filter((r) => r.error === undefined);
  if (records.length === 0) {
    const what = all.length === 0 ? describeWindow(window) : `${describeWindow(window)}; all ${all.length} failed`;
    throw new KilnError('MONITOR_NO_PREDICTIONS', { model: formatModelRef(ref), window: what });
  }
  const performance = await checkPerformance(home.store, version, window, now);
  const alerts = (await home.store.listAlertEvents({ model: version.model, limit: REPORT_ALERTS })).map(alertEventJson);

  const inputs = measuredInputs(reference.columns, inputColumns(records));
  const drift = detectDrift(reference.columns, inputs, options);
  const outputs = outputColumns(records);
  const predictionProfiles = reference.predictions.filter((p) => outputs.has(p.name));
  const predictionDrift =
    predictionProfiles.length === 0
      ? null
      : datasetVerdict(
          predictionProfiles.map((p) => columnDrift(p, currentColumn(p, outputs.get(p.name) ?? []), options)),
          options.datasetDriftShare ?? DATASET_DRIFT_SHARE,
        );
  const serving = servingHealth(all);
  return {
    model: version.model,
    version: version.version,
    window: describeWindow(window),
    rows: all.length,
    failed: serving.failed,
    reference_rows: reference.rows,
    drift,
    prediction_drift: predictionDrift,
    performance,
    latency_ms: serving.latency_ms,
    latency_over_time: serving.latency_over_time,
    error_rate: serving.error_rate,
    traffic_per_hour: serving.traffic_per_hour,
    alerts,
    verdict: verdict(drift, predictionDrift, unseenIdSentences(reference.columns, inputs, drift)),
    histograms: reference.columns.map((p) => histogram(p, inputs.get(p.name) ?? [])),
  };
}

/** Performance of the version's labelled predictions in the window (shadow answers included: they are this version's). */
export async function checkPerformance(store: Store, version: ModelVersion, window: MonitorWindow, now = Date.now()): Promise<PerformanceReport> {
  const labelled = await store.listLabelledPredictions(windowQuery(version.model, version.version, window, now));
  return measurePerformance(labelled, version.metrics);
}

/** Latency over the successful predictions (a request failing fast would flatter it), errors and traffic over all. */
export function servingHealth(records: readonly PredictionRecord[]): ServingHealth {
  const succeeded = records.filter((r) => r.error === undefined);
  return {
    failed: records.length - succeeded.length,
    latency_ms: summariseLatency(succeeded.map((r) => r.latencyMs)),
    latency_over_time: latencyOverTime(succeeded),
    error_rate: errorRate(records),
    traffic_per_hour: trafficPerHour(records),
  };
}

/**
 * For each id column that drifted, what it means in words: how many requests named ids the model never
 * saw, against the held-out share (the column's test statistic alone, a confidence bound, says little).
 */
export function unseenIdSentences(profiles: readonly ColumnProfile[], inputs: ReadonlyMap<string, readonly (string | number | null)[]>, drift: DatasetDrift): string[] {
  const drifted = new Set(drift.columns.filter((c) => c.drift && c.test === 'unseen_share').map((c) => c.column));
  return profiles.flatMap((p) => {
    if (!drifted.has(p.name)) return [];
    const current = currentColumn(p, inputs.get(p.name) ?? []);
    const shares = unseenShares(p, current);
    return [
      `${percent(shares.current)} of the ${current.count} "${p.name}" values in the window are ids the model never saw in training ` +
        `(${percent(shares.expected)} of the held-out data): it cannot answer them from what it learned (a recommender falls back to popular items); ` +
        'retrain once their interactions are recorded, or check that the ids are sent as in the training data.',
    ];
  });
}

const percent = (share: number): string => `${share < 0.01 && share > 0 ? (share * 100).toPrecision(1) : Math.round(share * 100)}%`;

/** The drift verdict in plain words; `notes` (e.g. `unseenIdSentences`) follow the head. */
export function verdict(drift: DatasetDrift, predictions: DatasetDrift | null, notes: readonly string[] = []): string {
  const n = drift.columns.length;
  const names = drift.columns.filter((c) => c.drift).map((c) => c.column);
  const head = drift.dataset_drift
    ? `Dataset drift: ${drift.drifted_columns} of the ${n} columns the model reads changed (${names.join(', ')}), at least half of them — the live data no longer looks like the training data; consider retraining.`
    : drift.drifted_columns === 0
      ? `No dataset drift: none of the ${n} columns the model reads has changed from the training data.`
      : `No dataset drift: ${drift.drifted_columns} of the ${n} columns the model reads changed (${names.join(', ')}), fewer than half; watch ${drift.drifted_columns === 1 ? 'it' : 'them'}.`;
  const untested = drift.untested.length === 0 ? '' : ` Not tested: ${drift.untested.map((u) => `${u.column} (${u.reason})`).join(', ')}.`;
  const said = notes.map((n) => ` ${n}`).join('');
  if (predictions === null) return head + said + untested;
  const moved = predictions.columns.filter((c) => c.drift).map((c) => c.column);
  return `${head}${said}${untested} ${moved.length === 0 ? 'The model\'s outputs did not drift.' : `The model's outputs drifted (${moved.join(', ')}).`}`;
}

/** Reference and current shares per reference decile (numbers) or per category (the 20 most common). */
export function histogram(reference: ColumnProfile, values: readonly (string | number | null)[]): Histogram {
  const current = currentColumn(reference, values);
  if (reference.kind === 'numeric' && reference.valueCounts === null) {
    const e = reference.edges;
    const per = (e.length - 1) / 10;
    const labels = Array.from({ length: 10 }, (_, d) => `${short(e[d * per] as number)}–${short(e[(d + 1) * per] as number)}`);
    return { column: reference.name, labels, reference: shares(decileCounts(reference.binCounts)), current: shares(decileCounts(current.binCounts)) };
  }
  const ref = referenceCategories(reference);
  if (reference.kind === 'numeric' && reference.measure === 'unseen') {
    // Two buckets of an id column, named for what they are rather than the measure's 0 and 1.
    return {
      column: reference.name,
      labels: ['seen in training', 'never seen'],
      reference: shares([ref.get('0') ?? 0, ref.get('1') ?? 0]),
      current: shares([current.categories.get('0') ?? 0, current.categories.get('1') ?? 0]),
    };
  }
  // Categories seen on either side, the most common first.
  const keys = [...new Set([...ref.keys(), ...current.categories.keys()])]
    .sort((a, b) => (ref.get(b) ?? 0) + (current.categories.get(b) ?? 0) - (ref.get(a) ?? 0) - (current.categories.get(a) ?? 0))
    .slice(0, 20);
  const refTotal = [...ref.values()].reduce((a, b) => a + b, 0);
  const curTotal = [...current.categories.values()].reduce((a, b) => a + b, 0);
  return {
    column: reference.name,
    labels: keys,
    reference: keys.map((k) => (refTotal === 0 ? 0 : (ref.get(k) ?? 0) / refTotal)),
    current: keys.map((k) => (curTotal === 0 ? 0 : (current.categories.get(k) ?? 0) / curTotal)),
  };
}

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((v) => (total === 0 ? 0 : v / total));
}

const short = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(3))));

/** Replaces, in place, each column a profile measures (free text → word count, an id → unseen or not) by that measure of its logged values. */
export function measuredInputs(
  profiles: readonly ColumnProfile[],
  inputs: Map<string, (string | number | null)[]>,
): Map<string, (string | number | null)[]> {
  for (const p of profiles) {
    if (p.kind !== 'numeric' || p.measure === undefined) continue;
    const values = inputs.get(p.name);
    if (values !== undefined) inputs.set(p.name, Array.from(measureLikeProfile({ ...p, measure: p.measure }, values), (v) => (Number.isNaN(v) ? null : v)));
  }
  return inputs;
}
