/**
 * The embedded store: runs, the model registry and the prediction log in one SQLite file.
 *
 * better-sqlite3 is synchronous; the methods are `async` only to honour the `Store` contract shared with
 * the PostgreSQL store. Concurrency between processes (two `kiln train` at once, a server logging while
 * the CLI registers) rests on SQLite's file locking: WAL lets readers proceed during a write, writers that
 * must read-then-write take the lock up front (IMMEDIATE transactions), and the busy timeout makes a
 * writer wait for the lock instead of failing.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import Database from 'better-sqlite3';
import { KilnError } from '../../core/errors.js';
import { isValidModelName, parseModelRef, type ModelRef } from '../model-ref.js';
import type {
  ModelVersion,
  ModelVersionInput,
  PredictionQuery,
  PredictionRecord,
  RegisteredModel,
  Run,
  RunInput,
  RunStatus,
  Store,
  VersionStatus,
} from '../store.js';
import { migrate } from './migrations.js';
import {
  encodeMetrics,
  decodeMetrics,
  toJson,
  toModelVersion,
  toPredictionRecord,
  toRegisteredModel,
  toRun,
  type ModelVersionRow,
  type PredictionRow,
  type RegisteredModelRow,
  type RunRow,
} from './rows.js';

/** How long a writer waits for another process's write lock before giving up with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;
const DEFAULT_PREDICTION_LIMIT = 100;
/** SQLite's spelling of "no limit". */
const NO_LIMIT = -1;

/** A version row together with the aliases pointing at it (see `ModelVersionRow`). */
const SELECT_VERSION = `
  SELECT v.model, v.version, v.run_id, v.created_at, v.status, v.artifacts, v.signature, v.metrics,
         v.description,
         (SELECT json_group_array(a.alias) FROM model_aliases a
           WHERE a.model = v.model AND a.version = v.version) AS aliases
    FROM model_versions v`;

/** A model row with its version aggregates and alias map (see `RegisteredModelRow`). */
const SELECT_MODEL = `
  SELECT m.name, m.created_at, m.updated_at,
         (SELECT COALESCE(MAX(v.version), 0) FROM model_versions v WHERE v.model = m.name) AS latest_version,
         (SELECT COUNT(*) FROM model_versions v WHERE v.model = m.name) AS version_count,
         (SELECT json_group_object(a.alias, a.version) FROM model_aliases a WHERE a.model = m.name) AS aliases
    FROM registered_models m`;

type ModelVersionRowInsert = Omit<ModelVersionRow, 'status' | 'aliases'>;
type PredictionParams = [string, string, number, number, number, string, string, string | null];

