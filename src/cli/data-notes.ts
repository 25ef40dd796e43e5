/**
 * What reading a table decided on the person's behalf (numbers read from text, missing markers, a guessed
 * encoding, the sheet that was read): every verb that reads a file (`kiln train`, `predict`, `explain`,
 * `curves`) prints each note on stderr, even with --json (stdout keeps its one document, which carries
 * the notes as `notes`), because those decisions change the values a model is trained on or scores.
 */
import type { IngestNote } from '../data/sources/ingest-note.js';
import { dataNoteOf, keepDataNotes } from '../modules/data-notes.js';
import type { TrainEvent } from '../modules/train-events.js';

// the same `notes` field as the app's job result (src/modules/data-notes.ts), kept importable from here
export { notesJson } from '../modules/data-notes.js';

/** One line: severity, what was done, and how to change it. */
export function dataNoteLine(note: IngestNote): string {
  return `• ${note.severity}: ${note.message} fix: ${note.fix}`;
}

export function printDataNotes(notes: readonly IngestNote[]): void {
  for (const note of notes) process.stderr.write(dataNoteLine(note) + '\n');
}

/** The notes of a table just read, printed now (before anything can fail on a changed value) and returned for --json. */
export function sayTableNotes(table: { readonly notes?: readonly IngestNote[] | undefined }): readonly IngestNote[] {
  const notes = table.notes ?? [];
  printDataNotes(notes);
  return notes;
}

/**
 * Wraps a training listener: the data's notes are kept (for --json) and printed as they come, in the
 * same form as `kiln predict`'s; every other event goes on to `next` (the progress display).
 */
export function collectDataNotes(next: (e: TrainEvent) => void): { onEvent: (e: TrainEvent) => void; notes: readonly IngestNote[] } {
  return keepDataNotes((e) => {
    const note = dataNoteOf(e);
    if (note === undefined) next(e);
    else printDataNotes([note]); // printed as `kiln predict` prints them, not as a progress line
  });
}
