/**
 * The store for teams: the same runs, datasets, registry, audit log, webhooks and prediction log as the
 * SQLite store (../sql/sql-store.ts), in PostgreSQL.
 *
 *   postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]
 *
 * `schema` (Kiln's own parameter, removed before connecting) puts the tables in that schema, created when
 * missing — several Kiln homes, or parallel test runs, can share one database. Version numbering locks the
 * model's row (SELECT … FOR UPDATE), so concurrent registrations from any number of processes get
 * distinct, consecutive numbers.
 */
import pg from 'pg';
import { KilnError } from '../../core/errors.js';
import { SqlStore, type SqlStoreOptions } from '../sql/sql-store.js';
import { POSTGRES_MIGRATIONS, type PostgresMigration } from './migrations.js';
import { PostgresDriver, quoteIdentifier, type PostgresConnection } from './postgres-driver.js';

/** An arbitrary constant: with the schema's hash it names the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 0x6b696c6e; // "kiln"

export class PostgresStore extends SqlStore {
  /** Connects, creates the schema when missing and applies the migrations it has not had. */
  static async open(url: string, options: SqlStoreOptions = {}): Promise<PostgresStore> {
    const location = redact(url);
    const connection = parseConnection(url, location);
    try {
      await prepareSchema(connection);
    } catch (err) {
      if (err instanceof KilnError) throw err;
      const reason = err instanceof Error ? err.message || String((err as { code?: unknown }).code ?? err) : String(err);
      throw new KilnError('STORE_UNAVAILABLE', { location, reason }, { cause: err });
    }
    return new PostgresStore(new PostgresDriver(connection), location, options);
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

function parseConnection(url: string, location: string): PostgresConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new KilnError('UNSUPPORTED_STORE', { url: location, schemes: 'sqlite:, postgres://, postgresql://' });
  }
  const schema = parsed.searchParams.get('schema') ?? 'public';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new KilnError('INVALID_PARAMS', { what: 'store URL', summary: `schema "${schema}" must be letters, digits and "_" (at most 63)` });
  }
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

async function prepareSchema(connection: PostgresConnection, migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS): Promise<void> {
  const client = new pg.Client({ connectionString: connection.connectionString });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('BEGIN');
    // Two processes opening a fresh database at once wait for each other here; the second finds it done.
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK, connection.schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(connection.schema)}`);
    await client.query(`SET LOCAL search_path = ${quoteIdentifier(connection.schema)}`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version     INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        applied_at  TEXT NOT NULL
      )`);
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
    const newest = Math.max(0, ...applied);
    const known = Math.max(0, ...migrations.map((m) => m.version));
    if (newest > known) {
      throw new Error(`it was written by a newer Kiln (schema version ${newest}; this Kiln knows up to ${known})`);
    }
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        new Date().toISOString(),
      ]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}
