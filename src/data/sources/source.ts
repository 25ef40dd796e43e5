/**
 * One interface for every place a table can come from. A source is named by one string, the same in
 * the CLI, the module spec and the API: `data/x.csv`, `book.xlsx#Sheet2`, `sqlite:shop.db?table=orders`,
 * `postgres://user@host/db?query=select …`, `sql:SELECT … FROM 'a.csv' JOIN 'b.parquet' …`.
 * Decisions a file cannot make for itself are parameters too: `?encoding=windows-1252` (a text file
 * that is not UTF-8; Windows-1252 is guessed otherwise, with a note), `?delim=;`, `?decimal=,`,
 * `?header_row=3` (an Excel sheet's header row), `?dates=dmy` or `mdy` (how `05/01/2024` reads).
 *
 * Every source is "staged" into a DuckDB temp table of the connection it is given. From there the rows
 * can be read into a Frame (for training) or profiled with SQL without ever entering JavaScript
 * (for `kiln inspect`), whatever the source was.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { IngestNote } from './ingest-note.js';

/** A source string, taken apart. */
export interface SourceRef {
  /** The string as the user wrote it (shown in messages). */
  readonly text: string;
  /** `file`, or the scheme before the colon: `sqlite`, `postgres`, `sql`. */
  readonly scheme: string;
  /** A resolved file path, a connection URL without Kiln's parameters, or a SQL query. */
  readonly location: string;
  /** The file's extension, lower-case with its dot (`.csv`, `.csv.gz`); empty for non-files. */
  readonly extension: string;
  /** `?key=value` parameters and a `#fragment` (stored as `sheet`). */
  readonly params: Readonly<Record<string, string>>;
}

export type BadRowPolicy = 'stop' | 'skip';

export interface ReadOptions {
  /** Folder relative paths are resolved from (a spec file's folder); default the working folder. */
  readonly baseDir?: string;
  /** What to do with a malformed row: stop with its line number (default), or skip it and count it. */
  readonly onBadRows?: BadRowPolicy;
  /** An Excel sheet's name (the same as `file.xlsx#Sheet` or `?sheet=`). */
  readonly sheet?: string;
  /** A text file's encoding when it is not UTF-8 (`windows-1252`, `latin-1`, `utf-16`, …; the same as `?encoding=`). */
  readonly encoding?: string;
  /** Read with this source kind whatever the name says (e.g. `csv` for a `.txt` file). */
  readonly as?: string;
  /** Stage messages for a person ("reading …"), for long reads. */
  readonly onProgress?: (message: string) => void;
}

/** A source staged into DuckDB: the temp table holding its rows, and what is known about them. */
export interface StagedTable {
  /** A temp table of the connection the source was staged on. */
  readonly table: string;
  /** sha256 of the file's bytes, or of the query and a fingerprint of its result for databases. */
  readonly digest: string;
  /** Malformed rows left out under `onBadRows: 'skip'`. */
  readonly skippedRows: number;
  /** What reading decided on the person's behalf (a guessed encoding, the sheet read, …). */
  readonly notes?: readonly IngestNote[];
}

export interface TableSource {
  /** The kind's name, e.g. `csv` (usable as `ReadOptions.as`). */
  readonly name: string;
  /** Registry keys: file extensions (`.csv`) and/or schemes (`sqlite`). */
  readonly keys: readonly string[];
  /** One example source string, for help texts and hints. */
  readonly example: string;
  stage(ref: SourceRef, conn: DuckDBConnection, options: ReadOptions): Promise<StagedTable>;
}
