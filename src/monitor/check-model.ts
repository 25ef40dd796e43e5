/**
 * One monitoring check of a model version: its reference profile against a window of its prediction
 * log — feature drift, prediction drift, latency and error rate, the histograms the report draws, and
 * the verdict in plain words.
 */
import { KilnError } from '../core/errors.js';
import { formatModelRef, type ModelRef } from '../store/model-ref.js';
import type { ArtifactStore, ModelVersion, Store } from '../store/store.js';
import { currentColumn } from './drift/current-column.js';
import { datasetVerdict, detectDrift, columnDrift, DATASET_DRIFT_SHARE, type DatasetDrift, type DriftOptions } from './drift/detect-drift.js';
import { decileCounts } from './drift/distances.js';
import { referenceCategories } from './drift/registry.js';
import { errorRate, latencyOverTime, summariseLatency, type LatencyBucket, type LatencySummary } from './latency.js';
import { DEFAULT_WINDOW, describeWindow, inputColumns, outputColumns, readWindow, type MonitorWindow } from './prediction-window.js';
import { parseReferenceProfile, type ColumnProfile, type ReferenceProfile } from '../data/profile/reference-profile.js';
import { MODULE_ARTIFACTS } from '../modules/manifest.js';

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
  readonly rows: number;
  readonly reference_rows: number;
  readonly drift: DatasetDrift;
  /** Drift of the model's outputs, when the reference profile holds the training-time outputs. */
  readonly prediction_drift: DatasetDrift | null;
  readonly latency_ms: LatencySummary;
  readonly latency_over_time: readonly LatencyBucket[];
  readonly error_rate: number | null;
  readonly verdict: string;
  readonly histograms: readonly Histogram[];
}

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
  return parseReferenceProfile(parsed, `of ${ref}`);
}

export async function checkModel(home: { store: Store; artifacts: ArtifactStore }, ref: ModelRef, options: CheckOptions = {}): Promise<MonitorReport> {
  const version = await home.store.resolve(ref);
  const reference = options.reference ?? (await loadReferenceProfile(home.artifacts, version));
  const window = options.window ?? DEFAULT_WINDOW;
  const records = await readWindow(home.store, version.model, version.version, window, options.now);
  if (records.length === 0) throw new KilnError('MONITOR_NO_PREDICTIONS', { model: formatModelRef(ref), window: describeWindow(window) });

  const inputs = inputColumns(records);
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
  return {
    model: version.model,
    version: version.version,
    window: describeWindow(window),
    rows: records.length,
    reference_rows: reference.rows,
    drift,
    prediction_drift: predictionDrift,
    latency_ms: summariseLatency(records.map((r) => r.latencyMs)),
    latency_over_time: latencyOverTime(records),
    error_rate: errorRate(records),
    verdict: verdict(drift, predictionDrift),
    histograms: reference.columns.map((p) => histogram(p, inputs.get(p.name) ?? [])),
  };
}

/** The drift verdict in plain words. */
export function verdict(drift: DatasetDrift, predictions: DatasetDrift | null): string {
  const n = drift.columns.length;
  const names = drift.columns.filter((c) => c.drift).map((c) => c.column);
  const head = drift.dataset_drift
    ? `Dataset drift: ${drift.drifted_columns} of ${n} features drifted (${names.join(', ')}), at least half of them — the live data no longer looks like the training data; consider retraining.`
    : drift.drifted_columns === 0
      ? `No dataset drift: none of the ${n} features drifted.`
      : `No dataset drift: ${drift.drifted_columns} of ${n} features drifted (${names.join(', ')}), fewer than half; watch ${drift.drifted_columns === 1 ? 'it' : 'them'}.`;
  if (predictions === null) return head;
  const moved = predictions.columns.filter((c) => c.drift).map((c) => c.column);
  return `${head} ${moved.length === 0 ? 'The model\'s outputs did not drift.' : `The model's outputs drifted (${moved.join(', ')}).`}`;
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
