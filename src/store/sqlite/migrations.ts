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
