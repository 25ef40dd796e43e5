/**
 * The PostgreSQL schema, as numbered migrations (kept apart from SQLite's: same tables, this dialect's
 * types). Rules as for SQLite: append, never edit or renumber a released migration.
 *
 * Times are ISO-8601 text, as in SQLite, so that both stores return identical entities; JSON columns are
 * text for the same reason (they are read and written whole).
 */
export interface PostgresMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'runs, datasets, registry, audit log, webhooks and prediction log',
    sql: `
      CREATE TABLE dataset_versions (
        id             TEXT PRIMARY KEY,
        dataset        TEXT NOT NULL,
        digest         TEXT NOT NULL,
        source         TEXT NOT NULL,
        source_digest  TEXT NOT NULL,
        schema         TEXT NOT NULL,
        rows           BIGINT NOT NULL,
        format         TEXT NOT NULL,
        created_at     TEXT NOT NULL,
        UNIQUE (dataset, digest)
      );

      CREATE TABLE runs (
        id                  TEXT PRIMARY KEY,
        seq                 BIGSERIAL NOT NULL,
        name                TEXT NOT NULL,
        task                TEXT NOT NULL,
        learner             TEXT NOT NULL,
        status              TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
        started_at          TEXT NOT NULL,
        finished_at         TEXT,
        params              TEXT NOT NULL,
        metrics             TEXT NOT NULL,
        tags                TEXT NOT NULL,
        dataset             TEXT,
        environment         TEXT NOT NULL,
        error               TEXT,
        dataset_version_id  TEXT REFERENCES dataset_versions (id)
      );
      CREATE INDEX runs_by_start ON runs (started_at, seq);

      CREATE TABLE run_metrics (
        run_id  TEXT NOT NULL REFERENCES runs (id),
        key     TEXT NOT NULL,
        value   DOUBLE PRECISION,
        PRIMARY KEY (run_id, key)
      );
      CREATE INDEX run_metrics_by_key_value ON run_metrics (key, value, run_id);

      CREATE TABLE run_params (
        run_id  TEXT NOT NULL REFERENCES runs (id),
        key     TEXT NOT NULL,
        num     DOUBLE PRECISION,
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

      CREATE TABLE metric_series (
        run_id     TEXT NOT NULL REFERENCES runs (id),
        key        TEXT NOT NULL,
        step       BIGINT NOT NULL,
        value      DOUBLE PRECISION,
        timestamp  TEXT NOT NULL,
        PRIMARY KEY (run_id, key, step)
      );

      CREATE TABLE registered_models (
        name         TEXT PRIMARY KEY,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL,
        description  TEXT NOT NULL DEFAULT '',
        tags         TEXT NOT NULL DEFAULT '{}'
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
        tags         TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (model, version)
      );

      CREATE TABLE model_aliases (
        model    TEXT NOT NULL,
        alias    TEXT NOT NULL,
        version  INTEGER NOT NULL,
        PRIMARY KEY (model, alias),
        FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
      );

      CREATE TABLE audit_log (
        id      BIGSERIAL PRIMARY KEY,
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

      CREATE TABLE webhook_deliveries (
        id               BIGSERIAL PRIMARY KEY,
        webhook_id       TEXT NOT NULL REFERENCES webhooks (id),
        event_id         BIGINT NOT NULL REFERENCES audit_log (id),
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

      CREATE TABLE predictions (
        id          BIGSERIAL PRIMARY KEY,
        request_id  TEXT NOT NULL,
        model       TEXT NOT NULL,
        version     INTEGER NOT NULL,
        timestamp   BIGINT NOT NULL,
        latency_ms  DOUBLE PRECISION NOT NULL,
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
    name: 'feedback, alerts, experiments; prediction log routing and errors',
    // As SQLite's migration 3: feedback is keyed by request id, so one outcome labels a shadow request's
    // champion and challenger answers alike. Booleans are 0/1 integers so both stores bind the same values.
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
        feedback_at  BIGINT NOT NULL
      );

      CREATE TABLE alert_rules (
        id           TEXT PRIMARY KEY,
        model        TEXT NOT NULL,
        metric       TEXT NOT NULL,
        op           TEXT NOT NULL CHECK (op IN ('>', '<')),
        threshold    DOUBLE PRECISION NOT NULL,
        window_size  INTEGER NOT NULL CHECK (window_size >= 1),
        webhook_url  TEXT,
        description  TEXT NOT NULL,
        created_at   TEXT NOT NULL
      );
      CREATE INDEX alert_rules_by_model ON alert_rules (model, created_at);

      CREATE TABLE alert_events (
        id         BIGSERIAL PRIMARY KEY,
        rule_id    TEXT NOT NULL,
        model      TEXT NOT NULL,
        metric     TEXT NOT NULL,
        value      DOUBLE PRECISION,
        threshold  DOUBLE PRECISION NOT NULL,
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
        challenger_share  DOUBLE PRECISION NOT NULL,
        outcome           TEXT NOT NULL CHECK (outcome IN ('binary', 'continuous')),
        max_error_rate    DOUBLE PRECISION,
        max_p99_ms        DOUBLE PRECISION,
        description       TEXT NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('running', 'stopped', 'promoted', 'rolled_back')),
        started_at        TEXT NOT NULL,
        ended_at          TEXT,
        end_reason        TEXT
      );
      CREATE UNIQUE INDEX experiments_one_running ON experiments (model) WHERE status = 'running';
      CREATE INDEX experiments_by_start ON experiments (started_at);
    `,
  },
  {
    version: 3,
    name: 'prediction log stored in batches',
    // As SQLite's migration 4: one row per batch of predictions, columnar JSON, and a request-id lookup
    // table; the rows logged so far move over, 1000 to a batch in logging order.
    sql: `
      CREATE TABLE prediction_batches (
        id          BIGSERIAL PRIMARY KEY,
        model       TEXT NOT NULL,
        version     INTEGER NOT NULL,
        experiment  TEXT,
        first_ts    BIGINT NOT NULL,
        last_ts     BIGINT NOT NULL,
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
      CREATE TABLE prediction_requests (
        request_id  TEXT NOT NULL,
        batch_id    BIGINT NOT NULL,
        PRIMARY KEY (request_id, batch_id)
      );
      CREATE TABLE feedback_batches (
        request_id  TEXT NOT NULL,
        batch_id    BIGINT NOT NULL,
        PRIMARY KEY (request_id, batch_id)
      );
      CREATE INDEX feedback_batches_by_batch ON feedback_batches (batch_id);

      INSERT INTO prediction_batches (model, version, experiment, first_ts, last_ts, records, min_request_id, max_request_id, indexed_ids, request_ids, payload)
      SELECT model, version, experiment, MIN(timestamp), MAX(timestamp), COUNT(*), NULL, NULL, COUNT(*),
             json_agg(request_id ORDER BY timestamp, id)::text,
             json_build_object(
               'timestamp', json_agg(timestamp ORDER BY timestamp, id),
               'latencyMs', json_agg(latency_ms ORDER BY timestamp, id),
               'inputs', json_agg(inputs::json ORDER BY timestamp, id),
               'outputs', json_agg(outputs::json ORDER BY timestamp, id),
               'userKey', json_agg(user_key ORDER BY timestamp, id),
               'arm', json_agg(arm ORDER BY timestamp, id),
               'shadow', json_agg(shadow ORDER BY timestamp, id),
               'error', json_agg(error ORDER BY timestamp, id))::text
        FROM (SELECT *, (ROW_NUMBER() OVER (PARTITION BY model, version, experiment ORDER BY timestamp, id) - 1) / 1000 AS chunk
                FROM predictions) numbered
       GROUP BY model, version, experiment, chunk
       ORDER BY MIN(timestamp);
      INSERT INTO prediction_requests (request_id, batch_id)
      SELECT DISTINCT ids.value, b.id FROM prediction_batches b, json_array_elements_text(b.request_ids::json) ids
      ON CONFLICT DO NOTHING;
      INSERT INTO feedback_batches (request_id, batch_id)
      SELECT f.request_id, r.batch_id FROM feedback f JOIN prediction_requests r ON r.request_id = f.request_id
      ON CONFLICT DO NOTHING;
      DROP TABLE predictions;
    `,
  },
];
