/**
 * PostgreSQL for tests: KILN_TEST_POSTGRES_URL names a real server (.ci/run starts one). Each store a
 * test opens lives in its own fresh schema, so parallel test files and tests never see each other's rows;
 * `dropTestSchemas` removes them afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_URL = process.env['KILN_TEST_POSTGRES_URL'];

/** Why PostgreSQL tests are skipped, or undefined when they run. */
export const POSTGRES_SKIP =
  POSTGRES_URL === undefined || POSTGRES_URL === ''
    ? 'KILN_TEST_POSTGRES_URL is not set: start PostgreSQL with `bash ../shared/ci/services.sh postgres` and export KILN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/kiln'
    : undefined;

const created: string[] = [];

/** A store URL in a schema of its own (not created yet: opening the store creates it). */
export function freshSchemaUrl(): string {
  if (POSTGRES_URL === undefined) throw new Error(POSTGRES_SKIP);
  const schema = `kiln_test_${process.pid}_${randomBytes(5).toString('hex')}`;
  created.push(schema);
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('schema', schema);
  return url.toString();
}

export async function dropTestSchemas(): Promise<void> {
  if (POSTGRES_URL === undefined || created.length === 0) return;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    for (const schema of created.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Empties every Kiln table of the schema in `url` (keeping the schema and its migrations). */
export async function truncateSchema(url: string): Promise<void> {
  const schema = new URL(url).searchParams.get('schema') ?? 'public';
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'schema_migrations'",
      [schema],
    );
    if (rows.length > 0) {
      await client.query(`TRUNCATE ${rows.map((r) => `"${schema}"."${r.table_name}"`).join(', ')} RESTART IDENTITY CASCADE`);
    }
  } finally {
    await client.end();
  }
}
