/**
 * The tracking and registry store: runs (with metric series and tags), dataset versions, registered
 * models, their versions and aliases, the audit log, webhook subscriptions with their delivery outbox,
 * the prediction log with the outcomes reported for it (feedback), alert rules and the events they fired,
 * and A/B experiments. Stores convert database rows into these entities; nothing above this file
 * sees a row.
 *
 * The interface is asynchronous even though the embedded SQLite store is synchronous underneath, so that
 * a PostgreSQL store can implement the same contract and pass the same conformance suite.
 */
import type { ModelRef } from './model-ref.js';
import type { LoggedRecord, PredictionBatch } from './prediction-batch.js';

export type RunStatus = 'running' | 'finished' | 'failed';

/** Where a run's training data came from (lineage). */
export interface DatasetRef {
  readonly source: string;
  /** sha256 of the bytes read. */
  readonly digest: string;
  readonly rows: number;
  readonly columns: number;
}

export interface RunInput {
  readonly name: string;
  readonly task: string;
  readonly learner: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly tags?: Readonly<Record<string, string>>;
  readonly dataset?: DatasetRef;
  /** Kiln version, Node version, platform: what is needed to reproduce the run. */
  readonly environment?: Readonly<Record<string, string>>;
  /** The dataset version (from `registerDatasetVersion`) the run trained on: lineage. */
  readonly datasetVersionId?: string;
}

export interface Run {
  readonly id: string;
  readonly name: string;
  readonly task: string;
  readonly learner: string;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly params: Readonly<Record<string, unknown>>;
  /** Final metrics by name, e.g. `test.accuracy`. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly dataset: DatasetRef | null;
  readonly environment: Readonly<Record<string, string>>;
  readonly error: string | null;
  /** The dataset version the run trained on, when it was snapshotted. */
  readonly datasetVersionId: string | null;
}

/** How to search runs (see run-query.ts for the filter language). */
export interface RunQuery {
  /** e.g. `metrics.test.roc_auc > 0.8 and params.C = 1 and tags.team = 'risk'`. */
  readonly where?: string;
  /** Runs having every one of these tags with exactly these values. */
  readonly tags?: Readonly<Record<string, string>>;
  /** `started_at` (the default, newest first), `finished_at`, `name`, `status` or `metrics.NAME`, then `asc`/`desc`. */
  readonly orderBy?: string;
  readonly limit?: number;
  readonly offset?: number;
}

/** One value of a metric series: a learning curve is the points of one key ordered by step. */
export interface MetricPoint {
  readonly key: string;
  readonly step: number;
  readonly value: number;
  /** ISO time; set by the store when not given. */
  readonly timestamp?: string;
}

/** A column of a dataset snapshot. */
export interface DatasetColumn {
  readonly name: string;
  /** Kiln's kind of column: `numeric` or `categorical`. */
  readonly kind: string;
  /** The type the source declared (DuckDB's name: BIGINT, DOUBLE, VARCHAR, …). */
  readonly sourceType: string;
}

export interface DatasetVersionInput {
  /** The dataset's name (by default the source file's name without extension). */
  readonly dataset: string;
  /** sha256 of the snapshot (a Parquet file in the artifact store): the version's address. */
  readonly digest: string;
  readonly source: string;
  /** sha256 of the bytes read from the source. */
  readonly sourceDigest: string;
  readonly schema: readonly DatasetColumn[];
  readonly rows: number;
  /** Storage format of the snapshot artifact. */
  readonly format: 'parquet';
}

export interface DatasetVersion extends DatasetVersionInput {
  /** `DATASET@sha256:DIGEST-PREFIX`: stable, and the same for the same data. */
  readonly id: string;
  readonly createdAt: string;
}

