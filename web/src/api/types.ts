/**
 * The shapes of the HTTP API's answers that the app reads (see the contract in src/api/app and
 * src/api/registry-api.ts). Fields the app can live without are optional, so an older or newer server
 * degrades a panel instead of breaking a page.
 */

export type Row = Readonly<Record<string, unknown>>;

export interface ColumnType {
  readonly name: string;
  readonly type: string;
}

/** PUT /api/uploads, POST /api/sources/preview, POST /api/sources/fix. */
export interface SourcePreview {
  readonly source: string;
  readonly name?: string;
  readonly bytes?: number;
  readonly rows: number;
  readonly columns: readonly ColumnType[];
  readonly preview: readonly Row[];
}

export interface Histogram {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

export interface ValueCount {
  readonly value: string;
  readonly count: number;
}

/** One column of `kiln inspect --json`. */
export interface ColumnProfile {
  readonly name: string;
  readonly type: string;
  readonly typeReason?: string;
  readonly count: number;
  readonly missing: number;
  readonly missingShare: number;
  readonly distinct: number;
  readonly topValues?: readonly ValueCount[];
  readonly histogram?: Histogram;
  readonly numeric?: { readonly min: number; readonly max: number; readonly mean: number };
}

export type OneClickFix = { readonly kind: 'drop_columns'; readonly columns: readonly string[] } | { readonly kind: 'drop_duplicates' };

export interface Finding {
  readonly code: string;
  readonly severity: 'info' | 'warning' | 'error';
  readonly columns: readonly string[];
  readonly message: string;
  /** The suggested fix in words, or a fix the app can apply with one click. */
  readonly fix?: string | OneClickFix;
  /** The suggestion in words when `fix` is the one-click form. */
  readonly suggestion?: string;
}

/** POST /api/inspect: the `kiln inspect --json` document. */
export interface InspectReport {
  readonly source: string;
  readonly rows: number;
  readonly duplicateRows: number;
  readonly columns: readonly ColumnProfile[];
  readonly findings: readonly Finding[];
  readonly target?: { readonly name: string; readonly task: string; readonly classes: readonly ValueCount[] };
}

export interface TemplateField {
  /** The spec field it fills, e.g. `target` or `user`. */
  readonly name: string;
  readonly kind: 'column' | 'columns' | 'number' | 'duration';
  readonly required: boolean;
  readonly label: string;
  readonly description: string;
  readonly default?: unknown;
}

/** GET /api/templates. */
export interface Template {
  readonly task: string;
  readonly title: string;
  readonly description: string;
  readonly fields?: readonly TemplateField[];
}

/** The module spec as JSON (src/modules/spec.ts); the app edits a handful of its fields. */
export type ModuleSpec = Readonly<Record<string, unknown>> & { readonly name?: string };

/** POST /api/specs/suggest. */
export interface SpecSuggestion {
  readonly spec: ModuleSpec;
  readonly task: string;
  readonly explanation: string;
  readonly yaml: string;
}

/** `queued`: another job is training; jobs train one at a time. */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** `kiln train --json`. */
export interface TrainResult {
  readonly model: string;
  readonly version: number;
  readonly run_id?: string;
  readonly task?: string;
  readonly learner?: string;
  readonly fit_s?: number;
  readonly metrics?: { readonly train?: Readonly<Record<string, number>>; readonly test?: Readonly<Record<string, number>> };
  /** A text module's choice among its configurations by cross-validation (it streams no trials). */
  readonly selection?: { readonly folds?: number; readonly candidates?: readonly SelectionCandidate[] };
  /** What reading the training data changed (absent when it changed nothing). */
  readonly notes?: readonly DataNote[];
}

/**
 * A decision reading the data made on the person's behalf ("N/A" read as missing, "$1,234" read as a
 * number, a guessed encoding): a `note` training event's `ingest`, and a training result's `notes`.
 */
export interface DataNote {
  readonly code: string;
  /** `warning`: some values may have been read wrongly. */
  readonly severity: 'info' | 'warning';
  readonly columns: readonly string[];
  readonly message: string;
  /** What to change if the decision was wrong. */
  readonly fix: string;
}

export interface SelectionCandidate {
  /** The configuration in words, e.g. "word 1-2-grams (min_df 1, sublinear tf) → logistic regression C=1". */
  readonly model: string;
  readonly cv_accuracy?: number;
  readonly cv_log_loss?: number;
}

export interface Job {
  readonly id: string;
  /** A training, or the learning curve of a registered version (POST /api/models/:ref/curves). */
  readonly kind?: 'train' | 'curves';
  readonly model: string;
  /** The version a curves job draws. */
  readonly version?: number;
  readonly status: JobStatus;
  /** Jobs ahead of a queued one. */
  readonly queue_position?: number;
  readonly submitted_at?: string;
  readonly started_at?: string;
  readonly finished_at?: string | null;
  readonly result?: TrainResult;
  readonly error?: { readonly code: string; readonly error: string; readonly hint?: string };
}

export interface Trial {
  readonly id: number;
  readonly learner: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly rung?: number;
  readonly final?: boolean;
  readonly rows?: number;
  readonly status: 'ok' | 'failed' | 'cancelled';
  readonly value: number;
  readonly score?: number;
  readonly seconds?: number;
  readonly error?: string;
}

export interface Diagnosis {
  readonly code: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly message: string;
  readonly nextSteps?: readonly string[];
  readonly evidence?: Readonly<Record<string, number>>;
}

export interface Importance {
  readonly column: string;
  readonly importance: number;
  readonly std?: number;
}

export interface Curve {
  readonly x: readonly number[];
  readonly y: readonly number[];
}

export interface ThresholdCounts {
  readonly threshold: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
}

export interface RobustnessResult {
  readonly perturbation: string;
  /** What was done, in words. */
  readonly description: string;
  readonly score: number;
  /** Score under the perturbation minus the clean score (negative = worse). */
  readonly change: number;
}

/** GET /api/models/:ref/report: the version's report.json plus its manifest. */
export interface ModelReportDoc {
  readonly model?: string;
  readonly version?: number;
  readonly task?: string;
  readonly metrics?: { readonly train?: Readonly<Record<string, number>>; readonly test?: Readonly<Record<string, number>> } | Readonly<Record<string, number>>;
  readonly baseline?: { readonly sentence?: string; readonly baseline?: string; readonly metric?: string; readonly baselineScore?: number; readonly modelScore?: number };
  readonly diagnoses?: readonly Diagnosis[];
  readonly importances?: readonly Importance[];
  readonly charts?: {
    readonly confusion?: { readonly labels: readonly string[]; readonly counts: readonly (readonly number[])[] };
    readonly roc?: Curve;
    readonly pr?: Curve;
    /** Regression: up to 500 held-out rows. */
    readonly predictedVsActual?: { readonly actual: readonly number[]; readonly predicted: readonly number[] };
  };
  /** The held-out score with noisier inputs (numbers jittered, categories swapped, cells blank). */
  readonly robustness?: readonly RobustnessResult[];
  /** Which score `robustness` (and importances) are measured in. */
  readonly scoreMetric?: string;
  readonly thresholds?: readonly ThresholdCounts[];
  readonly positive_class?: string;
  readonly manifest?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

export interface Contribution {
  readonly column: string;
  readonly contribution: number;
  readonly value?: unknown;
}

export interface TensorMetadata {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

/** GET /v2/models/:name. */
export interface ModelMetadata {
  readonly name: string;
  readonly versions?: readonly string[];
  readonly platform?: string;
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}

export interface DeployResult {
  readonly model: string;
  readonly version: number;
  readonly alias: string;
  readonly endpoints?: { readonly v2?: string; readonly v1?: string };
  readonly metadata?: ModelMetadata;
}

export interface RegisteredModel {
  readonly name: string;
  readonly description?: string | null;
  readonly latest_version: number;
  readonly version_count?: number;
  readonly aliases?: Readonly<Record<string, number>>;
  readonly updated_at?: string;
}

/** GET /api/models/:name. */
export interface ModelWithVersions extends RegisteredModel {
  readonly versions: readonly ModelVersion[];
}

export interface ModelVersion {
  readonly model: string;
  readonly version: number;
  readonly status?: string;
  readonly created_at?: string;
  readonly aliases?: readonly string[];
  readonly run_id?: string | null;
  readonly metrics?: Readonly<Record<string, unknown>>;
}

export interface RunDataset {
  readonly source: string;
  readonly digest: string;
  readonly rows: number;
  readonly columns: number;
}

export interface Run {
  readonly id: string;
  readonly name?: string | null;
  readonly task?: string | null;
  readonly learner?: string | null;
  readonly status: string;
  readonly started_at?: string;
  readonly finished_at?: string | null;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly metrics?: Readonly<Record<string, unknown>>;
  readonly tags?: Readonly<Record<string, string>>;
  /** The data the run trained on. */
  readonly dataset?: RunDataset | null;
  readonly metric_series?: Readonly<Record<string, readonly { step: number; value: number }[]>>;
}

export interface ArmTraffic {
  readonly requests: number;
  readonly rows: number;
  readonly errors: number;
  readonly error_rate: number | null;
  readonly p50_ms: number | null;
  readonly p99_ms: number | null;
}

/** GET /api/experiments (list entries) and the base of GET /api/experiments/:id. */
export interface Experiment {
  readonly id: string;
  readonly model: string;
  readonly champion: number;
  readonly challenger: number;
  readonly mode: 'split' | 'shadow' | 'canary';
  readonly challenger_share: number;
  readonly outcome: 'binary' | 'continuous';
  readonly description?: string;
  readonly status: string;
  readonly started_at: string;
  readonly ended_at: string | null;
  readonly end_reason?: string | null;
}

/** GET /api/experiments/:id: the experiment with traffic per arm and its analysis. */
export interface ExperimentReport extends Experiment {
  readonly traffic?: { readonly champion: ArmTraffic; readonly challenger: ArmTraffic };
  readonly analysis?: {
    readonly arms?: Readonly<Record<string, { readonly n: number; readonly mean: number | null }>>;
    readonly difference?: number | null;
    readonly conclusion?: string;
    readonly sequential?: { readonly p_value: number; readonly significant: boolean } | null;
  } | null;
  readonly shadow?: { readonly paired_rows: number; readonly label_agreement: number | null; readonly mean_abs_difference: number | null } | null;
  readonly verdict: string | null;
}

export interface DriftColumn {
  readonly column: string;
  readonly test: string;
  readonly statistic: number;
  readonly p_value?: number;
  readonly threshold: number;
  readonly drift: boolean;
  readonly psi?: number;
}

export interface DriftHistogram {
  readonly column: string;
  readonly labels: readonly string[];
  readonly reference: readonly number[];
  readonly current: readonly number[];
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export interface AlertEvent {
  readonly id: number | string;
  readonly metric: string;
  readonly value: number | null;
  readonly threshold: number;
  readonly message: string;
  readonly at: string;
}

export interface TrafficBucket {
  /** Epoch ms of the hour's start. */
  readonly start: number;
  readonly predictions: number;
  readonly errors: number;
}

/** GET /api/models/:ref/monitoring: `kiln monitor REF --json` (documented at the top of src/api/monitoring-api.ts). */
export interface MonitoringDoc {
  readonly model: string;
  readonly version: number;
  readonly window: string;
  /** Predictions in the window, failed ones included. */
  readonly rows: number;
  readonly failed?: number;
  readonly reference_rows?: number;
  /** Drift in words. */
  readonly verdict?: string;
  readonly drift?: { readonly columns: readonly DriftColumn[]; readonly drifted_columns?: number; readonly dataset_drift?: boolean } | null;
  readonly histograms?: readonly DriftHistogram[];
  readonly latency_ms?: LatencySummary | null;
  readonly latency_over_time?: readonly (LatencySummary & { readonly start: number })[];
  readonly error_rate?: number | null;
  readonly traffic_per_hour?: readonly TrafficBucket[];
  readonly performance?: {
    readonly labelled?: number;
    readonly verdict?: string;
    readonly metrics?: readonly { readonly name: string; readonly current: number | null; readonly training: number | null; readonly degraded: boolean }[];
  } | null;
  /** The model's newest alerts, newest first. */
  readonly alerts?: readonly AlertEvent[];
}

/** One point of a learning curve: the mean score at `x` training rows over the folds. */
export interface CurvePoint {
  readonly x: number;
  readonly train: number;
  readonly validation: number;
}

/** How to read a learning curve against training-set size (src/evaluate/curves/size-curve.ts). */
export interface CurveReading {
  readonly verdict: 'more-data-helps' | 'overfitting' | 'plateau';
  readonly sentence: string;
  readonly nextSteps: readonly string[];
}

/** A curves job's result: the learning curve of one version. */
export interface CurvesResult {
  readonly model: string;
  readonly version: number;
  readonly learner: string;
  readonly metric: string;
  readonly higherIsBetter: boolean;
  readonly folds: number;
  readonly trainingRows: number;
  readonly size: { readonly points: readonly CurvePoint[]; readonly reading: CurveReading };
}

/** GET /api/datasets: each version of the data a training read (newest first), with where it came from. */
export interface DatasetVersion {
  readonly id: string;
  readonly dataset: string;
  readonly source?: string;
  readonly rows?: number;
  readonly created_at?: string;
}

/** GET /api/uploads: one file uploaded to this server (or a one-click fix of one). */
export interface Upload {
  /** `<sha256>/<name>`: what DELETE /api/uploads/{id} takes. */
  readonly id: string;
  /** What the other routes take (the page's `?source=`). */
  readonly source: string;
  readonly name: string;
  readonly bytes: number;
  readonly uploaded_at: string;
  /** null for uploads an older Kiln saved, or fetched from another server. */
  readonly rows: number | null;
  readonly columns: number | null;
}

export interface UploadList {
  /** Newest first. */
  readonly uploads: readonly Upload[];
  /** True when other servers may hold uploads this list does not show (a shared artifact store). */
  readonly shared_store: boolean;
}

/** DELETE /api/uploads/{id}. */
export interface DeletedUpload {
  readonly source: string;
  readonly name: string;
  /** The dataset versions trained on it (they keep their own copy of the rows); null when the server cannot tell. */
  readonly dataset_versions: readonly string[] | null;
}
