/**
 * The server's errors in the words of someone using the app. The API's hints are written for whoever
 * calls it ("send the file's bytes as the request body: PUT /api/uploads?filename=NAME", "check `drop:`
 * in the spec"); on a page the same failure needs what to do *here*. The server's message and code stay
 * (the code is shown, so a report still names the error); only a hint that speaks HTTP or the spec is
 * replaced, and a file's path on the server becomes the name the person chose.
 */
/** What the server said (an ApiError has these, among others). */
export interface ServerWords {
  readonly code: string;
  readonly message: string;
  readonly hint?: string | undefined;
}

/** What the page knows that the server's words do not: the file the person picked. */
export interface ErrorContext {
  readonly fileName?: string;
}

const APP_HINTS: Readonly<Record<string, (c: ErrorContext) => string>> = {
  UPLOAD_EMPTY: (c) => `${c.fileName ?? 'The file'} is empty. Open it where it was made (a spreadsheet, an export), check that it has rows, save it, then upload it again.`,
  UPLOAD_NAME_INVALID: () => 'Choose a file Kiln reads: CSV, TSV, Excel (.xlsx), Parquet, JSON or NDJSON. If it is one but its name lacks the ending (.csv, .xlsx…), rename it.',
  UPLOAD_NOT_FOUND: () => 'This server no longer has that file (it may have been cleaned up, or the link comes from another server). Upload the file again.',
  UPLOAD_IN_USE: (c) => `A training is reading ${c.fileName ?? 'this file'} right now. Wait until it has finished (or cancel it on its page), then delete the file.`,
  DATA_EMPTY: (c) => `Check that ${c.fileName ?? 'the data'} is a table: a first row naming the columns, then one row per case. A spreadsheet can save one as CSV.`,
  DATA_ENCODING: (c) =>
    `Is ${c.fileName ?? 'it'} a table saved as text? In a spreadsheet, save it as "CSV UTF-8" (or as .xlsx) and upload that; a file of another kind cannot be read as a table.`,
  NO_FEATURES: () => 'Kiln learns the chosen column from the other columns, and there is none left. Choose another column to predict, or data with more columns.',
  UNAUTHORIZED: () =>
    'This Kiln server is protected by an access token. Open the link that `kiln serve` printed when it started (it ends in ?token=…), or ask whoever runs the server for it; this browser then keeps it until it is closed.',
  JOB_NOT_FOUND: () =>
    'This server does not know that training: it remembers only its latest 100, and the link may come from another server. Open your models to see whether a version was saved, or train again.',
  JOB_INTERRUPTED: () => 'The server stopped (it was restarted or shut down) while this training ran, so it did not finish and no model was saved. Start the training again.',
};

/** Replaces an absolute path ending in the file's name (where the server stored the upload) by the name itself. */
function withFileName(text: string, fileName: string | undefined): string {
  if (fileName === undefined || fileName === '') return text;
  const escaped = fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(?:[A-Za-z]:)?[\\\\/][^\\s"'()]*[\\\\/]${escaped}`, 'g'), fileName);
}

/** The message and hint to show for a server error on a page. */
export function inAppWords(error: ServerWords, context: ErrorContext = {}): { readonly message: string; readonly hint: string | undefined } {
  const hint = APP_HINTS[error.code]?.(context) ?? error.hint;
  return { message: withFileName(error.message, context.fileName), hint: hint === undefined ? undefined : withFileName(hint, context.fileName) };
}
