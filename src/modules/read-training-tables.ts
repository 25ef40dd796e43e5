/**
 * The tables a module is trained on — the spec's data and, when it names one, its separate test data —
 * read the same way by every trainer (tabular, text, segments, anomalies, recommendations), so that what
 * reading decided on the person's behalf (a guessed encoding, numbers read from "$1,234", "N/A" read as
 * missing, the sheet that was read) is always said: each note becomes a `note` training event carrying
 * it whole (`ingest`), which `kiln train` prints and puts in --json and the app's job view shows.
 * The trainers that split one frame (tables, texts, segments, anomalies) append the test table's rows
 * to the training rows the same way too (trainingFrame).
 */
import { KilnError } from '../core/errors.js';
import { concatRows, type Frame } from '../core/frame.js';
import type { LoadedTable } from '../data/sources/csv.js';
import type { IngestNote } from '../data/sources/ingest-note.js';
import { readTable } from '../data/sources/read-table.js';
import type { LoadedSpec } from './spec.js';
import type { TrainListener } from './train-events.js';

export interface TrainingTables {
  readonly table: LoadedTable;
  /** The spec's `test_data` table, read as the training table is; undefined without one. */
  readonly testTable: LoadedTable | undefined;
}

/** What a note about the test table starts with, so that a person can tell which file it is about. */
const TEST_DATA_PREFIX = 'in the test data: ';

export async function readTrainingTables(loaded: LoadedSpec, emit: TrainListener): Promise<TrainingTables> {
  emit({ type: 'stage', stage: 'read', message: `reading ${loaded.spec.data}` });
  const table = await readTable(loaded.dataPath, { baseDir: loaded.baseDir });
  // said as soon as the table is read, before anything (the test table included) can fail on the
  // values reading changed: "the rating is empty in 3 rows" makes sense once "NA" read as missing is said
  emitDataNotes(emit, table.notes ?? [], '');
  if (loaded.testDataPath === undefined) return { table, testTable: undefined };
  const testTable = await readTable(loaded.testDataPath, { baseDir: loaded.baseDir });
  emitDataNotes(emit, testTable.notes ?? [], TEST_DATA_PREFIX);
  return { table, testTable };
}

function emitDataNotes(emit: TrainListener, notes: readonly IngestNote[], prefix: string): void {
  for (const note of notes) {
    const said = prefix === '' ? note : { ...note, message: `${prefix}${note.message}` };
    emit({ type: 'note', message: said.message, ingest: said });
  }
}

/**
 * The frame a trainer splits: the training table's rows, then (when the spec names a test table) the
 * test table's rows, which become the held-out part — the last `testTable.frame.nRows` rows. The test
 * table needs every column of the training table; columns only it has are left out.
 */
export function trainingFrame({ table, testTable }: TrainingTables, loaded: Pick<LoadedSpec, 'testDataPath'>): Frame {
  if (testTable === undefined) return table.frame;
  const missing = table.frame.names.filter((n) => !testTable.frame.has(n));
  if (missing.length > 0) {
    throw new KilnError('COLUMN_NOT_FOUND', {
      column: missing.join('", "'),
      what: `missing from the test data ${loaded.testDataPath ?? ''}, which needs every column of the training table`,
      columns: testTable.frame.names,
    });
  }
  return concatRows(table.frame, testTable.frame);
}
