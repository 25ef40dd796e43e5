/**
 * `inspectSource`: the whole of `kiln inspect` as a library call — stage a source in DuckDB, profile
 * it there, and list what is wrong with it. The result is plain data: the CLI prints it or writes it
 * as JSON, the HTML report draws it, the HTTP API can return it as it is.
 */
import { withStagedTable, type IngestNote, type ReadOptions } from '../sources/read-table.js';
import { bySeverity, findIssues, type Finding } from './findings.js';
import { profileTable } from './profile-table.js';
import type { ColumnProfile, TargetProfile } from './profile-types.js';

export interface InspectOptions extends ReadOptions {
  readonly target?: string;
}

export interface InspectReport {
  readonly source: string;
  /** sha256 of the file's bytes (of the query and its result for databases). */
  readonly digest: string;
  readonly rows: number;
  /** Malformed rows left out under `onBadRows: 'skip'`. */
  readonly skippedRows: number;
  readonly duplicateRows: number;
  readonly columns: readonly ColumnProfile[];
  readonly target?: TargetProfile;
  readonly findings: readonly Finding[];
}

export async function inspectSource(source: string, options: InspectOptions = {}): Promise<InspectReport> {
  return withStagedTable(source, options, async (conn, staged) => {
    const profile = await profileTable(conn, staged.table, {
      source,
      ...(options.target === undefined ? {} : { target: options.target }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
    return {
      source,
      digest: staged.digest,
      rows: profile.rows,
      skippedRows: staged.skippedRows,
      duplicateRows: profile.duplicateRows,
      columns: profile.columns,
      ...(profile.target === undefined ? {} : { target: profile.target }),
      // What reading decided (numbers read from text, a guessed encoding, …) is listed with the problems.
      findings: bySeverity([...(staged.notes ?? []), ...withoutDateConfusion(findIssues(profile), staged.notes ?? [])]),
    };
  });
}

/** Notes about dates kept as text (read-dates.ts) say what to do; "mixes numbers with text" would mislead. */
const DATE_NOTES = new Set(['ambiguous_dates', 'mixed_date_formats']);

function withoutDateConfusion(findings: readonly Finding[], notes: readonly IngestNote[]): Finding[] {
  const dateColumns = new Set(notes.filter((n) => DATE_NOTES.has(n.code)).flatMap((n) => n.columns));
  return findings.filter((f) => !((f.code === 'mixed_types' || f.code === 'numbers_as_text') && f.columns.some((c) => dateColumns.has(c))));
}
