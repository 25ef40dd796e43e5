/**
 * Excel workbooks (`.xlsx`): the first sheet, or one named by `book.xlsx#Sheet2`, `?sheet=Sheet2` or
 * the `sheet` option. The first non-empty row is the header. Formulas count by their cached result.
 */
import ExcelJS from 'exceljs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { KilnError } from '../../core/errors.js';
import { closestNames } from '../closest-names.js';
import { checkReadableFile, sha256File } from './file-checks.js';
import { RowStager } from './row-staging.js';
import type { ReadOptions, SourceRef, StagedTable, TableSource } from './source.js';

export const xlsxSource: TableSource = {
  name: 'xlsx',
  keys: ['.xlsx'],
  example: 'data/book.xlsx#Sheet1',
  stage: stageXlsx,
};

async function stageXlsx(ref: SourceRef, conn: DuckDBConnection, options: ReadOptions): Promise<StagedTable> {
  checkReadableFile(ref);
  options.onProgress?.(`reading ${ref.text}`);
  // Hashing the bytes runs on Node's side while DuckDB parses on its own threads.
  const digesting = sha256File(ref.location);
  digesting.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(ref.location);
  } catch (err) {
    throw new KilnError('DATA_UNREADABLE', { path: ref.text, reason: `not a readable .xlsx workbook (${(err as Error).message})` }, { cause: err });
  }
  const sheet = pickSheet(workbook, ref.params['sheet'] ?? options.sheet, ref);

  let header: string[] | undefined;
  let stager: RowStager | undefined;
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values = Array.from({ length: row.cellCount }, (_, j) => cellValue(row.getCell(j + 1).value));
    if (header === undefined) {
      header = uniqueNames(values.map((v, j) => (v === null || String(v).trim() === '' ? `column_${j + 1}` : String(v).trim())));
      stager = new RowStager(header);
      return;
    }
    stager?.add(values);
  });
  if (stager === undefined || stager.rows === 0) {
    stager?.discard();
    throw new KilnError('DATA_EMPTY', { path: `${ref.text} (sheet "${sheet.name}")` });
  }
  const table = await stager.load(conn, ref.text);
  return { table, digest: await digesting, skippedRows: 0 };
}

function pickSheet(workbook: ExcelJS.Workbook, wanted: string | undefined, ref: SourceRef): ExcelJS.Worksheet {
  const names = workbook.worksheets.map((w) => w.name);
  if (wanted === undefined) {
    const first = workbook.worksheets[0];
    if (first === undefined) throw new KilnError('DATA_EMPTY', { path: ref.text });
    return first;
  }
  const byName = workbook.getWorksheet(wanted);
  if (byName !== undefined) return byName;
  const close = closestNames(wanted, names);
  throw new KilnError('SOURCE_INVALID', {
    source: ref.text,
    reason: `the workbook has no sheet "${wanted}"`,
    example: close.length > 0 ? `did you mean ${close.map((c) => `"${c}"`).join(' or ')}?` : `its sheets: ${names.join(', ')}`,
  });
}

/** A cell's value as a plain JSON value. */
function cellValue(v: ExcelJS.CellValue): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date || typeof v !== 'object') return v;
  if ('result' in v) return v.result === undefined ? null : cellValue(v.result as ExcelJS.CellValue);
  if ('richText' in v) return v.richText.map((t) => t.text).join('');
  if ('text' in v) return typeof v.text === 'string' ? v.text : cellValue(v.text as ExcelJS.CellValue);
  if ('error' in v) return null;
  return null;
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
