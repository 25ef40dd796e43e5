/**
 * What reading a source changed or decided on the person's behalf (a guessed encoding, the sheet that
 * was read, numbers read from text, blank rows left out). Nothing is done silently: each decision is
 * a note with the same shape as a profile finding, so `kiln inspect` lists it among the findings and
 * training can print it.
 */
export interface IngestNote {
  /** Stable machine name, e.g. `numbers_read_from_text`. */
  readonly code: string;
  readonly severity: 'info' | 'warning';
  readonly columns: readonly string[];
  readonly message: string;
  readonly fix: string;
}
