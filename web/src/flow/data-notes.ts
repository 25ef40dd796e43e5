/**
 * What reading the data changed, as the Train page says it: a `note` event carrying `ingest` is such a
 * decision ("N/A" read as missing, "$1,234" read as a number), shown apart from the training's own notes
 * (diagnoses, "waiting for 1 job"), with its fix, because it changed the values the model learned from.
 * A warning is marked in words, not by colour alone.
 */
import type { DataNote } from '../api/types.js';

/** The note reading the data made that an event's `ingest` (or a result's `notes` item) holds, when it is one. */
export function dataNoteFrom(value: unknown): DataNote | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['message'] !== 'string' || typeof v['fix'] !== 'string') return undefined;
  return {
    code: typeof v['code'] === 'string' ? v['code'] : '',
    severity: v['severity'] === 'warning' ? 'warning' : 'info',
    columns: Array.isArray(v['columns']) ? v['columns'].filter((c): c is string => typeof c === 'string') : [],
    message: v['message'],
    fix: v['fix'],
  };
}

/** A result's `notes`, those that are well-formed. */
export function dataNotesOfResult(result: unknown): readonly DataNote[] {
  const notes = typeof result === 'object' && result !== null ? (result as Record<string, unknown>)['notes'] : undefined;
  return Array.isArray(notes) ? notes.flatMap((n) => dataNoteFrom(n) ?? []) : [];
}

export interface DataNoteWords {
  /** The mark before the note, in words: a warning asks to be checked. */
  readonly label: string;
  readonly severity: DataNote['severity'];
  readonly message: string;
  /** "If that is wrong: …", the note's fix. */
  readonly ifWrong: string;
}

/** The notes as the page lists them: warnings first (they may have changed values wrongly), then in the order they came. */
export function dataNotesInWords(notes: readonly DataNote[]): readonly DataNoteWords[] {
  const ordered = [...notes.filter((n) => n.severity === 'warning'), ...notes.filter((n) => n.severity !== 'warning')];
  return ordered.map((n) => ({
    label: n.severity === 'warning' ? 'Check this' : 'Good to know',
    severity: n.severity,
    message: n.message,
    ifWrong: `If that is wrong: ${n.fix}`,
  }));
}