/** Every fixed statement, prepared once per connection. */
function prepareStatements(db: Database.Database) {
  return {
    insertRun: db.prepare<RunRow>(`
      INSERT INTO runs (id, name, task, learner, status, started_at, finished_at, params, metrics, tags,
                        dataset, environment, error)
      VALUES (@id, @name, @task, @learner, @status, @started_at, @finished_at, @params, @metrics, @tags,
              @dataset, @environment, @error)`),
    selectRun: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?'),
    // rowid breaks ties between runs started within the same millisecond: the later insert is newer.
    selectRuns: db.prepare<[number], RunRow>('SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?'),
    selectRunMetrics: db.prepare<[string], string>('SELECT metrics FROM runs WHERE id = ?').pluck(),
    updateRunMetrics: db.prepare<[string, string]>('UPDATE runs SET metrics = ? WHERE id = ?'),
    updateRunEnd: db.prepare<[RunStatus, string, string | null, string]>(
      'UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ?',
    ),

    insertModelIfMissing: db.prepare<[string, string, string]>(
      'INSERT INTO registered_models (name, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
    ),
    touchModel: db.prepare<[string, string]>('UPDATE registered_models SET updated_at = ? WHERE name = ?'),
    selectModel: db.prepare<[string], RegisteredModelRow>(`${SELECT_MODEL} WHERE m.name = ?`),
    selectModels: db.prepare<[], RegisteredModelRow>(`${SELECT_MODEL} ORDER BY m.name`),
    selectModelNames: db.prepare<[], string>('SELECT name FROM registered_models ORDER BY name').pluck(),

    selectNextVersion: db.prepare<[string], number>(
      'SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE model = ?',
    ).pluck(),
    insertVersion: db.prepare<ModelVersionRowInsert>(`
      INSERT INTO model_versions (model, version, run_id, created_at, status, artifacts, signature, metrics,
                                  description)
      VALUES (@model, @version, @run_id, @created_at, 'ready', @artifacts, @signature, @metrics, @description)`),
    updateVersionStatus: db.prepare<[VersionStatus, string, number]>(
      'UPDATE model_versions SET status = ? WHERE model = ? AND version = ?',
    ),
    selectVersion: db.prepare<[string, number], ModelVersionRow>(`${SELECT_VERSION} WHERE v.model = ? AND v.version = ?`),
    selectVersions: db.prepare<[string], ModelVersionRow>(`${SELECT_VERSION} WHERE v.model = ? ORDER BY v.version`),
    selectLatestReadyVersion: db.prepare<[string], ModelVersionRow>(
      `${SELECT_VERSION} WHERE v.model = ? AND v.status = 'ready' ORDER BY v.version DESC LIMIT 1`,
    ),
    selectAliasedVersion: db.prepare<{ model: string; alias: string }, ModelVersionRow>(`
      ${SELECT_VERSION}
       WHERE v.model = @model
         AND v.version = (SELECT version FROM model_aliases WHERE model = @model AND alias = @alias)`),
    selectVersionNumbers: db.prepare<[string], number>(
      'SELECT version FROM model_versions WHERE model = ? ORDER BY version',
    ).pluck(),

    selectAliasNames: db.prepare<[string], string>('SELECT alias FROM model_aliases WHERE model = ? ORDER BY alias').pluck(),
    upsertAlias: db.prepare<[string, string, number]>(`
      INSERT INTO model_aliases (model, alias, version) VALUES (?, ?, ?)
      ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version`),

    insertPrediction: db.prepare<PredictionParams>(`
      INSERT INTO predictions (request_id, model, version, timestamp, latency_ms, inputs, outputs, user_key)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

export class SqliteStore implements Store {
  readonly location: string;
  private readonly db: Database.Database;
  private readonly sql: Statements;
  /** Prediction queries vary with the filters given; each shape is prepared once and kept. */
  private readonly predictionQueries = new Map<string, Database.Statement<(string | number)[]>>();

  /**
   * Opens (creating if needed) the store in `file` and brings its schema up to date.
   * Throws STORE_UNAVAILABLE when the file cannot be opened or is not a Kiln database.
   */
  static open(file: string): SqliteStore {
    const location = file === ':memory:' ? file : resolvePath(file);
    let db: Database.Database | undefined;
    try {
      if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
      db = new Database(location, { timeout: BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = WAL');
      // In WAL mode NORMAL cannot corrupt the database; a power cut may only lose the last commits.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
      return new SqliteStore(db, location);
    } catch (err) {
      db?.close();
      const reason = err instanceof Error ? err.message : String(err);
      throw new KilnError('STORE_UNAVAILABLE', { location, reason }, { cause: err });
    }
  }

  private constructor(db: Database.Database, location: string) {
    this.db = db;
    this.location = location;
    this.sql = prepareStatements(db);
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
    };
    this.sql.insertRun.run(row);
    return toRun(row);
  }

  async logMetrics(runId: string, metrics: Readonly<Record<string, number>>): Promise<void> {
    checkMetrics(metrics);
    // Read-merge-write under the write lock, so that two loggers of one run do not drop each other's keys.
    this.db
      .transaction(() => {
        const current = this.sql.selectRunMetrics.get(runId);
        if (current === undefined) throw new KilnError('RUN_NOT_FOUND', { id: runId });
        this.sql.updateRunMetrics.run(encodeMetrics({ ...decodeMetrics(current), ...metrics }), runId);
      })
      .immediate();
  }

  async finishRun(runId: string, status: Exclude<RunStatus, 'running'>, error?: string): Promise<Run> {
    const changed = this.sql.updateRunEnd.run(status, new Date().toISOString(), error ?? null, runId).changes;
    if (changed === 0) throw new KilnError('RUN_NOT_FOUND', { id: runId });
    return this.getRun(runId);
  }

  async getRun(id: string): Promise<Run> {
    const row = this.sql.selectRun.get(id);
    if (row === undefined) throw new KilnError('RUN_NOT_FOUND', { id });
    return toRun(row);
  }

  /** Newest first; all runs unless `limit` is given. */
  async listRuns(options: { readonly limit?: number } = {}): Promise<Run[]> {
    const limit = options.limit === undefined ? NO_LIMIT : checkLimit(options.limit);
    return this.sql.selectRuns.all(limit).map(toRun);
  }

  // --- registry ------------------------------------------------------------------------------------

  async createModelVersion(input: ModelVersionInput): Promise<ModelVersion> {
    if (!isValidModelName(input.model)) {
      throw new KilnError('INVALID_PARAMS', {
        what: 'model name',
        summary: `"${input.model}" must start with a letter or digit and contain only letters, digits, "_", "." and "-" (at most 128 characters)`,
      });
    }
    checkMetrics(input.metrics);
    const now = new Date().toISOString();
    // Reading max(version) and inserting max+1 must happen under one write lock: IMMEDIATE takes it at
    // BEGIN, so a concurrent registration (in this process or another) waits instead of reading the same max.
    const row = this.db
      .transaction((): ModelVersionRow => {
        if (input.runId !== null && this.sql.selectRun.get(input.runId) === undefined) {
          throw new KilnError('RUN_NOT_FOUND', { id: input.runId });
        }
        this.sql.insertModelIfMissing.run(input.model, now, now);
        this.sql.touchModel.run(now, input.model);
        const version = this.sql.selectNextVersion.get(input.model) ?? 1;
        this.sql.insertVersion.run({
          model: input.model,
          version,
          run_id: input.runId,
          created_at: now,
          artifacts: toJson(input.artifacts),
          signature: toJson(input.signature),
          metrics: encodeMetrics(input.metrics),
          description: input.description ?? '',
        });
        return this.versionRow(input.model, version);
      })
      .immediate();
    return toModelVersion(row);
  }

  /** Sorted by name. */
  async listModels(): Promise<RegisteredModel[]> {
    return this.sql.selectModels.all().map(toRegisteredModel);
  }

  async getModel(name: string): Promise<RegisteredModel> {
    const row = this.sql.selectModel.get(name);
    if (row === undefined) throw this.modelNotFound(name);
    return toRegisteredModel(row);
  }

  /** Oldest first (ascending version numbers). */
  async listVersions(name: string): Promise<ModelVersion[]> {
    const rows = this.sql.selectVersions.all(name);
    if (rows.length === 0) this.requireModel(name);
    return rows.map(toModelVersion);
  }

  async getVersion(name: string, version: number): Promise<ModelVersion> {
    return toModelVersion(this.versionRow(name, version));
  }

  async resolve(ref: ModelRef): Promise<ModelVersion> {
    switch (ref.kind) {
      case 'version':
        return this.getVersion(ref.name, ref.version);
      case 'latest': {
        const row = this.sql.selectLatestReadyVersion.get(ref.name);
        if (row !== undefined) return toModelVersion(row);
        this.requireModel(ref.name);
        throw this.versionNotFound(ref.name, 'latest');
      }
      case 'alias': {
        const row = this.sql.selectAliasedVersion.get({ model: ref.name, alias: ref.alias });
        if (row !== undefined) return toModelVersion(row);
        this.requireModel(ref.name);
        throw new KilnError('ALIAS_NOT_FOUND', {
          name: ref.name,
          alias: ref.alias,
          aliases: this.sql.selectAliasNames.all(ref.name),
        });
      }
    }
  }

  /** Points `alias` at `version`, moving it if it pointed elsewhere. */
  async setAlias(name: string, alias: string, version: number): Promise<void> {
    this.requireModel(name);
    if (!isValidAlias(name, alias)) {
      throw new KilnError('INVALID_PARAMS', {
        what: 'alias',
        summary: `"${alias}" must start with a letter and contain only letters, digits, "_" and "-" (at most 64 characters)`,
      });
    }
    this.db
      .transaction(() => {
        this.versionRow(name, version);
        this.sql.upsertAlias.run(name, alias, version);
        this.sql.touchModel.run(new Date().toISOString(), name);
      })
      .immediate();
  }

  /**
   * Archives a version (or makes it ready again). Archived versions stay resolvable by number and alias,
   * but `latest` skips them. Not yet part of `Store`; `kiln models archive` needs it there.
   */
  async setVersionStatus(name: string, version: number, status: VersionStatus): Promise<ModelVersion> {
    const row = this.db
      .transaction((): ModelVersionRow => {
        this.versionRow(name, version); // throws the right not-found error
        this.sql.updateVersionStatus.run(status, name, version);
        this.sql.touchModel.run(new Date().toISOString(), name);
        return this.versionRow(name, version);
      })
      .immediate();
    return toModelVersion(row);
  }

  // --- prediction log ------------------------------------------------------------------------------

  async logPredictions(records: readonly PredictionRecord[]): Promise<void> {
    if (records.length === 0) return;
    // One transaction for the batch: a commit per row would cost a disk sync per prediction.
    this.db.transaction(() => {
      for (const r of records) {
        this.sql.insertPrediction.run(
          r.requestId,
          r.model,
          r.version,
          r.timestamp,
          r.latencyMs,
          toJson(r.inputs),
          toJson(r.outputs),
          r.userKey ?? null,
        );
      }
    })();
  }

  /** Newest first, at most `limit` (default 100). */
  async listPredictions(query: PredictionQuery = {}): Promise<PredictionRecord[]> {
    const limit = query.limit === undefined ? DEFAULT_PREDICTION_LIMIT : checkLimit(query.limit);
    const { where, params } = predictionFilter(query);
    const statement = this.predictionStatement(
      `SELECT request_id, model, version, timestamp, latency_ms, inputs, outputs, user_key
         FROM predictions${where} ORDER BY timestamp DESC, id DESC LIMIT ?`,
    );
    return (statement.all(...params, limit) as PredictionRow[]).map(toPredictionRecord);
  }

  /** How many logged predictions match the filters (`limit` is ignored). */
  async countPredictions(query: PredictionQuery = {}): Promise<number> {
    const { where, params } = predictionFilter(query);
    const statement = this.predictionStatement(`SELECT COUNT(*) AS count FROM predictions${where}`);
    return (statement.get(...params) as { count: number }).count;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  // --- helpers -------------------------------------------------------------------------------------

  private predictionStatement(sql: string): Database.Statement<(string | number)[]> {
    let statement = this.predictionQueries.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<(string | number)[]>(sql);
      this.predictionQueries.set(sql, statement);
    }
    return statement;
  }

  /** The row of an existing version, or the right not-found error. */
  private versionRow(name: string, version: number): ModelVersionRow {
    const row = this.sql.selectVersion.get(name, version);
    if (row !== undefined) return row;
    this.requireModel(name);
    throw this.versionNotFound(name, version);
  }

  private requireModel(name: string): void {
    if (this.sql.selectModel.get(name) === undefined) throw this.modelNotFound(name);
  }

  private modelNotFound(name: string): KilnError {
    return new KilnError('MODEL_NOT_FOUND', { name, known: this.sql.selectModelNames.all() });
  }

  private versionNotFound(name: string, version: number | 'latest'): KilnError {
    const versions = this.sql.selectVersionNumbers.all(name).join(', ');
    return new KilnError('VERSION_NOT_FOUND', { name, version, versions });
  }
}

/** The WHERE clause (with a leading space, or empty) and its parameters for a prediction query. */
function predictionFilter(query: PredictionQuery): { where: string; params: (string | number)[] } {
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  if (query.model !== undefined) {
    conditions.push('model = ?');
    params.push(query.model);
  }
  if (query.version !== undefined) {
    conditions.push('version = ?');
    params.push(query.version);
  }
  return { where: conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`, params };
}

function checkLimit(limit: number): number {
  if (Number.isInteger(limit) && limit > 0) return limit;
  throw new KilnError('INVALID_PARAMS', { what: 'limit', summary: `expected a positive whole number, got ${limit}` });
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

/** Alias syntax is owned by model-ref.ts: an alias is valid when `name@alias` parses as an alias reference. */
function isValidAlias(name: string, alias: string): boolean {
  try {
    const ref = parseModelRef(`${name}@${alias}`);
    return ref.kind === 'alias' && ref.alias === alias;
  } catch {
    return false;
  }
}
