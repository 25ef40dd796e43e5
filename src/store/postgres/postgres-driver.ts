/**
 * node-postgres (`pg`) behind `SqlDriver`: a connection pool, `?` placeholders numbered into `$1, $2, …`,
 * and transactions on one pooled client. BIGINT columns (ids, counts, epoch milliseconds) come back as
 * JavaScript numbers: every value Kiln stores there is far below 2^53.
 */
import pg from 'pg';
import type { SqlDialect, SqlDriver, SqlSession, SqlValue } from '../sql/driver.js';

const POSTGRES: SqlDialect = { name: 'postgres', runSequence: 'r.seq', descNullsLast: 'DESC NULLS LAST', forUpdate: ' FOR UPDATE' };
const INT8_OID = 20;

/** Parses BIGINT as a number and leaves every other type to pg's defaults. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** `?` → `$n`. Kiln's statements never hold a `?` inside a string literal, so a plain scan is enough. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function sessionOf(client: pg.Pool | pg.PoolClient): SqlSession {
  const query = async <T>(sql: string, params: readonly SqlValue[] = []) =>
    client.query(numberPlaceholders(sql), params as SqlValue[]) as unknown as Promise<pg.QueryResult<T & pg.QueryResultRow>>;
  return {
    all: async <T>(sql: string, params?: readonly SqlValue[]) => (await query<T>(sql, params)).rows as T[],
    get: async <T>(sql: string, params?: readonly SqlValue[]) => (await query<T>(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params?: readonly SqlValue[]) => (await query(sql, params)).rowCount ?? 0,
    insertMany: async (table, columns, rows) => {
      if (rows.length === 0) return;
      const values = rows.map((row) => `(${row.map(() => '?').join(', ')})`).join(', ');
      await query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`, rows.flat());
    },
  };
}

export interface PostgresConnection {
  /** Connection string without Kiln's own parameters. */
  readonly connectionString: string;
  /** Schema the tables live in (created when missing); default `public`. */
  readonly schema: string;
}

export class PostgresDriver implements SqlDriver {
  readonly dialect = POSTGRES;
  private readonly pool: pg.Pool;
  private readonly session: SqlSession;

  constructor(connection: PostgresConnection) {
    this.pool = new pg.Pool({
      connectionString: connection.connectionString,
      max: 4,
      types,
      // Every connection works in the store's schema, so statements need no schema prefix.
      options: `-c search_path=${quoteIdentifier(connection.schema)}`,
    });
    // An idle client losing its server connection must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
    this.session = sessionOf(this.pool);
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.session.all<T>(sql, params);
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.session.get<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.session.run(sql, params);
  }

  insertMany(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void> {
    return this.session.insertMany(table, columns, rows);
  }

  async transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(sessionOf(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
