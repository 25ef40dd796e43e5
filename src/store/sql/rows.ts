/**
 * Database rows and the domain entities they become. Rows mirror the tables (snake_case, JSON as text,
 * times as ISO text) and are the same in SQLite and PostgreSQL; entities are what the rest of Kiln sees.
 * Nothing outside the SQL store should import a row type.
 */
import type {
  AlertEvent,
  AlertRule,
  AuditEntry,
  ClaimedDelivery,
  DatasetColumn,
  DatasetRef,
  DatasetVersion,
  DeliveryStatus,
  Experiment,
  ExperimentMode,
  ExperimentStatus,
  MetricPoint,
  ModelVersion,
  RegisteredModel,
  RegistryEvent,
  Run,
  RunStatus,
  VersionStatus,
  Webhook,
  WebhookDelivery,
} from '../store.js';

export interface RunRow {
  readonly id: string;
  readonly name: string;
  readonly task: string;
  readonly learner: string;
  readonly status: string;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly params: string;
  readonly metrics: string;
  readonly tags: string;
  readonly dataset: string | null;
  readonly environment: string;
  readonly error: string | null;
  readonly dataset_version_id: string | null;
}

export interface ModelVersionRow {
  readonly model: string;
  readonly version: number;
  readonly run_id: string | null;
  readonly created_at: string;
  readonly status: string;
  readonly artifacts: string;
  readonly signature: string;
  readonly metrics: string;
  readonly description: string;
  readonly tags: string;
}

/** A `registered_models` row plus aggregates over its versions. */
export interface RegisteredModelRow {
  readonly name: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly description: string;
  readonly tags: string;
  readonly latest_version: number | string | null;
  readonly version_count: number | string;
}

export interface AliasRow {
  readonly model: string;
  readonly alias: string;
  readonly version: number;
}

export interface AlertRuleRow {
  readonly id: string;
  readonly model: string;
  readonly metric: string;
  readonly op: string;
  readonly threshold: number;
  readonly window_size: number | string;
  readonly webhook_url: string | null;
  readonly description: string;
  readonly created_at: string;
}

export interface AlertEventRow {
  readonly id: number | string;
  readonly rule_id: string;
  readonly model: string;
  readonly metric: string;
  readonly value: number | null;
  readonly threshold: number;
  readonly message: string;
  readonly at: string;
}

export interface ExperimentRow {
  readonly id: string;
  readonly model: string;
  readonly champion: number | string;
  readonly challenger: number | string;
  readonly mode: string;
  readonly challenger_share: number;
  readonly outcome: string;
  readonly max_error_rate: number | null;
  readonly max_p99_ms: number | null;
  readonly description: string;
  readonly status: string;
  readonly started_at: string;
  readonly ended_at: string | null;
  readonly end_reason: string | null;
}

export interface MetricPointRow {
  readonly key: string;
  readonly step: number;
  readonly value: number | null;
  readonly timestamp: string;
}

export interface DatasetVersionRow {
  readonly id: string;
  readonly dataset: string;
  readonly digest: string;
  readonly source: string;
  readonly source_digest: string;
  readonly schema: string;
  readonly rows: number | string;
  readonly format: string;
  readonly created_at: string;
}

export interface AuditRow {
  readonly id: number | string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly entity: string;
  readonly before: string;
  readonly after: string;
}

export interface WebhookRow {
  readonly id: string;
  readonly url: string;
  readonly events: string;
  readonly secret: string | null;
  readonly description: string;
  readonly created_at: string;
}

export interface DeliveryRow {
  readonly id: number | string;
  readonly webhook_id: string;
  readonly event_id: number | string;
  readonly event: string;
  readonly payload: string;
  readonly status: string;
  readonly attempts: number;
  readonly next_attempt_at: string;
  readonly last_error: string | null;
  readonly created_at: string;
  readonly delivered_at: string | null;
}

// --- values → column text --------------------------------------------------------------------------

/** JSON text of a value; `undefined` is stored as `null` so that every JSON column holds valid JSON. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/**
 * JSON text of a metrics map. JSON has no NaN or ±Infinity, and `JSON.stringify` would turn them into
 * `null`; a diverged log loss is a real result worth keeping, so non-finite numbers are spelt as strings.
 */
export function encodeMetrics(metrics: Readonly<Record<string, number>>): string {
  return JSON.stringify(metrics, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
  );
}

export function decodeMetrics(text: string): Record<string, number> {
  const parsed = JSON.parse(text) as Record<string, number | string>;
  const metrics: Record<string, number> = {};
  for (const [name, value] of Object.entries(parsed)) metrics[name] = Number(value);
  return metrics;
}

