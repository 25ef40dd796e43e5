/**
 * Excel workbooks (`.xlsx`): the sheet named by `book.xlsx#Sheet2`, `?sheet=Sheet2` or the `sheet`
 * option; otherwise the first sheet that holds a table (a cover sheet with a title is passed over, and
 * a note names the sheets not read). Formulas count by their saved result.
 *
 * Sheets made for people are read as a person reads them (sheet-layout.ts): title rows above the
 * header are skipped, a header with merged group cells over a row of sub-headers becomes one name per
 * column ("Amounts net"), and `?header_row=N` names the header row when the guess is wrong.
 */
import ExcelJS from 'exceljs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { KilnError } from '../../core/errors.js';
import { closestNames } from '../closest-names.js';
import { checkReadableFile, sha256File } from './file-checks.js';
import type { IngestNote } from './ingest-note.js';
import { RowStager } from './row-staging.js';
import { headerNames, locateHeader, readSheetRows, type SheetRow } from './sheet-layout.js';
import type { ReadOptions, SourceRef, StagedTable, TableSource } from './source.js';

export const xlsxSource: TableSource = {
  name: 'xlsx',
  keys: ['.xlsx', '.xlsm'],
  example: 'data/book.xlsx#Sheet1',
  stage: stageXlsx,
};

/**
 * `.xls` (Excel 97–2003) is a different, binary format that Kiln does not read: say so, and how to get
 * a file it reads, rather than "unknown kind of source".
 */
export const legacyExcelSource: TableSource = {
  name: 'xls',
  keys: ['.xls'],
  example: 'data/book.xlsx',
  stage: (ref) => {
    throw new KilnError('DATA_UNREADABLE', {
      path: ref.text,
      reason: 'it is an Excel 97–2003 workbook (.xls), a format Kiln does not read',
      hint: 'open it in Excel or LibreOffice and save it as .xlsx (Excel Workbook), or export the sheet as CSV',
    });
  },
};

async function stageXlsx(ref: SourceRef, conn: DuckDBConnection, options: ReadOptions): Promise<StagedTable> {
  checkReadableFile(ref);
  options.onProgress?.(`reading ${ref.text}`);
  // Hashing the bytes runs on Node's side while the workbook is parsed.
  const digesting = sha256File(ref.location);
  digesting.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(ref.location);
  } catch (err) {
    throw new KilnError('DATA_UNREADABLE', { path: ref.text, reason: `not a readable .xlsx workbook (${(err as Error).message})`, hint: 'save the file from Excel as an .xlsx workbook (Excel 2007 or later), or export the sheet as CSV' }, { cause: err });
  }
  const notes: IngestNote[] = [];
  const { sheet, rows } = pickSheet(workbook, ref.params['sheet'] ?? options.sheet, ref, notes);
  const where = `${ref.text} (sheet "${sheet.name}")`;
  const headerRowParam = ref.params['header_row'];
  const header = locateHeader(rows, headerRowParam === undefined ? undefined : headerRowOf(headerRowParam, ref), where);
  if (header.titleRows.length > 0) {
    notes.push({
      code: 'title_rows_skipped',
      severity: 'info',
      columns: [],
      message: `Row(s) ${header.titleRows.join(', ')} of sheet "${sheet.name}" sit above the table (a title or a note) and are left out; the header is row ${header.headerRow}${header.subHeaderRow === undefined ? '' : ` with sub-headers in row ${header.subHeaderRow}`}.`,
      fix: `If the header is another row, name it: ${ref.text.split(/[?#]/)[0] ?? ref.text}?sheet=${encodeURIComponent(sheet.name)}&header_row=N.`,
    });
  }
  const names = headerNames(header, rows);
  const stager = new RowStager(names);
  const unsaved = new Array<number>(names.length).fill(0);
  for (const row of rows) {
    if (row.number <= (header.subHeaderRow ?? header.headerRow)) continue;
    stager.add(names.map((_, j) => {
      const cell = row.cells[j];
      if (cell?.unsavedFormula === true) unsaved[j] = (unsaved[j] ?? 0) + 1;
      return cell?.value ?? null;
    }));
  }
  if (stager.rows === 0) {
    stager.discard();
    throw new KilnError('DATA_EMPTY', { path: where });
  }
  const withUnsaved = names.filter((_, j) => (unsaved[j] ?? 0) > 0);
  if (withUnsaved.length > 0) {
    notes.push({
      code: 'formulas_without_results',
      severity: 'warning',
      columns: withUnsaved,
      message: `${withUnsaved.map((n) => `"${n}"`).join(', ')} hold formulas whose results are not saved in the file (it was written by a program, not by Excel); those cells are read as empty.`,
      fix: 'Open the workbook in Excel or LibreOffice and save it again, so the results are stored with the formulas, or export the sheet as CSV.',
    });
  }
  const table = await stager.load(conn, ref.text);
  return { table, digest: await digesting, skippedRows: 0, notes };
}