export interface ModelVersionInput {
  readonly model: string;
  readonly runId: string | null;
  /** Logical artifact name (e.g. `model.onnx`, `manifest.json`) → content digest in the artifact store. */
  readonly artifacts: Readonly<Record<string, string>>;
  /** Inputs and outputs with their datatypes and shapes, as served. */
  readonly signature: unknown;
  readonly metrics: Readonly<Record<string, number>>;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export type VersionStatus = 'ready' | 'archived';

export interface ModelVersion {
  readonly model: string;
  readonly version: number;
  readonly runId: string | null;
  readonly createdAt: string;
  readonly status: VersionStatus;
  readonly artifacts: Readonly<Record<string, string>>;
  readonly signature: unknown;
  readonly metrics: Readonly<Record<string, number>>;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Aliases currently pointing at this version. */
  readonly aliases: readonly string[];
}

export interface RegisteredModel {
  readonly name: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly latestVersion: number;
  readonly versionCount: number;
  readonly aliases: Readonly<Record<string, number>>;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** A change to a model's or version's description and tags; tags given are merged (`null` removes one). */
export interface DescriptionUpdate {
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string | null>>;
}

/** Who made a registry change, for the audit log (default: the store's actor, e.g. the OS user). */
export interface ChangeContext {
  readonly actor?: string;
}

/** Registry changes that webhooks can subscribe to. */
export const REGISTRY_EVENTS = ['version.created', 'alias.moved', 'version.archived'] as const;
export type RegistryEvent = (typeof REGISTRY_EVENTS)[number];

/** One row of the audit log: every registry change, who made it, and the entity before and after. */
export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  /** e.g. `version.created`, `alias.moved`, `alias.removed`, `version.archived`, `model.updated`, `webhook.created`. */
  readonly action: string;
  /** e.g. `titanic`, `titanic:3`, `titanic@champion`, `webhook:ID`. */
  readonly entity: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface AuditQuery {
  /** Entries about this entity or anything under it (`titanic` also matches `titanic:3`). */
  readonly entity?: string;
  readonly limit?: number;
}

export interface WebhookInput {
  /** http(s) URL the events are POSTed to as JSON. */
  readonly url: string;
  /** Events to deliver (default: all). */
  readonly events?: readonly RegistryEvent[];
  /** When given, each delivery carries `x-kiln-signature: sha256=HMAC(secret, body)`. */
  readonly secret?: string;
  readonly description?: string;
}

export interface Webhook {
  readonly id: string;
  readonly url: string;
  readonly events: readonly RegistryEvent[];
  readonly description: string;
  /** Whether deliveries are signed (the secret itself is never shown). */
  readonly signed: boolean;
  readonly createdAt: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  readonly id: number;
  readonly webhookId: string;
  readonly event: RegistryEvent;
  /** The audit entry that caused it: receivers use it to drop duplicates (delivery is at least once). */
  readonly eventId: number;
  readonly payload: unknown;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
}

/** A delivery handed to a dispatcher, leased to it until `leaseUntil`. */
export interface ClaimedDelivery extends WebhookDelivery {
  readonly url: string;
  readonly secret: string | null;
}

export type DeliveryOutcome =
  | { readonly ok: true }
  /** `retryAt` null: give up, the delivery is `failed`. */
  | { readonly ok: false; readonly error: string; readonly retryAt: string | null };

export interface DeliveryQuery {
  readonly webhookId?: string;
  readonly status?: DeliveryStatus;
  readonly limit?: number;
}

/** One served prediction, as logged for monitoring. */
export interface PredictionRecord {
  readonly requestId: string;
  readonly model: string;
  readonly version: number;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly latencyMs: number;
  readonly inputs: unknown;
  readonly outputs: unknown;
  readonly userKey?: string;
  /** The experiment's id when the request was routed by an A/B experiment. */
  readonly experiment?: string;
  readonly arm?: ExperimentArm;
  /** A mirrored challenger answer that was logged, not returned (shadow mode). */
  readonly shadow?: boolean;
  /** The error code when the request failed: failed requests are logged too, for the error rate. */
  readonly error?: string;
}

export interface PredictionQuery {
  readonly model?: string;
  readonly version?: number;
  readonly limit?: number;
  /** Epoch milliseconds, inclusive. */
  readonly since?: number;
  /** Epoch milliseconds, exclusive. */
  readonly until?: number;
  readonly experiment?: string;
  /** Only shadow answers (true) or only returned ones (false); default both. */
  readonly shadow?: boolean;
}

// --- ground truth ----------------------------------------------------------------------------------

/** Ground truth attached to a logged prediction by request id. */
export interface FeedbackInput {
  readonly requestId: string;
  readonly outcome: number | string | boolean;
  /** When the outcome became known, epoch milliseconds (default: now). */
  readonly timestamp?: number;
}

export interface FeedbackResult {
  readonly accepted: number;
  /** Request ids with no logged prediction: their outcomes were not stored. */
  readonly unknownRequestIds: readonly string[];
}

/** A logged prediction together with the outcome that was later reported for it. */
export interface LabelledPrediction extends PredictionRecord {
  readonly outcome: number | string | boolean;
  /** When the outcome became known, epoch milliseconds. */
  readonly feedbackAt: number;
}

// --- alerts ----------------------------------------------------------------------------------------

/**
 * What an alert rule can watch; src/monitor computes each one. `dataset_drift` and `prediction_drift`
 * are 1 when drift was detected and 0 when not; latencies are in milliseconds; rates are 0..1.
 */
export const ALERT_METRICS = [
  'drift_share',
  'dataset_drift',
  'prediction_drift',
  'accuracy',
  'roc_auc',
  'rmse',
  'mae',
  'p50_latency_ms',
  'p95_latency_ms',
  'p99_latency_ms',
  'error_rate',
] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

/** Predictions per check when a rule does not say. */
export const DEFAULT_ALERT_WINDOW = 1000;

/** Alert rules per model. */
export interface AlertRuleInput {
  readonly model: string;
  /** One of ALERT_METRICS, e.g. drift_share, dataset_drift, accuracy, roc_auc, rmse, p99_latency_ms, error_rate. */
  readonly metric: string;
  readonly op: '>' | '<';
  readonly threshold: number;
  /** Predictions per check (default 1000). */
  readonly window?: number;
  readonly webhookUrl?: string;
  readonly description?: string;
}

export interface AlertRule extends Required<Omit<AlertRuleInput, 'webhookUrl' | 'description'>> {
  readonly id: string;
  readonly webhookUrl: string | null;
  readonly description: string;
  readonly createdAt: string;
}

/** One breach of an alert rule, as recorded when a check found it. */
export interface AlertEvent {
  readonly id: number;
  readonly ruleId: string;
  readonly model: string;
  readonly metric: string;
  readonly value: number;
  readonly threshold: number;
  readonly message: string;
  readonly at: string;
}

export interface AlertEventQuery {
  readonly model?: string;
  /** Only the events of this rule. */
  readonly ruleId?: string;
  /** Default 100, newest first. */
  readonly limit?: number;
}

// --- A/B experiments -------------------------------------------------------------------------------

export type ExperimentMode = 'split' | 'shadow' | 'canary';
export type ExperimentStatus = 'running' | 'stopped' | 'promoted' | 'rolled_back';
export type ExperimentArm = 'champion' | 'challenger';
export const EXPERIMENT_MODES: readonly ExperimentMode[] = ['split', 'shadow', 'canary'];
export const EXPERIMENT_STATUSES: readonly ExperimentStatus[] = ['running', 'stopped', 'promoted', 'rolled_back'];

/** An A/B experiment between two versions of one model. */
export interface ExperimentInput {
  readonly model: string;
  /** The champion's version number. */
  readonly champion: number;
  /** The challenger's version number. */
  readonly challenger: number;
  readonly mode: ExperimentMode;
  /** Share of traffic (0..1) sent to the challenger in split and canary; ignored in shadow (it mirrors all). */
  readonly challengerShare: number;
  /** Outcome kind for the analysis: a 0/1 conversion or a continuous value. */
  readonly outcome: 'binary' | 'continuous';
  /** canary: roll back automatically past these bounds (challenger's error rate, p99 latency). */
  readonly maxErrorRate?: number;
  readonly maxP99Ms?: number;
  readonly description?: string;
}

export interface Experiment extends ExperimentInput {
  readonly id: string;
  readonly status: ExperimentStatus;
  readonly startedAt: string;
  readonly endedAt: string | null;
  /** Why it ended (promoted, stopped by X, rolled back because …). */
  readonly endReason: string | null;
}

export interface ExperimentQuery {
  readonly model?: string;
  readonly status?: ExperimentStatus;
}

export interface Store {
  /** Where this store lives, for messages (a file path or a URL without password). */
  readonly location: string;

