/**
 * The table learning and validation curves are drawn from when they start from a spec (tabular or
 * text): its data file, read as training reads it, and what reading it changed handed to `onNotes`
 * before any fit, so that a failure on a changed value ("the target is empty in 3 rows") comes after
 * the note that explains it ("NA" read as missing). With a separate test table every row of the data
 * file is a training row: the test table is not read.
 */
import type { LoadedTable } from '../data/sources/csv.js';
import { readTable } from '../data/sources/read-table.js';
import type { LoadedSpec } from './spec.js';
import type { CurvesOptions } from './tabular/tabular-curves.js';

export async function readCurvesData(loaded: LoadedSpec, options: Pick<CurvesOptions, 'onNotes'>): Promise<LoadedTable> {
  const table = await readTable(loaded.dataPath, { baseDir: loaded.baseDir });
  options.onNotes?.(table.notes ?? []);
  return table;
}
