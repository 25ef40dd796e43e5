/**
 * The tracking and registry store over SQL, shared by the SQLite and PostgreSQL stores: they differ in
 * how they connect and migrate, not in what they store. Statements use `?` placeholders and portable SQL
 * (ON CONFLICT upserts, RETURNING, NULLS LAST); the remaining differences are in `SqlDialect`.
 *
 * Every registry change (alert rules and experiments included) runs in one transaction that also writes
 * its audit entry and, for the events webhooks subscribe to, its pending deliveries (the outbox). A change
 * is therefore visible together with its audit entry and its deliveries, or not at all: a process killed
 * half way leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { KilnError } from '../../core/errors.js';
import { checkAliasName, isValidModelName, type ModelRef } from '../model-ref.js';
import { cappedCountSql, checkPositive, runComparisons, runSearchSql } from '../run-query.js';
import { checkAlertRuleInput, checkEndStatus, checkExperimentInput, checkFeedback } from '../monitoring-inputs.js';
import {
  REGISTRY_EVENTS,
  type AlertEvent,
  type AlertEventQuery,
  type AlertRule,
  type AlertRuleInput,
  type AuditEntry,
  type AuditQuery,
  type ChangeContext,
  type ClaimedDelivery,
  type DatasetVersion,
  type DatasetVersionInput,
  type DeliveryOutcome,
  type DeliveryQuery,
  type DescriptionUpdate,
  type Experiment,
  type ExperimentInput,
  type ExperimentQuery,
  type ExperimentStatus,
  type FeedbackInput,
  type FeedbackResult,
  type LabelledPrediction,
  type MetricPoint,
  type ModelVersion,
  type ModelVersionInput,
  type PredictionQuery,
  type PredictionRecord,
  type RegisteredModel,
  type RegistryEvent,
  type Run,
  type RunInput,
  type RunQuery,
  type RunStatus,
  type Store,
  type VersionStatus,
  type Webhook,
  type WebhookDelivery,
  type WebhookInput,
} from '../store.js';
import type { SqlDriver, SqlSession, SqlValue } from './driver.js';
import {
  decodeMetrics,
  encodeMetrics,
  searchableNumber,
  toAlertEvent,
  toAlertRule,
  toAuditEntry,
  toClaimedDelivery,
  toDatasetVersion,
  toDelivery,
  toExperiment,
  toJson,
  toMetricPoint,
  toModelVersion,
  toRegisteredModel,
  toRun,
  toWebhook,
  type AlertEventRow,
  type AlertRuleRow,
  type AliasRow,
  type AuditRow,
  type DatasetVersionRow,
  type DeliveryRow,
  type ExperimentRow,
  type MetricPointRow,
  type ModelVersionRow,
  type RegisteredModelRow,
  type RunRow,
  type WebhookRow,
} from './rows.js';
import { countPredictionRecords, deleteRecordsBefore, findRequestBatches, insertBatches, listLabelledRecords, listPredictionRecords } from './prediction-log-tables.js';
import { toPredictionBatches, type LoggedRecord, type PredictionBatch } from '../prediction-batch.js';

const DEFAULT_PREDICTION_LIMIT = 100;
const DEFAULT_LIST_LIMIT = 100;
/**
 * Only a comparison matching fewer runs than this may drive a run search (see listRuns): counting up to
 * it from an index takes a few milliseconds, and a longer list costs more than walking the runs.
 */
const DRIVING_CAP = 20_000;
/** Rows per multi-row statement for feedback lookups and upserts (well below both databases' parameter limits). */
const FEEDBACK_CHUNK = 500;

export interface SqlStoreOptions {
  /** Who changes the registry when a call does not say (default: KILN_ACTOR, else the OS user). */
  readonly actor?: string;
  /**
   * Called inside every registry transaction just before it commits, with what is being committed. A
   * seam for crash tests (pause here, then kill the process) and for tracing; normally absent.
   */
  readonly beforeCommit?: (operation: string) => Promise<void> | void;
}

const SELECT_MODEL = `
  SELECT m.name, m.created_at, m.updated_at, m.description, m.tags,
         (SELECT MAX(v.version) FROM model_versions v WHERE v.model = m.name) AS latest_version,
         (SELECT COUNT(*) FROM model_versions v WHERE v.model = m.name) AS version_count
    FROM registered_models m`;

const VERSION_COLUMNS = 'model, version, run_id, created_at, status, artifacts, signature, metrics, description, tags';
const DELIVERY_COLUMNS =
  'id, webhook_id, event_id, event, payload, status, attempts, next_attempt_at, last_error, created_at, delivered_at';
const ALERT_RULE_COLUMNS = 'id, model, metric, op, threshold, window_size, webhook_url, description, created_at';
const EXPERIMENT_COLUMNS =
  'id, model, champion, challenger, mode, challenger_share, outcome, max_error_rate, max_p99_ms, description, status, started_at, ended_at, end_reason';

export class SqlStore implements Store {
  readonly location: string;
  protected readonly driver: SqlDriver;
  private readonly actor: string;
  private readonly beforeCommit: SqlStoreOptions['beforeCommit'];

  protected constructor(driver: SqlDriver, location: string, options: SqlStoreOptions = {}) {
    this.driver = driver;
    this.location = location;
    this.actor = options.actor ?? defaultActor();
    this.beforeCommit = options.beforeCommit;
  }

  // --- runs ----------------------------------------------------------------------------------------