  createRun(input: RunInput): Promise<Run>;
  logMetrics(runId: string, metrics: Readonly<Record<string, number>>): Promise<void>;
  finishRun(runId: string, status: Exclude<RunStatus, 'running'>, error?: string): Promise<Run>;
  getRun(id: string): Promise<Run>;
  /** Newest first unless `orderBy` says otherwise; all runs unless `limit` is given. */
  listRuns(query?: RunQuery): Promise<Run[]>;
  /** Merges tags into a run's tags; `null` removes a tag. */
  setRunTags(runId: string, tags: Readonly<Record<string, string | null>>): Promise<Run>;
  /** Appends points to metric series (a point at an existing key and step replaces it). */
  logMetricSeries(runId: string, points: readonly MetricPoint[]): Promise<void>;
  /** The points of one series (or all, when `key` is omitted), by key then step. */
  getMetricSeries(runId: string, key?: string): Promise<MetricPoint[]>;

  /** Records a dataset snapshot; registering the same dataset and digest again returns the existing version. */
  registerDatasetVersion(input: DatasetVersionInput): Promise<DatasetVersion>;
  getDatasetVersion(id: string): Promise<DatasetVersion>;
  /** Newest first, of one dataset or of all. */
  listDatasetVersions(dataset?: string): Promise<DatasetVersion[]>;