function headerRowOf(text: string, ref: SourceRef): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new KilnError('SOURCE_INVALID', { source: ref.text, reason: `header_row must be a row number (1 for the first row), not "${text}"`, example: 'e.g. book.xlsx?sheet=Data&header_row=3' });
  }
  return n;
}

/** The named sheet, else the first holding a table (at least two columns and a row below the header). */
function pickSheet(workbook: ExcelJS.Workbook, wanted: string | undefined, ref: SourceRef, notes: IngestNote[]): { sheet: ExcelJS.Worksheet; rows: SheetRow[] } {
  const names = workbook.worksheets.map((w) => w.name);
  if (wanted !== undefined) {
    const byName = workbook.getWorksheet(wanted);
    if (byName !== undefined) return { sheet: byName, rows: readSheetRows(byName) };
    const close = closestNames(wanted, names);
    throw new KilnError('SOURCE_INVALID', {
      source: ref.text,
      reason: `the workbook has no sheet "${wanted}"`,
      example: close.length > 0 ? `did you mean ${close.map((c) => `"${c}"`).join(' or ')}?` : `its sheets: ${names.join(', ')}`,
    });
  }
  const read = workbook.worksheets.map((sheet) => ({ sheet, rows: readSheetRows(sheet) }));
  const first = read[0];
  if (first === undefined) throw new KilnError('DATA_EMPTY', { path: ref.text });
  const holdsTable = (rows: readonly SheetRow[]) => rows.length >= 2 && rows.some((r) => r.filled >= 2);
  const chosen = read.find((s) => holdsTable(s.rows)) ?? first;
  const others = read.filter((s) => s !== chosen && s.rows.length > 0);
  if (others.length > 0) {
    const file = ref.text.split(/[?#]/)[0] ?? ref.text;
    const skipped = read.slice(0, read.indexOf(chosen)).filter((s) => s.rows.length > 0);
    const unread = others.filter((s) => !skipped.includes(s));
    const suggested = unread.find((s) => holdsTable(s.rows)) ?? others[0];
    const parts = [
      skipped.length > 0 ? `${skipped.map((s) => `"${s.sheet.name}"`).join(', ')} before it ${skipped.length === 1 ? 'holds' : 'hold'} no table` : '',
      unread.length > 0 ? `not read: ${unread.map((s) => `"${s.sheet.name}" (${s.rows.length} rows)`).join(', ')}` : '',
    ].filter((p) => p !== '');
    notes.push({
      code: 'sheet_chosen',
      severity: 'info',
      columns: [],
      message: `The workbook has ${read.length} sheets; read "${chosen.sheet.name}" (${parts.join('; ')}).`,
      fix: `To read another sheet, name it: ${file}#${suggested?.sheet.name ?? 'Sheet2'} (or ?sheet=NAME, or --sheet NAME).`,
    });
  }
  return chosen;
}
