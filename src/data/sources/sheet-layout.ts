/**
 * Where the table is on a spreadsheet made for people. Above the header there may be a title, a date,
 * a blank row; the header may have a group cell merged across several columns ("Amounts") over a row
 * of sub-headers ("net", "gross"). The header is the first row filled across at least half the
 * table's width (a title fills one merged cell, however wide it is drawn); a row of text under a
 * header with merged cells is its second header row. `header_row=N` overrides the guess.
 */
import ExcelJS from 'exceljs';
import { KilnError } from '../../core/errors.js';

export interface SheetCell {
  /** The value as JSON can hold it: dates as ISO text, formulas by their saved result. */
  readonly value: unknown;
  /** The address of the merged range's top-left cell (its own address when not merged). */
  readonly master: { readonly row: number; readonly col: number };
  /** A formula whose result was never saved (written by a program that does not compute). */
  readonly unsavedFormula: boolean;
}

export interface SheetRow {
  /** The sheet's row number (1 for the first row). */
  readonly number: number;
  /** `cells[j]` is column j + 1. */
  readonly cells: readonly (SheetCell | undefined)[];
  /** Filled cells, a merged range counting once. */
  readonly filled: number;
}

export interface HeaderLayout {
  readonly headerRow: number;
  readonly subHeaderRow?: number;
  /** Non-empty rows above the header, left out. */
  readonly titleRows: readonly number[];
  readonly header: SheetRow;
  readonly subHeader?: SheetRow;
}

/** Rows looked at to judge the table's width. */
const ROWS_FOR_WIDTH = 50;

export function readSheetRows(sheet: ExcelJS.Worksheet): SheetRow[] {
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    const cells: (SheetCell | undefined)[] = [];
    const masters = new Set<string>();
    for (let j = 1; j <= row.cellCount; j++) {
      const cell = row.getCell(j);
      const master = cell.master;
      const raw = master.value;
      const value = cellValue(raw);
      cells.push({ value, master: { row: Number(master.row), col: Number(master.col) }, unsavedFormula: isUnsavedFormula(raw) });
      if (value !== null && String(value).trim() !== '') masters.add(master.address);
    }
    if (masters.size > 0 || cells.some((c) => c?.unsavedFormula === true)) rows.push({ number, cells, filled: masters.size });
  });
  return rows;
}

export function locateHeader(rows: readonly SheetRow[], given: number | undefined, where: string): HeaderLayout {
  let index: number;
  if (given !== undefined) {
    index = rows.findIndex((r) => r.number === given);
    if (index < 0) throw new KilnError('SOURCE_INVALID', { source: where, reason: `row ${given} (header_row) is empty`, example: 'name the row that holds the column names, counting from 1 as Excel does' });
  } else {
    const widest = Math.max(0, ...rows.slice(0, ROWS_FOR_WIDTH).map((r) => r.filled));
    const enough = widest <= 1 ? 1 : Math.max(2, Math.ceil(widest / 2));
    index = Math.max(0, rows.findIndex((r) => r.filled >= enough));
  }
  const header = rows[index];
  if (header === undefined) throw new KilnError('DATA_EMPTY', { path: where });
  const titleRows = rows.slice(0, index).map((r) => r.number);
  const next = rows[index + 1];
  const subHeader = next !== undefined && next.number === header.number + 1 && isSubHeader(header, next) ? next : undefined;
  return {
    headerRow: header.number,
    titleRows,
    header,
    ...(subHeader === undefined ? {} : { subHeaderRow: subHeader.number, subHeader }),
  };
}

/** A header with a cell merged across columns (or down into the next row) over a row of words. */
function isSubHeader(header: SheetRow, next: SheetRow): boolean {
  const mergedAcross = header.cells.some((c, j) => c !== undefined && c.master.row === header.number && c.master.col !== j + 1);
  const mergedDown = next.cells.some((c) => c !== undefined && c.master.row === header.number);
  if (!mergedAcross && !mergedDown) return false;
  const own = next.cells.filter((c): c is SheetCell => c !== undefined && c.master.row === next.number && c.value !== null && String(c.value).trim() !== '');
  return own.length > 0 && own.every((c) => typeof c.value === 'string' && Number.isNaN(Number(c.value)));
}

/** One name per column: "group sub" under a merged group cell, `column_N` for an empty header cell. */
export function headerNames(layout: HeaderLayout, rows: readonly SheetRow[]): string[] {
  // Values right of the last header cell are kept (as `column_N`), not dropped; an empty one is
  // left out later with the other unnamed empty columns (tidy-table.ts).
  const width = Math.max(layout.header.cells.length, layout.subHeader?.cells.length ?? 0, ...rows.map((r) => (r.number > layout.headerRow ? r.cells.length : 0)));
  const text = (c: SheetCell | undefined) => (c === undefined || c.value === null ? '' : String(c.value).trim());
  const names = Array.from({ length: width }, (_, j) => {
    const top = text(layout.header.cells[j]);
    const below = layout.subHeader?.cells[j];
    // a header cell merged down over the sub-header row names the column alone
    const sub = below === undefined || below.master.row !== layout.subHeader?.number ? '' : text(below);
    const name = [top, sub].filter((s) => s !== '').join(' ');
    return name === '' ? `column_${j + 1}` : name;
  });
  return uniqueNames(names);
}

/** A cell's value as a plain JSON value. */
function cellValue(v: ExcelJS.CellValue): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return dateText(v);
  if (typeof v !== 'object') return v;
  if ('result' in v) return v.result === undefined ? null : cellValue(v.result as ExcelJS.CellValue);
  if ('richText' in v) return v.richText.map((t) => t.text).join('');
  if ('text' in v) return typeof v.text === 'string' ? v.text : cellValue(v.text as ExcelJS.CellValue);
  return null; // an error value (#N/A, #DIV/0!) or a formula without a saved result
}

function isUnsavedFormula(v: ExcelJS.CellValue): boolean {
  return v !== null && typeof v === 'object' && !(v instanceof Date) && ('formula' in v || 'sharedFormula' in v) && (v as { result?: unknown }).result === undefined;
}

/**
 * Excel stores dates as day counts, which ExcelJS returns as UTC dates. `2024-01-05` (or with the time
 * when there is one) is what the JSON reader types as a DATE or TIMESTAMP, so the column is a date.
 */
function dateText(d: Date): string | null {
  if (Number.isNaN(d.getTime())) return null;
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
}

/** Header cells made distinct (`name`, `name_2`), as DuckDB does for CSV headers. */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k === 1 ? n : `${n}_${k}`;
  });
}
