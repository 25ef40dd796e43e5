/**
 * SQLite rows and the domain entities they become. Rows mirror the tables (snake_case, JSON as text);
 * entities are what the rest of Kiln sees. Nothing outside the SQLite store should import a row type.
 */
import type {
  DatasetRef,
  ModelVersion,
  PredictionRecord,
  RegisteredModel,
  Run,
  RunStatus,
  VersionStatus,
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
}

/** A `model_versions` row plus `aliases`, the JSON array of aliases pointing at it. */
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
  readonly aliases: string;
}

/** A `registered_models` row plus aggregates over its versions and `aliases` as a JSON object. */
export interface RegisteredModelRow {
  readonly name: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly latest_version: number;
  readonly version_count: number;
  readonly aliases: string;
}

export interface PredictionRow {
  readonly request_id: string;
  readonly model: string;
  readonly version: number;
  readonly timestamp: number;
  readonly latency_ms: number;
  readonly inputs: string;
  readonly outputs: string;
  readonly user_key: string | null;
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
  };
}

export function toModelVersion(row: ModelVersionRow): ModelVersion {
  return {
    model: row.model,
    version: row.version,
    runId: row.run_id,
    createdAt: row.created_at,
    status: row.status as VersionStatus,
    artifacts: JSON.parse(row.artifacts) as Record<string, string>,
    signature: JSON.parse(row.signature) as unknown,
    metrics: decodeMetrics(row.metrics),
    description: row.description,
    aliases: (JSON.parse(row.aliases) as string[]).sort(),
  };
}

export function toRegisteredModel(row: RegisteredModelRow): RegisteredModel {
  const aliases = JSON.parse(row.aliases) as Record<string, number>;
  return {
    name: row.name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    latestVersion: row.latest_version,
    versionCount: row.version_count,
    // Sorted so that output (and tests) do not depend on the order SQLite aggregates in.
    aliases: Object.fromEntries(Object.entries(aliases).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}

export function toPredictionRecord(row: PredictionRow): PredictionRecord {
  return {
    requestId: row.request_id,
    model: row.model,
    version: row.version,
    timestamp: row.timestamp,
    latencyMs: row.latency_ms,
    inputs: JSON.parse(row.inputs) as unknown,
    outputs: JSON.parse(row.outputs) as unknown,
    ...(row.user_key === null ? {} : { userKey: row.user_key }),
  };
}
