/**
 * The tables a module is trained on — the spec's data and, when it names one, its separate test data —
 * read the same way by every trainer (tabular, text, segments, anomalies, recommendations), so that what
 * reading decided on the person's behalf (a guessed encoding, numbers read from "$1,234", "N/A" read as
 * missing, the sheet that was read) is always said: each note becomes a `note` training event carrying
 * it whole (`ingest`), which `kiln train` prints and puts in --json and the app's job view shows.
 */
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