  async createRun(input: RunInput): Promise<Run> {
    const row: RunRow = {
      id: randomUUID(),
      name: input.name,
      task: input.task,
      learner: input.learner,
      status: 'running',
      started_at: new Date().toISOString(),
      finished_at: null,
      params: toJson(input.params),
      metrics: '{}',
      tags: toJson(input.tags ?? {}),
      dataset: input.dataset === undefined ? null : toJson(input.dataset),
      environment: toJson(input.environment ?? {}),
      error: null,
      dataset_version_id: input.datasetVersionId ?? null,
    };
    await this.driver.transaction(async (tx) => {
      if (row.dataset_version_id !== null) await this.datasetVersionRow(tx, row.dataset_version_id);
      await tx.run(
        `INSERT INTO runs (id, name, task, learner, status, started_at, finished_at, params, metrics, tags, dataset,
                           environment, error, dataset_version_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [row.id, row.name, row.task, row.learner, row.status, row.started_at, row.finished_at, row.params, row.metrics,
          row.tags, row.dataset, row.environment, row.error, row.dataset_version_id],
      );
      await tx.insertMany('run_params', ['run_id', 'key', 'num', 'text'], Object.entries(input.params).map(([k, v]) => [row.id, k, ...paramColumns(v)]));
      await tx.insertMany('run_tags', ['run_id', 'key', 'value'], Object.entries(input.tags ?? {}).map(([k, v]) => [row.id, k, v]));
    });
    return toRun(row);
  }

  async logMetrics(runId: string, metrics: Readonly<Record<string, number>>): Promise<void> {
    checkMetrics(metrics);
    // Read-merge-write under the write lock, so that two loggers of one run do not drop each other's keys.
    await this.driver.transaction(async (tx) => {
      const current = await tx.get<{ metrics: string }>(`SELECT metrics FROM runs WHERE id = ?${this.driver.dialect.forUpdate}`, [runId]);
      if (current === undefined) throw new KilnError('RUN_NOT_FOUND', { id: runId });
      await tx.run('UPDATE runs SET metrics = ? WHERE id = ?', [encodeMetrics({ ...decodeMetrics(current.metrics), ...metrics }), runId]);
      for (const [key, value] of Object.entries(metrics)) {
        await tx.run(
          'INSERT INTO run_metrics (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value',
          [runId, key, searchableNumber(value)],
        );
      }
    });
  }

  async finishRun(runId: string, status: Exclude<RunStatus, 'running'>, error?: string): Promise<Run> {
    const changed = await this.driver.run('UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ?', [
      status,
      new Date().toISOString(),
      error ?? null,
      runId,
    ]);
    if (changed === 0) throw new KilnError('RUN_NOT_FOUND', { id: runId });
    return this.getRun(runId);
  }

  async getRun(id: string): Promise<Run> {
    const row = await this.driver.get<RunRow>('SELECT * FROM runs WHERE id = ?', [id]);
    if (row === undefined) throw new KilnError('RUN_NOT_FOUND', { id });
    return toRun(row);
  }

  /**
   * Searches runs (see run-query.ts). There are two ways to answer: walk the runs in the order asked for,
   * probing each against every comparison until `limit` match (best when matches are common), or start
   * from the runs matching the most selective comparison (best when they are few). Each comparison's
   * matches are counted from its index (up to DRIVING_CAP); assuming comparisons are independent, the walk
   * visits about limit / (product of their selectivities) runs, and the search drives from the smallest
   * list when that list is shorter than the expected walk.
   */
  async listRuns(query: RunQuery = {}): Promise<Run[]> {
    const comparisons = runComparisons(query);
    let driving: number | undefined;
    const counts: { index: number; n: number }[] = [];
    for (const [index, c] of comparisons.entries()) {
      const count = cappedCountSql(c, DRIVING_CAP);
      if (count === undefined) continue;
      counts.push({ index, n: Number((await this.driver.get<{ n: number | string }>(count.sql, count.params))?.n ?? DRIVING_CAP) });
    }
    if (counts.length > 0) {
      const total = Number((await this.driver.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM runs'))?.n ?? 0);
      const selectivity = counts.reduce((product, c) => product * (total === 0 ? 1 : c.n / total), 1);
      const expectedWalk = selectivity === 0 ? total : Math.min(total, (query.limit ?? total) / selectivity);
      const smallest = counts.reduce((a, b) => (b.n < a.n ? b : a));
      if (smallest.n < DRIVING_CAP && smallest.n < expectedWalk) driving = smallest.index;
    }
    const { sql, params } = runSearchSql(query, this.driver.dialect.runSequence, this.driver.dialect.descNullsLast, driving);
    return (await this.driver.all<RunRow>(sql, params)).map(toRun);
  }

  async setRunTags(runId: string, tags: Readonly<Record<string, string | null>>): Promise<Run> {
    checkTags(tags, 'run tags');
    await this.driver.transaction(async (tx) => {
      const current = await tx.get<{ tags: string }>(`SELECT tags FROM runs WHERE id = ?${this.driver.dialect.forUpdate}`, [runId]);
      if (current === undefined) throw new KilnError('RUN_NOT_FOUND', { id: runId });
      await tx.run('UPDATE runs SET tags = ? WHERE id = ?', [toJson(mergeTags(JSON.parse(current.tags) as Record<string, string>, tags)), runId]);
      for (const [key, value] of Object.entries(tags)) {
        if (value === null) await tx.run('DELETE FROM run_tags WHERE run_id = ? AND key = ?', [runId, key]);
        else {
          await tx.run('INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value', [
            runId,
            key,
            value,
          ]);
        }
      }
    });
    return this.getRun(runId);
  }

  async logMetricSeries(runId: string, points: readonly MetricPoint[]): Promise<void> {
    const problems = points.flatMap((p, i) => {
      const out: { path: string; message: string; code: string }[] = [];
      if (typeof p.key !== 'string' || p.key === '') out.push({ path: `${i}.key`, message: 'expected a metric name', code: 'invalid_type' });
      if (!Number.isInteger(p.step) || p.step < 0) out.push({ path: `${i}.step`, message: `expected a whole number ≥ 0, got ${String(p.step)}`, code: 'invalid_type' });
      if (typeof p.value !== 'number') out.push({ path: `${i}.value`, message: `expected a number, got ${typeof p.value}`, code: 'invalid_type' });
      return out;
    });
    if (problems.length > 0) {
      throw new KilnError('INVALID_PARAMS', { what: 'metric series', summary: problems.map((p) => `${p.path}: ${p.message}`).join('; ') }, { problems });
    }
    const now = new Date().toISOString();
    await this.driver.transaction(async (tx) => {
      if ((await tx.get('SELECT id FROM runs WHERE id = ?', [runId])) === undefined) throw new KilnError('RUN_NOT_FOUND', { id: runId });
      for (const p of points) {
        await tx.run(
          `INSERT INTO metric_series (run_id, key, step, value, timestamp) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (run_id, key, step) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp`,
          [runId, p.key, p.step, searchableNumber(p.value), p.timestamp ?? now],
        );
      }
    });
  }

  async getMetricSeries(runId: string, key?: string): Promise<MetricPoint[]> {
    await this.getRun(runId);
    const rows =
      key === undefined
        ? await this.driver.all<MetricPointRow>('SELECT key, step, value, timestamp FROM metric_series WHERE run_id = ? ORDER BY key, step', [runId])
        : await this.driver.all<MetricPointRow>('SELECT key, step, value, timestamp FROM metric_series WHERE run_id = ? AND key = ? ORDER BY step', [
            runId,
            key,
          ]);
    return rows.map(toMetricPoint);
  }

  // --- datasets ------------------------------------------------------------------------------------

  async registerDatasetVersion(input: DatasetVersionInput): Promise<DatasetVersion> {
    if (!isValidModelName(input.dataset)) {
      throw new KilnError('INVALID_PARAMS', {
        what: 'dataset name',
        summary: `"${input.dataset}" must start with a letter or digit and contain only letters, digits, "_", "." and "-" (at most 128 characters)`,
      });
    }
    if (!/^[0-9a-f]{64}$/.test(input.digest)) {
      throw new KilnError('INVALID_PARAMS', { what: 'dataset digest', summary: `expected a sha256 in lower-case hex, got "${input.digest}"` });
    }
    const id = datasetVersionId(input.dataset, input.digest);
    await this.driver.run(
      `INSERT INTO dataset_versions (id, dataset, digest, source, source_digest, schema, rows, format, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dataset, digest) DO NOTHING`,
      [id, input.dataset, input.digest, input.source, input.sourceDigest, toJson(input.schema), input.rows, input.format, new Date().toISOString()],
    );
    return this.getDatasetVersion(id);
  }

  async getDatasetVersion(id: string): Promise<DatasetVersion> {
    return toDatasetVersion(await this.datasetVersionRow(this.driver, id));
  }

  async listDatasetVersions(dataset?: string): Promise<DatasetVersion[]> {
    const rows =
      dataset === undefined
        ? await this.driver.all<DatasetVersionRow>('SELECT * FROM dataset_versions ORDER BY created_at DESC, id')
        : await this.driver.all<DatasetVersionRow>('SELECT * FROM dataset_versions WHERE dataset = ? ORDER BY created_at DESC, id', [dataset]);
    return rows.map(toDatasetVersion);
  }

  // --- registry ------------------------------------------------------------------------------------

  async createModelVersion(input: ModelVersionInput, change: ChangeContext = {}): Promise<ModelVersion> {
    if (!isValidModelName(input.model)) {
      throw new KilnError('INVALID_PARAMS', {
        what: 'model name',
        summary: `"${input.model}" must start with a letter or digit and contain only letters, digits, "_", "." and "-" (at most 128 characters)`,
      });
    }
    checkMetrics(input.metrics);
    if (input.tags !== undefined) checkTags(input.tags, 'version tags');
    const now = new Date().toISOString();
    return this.driver.transaction(async (tx) => {
      if (input.runId !== null && (await tx.get('SELECT id FROM runs WHERE id = ?', [input.runId])) === undefined) {
        throw new KilnError('RUN_NOT_FOUND', { id: input.runId });
      }
      await tx.run('INSERT INTO registered_models (name, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', [input.model, now, now]);
      // Numbering reads max(version) and inserts max+1: it must happen under a lock on the model. SQLite's
      // BEGIN IMMEDIATE holds the database's write lock already; PostgreSQL locks the model's row.
      await tx.get(`SELECT name FROM registered_models WHERE name = ?${this.driver.dialect.forUpdate}`, [input.model]);
      await tx.run('UPDATE registered_models SET updated_at = ? WHERE name = ?', [now, input.model]);
      const next = await tx.get<{ next: number | string }>('SELECT COALESCE(MAX(version), 0) + 1 AS next FROM model_versions WHERE model = ?', [input.model]);
      const version = Number(next?.next ?? 1);
      await tx.run(
        `INSERT INTO model_versions (${VERSION_COLUMNS}) VALUES (?, ?, ?, ?, 'ready', ?, ?, ?, ?, ?)`,
        [input.model, version, input.runId, now, toJson(input.artifacts), toJson(input.signature), encodeMetrics(input.metrics),
          input.description ?? '', toJson(input.tags ?? {})],
      );
      const created = await this.versionIn(tx, input.model, version);
      await this.recordChange(tx, change, 'version.created', `${input.model}:${version}`, input.model, null, versionSummary(created), 'version.created');
      await this.beforeCommit?.('createModelVersion');
      return created;
    });
  }

  async listModels(): Promise<RegisteredModel[]> {
    const rows = await this.driver.all<RegisteredModelRow>(`${SELECT_MODEL} ORDER BY m.name`);
    const aliases = await this.driver.all<AliasRow>('SELECT model, alias, version FROM model_aliases');
    return rows.map((row) => toRegisteredModel(row, aliasMap(aliases.filter((a) => a.model === row.name))));
  }

  async getModel(name: string): Promise<RegisteredModel> {
    return this.modelIn(this.driver, name);
  }

  async listVersions(name: string): Promise<ModelVersion[]> {
    const rows = await this.driver.all<ModelVersionRow>(`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE model = ? ORDER BY version`, [name]);
    if (rows.length === 0) await this.requireModel(this.driver, name);
    const aliases = await this.driver.all<AliasRow>('SELECT model, alias, version FROM model_aliases WHERE model = ?', [name]);
    return rows.map((row) => toModelVersion(row, aliases.filter((a) => Number(a.version) === Number(row.version)).map((a) => a.alias)));
  }

  async getVersion(name: string, version: number): Promise<ModelVersion> {
    return this.versionIn(this.driver, name, version);
  }

  async resolve(ref: ModelRef): Promise<ModelVersion> {
    switch (ref.kind) {
      case 'version':
        return this.getVersion(ref.name, ref.version);
      case 'latest': {
        const row = await this.driver.get<{ version: number }>(
          "SELECT version FROM model_versions WHERE model = ? AND status = 'ready' ORDER BY version DESC LIMIT 1",
          [ref.name],
        );
        if (row !== undefined) return this.getVersion(ref.name, Number(row.version));
        await this.requireModel(this.driver, ref.name);
        throw await this.versionNotFound(this.driver, ref.name, 'latest');
      }
      case 'alias': {
        const row = await this.driver.get<{ version: number }>('SELECT version FROM model_aliases WHERE model = ? AND alias = ?', [ref.name, ref.alias]);
        if (row !== undefined) return this.getVersion(ref.name, Number(row.version));
        await this.requireModel(this.driver, ref.name);
        const known = await this.driver.all<{ alias: string }>('SELECT alias FROM model_aliases WHERE model = ? ORDER BY alias', [ref.name]);
        throw new KilnError('ALIAS_NOT_FOUND', { name: ref.name, alias: ref.alias, aliases: known.map((a) => a.alias) });
      }
    }
  }

  /** Points `alias` at `version`, moving it if it pointed elsewhere. */
  async setAlias(name: string, alias: string, version: number, change: ChangeContext = {}): Promise<void> {
    await this.requireModel(this.driver, name);
    checkAliasName(alias);
    await this.driver.transaction(async (tx) => {
      await this.moveAlias(tx, change, name, alias, version);
      await this.beforeCommit?.('setAlias');
    });
  }

  /**
   * Deletes an alias. The name is not checked with checkAliasName: removing is how an alias stored before
   * its name was reserved (`latest`, `v2`) goes away. The audit entry is alias.removed; webhooks get the
   * event they subscribe to for alias changes, alias.moved, with `after: null` (as a new alias has
   * `before: null`), so a subscriber to alias.moved learns the alias is gone.
   */
  async removeAlias(name: string, alias: string, change: ChangeContext = {}): Promise<number> {
    await this.requireModel(this.driver, name);
    return this.driver.transaction(async (tx) => {
      const row = await tx.get<{ version: number }>(`SELECT version FROM model_aliases WHERE model = ? AND alias = ?${this.driver.dialect.forUpdate}`, [name, alias]);
      if (row === undefined) {
        const known = await tx.all<{ alias: string }>('SELECT alias FROM model_aliases WHERE model = ? ORDER BY alias', [name]);
        throw new KilnError('ALIAS_NOT_FOUND', { name, alias, aliases: known.map((a) => a.alias) });
      }
      // A running experiment owns `champion` (the router's CHAMPION_ALIAS, the alias a promote moves):
      // its clients address NAME@champion, and a stop sends them back to whatever the alias names, so
      // without it they would all get ALIAS_NOT_FOUND the moment the experiment ends.
      if (alias === 'champion') {
        const running = await tx.get<{ id: string }>("SELECT id FROM experiments WHERE model = ? AND status = 'running' ORDER BY started_at, id", [name]);
        if (running !== undefined) {
          throw new KilnError('ALIAS_IN_USE', {
            name,
            alias,
            experiment: running.id,
            reason: `experiment ${running.id} is running on ${name}, and its clients address ${name}@champion (a stop sends them back to the version it names)`,
            fix: `stop or promote the experiment first (\`kiln ab stop ${running.id}\` or POST /api/experiments/${running.id}/stop), then remove the alias`,
          });
        }
      }
      await tx.run('DELETE FROM model_aliases WHERE model = ? AND alias = ?', [name, alias]);
      await tx.run('UPDATE registered_models SET updated_at = ? WHERE name = ?', [new Date().toISOString(), name]);
      const version = Number(row.version);
      await this.recordChange(tx, change, 'alias.removed', `${name}@${alias}`, name, { alias, version }, null, 'alias.moved');
      await this.beforeCommit?.('removeAlias');
      return version;
    });
  }

  /** Archived versions stay resolvable by number and alias, but `latest` skips them. */
  async setVersionStatus(name: string, version: number, status: VersionStatus, change: ChangeContext = {}): Promise<ModelVersion> {
    if (status !== 'ready' && status !== 'archived') {
      throw new KilnError('INVALID_PARAMS', { what: 'version status', summary: `expected "ready" or "archived", got "${String(status)}"` });
    }
    return this.driver.transaction(async (tx) => {
      const before = await this.versionIn(tx, name, version); // throws the right not-found error
      if (before.status === status) return before;
      await tx.run('UPDATE model_versions SET status = ? WHERE model = ? AND version = ?', [status, name, version]);
      await tx.run('UPDATE registered_models SET updated_at = ? WHERE name = ?', [new Date().toISOString(), name]);
      const after = await this.versionIn(tx, name, version);
      const action = status === 'archived' ? 'version.archived' : 'version.unarchived';
      const event = status === 'archived' ? 'version.archived' : null;
      await this.recordChange(tx, change, action, `${name}:${version}`, name, { status: before.status }, { status }, event);
      await this.beforeCommit?.('setVersionStatus');
      return after;
    });
  }

  async updateModel(name: string, update: DescriptionUpdate, change: ChangeContext = {}): Promise<RegisteredModel> {
    checkUpdate(update);
    return this.driver.transaction(async (tx) => {
      const before = await this.modelIn(tx, name);
      const tags = update.tags === undefined ? before.tags : mergeTags(before.tags, update.tags);
      const description = update.description ?? before.description;
      await tx.run('UPDATE registered_models SET description = ?, tags = ?, updated_at = ? WHERE name = ?', [
        description,
        toJson(tags),
        new Date().toISOString(),
        name,
      ]);
      await this.recordChange(tx, change, 'model.updated', name, name, { description: before.description, tags: before.tags }, { description, tags }, null);
      return this.modelIn(tx, name);
    });
  }

  async updateVersion(name: string, version: number, update: DescriptionUpdate, change: ChangeContext = {}): Promise<ModelVersion> {
    checkUpdate(update);
    return this.driver.transaction(async (tx) => {
      const before = await this.versionIn(tx, name, version);
      const tags = update.tags === undefined ? before.tags : mergeTags(before.tags, update.tags);
      const description = update.description ?? before.description;
      await tx.run('UPDATE model_versions SET description = ?, tags = ? WHERE model = ? AND version = ?', [description, toJson(tags), name, version]);
      await this.recordChange(
        tx,
        change,
        'version.updated',
        `${name}:${version}`,
        name,
        { description: before.description, tags: before.tags },
        { description, tags },
        null,
      );
      return this.versionIn(tx, name, version);
    });
  }

  async listAudit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const limit = query.limit === undefined ? DEFAULT_LIST_LIMIT : checkPositive(query.limit, 'limit');
    const columns = 'id, at, actor, action, entity, before, after';
    let rows: AuditRow[];
    if (query.entity === undefined) {
      rows = await this.driver.all<AuditRow>(`SELECT ${columns} FROM audit_log ORDER BY id DESC LIMIT ?`, [limit]);
    } else if (/[:@]/.test(query.entity)) {
      rows = await this.driver.all<AuditRow>(`SELECT ${columns} FROM audit_log WHERE entity = ? ORDER BY id DESC LIMIT ?`, [query.entity, limit]);
    } else {
      // A bare model name means the model and everything under it (its versions and aliases).
      rows = await this.driver.all<AuditRow>(`SELECT ${columns} FROM audit_log WHERE model = ? OR entity = ? ORDER BY id DESC LIMIT ?`, [
        query.entity,
        query.entity,
        limit,
      ]);
    }
    return rows.map(toAuditEntry);
  }

  // --- webhooks ------------------------------------------------------------------------------------

  async createWebhook(input: WebhookInput, change: ChangeContext = {}): Promise<Webhook> {
    const events = checkWebhookInput(input);
    const row: WebhookRow = {
      id: randomUUID(),
      url: input.url,
      events: toJson(events),
      secret: input.secret ?? null,
      description: input.description ?? '',
      created_at: new Date().toISOString(),
    };
    return this.driver.transaction(async (tx) => {
      await tx.run('INSERT INTO webhooks (id, url, events, secret, description, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        row.id,
        row.url,
        row.events,
        row.secret,
        row.description,
        row.created_at,
      ]);
      const webhook = toWebhook(row);
      await this.recordChange(tx, change, 'webhook.created', `webhook:${row.id}`, null, null, webhook, null);
      return webhook;
    });
  }

  async listWebhooks(): Promise<Webhook[]> {
    return (await this.driver.all<WebhookRow>('SELECT * FROM webhooks WHERE deleted_at IS NULL ORDER BY created_at, id')).map(toWebhook);
  }

  async getWebhook(id: string): Promise<Webhook> {
    return toWebhook(await this.webhookRow(this.driver, id));
  }

  async deleteWebhook(id: string, change: ChangeContext = {}): Promise<void> {
    await this.driver.transaction(async (tx) => {
      const before = toWebhook(await this.webhookRow(tx, id));
      const now = new Date().toISOString();
      await tx.run('UPDATE webhooks SET deleted_at = ? WHERE id = ?', [now, id]);
      await tx.run("UPDATE webhook_deliveries SET status = 'failed', last_error = ? WHERE webhook_id = ? AND status = 'pending'", [
        'the webhook was deleted before this delivery succeeded',
        id,
      ]);
      await this.recordChange(tx, change, 'webhook.deleted', `webhook:${id}`, null, before, null, null);
    });
  }

  async claimDeliveries(options: { readonly limit: number; readonly leaseMs: number; readonly now?: Date }): Promise<ClaimedDelivery[]> {
    const now = options.now ?? new Date();
    const nowText = now.toISOString();
    const leaseUntil = new Date(now.getTime() + options.leaseMs).toISOString();
    // Dispatchers poll often and there is usually nothing due: look first, without taking the write lock.
    const anyDue = await this.driver.get(
      "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?) LIMIT 1",
      [nowText, nowText],
    );
    if (anyDue === undefined) return [];
    return this.driver.transaction(async (tx) => {
      const due = await tx.all<{ id: number | string }>(
        `SELECT id FROM webhook_deliveries
          WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
          ORDER BY id LIMIT ?${this.driver.dialect.forUpdate}`,
        [nowText, nowText, checkPositive(options.limit, 'limit')],
      );
      const claimed: ClaimedDelivery[] = [];
      for (const { id } of due) {
        // The lease condition is checked again by the UPDATE, so two dispatchers never both claim a row.
        const changed = await tx.run(
          "UPDATE webhook_deliveries SET lease_until = ? WHERE id = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until <= ?)",
          [leaseUntil, id, nowText],
        );
        if (changed === 0) continue;
        const row = await tx.get<DeliveryRow & { url: string; secret: string | null }>(
          `SELECT d.${DELIVERY_COLUMNS.split(', ').join(', d.')}, w.url, w.secret
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ?`,
          [id],
        );
        if (row !== undefined) claimed.push(toClaimedDelivery(row));
      }
      return claimed;
    });
  }

  async recordDeliveryAttempt(id: number, outcome: DeliveryOutcome): Promise<WebhookDelivery> {
    const now = new Date().toISOString();
    return this.driver.transaction(async (tx) => {
      const current = await tx.get<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?`, [id]);
      if (current === undefined) throw new KilnError('WEBHOOK_DELIVERY_NOT_FOUND', { id });
      if (outcome.ok) {
        await tx.run(
          "UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?",
          [now, id],
        );
      } else if (outcome.retryAt === null) {
        await tx.run("UPDATE webhook_deliveries SET status = 'failed', attempts = attempts + 1, lease_until = NULL, last_error = ? WHERE id = ?", [
          outcome.error,
          id,
        ]);
      } else {
        await tx.run('UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE id = ?', [
          outcome.retryAt,
          outcome.error,
          id,
        ]);
      }
      const row = await tx.get<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?`, [id]);
      return toDelivery(row as DeliveryRow);
    });
  }

  async listDeliveries(query: DeliveryQuery = {}): Promise<WebhookDelivery[]> {
    const limit = query.limit === undefined ? DEFAULT_LIST_LIMIT : checkPositive(query.limit, 'limit');
    const conditions: string[] = [];
    const params: SqlValue[] = [];
    if (query.webhookId !== undefined) {
      conditions.push('webhook_id = ?');
      params.push(query.webhookId);
    }
    if (query.status !== undefined) {
      conditions.push('status = ?');
      params.push(query.status);
    }
    const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
    const rows = await this.driver.all<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries${where} ORDER BY id DESC LIMIT ?`, [...params, limit]);
    return rows.map(toDelivery);
  }

  // --- prediction log ------------------------------------------------------------------------------

  async logPredictions(records: readonly LoggedRecord[]): Promise<void> {
    await this.logPredictionBatches(toPredictionBatches(records));
  }

  async logPredictionBatches(batches: readonly PredictionBatch[]): Promise<void> {
    if (batches.length === 0) return;
    await this.driver.transaction((tx) => insertBatches(tx, batches));
  }

  /** Newest first, at most `limit` (default 100). */
  async listPredictions(query: PredictionQuery = {}): Promise<PredictionRecord[]> {
    const limit = query.limit === undefined ? DEFAULT_PREDICTION_LIMIT : checkPositive(query.limit, 'limit');
    return listPredictionRecords(this.driver, checkPredictionQuery(query), limit);
  }

  /** How many logged predictions match the filters (`limit` is ignored). */
  async countPredictions(query: PredictionQuery = {}): Promise<number> {
    return countPredictionRecords(this.driver, checkPredictionQuery(query));
  }

  async deletePredictions(query: { readonly model?: string; readonly before: number }): Promise<number> {
    if (typeof query.before !== 'number' || !Number.isFinite(query.before)) {
      throw new KilnError('INVALID_PARAMS', { what: 'retention cut-off', summary: `"before" must be epoch milliseconds, got ${String(query.before)}` });
    }
    return this.driver.transaction((tx) => deleteRecordsBefore(tx, query.before, query.model));
  }

  // --- ground truth --------------------------------------------------------------------------------

  /**
   * Stores each known request id's outcome (a later one replaces an earlier one; within one call the
   * last item for a request id wins) and reports the request ids that no logged prediction has.
   */
  async recordFeedback(items: readonly FeedbackInput[]): Promise<FeedbackResult> {
    checkFeedback(items);
    if (items.length === 0) return { accepted: 0, unknownRequestIds: [] };
    const now = Date.now();
    const latest = new Map<string, FeedbackInput>();
    for (const item of items) {
      latest.delete(item.requestId); // re-insert so that map order follows the last occurrence
      latest.set(item.requestId, item);
    }
    return this.driver.transaction(async (tx) => {
      const ids = [...latest.keys()];
      const known = await findRequestBatches(tx, ids);
      const accepted = [...latest.values()].filter((item) => known.has(item.requestId));
      const links = accepted.flatMap((item) => (known.get(item.requestId) ?? []).map((batchId) => [item.requestId, batchId] as const));
      for (let i = 0; i < links.length; i += FEEDBACK_CHUNK) {
        const chunk = links.slice(i, i + FEEDBACK_CHUNK);
        await tx.run(
          `INSERT INTO feedback_batches (request_id, batch_id) VALUES ${chunk.map(() => '(?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
          chunk.flat(),
        );
      }
      for (let i = 0; i < accepted.length; i += FEEDBACK_CHUNK) {
        const chunk = accepted.slice(i, i + FEEDBACK_CHUNK);
        await tx.run(
          `INSERT INTO feedback (request_id, outcome, feedback_at) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}
           ON CONFLICT (request_id) DO UPDATE SET outcome = excluded.outcome, feedback_at = excluded.feedback_at`,
          chunk.flatMap((item) => [item.requestId, toJson(item.outcome), item.timestamp ?? now]),
        );
      }
      return {
        accepted: items.filter((item) => known.has(item.requestId)).length,
        unknownRequestIds: ids.filter((id) => !known.has(id)),
      };
    });
  }

  /** Newest first, at most `limit` (default 100). */
  async listLabelledPredictions(query: PredictionQuery = {}): Promise<LabelledPrediction[]> {
    const limit = query.limit === undefined ? DEFAULT_PREDICTION_LIMIT : checkPositive(query.limit, 'limit');
    return listLabelledRecords(this.driver, checkPredictionQuery(query), limit, (text) => JSON.parse(text) as unknown);
  }

  // --- alerts --------------------------------------------------------------------------------------

  async createAlertRule(input: AlertRuleInput, change: ChangeContext = {}): Promise<AlertRule> {
    const checked = checkAlertRuleInput(input);
    const row: AlertRuleRow = {
      id: randomUUID(),
      model: checked.model,
      metric: checked.metric,
      op: checked.op,
      threshold: checked.threshold,
      window_size: checked.window,
      webhook_url: checked.webhookUrl,
      description: checked.description,
      created_at: new Date().toISOString(),
    };
    return this.driver.transaction(async (tx) => {
      await this.requireModel(tx, row.model);
      await tx.run(`INSERT INTO alert_rules (${ALERT_RULE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
        row.id,
        row.model,
        row.metric,
        row.op,
        row.threshold,
        row.window_size,
        row.webhook_url,
        row.description,
        row.created_at,
      ]);
      const rule = toAlertRule(row);
      await this.recordChange(tx, change, 'alert.created', `alert:${row.id}`, row.model, null, rule, null);
      return rule;
    });
  }

  async listAlertRules(model?: string): Promise<AlertRule[]> {
    const rows =
      model === undefined
        ? await this.driver.all<AlertRuleRow>(`SELECT ${ALERT_RULE_COLUMNS} FROM alert_rules ORDER BY created_at, id`)
        : await this.driver.all<AlertRuleRow>(`SELECT ${ALERT_RULE_COLUMNS} FROM alert_rules WHERE model = ? ORDER BY created_at, id`, [model]);
    return rows.map(toAlertRule);
  }

  async getAlertRule(id: string): Promise<AlertRule> {
    return toAlertRule(await this.alertRuleRow(this.driver, id));
  }

  async deleteAlertRule(id: string, change: ChangeContext = {}): Promise<void> {
    await this.driver.transaction(async (tx) => {
      const before = toAlertRule(await this.alertRuleRow(tx, id));
      await tx.run('DELETE FROM alert_rules WHERE id = ?', [id]);
      await this.recordChange(tx, change, 'alert.deleted', `alert:${id}`, before.model, before, null, null);
    });
  }

  async recordAlertEvent(event: Omit<AlertEvent, 'id' | 'at'>): Promise<AlertEvent> {
    if (typeof event.value !== 'number' || typeof event.threshold !== 'number' || !Number.isFinite(event.threshold)) {
      throw new KilnError('INVALID_PARAMS', { what: 'alert event', summary: 'value and threshold must be numbers' });
    }
    const at = new Date().toISOString();
    const inserted = await this.driver.get<{ id: number | string }>(
      'INSERT INTO alert_events (rule_id, model, metric, value, threshold, message, at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
      [event.ruleId, event.model, event.metric, Number.isFinite(event.value) ? event.value : null, event.threshold, event.message, at],
    );
    return { ...event, id: Number(inserted?.id), at };
  }

  async listAlertEvents(query: AlertEventQuery = {}): Promise<AlertEvent[]> {
    const limit = query.limit === undefined ? DEFAULT_LIST_LIMIT : checkPositive(query.limit, 'limit');
    const conditions: string[] = [];
    const params: SqlValue[] = [];
    if (query.model !== undefined) {
      conditions.push('model = ?');
      params.push(query.model);
    }
    if (query.ruleId !== undefined) {
      conditions.push('rule_id = ?');
      params.push(query.ruleId);
    }
    const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
    const rows = await this.driver.all<AlertEventRow>(
      `SELECT id, rule_id, model, metric, value, threshold, message, at FROM alert_events${where} ORDER BY id DESC LIMIT ?`,
      [...params, limit],
    );
    return rows.map(toAlertEvent);
  }

  // --- A/B experiments -----------------------------------------------------------------------------

  async createExperiment(input: ExperimentInput, change: ChangeContext = {}): Promise<Experiment> {
    checkExperimentInput(input);
    const row: ExperimentRow = {
      id: randomUUID(),
      model: input.model,
      champion: input.champion,
      challenger: input.challenger,
      mode: input.mode,
      challenger_share: input.challengerShare,
      outcome: input.outcome,
      max_error_rate: input.maxErrorRate ?? null,
      max_p99_ms: input.maxP99Ms ?? null,
      description: input.description ?? '',
      status: 'running',
      started_at: new Date().toISOString(),
      ended_at: null,
      end_reason: null,
    };
    return this.driver.transaction(async (tx) => {
      await this.requireModel(tx, input.model);
      // Lock the model's row so that two processes starting an experiment at once serialise here and the
      // second one gets the coded error below (SQLite's BEGIN IMMEDIATE already holds the write lock).
      await tx.get(`SELECT name FROM registered_models WHERE name = ?${this.driver.dialect.forUpdate}`, [input.model]);
      await this.versionIn(tx, input.model, input.champion);
      await this.versionIn(tx, input.model, input.challenger);
      const running = await tx.get<{ id: string }>("SELECT id FROM experiments WHERE model = ? AND status = 'running'", [input.model]);
      if (running !== undefined) throw new KilnError('EXPERIMENT_ALREADY_RUNNING', { model: input.model, id: running.id });
      await tx.run(`INSERT INTO experiments (${EXPERIMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
        row.id,
        row.model,
        row.champion,
        row.challenger,
        row.mode,
        row.challenger_share,
        row.outcome,
        row.max_error_rate,
        row.max_p99_ms,
        row.description,
        row.status,
        row.started_at,
        row.ended_at,
        row.end_reason,
      ]);
      const experiment = toExperiment(row);
      await this.recordChange(tx, change, 'experiment.created', `experiment:${row.id}`, row.model, null, experiment, null);
      return experiment;
    });
  }

  async getExperiment(id: string): Promise<Experiment> {
    return toExperiment(await this.experimentRow(this.driver, id));
  }

  async listExperiments(query: ExperimentQuery = {}): Promise<Experiment[]> {
    const conditions: string[] = [];
    const params: SqlValue[] = [];
    if (query.model !== undefined) {
      conditions.push('model = ?');
      params.push(query.model);
    }
    if (query.status !== undefined) {
      conditions.push('status = ?');
      params.push(query.status);
    }
    const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
    const rows = await this.driver.all<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments${where} ORDER BY started_at DESC, id`, params);
    return rows.map(toExperiment);
  }

  async endExperiment(id: string, status: Exclude<ExperimentStatus, 'running'>, reason: string, change: ChangeContext = {}): Promise<Experiment> {
    checkEndStatus(status, reason);
    return this.driver.transaction(async (tx) => {
      const before = toExperiment(await this.experimentRow(tx, id, this.driver.dialect.forUpdate));
      if (before.status !== 'running') throw new KilnError('EXPERIMENT_NOT_RUNNING', { id, status: before.status });
      await tx.run("UPDATE experiments SET status = ?, ended_at = ?, end_reason = ? WHERE id = ? AND status = 'running'", [
        status,
        new Date().toISOString(),
        reason,
        id,
      ]);
      // The promote and the alias move commit together: nobody ever sees a promoted experiment whose
      // champion alias still points at the old version, or the reverse.
      if (status === 'promoted') await this.moveAlias(tx, change, before.model, 'champion', before.challenger);
      const after = toExperiment(await this.experimentRow(tx, id));
      await this.recordChange(
        tx,
        change,
        `experiment.${status}`,
        `experiment:${id}`,
        before.model,
        { status: before.status },
        { status, reason },
        null,
      );
      await this.beforeCommit?.('endExperiment');
      return after;
    });
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  // --- helpers -------------------------------------------------------------------------------------

  /**
   * Writes the audit entry of a change and, when it is an event webhooks subscribe to, one pending delivery
   * per subscribed webhook — inside the change's own transaction (the outbox).
   */
  private async recordChange(
    tx: SqlSession,
    change: ChangeContext,
    action: string,
    entity: string,
    model: string | null,
    before: unknown,
    after: unknown,
    event: RegistryEvent | null,
  ): Promise<void> {
    const at = new Date().toISOString();
    const actor = change.actor ?? this.actor;
    const inserted = await tx.get<{ id: number | string }>(
      'INSERT INTO audit_log (at, actor, action, entity, model, before, after) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
      [at, actor, action, entity, model, toJson(before), toJson(after)],
    );
    if (event === null) return;
    const eventId = Number(inserted?.id);
    const webhooks = await tx.all<{ id: string; events: string }>('SELECT id, events FROM webhooks WHERE deleted_at IS NULL');
    const payload = toJson({ id: eventId, event, at, actor, entity, model, before, after });
    for (const webhook of webhooks) {
      if (!(JSON.parse(webhook.events) as string[]).includes(event)) continue;
      await tx.run(
        `INSERT INTO webhook_deliveries (webhook_id, event_id, event, payload, status, attempts, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)`,
        [webhook.id, eventId, event, payload, at, at],
      );
    }
  }

  /** Points `alias` at `version` inside `tx`, with its audit entry and webhook deliveries. */
  private async moveAlias(tx: SqlSession, change: ChangeContext, name: string, alias: string, version: number): Promise<void> {
    await this.versionIn(tx, name, version);
    const previous = await tx.get<{ version: number }>(`SELECT version FROM model_aliases WHERE model = ? AND alias = ?${this.driver.dialect.forUpdate}`, [name, alias]);
    await tx.run(
      'INSERT INTO model_aliases (model, alias, version) VALUES (?, ?, ?) ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version',
      [name, alias, version],
    );
    await tx.run('UPDATE registered_models SET updated_at = ? WHERE name = ?', [new Date().toISOString(), name]);
    const before = previous === undefined ? null : { alias, version: Number(previous.version) };
    await this.recordChange(tx, change, 'alias.moved', `${name}@${alias}`, name, before, { alias, version }, 'alias.moved');
  }

  private async alertRuleRow(session: SqlSession, id: string): Promise<AlertRuleRow> {
    const row = await session.get<AlertRuleRow>(`SELECT ${ALERT_RULE_COLUMNS} FROM alert_rules WHERE id = ?`, [id]);
    if (row === undefined) throw new KilnError('ALERT_RULE_NOT_FOUND', { id });
    return row;
  }

  private async experimentRow(session: SqlSession, id: string, lock = ''): Promise<ExperimentRow> {
    const row = await session.get<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE id = ?${lock}`, [id]);
    if (row === undefined) throw new KilnError('EXPERIMENT_NOT_FOUND', { id });
    return row;
  }

  private async modelIn(session: SqlSession, name: string): Promise<RegisteredModel> {
    const row = await session.get<RegisteredModelRow>(`${SELECT_MODEL} WHERE m.name = ?`, [name]);
    if (row === undefined) throw await this.modelNotFound(session, name);
    const aliases = await session.all<AliasRow>('SELECT model, alias, version FROM model_aliases WHERE model = ?', [name]);
    return toRegisteredModel(row, aliasMap(aliases));
  }

  /** An existing version, or the right not-found error. */
  private async versionIn(session: SqlSession, name: string, version: number): Promise<ModelVersion> {
    const row = await session.get<ModelVersionRow>(`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE model = ? AND version = ?`, [name, version]);
    if (row === undefined) {
      await this.requireModel(session, name);
      throw await this.versionNotFound(session, name, version);
    }
    const aliases = await session.all<{ alias: string }>('SELECT alias FROM model_aliases WHERE model = ? AND version = ?', [name, version]);
    return toModelVersion(row, aliases.map((a) => a.alias));
  }

  private async requireModel(session: SqlSession, name: string): Promise<void> {
    if ((await session.get('SELECT name FROM registered_models WHERE name = ?', [name])) === undefined) throw await this.modelNotFound(session, name);
  }

  private async modelNotFound(session: SqlSession, name: string): Promise<KilnError> {
    const known = await session.all<{ name: string }>('SELECT name FROM registered_models ORDER BY name');
    return new KilnError('MODEL_NOT_FOUND', { name, known: known.map((m) => m.name) });
  }

  private async versionNotFound(session: SqlSession, name: string, version: number | 'latest'): Promise<KilnError> {
    const rows = await session.all<{ version: number }>('SELECT version FROM model_versions WHERE model = ? ORDER BY version', [name]);
    return new KilnError('VERSION_NOT_FOUND', { name, version, versions: rows.map((r) => Number(r.version)).join(', ') });
  }

  private async datasetVersionRow(session: SqlSession, id: string): Promise<DatasetVersionRow> {
    const row = await session.get<DatasetVersionRow>('SELECT * FROM dataset_versions WHERE id = ?', [id]);
    if (row === undefined) throw new KilnError('DATASET_VERSION_NOT_FOUND', { id });
    return row;
  }

  private async webhookRow(session: SqlSession, id: string): Promise<WebhookRow> {
    const row = await session.get<WebhookRow>('SELECT id, url, events, secret, description, created_at FROM webhooks WHERE id = ? AND deleted_at IS NULL', [id]);
    if (row === undefined) throw new KilnError('WEBHOOK_NOT_FOUND', { id });
    return row;
  }
}