  /** Registers the next version of `input.model` (creating the model if new); numbering is atomic. */
  createModelVersion(input: ModelVersionInput, change?: ChangeContext): Promise<ModelVersion>;
  listModels(): Promise<RegisteredModel[]>;
  getModel(name: string): Promise<RegisteredModel>;
  listVersions(name: string): Promise<ModelVersion[]>;
  getVersion(name: string, version: number): Promise<ModelVersion>;
  /** The version a reference points to; `latest` skips archived versions. */
  resolve(ref: ModelRef): Promise<ModelVersion>;
  setAlias(name: string, alias: string, version: number, change?: ChangeContext): Promise<void>;
  /**
   * Removes an alias (any name, reserved ones included: an old `latest` can only go this way), audited as
   * alias.removed and delivered to webhooks as alias.moved with `after: null`. ALIAS_NOT_FOUND (naming
   * the model's aliases) when it has no such alias; ALIAS_IN_USE for `champion` while an experiment on
   * the model runs. Returns the version the alias named.
   */
  removeAlias(name: string, alias: string, change?: ChangeContext): Promise<number>;
  /** Archives a version (or brings it back); versions are never deleted. */
  setVersionStatus(name: string, version: number, status: VersionStatus, change?: ChangeContext): Promise<ModelVersion>;
  updateModel(name: string, update: DescriptionUpdate, change?: ChangeContext): Promise<RegisteredModel>;
  updateVersion(name: string, version: number, update: DescriptionUpdate, change?: ChangeContext): Promise<ModelVersion>;
  /** Newest first (default limit 100). */
  listAudit(query?: AuditQuery): Promise<AuditEntry[]>;

  createWebhook(input: WebhookInput, change?: ChangeContext): Promise<Webhook>;
  listWebhooks(): Promise<Webhook[]>;
  getWebhook(id: string): Promise<Webhook>;
  /** Removes the subscription; its pending deliveries are dropped, its delivery history kept. */
  deleteWebhook(id: string, change?: ChangeContext): Promise<void>;
  /**
   * Leases up to `limit` pending deliveries that are due at `now` to the caller until `now + leaseMs`; a
   * dispatcher that dies mid-delivery loses its lease and another one retries.
   */
  claimDeliveries(options: { readonly limit: number; readonly leaseMs: number; readonly now?: Date }): Promise<ClaimedDelivery[]>;
  /** Records one delivery attempt's outcome. */
  recordDeliveryAttempt(id: number, outcome: DeliveryOutcome): Promise<WebhookDelivery>;
  /** Newest first (default limit 100). */
  listDeliveries(query?: DeliveryQuery): Promise<WebhookDelivery[]>;

