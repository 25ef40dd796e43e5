/**
 * The SQLite schema, as numbered migrations. A database records which migrations it has had in
 * `schema_migrations`; opening a store applies the missing ones, so a home created by an older Kiln is
 * upgraded in place and reopening a current one changes nothing.
 *
 * Rules for whoever adds a migration: append, never edit or renumber a released one (databases in the
 * field have already run it), keep versions consecutive, and write SQL for SQLite only — the PostgreSQL
 * store keeps its own numbered list (MLflow does the same per dialect).
 */
import type Database from 'better-sqlite3';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, registry and prediction log',
    // JSON columns hold the open-ended parts of an entity (params, metrics, tags, signature, artifacts):
    // they are read and written whole, never queried into, so a column per key would buy nothing.
    sql: `
      CREATE TABLE runs (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        task         TEXT NOT NULL,
        learner      TEXT NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
        started_at   TEXT NOT NULL,
        finished_at  TEXT,
        params       TEXT NOT NULL,
        metrics      TEXT NOT NULL,
        tags         TEXT NOT NULL,
        dataset      TEXT,
        environment  TEXT NOT NULL,
        error        TEXT
      );
      CREATE INDEX runs_by_start ON runs (started_at);

      CREATE TABLE registered_models (
        name        TEXT PRIMARY KEY,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );

      CREATE TABLE model_versions (
        model        TEXT NOT NULL REFERENCES registered_models (name),
        version      INTEGER NOT NULL CHECK (version >= 1),
        run_id       TEXT REFERENCES runs (id),
        created_at   TEXT NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('ready', 'archived')),
        artifacts    TEXT NOT NULL,
        signature    TEXT NOT NULL,
        metrics      TEXT NOT NULL,
        description  TEXT NOT NULL,
        PRIMARY KEY (model, version)
      );

      CREATE TABLE model_aliases (
        model    TEXT NOT NULL,
        alias    TEXT NOT NULL,
        version  INTEGER NOT NULL,
        PRIMARY KEY (model, alias),
        FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
      );

      -- The prediction log has no foreign key to model_versions on purpose: serving can log for models
      -- loaded from a Triton repository that were never registered, and the hot insert path stays lean.
      CREATE TABLE predictions (
        id          INTEGER PRIMARY KEY,
        request_id  TEXT NOT NULL,
        model       TEXT NOT NULL,
        version     INTEGER NOT NULL,
        timestamp   INTEGER NOT NULL,
        latency_ms  REAL NOT NULL,
        inputs      TEXT NOT NULL,
        outputs     TEXT NOT NULL,
        user_key    TEXT
      );
      CREATE INDEX predictions_by_model_version_time ON predictions (model, version, timestamp);
      CREATE INDEX predictions_by_time ON predictions (timestamp);
    `,
  },
  {
    version: 2,
    name: 'run search, metric series, datasets, tags, audit log, webhooks',
    // Run search needs to find runs by a metric, param or tag without reading every run's JSON: the side
    // tables below repeat those values one per row, indexed by (key, value). The JSON columns stay the
    // source the entities are read from; the store writes both in the same transaction.
    sql: `
      CREATE TABLE run_metrics (
        run_id  TEXT NOT NULL REFERENCES runs (id),
        key     TEXT NOT NULL,
        value   REAL,
        PRIMARY KEY (run_id, key)
      );
      CREATE INDEX run_metrics_by_key_value ON run_metrics (key, value, run_id);

      CREATE TABLE run_params (
        run_id  TEXT NOT NULL REFERENCES runs (id),
        key     TEXT NOT NULL,
        num     REAL,
        text    TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      );
      CREATE INDEX run_params_by_key_num ON run_params (key, num, run_id);
      CREATE INDEX run_params_by_key_text ON run_params (key, text, run_id);

      CREATE TABLE run_tags (
        run_id  TEXT NOT NULL REFERENCES runs (id),
        key     TEXT NOT NULL,
        value   TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      );
      CREATE INDEX run_tags_by_key_value ON run_tags (key, value, run_id);

      -- Runs already recorded become searchable too.
      INSERT INTO run_metrics (run_id, key, value)
        SELECT r.id, j.key,
               CASE WHEN j.type IN ('real', 'integer') THEN j.value
                    WHEN j.value = 'Infinity' THEN 9e999 WHEN j.value = '-Infinity' THEN -9e999 END -- NaN stays NULL
          FROM runs r, json_each(r.metrics) j;
      INSERT INTO run_params (run_id, key, num, text)
        SELECT r.id, j.key,
               CASE WHEN j.type IN ('real', 'integer') THEN j.value END,
               CASE WHEN j.type IN ('object', 'array') THEN j.value WHEN j.type = 'null' THEN 'null' ELSE CAST(j.value AS TEXT) END
          FROM runs r, json_each(r.params) j;
      UPDATE run_params SET text = CASE text WHEN '1' THEN 'true' ELSE 'false' END
       WHERE (run_id, key) IN (SELECT r.id, j.key FROM runs r, json_each(r.params) j WHERE j.type IN ('true', 'false'));
      INSERT INTO run_tags (run_id, key, value) SELECT r.id, j.key, j.value FROM runs r, json_each(r.tags) j;

      CREATE TABLE metric_series (
        run_id     TEXT NOT NULL REFERENCES runs (id),
        key        TEXT NOT NULL,
        step       INTEGER NOT NULL,
        value      REAL,
        timestamp  TEXT NOT NULL,
        PRIMARY KEY (run_id, key, step)
      );

      CREATE TABLE dataset_versions (
        id             TEXT PRIMARY KEY,
        dataset        TEXT NOT NULL,
        digest         TEXT NOT NULL,
        source         TEXT NOT NULL,
        source_digest  TEXT NOT NULL,
        schema         TEXT NOT NULL,
        rows           INTEGER NOT NULL,
        format         TEXT NOT NULL,
        created_at     TEXT NOT NULL,
        UNIQUE (dataset, digest)
      );
      ALTER TABLE runs ADD COLUMN dataset_version_id TEXT REFERENCES dataset_versions (id);

      ALTER TABLE registered_models ADD COLUMN description TEXT NOT NULL DEFAULT '';
      ALTER TABLE registered_models ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
      ALTER TABLE model_versions ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';

      CREATE TABLE audit_log (
        id      INTEGER PRIMARY KEY,
        at      TEXT NOT NULL,
        actor   TEXT NOT NULL,
        action  TEXT NOT NULL,
        entity  TEXT NOT NULL,
        model   TEXT,
        before  TEXT NOT NULL,
        after   TEXT NOT NULL
      );
      CREATE INDEX audit_log_by_model ON audit_log (model, id);
      CREATE INDEX audit_log_by_entity ON audit_log (entity, id);

      CREATE TABLE webhooks (
        id           TEXT PRIMARY KEY,
        url          TEXT NOT NULL,
        events       TEXT NOT NULL,
        secret       TEXT,
        description  TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        deleted_at   TEXT
      );

      -- The outbox: a registry change inserts its deliveries in its own transaction, so an event can
      -- never be lost between the change and its delivery (see docs/decisions.md).
      CREATE TABLE webhook_deliveries (
        id               INTEGER PRIMARY KEY,
        webhook_id       TEXT NOT NULL REFERENCES webhooks (id),
        event_id         INTEGER NOT NULL REFERENCES audit_log (id),
        event            TEXT NOT NULL,
        payload          TEXT NOT NULL,
        status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts         INTEGER NOT NULL,
        next_attempt_at  TEXT NOT NULL,
        lease_until      TEXT,
        last_error       TEXT,
        created_at       TEXT NOT NULL,
        delivered_at     TEXT
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
      CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, id);
    `,
  },
  {
    version: 3,
    name: 'feedback, alerts, experiments; prediction log routing and errors',
    // Feedback is keyed by request id, not by prediction row: a shadow-mode request logs the champion's
    // and the challenger's answer under one request id, and one outcome labels both.
    sql: `
      ALTER TABLE predictions ADD COLUMN experiment TEXT;
      ALTER TABLE predictions ADD COLUMN arm TEXT CHECK (arm IN ('champion', 'challenger'));
      ALTER TABLE predictions ADD COLUMN shadow INTEGER NOT NULL DEFAULT 0 CHECK (shadow IN (0, 1));
      ALTER TABLE predictions ADD COLUMN error TEXT;
      CREATE INDEX predictions_by_request ON predictions (request_id);
      CREATE INDEX predictions_by_experiment_time ON predictions (experiment, timestamp) WHERE experiment IS NOT NULL;
      CREATE INDEX predictions_by_model_time ON predictions (model, timestamp);

      CREATE TABLE feedback (
        request_id   TEXT PRIMARY KEY,
        outcome      TEXT NOT NULL,
        feedback_at  INTEGER NOT NULL
      );

      CREATE TABLE alert_rules (
        id           TEXT PRIMARY KEY,
        model        TEXT NOT NULL,
        metric       TEXT NOT NULL,
        op           TEXT NOT NULL CHECK (op IN ('>', '<')),
        threshold    REAL NOT NULL,
        window_size  INTEGER NOT NULL CHECK (window_size >= 1),
        webhook_url  TEXT,
        description  TEXT NOT NULL,
        created_at   TEXT NOT NULL
      );
      CREATE INDEX alert_rules_by_model ON alert_rules (model, created_at);

      -- Events outlive their rule (no foreign key): deleting a rule must not erase what it saw.
      CREATE TABLE alert_events (
        id         INTEGER PRIMARY KEY,
        rule_id    TEXT NOT NULL,
        model      TEXT NOT NULL,
        metric     TEXT NOT NULL,
        value      REAL,
        threshold  REAL NOT NULL,
        message    TEXT NOT NULL,
        at         TEXT NOT NULL
      );
      CREATE INDEX alert_events_by_model ON alert_events (model, id);
      CREATE INDEX alert_events_by_rule ON alert_events (rule_id, id);

      CREATE TABLE experiments (
        id                TEXT PRIMARY KEY,
        model             TEXT NOT NULL REFERENCES registered_models (name),
        champion          INTEGER NOT NULL,
        challenger        INTEGER NOT NULL,
        mode              TEXT NOT NULL CHECK (mode IN ('split', 'shadow', 'canary')),
        challenger_share  REAL NOT NULL,
        outcome           TEXT NOT NULL CHECK (outcome IN ('binary', 'continuous')),
        max_error_rate    REAL,
        max_p99_ms        REAL,
        description       TEXT NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('running', 'stopped', 'promoted', 'rolled_back')),
        started_at        TEXT NOT NULL,
        ended_at          TEXT,
        end_reason        TEXT
      );
      -- At most one running experiment per model, whatever races the application-level check loses.
      CREATE UNIQUE INDEX experiments_one_running ON experiments (model) WHERE status = 'running';
      CREATE INDEX experiments_by_start ON experiments (started_at);
    `,
  },
  {
    version: 4,
    name: 'prediction log stored in batches',
    // One row per batch of up to 1000 predictions of one model version, columnar JSON (see
    // src/store/prediction-batch.ts for why). The rows logged so far move over in the same layout —
    // grouped by model, version and experiment, 1000 to a batch in logging order — and their request
    // ids into the lookup table that feedback uses; then the per-prediction table goes.
    sql: `
      CREATE TABLE prediction_batches (
        id          INTEGER PRIMARY KEY,
        model       TEXT NOT NULL,
        version     INTEGER NOT NULL,
        experiment  TEXT,
        first_ts    INTEGER NOT NULL,
        last_ts     INTEGER NOT NULL,
        records     INTEGER NOT NULL,
        -- the range of the request ids found by their time, and how many ids went into prediction_requests
        min_request_id  TEXT,
        max_request_id  TEXT,
        indexed_ids     INTEGER NOT NULL,
        request_ids     TEXT NOT NULL,
        payload         TEXT NOT NULL
      );
      CREATE INDEX prediction_batches_by_model ON prediction_batches (model, version, last_ts);
      CREATE INDEX prediction_batches_by_time ON prediction_batches (last_ts);
      CREATE INDEX prediction_batches_by_experiment ON prediction_batches (experiment, last_ts) WHERE experiment IS NOT NULL;
      -- request ids not found by their time (see src/store/prediction-batch.ts) → the batches holding them
      CREATE TABLE prediction_requests (
        request_id  TEXT NOT NULL,
        batch_id    INTEGER NOT NULL,
        PRIMARY KEY (request_id, batch_id)
      ) WITHOUT ROWID;
      -- which batches hold the records an outcome labels: found once, when the feedback arrives
      CREATE TABLE feedback_batches (
        request_id  TEXT NOT NULL,
        batch_id    INTEGER NOT NULL,
        PRIMARY KEY (request_id, batch_id)
      ) WITHOUT ROWID;
      CREATE INDEX feedback_batches_by_batch ON feedback_batches (batch_id);

      INSERT INTO prediction_batches (model, version, experiment, first_ts, last_ts, records, min_request_id, max_request_id, indexed_ids, request_ids, payload)
      SELECT model, version, experiment, MIN(timestamp), MAX(timestamp), COUNT(*), NULL, NULL, COUNT(*),
             json_group_array(request_id),
             json_object(
               'timestamp', json_group_array(timestamp),
               'latencyMs', json_group_array(latency_ms),
               'inputs', json_group_array(json(inputs)),
               'outputs', json_group_array(json(outputs)),
               'userKey', json_group_array(user_key),
               'arm', json_group_array(arm),
               'shadow', json_group_array(shadow),
               'error', json_group_array(error))
        FROM (SELECT *, (ROW_NUMBER() OVER (PARTITION BY model, version, experiment ORDER BY timestamp, id) - 1) / 1000 AS chunk
                FROM predictions ORDER BY timestamp, id)
       GROUP BY model, version, experiment, chunk
       ORDER BY MIN(timestamp);
      INSERT OR IGNORE INTO prediction_requests (request_id, batch_id)
      SELECT ids.value, b.id FROM prediction_batches b, json_each(b.request_ids) ids;
      INSERT OR IGNORE INTO feedback_batches (request_id, batch_id)
      SELECT f.request_id, r.batch_id FROM feedback f JOIN prediction_requests r ON r.request_id = f.request_id;
      DROP TABLE predictions;
    `,
  },
];

/**
 * Applies the migrations `db` has not had yet, all in one IMMEDIATE transaction: two processes opening a
 * fresh file at once serialise here, and the second one finds everything already applied.
 * Returns the versions applied now (empty when the schema was current).
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const apply = db.transaction((): number[] => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version     INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        applied_at  TEXT NOT NULL
      )
    `);
    const applied = new Set(
      db.prepare<[], number>('SELECT version FROM schema_migrations').pluck().all(),
    );
    const newest = Math.max(0, ...applied);
    const known = Math.max(0, ...migrations.map((m) => m.version));
    if (newest > known) {
      // Running old code on a newer schema could silently drop what the newer Kiln writes.
      throw new Error(`it was written by a newer Kiln (schema version ${newest}; this Kiln knows up to ${known})`);
    }

    const record = db.prepare<[number, string, string]>(
      'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    const appliedNow: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
      appliedNow.push(migration.version);
    }
    return appliedNow;
  });
  return apply.immediate();
}