/** `titanic@3f2a…` : the dataset's name and the first 16 hex digits of its snapshot's sha256. */
export function datasetVersionId(dataset: string, digest: string): string {
  return `${dataset}@${digest.slice(0, 16)}`;
}

function defaultActor(): string {
  const fromEnv = process.env['KILN_ACTOR'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** A param's searchable columns: its number (when it is one) and its text ('true'/'false' for booleans). */
function paramColumns(value: unknown): [number | null, string] {
  if (typeof value === 'number') return [searchableNumber(value), String(value)];
  if (typeof value === 'string') return [null, value];
  if (typeof value === 'boolean') return [null, String(value)];
  return [null, JSON.stringify(value ?? null)];
}

function aliasMap(rows: readonly AliasRow[]): Record<string, number> {
  return Object.fromEntries(rows.map((a) => [a.alias, Number(a.version)]));
}

function versionSummary(v: ModelVersion): Record<string, unknown> {
  return { model: v.model, version: v.version, runId: v.runId, status: v.status, artifacts: v.artifacts, metrics: v.metrics };
}

function mergeTags(current: Readonly<Record<string, string>>, update: Readonly<Record<string, string | null>>): Record<string, string> {
  const merged: Record<string, string> = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/**
 * The WHERE clause (with a leading space, or empty) and its parameters for a prediction query; `table`
 * prefixes the columns (e.g. `p.`) when the predictions table is joined.
 */
/** A prediction query's time bounds are epoch milliseconds: anything else is refused before it reaches SQL. */
function checkPredictionQuery(query: PredictionQuery): PredictionQuery {
  if (query.since !== undefined) checkEpoch(query.since, 'since');
  if (query.until !== undefined) checkEpoch(query.until, 'until');
  return query;
}

function checkEpoch(value: number, what: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new KilnError('INVALID_PARAMS', { what, summary: `expected epoch milliseconds, got ${String(value)}` });
}

/** Metrics come from user code and plugins too: reject non-numbers before they reach a JSON column. */
function checkMetrics(metrics: Readonly<Record<string, unknown>>): void {
  const problems = Object.entries(metrics)
    .filter(([, value]) => typeof value !== 'number')
    .map(([name, value]) => ({ path: name, message: `expected a number, got ${typeof value}`, code: 'invalid_type' }));
  if (problems.length === 0) return;
  const summary = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
  throw new KilnError('INVALID_PARAMS', { what: 'metrics', summary }, { problems });
}

function checkTags(tags: Readonly<Record<string, unknown>>, what: string): void {
  const problems = Object.entries(tags)
    .filter(([key, value]) => key === '' || (typeof value !== 'string' && value !== null))
    .map(([key, value]) => ({
      path: key,
      message: key === '' ? 'a tag needs a name' : `expected text (or null to remove the tag), got ${typeof value}`,
      code: 'invalid_type',
    }));
  if (problems.length === 0) return;
  throw new KilnError('INVALID_PARAMS', { what, summary: problems.map((p) => `${p.path || '(empty)'}: ${p.message}`).join('; ') }, { problems });
}

function checkUpdate(update: DescriptionUpdate): void {
  if (update.description !== undefined && typeof update.description !== 'string') {
    throw new KilnError('INVALID_PARAMS', { what: 'description', summary: `expected text, got ${typeof update.description}` });
  }
  if (update.tags !== undefined) checkTags(update.tags, 'tags');
}

function checkWebhookInput(input: WebhookInput): RegistryEvent[] {
  let url: URL | undefined;
  try {
    url = new URL(input.url);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new KilnError('INVALID_PARAMS', { what: 'webhook url', summary: `"${input.url}" is not an http:// or https:// URL` });
  }
  const events = input.events === undefined ? [...REGISTRY_EVENTS] : [...new Set(input.events)];
  const unknown = events.filter((e) => !(REGISTRY_EVENTS as readonly string[]).includes(e));
  if (unknown.length > 0 || events.length === 0) {
    throw new KilnError('INVALID_PARAMS', {
      what: 'webhook events',
      summary: `${unknown.length > 0 ? `unknown event(s) ${unknown.join(', ')}` : 'no events given'}; choose from ${REGISTRY_EVENTS.join(', ')}`,
    });
  }
  return events;
}

