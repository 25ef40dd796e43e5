/** Reading a streamed DOUBLE column into JavaScript fast (see numeric-pass.ts). */
import type { DuckDBDataChunk } from '@duckdb/node-api';

/**
 * A DOUBLE column of a chunk into `into`. Every streamed column is free of NULLs (a missing value was
 * turned into NaN in the query), so the vector's values are all there is to read: its `items` array
 * (a field @duckdb/node-api keeps but does not type as public) is copied in one go — reading value by
 * value through `getItem` costs several times the whole profile's arithmetic. Should a later version
 * of the client not have it, values are read one by one.
 */
export function readDoubles(chunk: DuckDBDataChunk, column: number, into: Float64Array): void {
  const vector = chunk.getColumnVector(column);
  const rows = chunk.rowCount;
  const items = (vector as unknown as { readonly items?: unknown }).items;
  if (items instanceof Float64Array && items.length === rows) {
    into.set(items);
    return;
  }
  for (let r = 0; r < rows; r++) into[r] = (vector.getItem(r) as number | null) ?? Number.NaN;
}
