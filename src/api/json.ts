/**
 * The registry's entities as the HTTP API and the CLI's `--json` show them: snake_case keys, the same
 * shape everywhere, secrets never included.
 */
import type { AuditEntry, DatasetVersion, MetricPoint, ModelVersion, RegisteredModel, Run, Webhook, WebhookDelivery } from '../store/store.js';

export function runJson(r: Run) {
  return {
    id: r.id,
    name: r.name,
    task: r.task,
    learner: r.learner,
    status: r.status,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
    params: r.params,
    metrics: r.metrics,
    tags: r.tags,
    dataset: r.dataset,
    dataset_version_id: r.datasetVersionId,
    environment: r.environment,
    error: r.error,
  };
}

/** Points grouped by metric name, in step order: one learning curve per key. */
export function seriesJson(points: readonly MetricPoint[]): Record<string, { step: number; value: number; timestamp?: string }[]> {
  const out: Record<string, { step: number; value: number; timestamp?: string }[]> = {};
  for (const p of points) (out[p.key] ??= []).push({ step: p.step, value: p.value, ...(p.timestamp === undefined ? {} : { timestamp: p.timestamp }) });
  return out;
}

export function datasetJson(d: DatasetVersion): Record<string, unknown> {
  return {
    id: d.id,
    dataset: d.dataset,
    digest: d.digest,
    format: d.format,
    source: d.source,
    source_digest: d.sourceDigest,
    rows: d.rows,
    schema: d.schema,
    created_at: d.createdAt,
  };
}

export function modelJson(m: RegisteredModel) {
  return {
    name: m.name,
    description: m.description,
    tags: m.tags,
    latest_version: m.latestVersion,
    version_count: m.versionCount,
    aliases: m.aliases,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
  };
}

export function versionJson(v: ModelVersion) {
  return {
    model: v.model,
    version: v.version,
    status: v.status,
    created_at: v.createdAt,
    aliases: v.aliases,
    run_id: v.runId,
    metrics: v.metrics,
    signature: v.signature,
    artifacts: v.artifacts,
    description: v.description,
    tags: v.tags,
  };
}

export function auditJson(e: AuditEntry): Record<string, unknown> {
  return { id: e.id, at: e.at, actor: e.actor, action: e.action, entity: e.entity, before: e.before, after: e.after };
}

export function webhookJson(w: Webhook): Record<string, unknown> {
  return { id: w.id, url: w.url, events: w.events, description: w.description, signed: w.signed, created_at: w.createdAt };
}

export function deliveryJson(d: WebhookDelivery): Record<string, unknown> {
  return {
    id: d.id,
    webhook_id: d.webhookId,
    event: d.event,
    event_id: d.eventId,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.nextAttemptAt,
    last_error: d.lastError,
    created_at: d.createdAt,
    delivered_at: d.deliveredAt,
    payload: d.payload,
  };
}
