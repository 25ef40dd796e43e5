/**
 * The notes reading a training's data made (src/data/sources/ingest-note.ts), kept from its `note`
 * events for its result document: `kiln train --json` and the app's job result both carry them as
 * `notes`, the same shape, because they change the values the model was trained on. Here, not in the
 * CLI, so that the API's job runners (in the server, or a `kiln worker`) use the same helper.
 */
import type { IngestNote } from '../data/sources/ingest-note.js';
import type { TrainEvent, TrainListener } from './train-events.js';

/** `{ notes: [...] }` to merge into a result document, or nothing when reading decided nothing. */
export function notesJson(notes: readonly IngestNote[]): { notes?: readonly IngestNote[] } {
  return notes.length === 0 ? {} : { notes };
}

/** The note reading the data made, when the event is one (other notes are the training's own). */
export function dataNoteOf(event: TrainEvent): IngestNote | undefined {
  return event.type === 'note' ? event.ingest : undefined;
}

/**
 * Wraps a training listener: every event goes on to `next` (the data's notes too: the app shows them
 * live), and the data's notes are kept, in order, for the result document.
 */
export function keepDataNotes(next: TrainListener): { onEvent: TrainListener; notes: readonly IngestNote[] } {
  const notes: IngestNote[] = [];
  const onEvent = (event: TrainEvent): void => {
    const note = dataNoteOf(event);
    if (note !== undefined) notes.push(note);
    next(event);
  };
  return { onEvent, notes };
}