  /** Records with their inputs and outputs as values, or as JSON text (what the serving path logs). */
  logPredictions(records: readonly LoggedRecord[]): Promise<void>;
  /** Writes records already grouped and encoded (src/store/prediction-batch.ts), as the log's writer thread does. */
  logPredictionBatches(batches: readonly PredictionBatch[]): Promise<void>;
  listPredictions(query?: PredictionQuery): Promise<PredictionRecord[]>;
  countPredictions(query?: PredictionQuery): Promise<number>;
  /**
   * Retention: deletes the predictions logged before `before` (epoch ms), of one model or all, and the
   * feedback of request ids left without any prediction. Returns how many predictions were deleted.
   */
  deletePredictions(query: { readonly model?: string; readonly before: number }): Promise<number>;

  /** Attaches outcomes to logged predictions by request id; a later outcome for a request id replaces the earlier one. */
  recordFeedback(items: readonly FeedbackInput[]): Promise<FeedbackResult>;
  /** Predictions that have an outcome, newest first (at most `limit`, default 100). */
  listLabelledPredictions(query?: PredictionQuery): Promise<LabelledPrediction[]>;

  createAlertRule(input: AlertRuleInput, change?: ChangeContext): Promise<AlertRule>;
  /** Oldest first, of one model or all. */
  listAlertRules(model?: string): Promise<AlertRule[]>;
  getAlertRule(id: string): Promise<AlertRule>;
  /** Removes the rule; the events it fired are kept. */
  deleteAlertRule(id: string, change?: ChangeContext): Promise<void>;
  recordAlertEvent(event: Omit<AlertEvent, 'id' | 'at'>): Promise<AlertEvent>;
  /** Newest first (default limit 100). */
  listAlertEvents(query?: AlertEventQuery): Promise<AlertEvent[]>;

  /** Starts an experiment; refuses unknown versions and a second running experiment on the same model. */
  createExperiment(input: ExperimentInput, change?: ChangeContext): Promise<Experiment>;
  getExperiment(id: string): Promise<Experiment>;
  /** Newest first. */
  listExperiments(query?: ExperimentQuery): Promise<Experiment[]>;
  /**
   * Ends a running experiment. When `status` is 'promoted' the model's `champion` alias moves to the
   * challenger in the same transaction (an atomic promote, audited as alias.moved).
   */
  endExperiment(id: string, status: Exclude<ExperimentStatus, 'running'>, reason: string, change?: ChangeContext): Promise<Experiment>;

  close(): Promise<void>;
}

/**
 * Content-addressed blobs (model files, manifests, reports, uploaded data). `put` and `get` hold the bytes
 * in memory and suit small artifacts; `putFile` and `getToFile` stream, for files as large as an upload.
 */
export interface ArtifactStore {
  /** Stores the bytes (idempotently) and returns their sha256 digest as hex. */
  put(bytes: Uint8Array): Promise<string>;
  /** The bytes of a digest, verified against it. */
  get(digest: string): Promise<Buffer>;
  /**
   * Stores the bytes of the file at `path` (idempotently), without reading it into memory whole, and
   * returns their sha256 digest as hex. DATA_NOT_FOUND / DATA_UNREADABLE when the file cannot be read.
   */
  putFile(path: string): Promise<string>;
  /**
   * Writes the bytes of `digest` to the file `path` (replacing it, whole or not at all), streamed and
   * verified against the digest before they take its place. The errors of `get` for a missing digest or
   * damaged bytes (then nothing is left at `path` that was not there); OUTPUT_UNWRITABLE when `path`
   * cannot be written.
   */
  getToFile(digest: string, path: string): Promise<void>;
  has(digest: string): Promise<boolean>;
  /** Where the bytes of `digest` live, for people to read: a file path, or an s3:// URL. */
  whereIs(digest: string): string;
}
