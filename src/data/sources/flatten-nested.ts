/**
 * Nested values (JSON objects inside rows, Parquet structs and lists) become plain columns: an object
 * becomes one column per field, named with dots as pandas' `json_normalize` does (`customer.address.city`);
 * a list or a map becomes its JSON text. A model learns nothing from `{'cat': b, 'addr': {…}}` read as
 * one category per distinct object.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdentifier, sqlString } from '../duckdb.js';
import type { IngestNote } from './ingest-note.js';
import { describeTable } from './staged-table.js';

/** Objects nested deeper than this are kept as JSON text (a guard against pathological files). */
const MAX_DEPTH = 5;

export async function flattenNested(conn: DuckDBConnection, table: string): Promise<IngestNote[]> {
  const flattened = new Set<string>();
  const asText = new Set<string>();
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    const columns = await describeTable(conn, table);
    if (!columns.some((c) => isStruct(c.type) || isListOrMap(c.type))) break;
    const select: string[] = [];
    for (const c of columns) {
      const col = sqlIdentifier(c.name);
      if (isStruct(c.type) && depth < MAX_DEPTH) {
        const fields = (await describeTable(conn, `SELECT ${col}.* FROM ${table} LIMIT 0`)).map((f) => f.name);
        for (const f of fields) select.push(`struct_extract(${col}, ${sqlString(f)}) AS ${sqlIdentifier(`${c.name}.${f}`)}`);
        flattened.add(c.name.split('.')[0] ?? c.name);
      } else if (isStruct(c.type) || isListOrMap(c.type)) {
        select.push(`CAST(to_json(${col}) AS VARCHAR) AS ${col}`);
        asText.add(c.name);
      } else select.push(col);
    }
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT ${select.join(', ')} FROM ${table}`);
  }
  const notes: IngestNote[] = [];
  if (flattened.size > 0) {
    notes.push({
      code: 'nested_objects_flattened',
      severity: 'info',
      columns: [...flattened],
      message: `${[...flattened].map((n) => `"${n}"`).join(', ')} hold nested objects; each field is read as its own column, named with dots (e.g. "${[...flattened][0]}.field").`,
      fix: 'Nothing to do; refer to the fields by their dotted names (to drop one, to use one as the target).',
    });
  }
  if (asText.size > 0) {
    notes.push({
      code: 'lists_read_as_text',
      severity: 'warning',
      columns: [...asText],
      message: `${[...asText].map((n) => `"${n}"`).join(', ')} hold lists (or maps); each is read as its JSON text, which a model can only use as a category.`,
      fix: 'Turn each list into columns a model can use before training (a count, a flag per frequent item), or drop the column.',
    });
  }
  return notes;
}

function isStruct(type: string): boolean {
  return type.startsWith('STRUCT(');
}

function isListOrMap(type: string): boolean {
  return type.endsWith(']') || type.startsWith('MAP(') || type === 'JSON' || type.startsWith('UNION(');
}