/** A number as a searchable column value: NaN is NULL, so no comparison ever matches it. */
export function searchableNumber(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

/** Keys in code-point order, so that output does not depend on the order a database returns rows in. */
export function sortedRecord<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// --- rows → entities -------------------------------------------------------------------------------

export function toRun(row: RunRow): Run {
  return {
    id: row.id,
    name: row.name,
    task: row.task,
    learner: row.learner,
    status: row.status as RunStatus,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    params: JSON.parse(row.params) as Record<string, unknown>,
    metrics: decodeMetrics(row.metrics),
    tags: JSON.parse(row.tags) as Record<string, string>,
    dataset: row.dataset === null ? null : (JSON.parse(row.dataset) as DatasetRef | null),
    environment: JSON.parse(row.environment) as Record<string, string>,
    error: row.error,
    datasetVersionId: row.dataset_version_id,
  };
}

export function toModelVersion(row: ModelVersionRow, aliases: readonly string[]): ModelVersion {
  return {
    model: row.model,
    version: Number(row.version),
    runId: row.run_id,
    createdAt: row.created_at,
    status: row.status as VersionStatus,
    artifacts: JSON.parse(row.artifacts) as Record<string, string>,
    signature: JSON.parse(row.signature) as unknown,
    metrics: decodeMetrics(row.metrics),
    description: row.description,
    tags: JSON.parse(row.tags) as Record<string, string>,
    aliases: [...aliases].sort(),
  };
}

export function toRegisteredModel(row: RegisteredModelRow, aliases: Readonly<Record<string, number>>): RegisteredModel {
  return {
    name: row.name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    latestVersion: Number(row.latest_version ?? 0),
    versionCount: Number(row.version_count),
    aliases: sortedRecord(aliases),
    description: row.description,
    tags: JSON.parse(row.tags) as Record<string, string>,
  };
}

export function toAlertRule(row: AlertRuleRow): AlertRule {
  return {
    id: row.id,
    model: row.model,
    metric: row.metric,
    op: row.op as '>' | '<',
    threshold: Number(row.threshold),
    window: Number(row.window_size),
    webhookUrl: row.webhook_url,
    description: row.description,
    createdAt: row.created_at,
  };
}

export function toAlertEvent(row: AlertEventRow): AlertEvent {
  return {
    id: Number(row.id),
    ruleId: row.rule_id,
    model: row.model,
    metric: row.metric,
    // NULL stands for NaN (a metric that could not be computed), as in run metrics.
    value: row.value === null ? Number.NaN : Number(row.value),
    threshold: Number(row.threshold),
    message: row.message,
    at: row.at,
  };
}

export function toExperiment(row: ExperimentRow): Experiment {
  return {
    id: row.id,
    model: row.model,
    champion: Number(row.champion),
    challenger: Number(row.challenger),
    mode: row.mode as ExperimentMode,
    challengerShare: Number(row.challenger_share),
    outcome: row.outcome as 'binary' | 'continuous',
    ...(row.max_error_rate === null ? {} : { maxErrorRate: Number(row.max_error_rate) }),
    ...(row.max_p99_ms === null ? {} : { maxP99Ms: Number(row.max_p99_ms) }),
    description: row.description,
    status: row.status as ExperimentStatus,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    endReason: row.end_reason,
  };
}

export function toMetricPoint(row: MetricPointRow): MetricPoint {
  return { key: row.key, step: Number(row.step), value: row.value === null ? Number.NaN : row.value, timestamp: row.timestamp };
}

export function toDatasetVersion(row: DatasetVersionRow): DatasetVersion {
  return {
    id: row.id,
    dataset: row.dataset,
    digest: row.digest,
    source: row.source,
    sourceDigest: row.source_digest,
    schema: JSON.parse(row.schema) as DatasetColumn[],
    rows: Number(row.rows),
    format: row.format as 'parquet',
    createdAt: row.created_at,
  };
}

export function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: Number(row.id),
    at: row.at,
    actor: row.actor,
    action: row.action,
    entity: row.entity,
    before: JSON.parse(row.before) as unknown,
    after: JSON.parse(row.after) as unknown,
  };
}

export function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as RegistryEvent[],
    description: row.description,
    signed: row.secret !== null,
    createdAt: row.created_at,
  };
}

export function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: Number(row.id),
    webhookId: row.webhook_id,
    event: row.event as RegistryEvent,
    eventId: Number(row.event_id),
    payload: JSON.parse(row.payload) as unknown,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  };
}

export function toClaimedDelivery(row: DeliveryRow & { readonly url: string; readonly secret: string | null }): ClaimedDelivery {
  return { ...toDelivery(row), url: row.url, secret: row.secret };
}
