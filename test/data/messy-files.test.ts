/**
 * Spreadsheets as business users send them: formatted numbers, missing markers, stray words, blank
 * rows under the data, other encodings, nested JSON, workbooks with a cover sheet, a title row and a
 * two-row header. Each is read as a person reads it, and every decision taken is a note.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { isKilnError } from '../../src/core/errors.js';
import { toNumericColumn, writtenNumber } from '../../src/data/coerce.js';
import type { Frame } from '../../src/core/frame.js';
import { inspectSource } from '../../src/data/profile/inspect.js';
import { readTable } from '../../src/data/sources/read-table.js';
import { decimalMarkOf } from '../../src/data/sources/tidy-table.js';
import { tempDir, writeFixture } from './data-fixtures.js';

const dir = tempDir('kiln-messy-');

function numbers(frame: Frame, name: string): (number | null)[] {
  const c = frame.get(name);
  assert.ok(c?.kind === 'numeric', `${name} should be numeric`);
  return Array.from(c.values, (v) => (Number.isNaN(v) ? null : v));
}

function texts(frame: Frame, name: string): (string | null)[] {
  const c = frame.get(name);
  assert.ok(c?.kind === 'categorical', `${name} should be text`);
  return [...c.values];
}

const lines = (header: string, rows: readonly string[]) => [header, ...rows].join('\n') + '\n';

describe('numbers written for people', () => {
  test('currency, percent, thousands separators (comma, space, dot with a decimal comma)', async () => {
    const path = writeFixture(dir, 'money.csv', lines('price,rate,big,spaced', [
      '"$1,234.50",45%,"1,000",1 234',
      '$12.00,5%,"12,345,678",12 000',
      '"€ 7",100%,999,7',
    ]));
    const t = await readTable(path);
    assert.deepEqual(numbers(t.frame, 'price'), [1234.5, 12, 7]);
    assert.deepEqual(numbers(t.frame, 'rate'), [45, 5, 100]);
    assert.deepEqual(numbers(t.frame, 'big'), [1000, 12345678, 999]);
    assert.deepEqual(numbers(t.frame, 'spaced'), [1234, 12000, 7]);
    assert.equal(t.sourceTypes['rate'], 'BIGINT', 'whole numbers stay whole numbers');
    const note = t.notes?.find((n) => n.code === 'numbers_read_from_text' && n.columns[0] === 'rate');
    assert.match(note?.message ?? '', /45% is read as 45/);
    const euro = await readTable(writeFixture(dir, 'euro-thousands.csv', lines('amount;city', ['1.234,5;Lyon', '12,25;Nice', '1.000.000;Metz'])));
    assert.deepEqual(numbers(euro.frame, 'amount'), [1234.5, 12.25, 1000000]);
  });

  test('a column whose first rows are empty is still read as numbers', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => (i < 2500 ? ',x' : `"$${i}.50",x`));
    const t = await readTable(writeFixture(dir, 'late-money.csv', lines('amount,g', rows)));
    assert.equal(numbers(t.frame, 'amount')[2999], 2999.5);
  });

  test('missing markers are missing; a few stray words are missing too, with a warning naming them', async () => {
    const values = Array.from({ length: 40 }, (_, i) => (i === 3 ? 'NA' : i === 4 ? '-' : i === 5 ? '?' : i === 6 ? 'null' : i === 9 ? 'unknown' : String(i + 0.5)));
    const path = writeFixture(dir, 'markers.csv', lines('amount,y', values.map((v, i) => `${v},${i % 2}`)));
    const t = await readTable(path);
    const amount = numbers(t.frame, 'amount');
    assert.equal(amount[0], 0.5);
    assert.deepEqual([3, 4, 5, 6, 9].map((i) => amount[i]), [null, null, null, null, null]);
    const report = await inspectSource(path, { target: 'y' });
    const stray = report.findings.find((f) => f.code === 'text_in_number_column');
    assert.equal(stray?.severity, 'warning');
    assert.match(stray?.message ?? '', /1 of its values are not numbers \("unknown"\)/);
    assert.match(stray?.message ?? '', /"-", "\?", "NA", "null" read as missing/);
    assert.equal(report.columns.find((c) => c.name === 'amount')?.type, 'numeric', 'not an identifier, not a category');
  });

  test('the decimal mark: the point wins a tie, too many strays keep a column text', () => {
    assert.equal(decimalMarkOf({ present: 10, markers: 0, point: 10, comma: 10, currency: 0, percent: 0, leadingZeros: 0 }), '.');
    assert.equal(decimalMarkOf({ present: 10, markers: 0, point: 2, comma: 10, currency: 0, percent: 0, leadingZeros: 0 }), ',');
    assert.equal(decimalMarkOf({ present: 100, markers: 10, point: 86, comma: 0, currency: 0, percent: 0, leadingZeros: 0 }), '.', '4 strays of 90 values');
    assert.equal(decimalMarkOf({ present: 100, markers: 0, point: 90, comma: 0, currency: 0, percent: 0, leadingZeros: 0 }), undefined, '10 strays of 100');
    assert.equal(decimalMarkOf({ present: 5, markers: 5, point: 0, comma: 0, currency: 0, percent: 0, leadingZeros: 0 }), undefined, 'only markers');
  });
});

describe('dates written for people', () => {
  test('ISO dates, day-first dates and Excel day numbers in one column become one date column', async () => {
    const t = await readTable(writeFixture(dir, 'dates.csv', lines('signup,n', ['2024-01-05,1', '25/01/2024,2', '45296,3', '03/02/2024,4', 'N/A,5'])));
    assert.equal(t.sourceTypes['signup'], 'DATE');
    assert.deepEqual(texts(t.frame, 'signup'), ['2024-01-05', '2024-01-25', '2024-01-05', '2024-02-03', null]);
    const note = t.notes?.find((n) => n.code === 'dates_read_from_text');
    assert.equal(note?.severity, 'warning', 'several ways of writing dates deserve a look');
    assert.match(note?.message ?? '', /day first/);
  });

  test('dates no value decides stay text with a warning, until ?dates= says which', async () => {
    const path = writeFixture(dir, 'ambiguous.csv', lines('day,n', ['05/01/2024,1', '2024-03-04,2', '06/02/2024,3', '45296,4']));
    const kept = await inspectSource(path);
    assert.equal(kept.columns.find((c) => c.name === 'day')?.sourceType, 'VARCHAR');
    assert.match(kept.findings.find((f) => f.code === 'ambiguous_dates')?.fix ?? '', /\?dates=dmy/);
    assert.equal(kept.findings.some((f) => f.code === 'mixed_types'), false, 'dates are not "numbers mixed with text"');
    assert.deepEqual(texts((await readTable(`${path}?dates=mdy`)).frame, 'day'), ['2024-05-01', '2024-03-04', '2024-06-02', '2024-01-05']);
    assert.deepEqual(texts((await readTable(`${path}?dates=dmy`)).frame, 'day'), ['2024-01-05', '2024-03-04', '2024-02-06', '2024-01-05']);
    await assert.rejects(readTable(`${path}?dates=ymd`), (err: unknown) => isKilnError(err, 'SOURCE_INVALID'));
  });

  test('five-digit numbers alone stay numbers; codes with leading zeros stay text', async () => {
    const t = await readTable(writeFixture(dir, 'zip.json', JSON.stringify([{ zip: '45296', code: '0012' }, { zip: '30120', code: '0345' }])));
    assert.deepEqual(numbers(t.frame, 'zip'), [45296, 30120]);
    assert.deepEqual(texts(t.frame, 'code'), ['0012', '0345']);
  });
});

describe('values scored later are read like training files', () => {
  test('writtenNumber: formatted numbers, missing markers, and text that is no number', () => {
    assert.equal(writtenNumber('$1,234.50'), 1234.5);
    assert.equal(writtenNumber(' 45% '), 45);
    assert.equal(writtenNumber('1 234'), 1234);
    assert.ok(Number.isNaN(writtenNumber('N/A') ?? 0));
    assert.equal(writtenNumber('12abc'), undefined);
    assert.equal(writtenNumber('1,2,3'), undefined);
    const column = toNumericColumn({ kind: 'categorical', name: 'price', values: ['$12.50', '-', null] });
    assert.deepEqual(Array.from(column.values, (v) => (Number.isNaN(v) ? null : v)), [12.5, null, null]);
  });
});

describe('spreadsheet leftovers and encodings', () => {
  test('blank rows under the data and trailing empty columns are left out, with notes', async () => {
    const path = writeFixture(dir, 'trailing.csv', 'a,b,y,,\r\n1,x,yes,,\r\n2,z,no,,\r\n,,,,\r\n,,,,\r\n');
    const t = await readTable(path);
    assert.deepEqual(t.frame.names, ['a', 'b', 'y']);
    assert.equal(t.frame.nRows, 2);
    assert.deepEqual(t.notes?.map((n) => n.code), ['blank_rows_dropped', 'empty_columns_dropped']);
  });

  test('Windows-1252 (€, curly quotes) is guessed; UTF-16 with a byte-order mark is read', async () => {
    const cp1252 = Buffer.concat([Buffer.from('note,n\n'), Buffer.from([0x80, 0x20, 0x92, 0x65, 0x74, 0xe9]), Buffer.from(',1\n')]);
    const t = await readTable(writeFixture(dir, 'cp1252.csv', cp1252));
    assert.deepEqual(texts(t.frame, 'note'), ['€ ’eté']);
    const named = await readTable(`${writeFixture(dir, 'cp1252b.csv', cp1252)}?encoding=windows-1252`);
    assert.deepEqual(texts(named.frame, 'note'), ['€ ’eté']);
    assert.equal(named.notes?.some((n) => n.code === 'encoding_guessed'), false, 'a named encoding is not a guess');
    const utf16 = Buffer.from('\ufeffville,n\nZürich,1\nKöln,2\n', 'utf16le');
    assert.deepEqual(texts((await readTable(writeFixture(dir, 'utf16.csv', utf16))).frame, 'ville'), ['Zürich', 'Köln']);
  });
});

describe('JSON', () => {
  test('nested objects become dotted columns; lists become JSON text, with a warning', async () => {
    const rows = [{ id: 1, customer: { segment: 'a', address: { city: 'Lyon' } }, tags: ['p'] }, { id: 2, customer: { segment: 'b', address: { city: 'Nice' } }, tags: [] }];
    const t = await readTable(writeFixture(dir, 'nested.json', JSON.stringify(rows)));
    assert.deepEqual(t.frame.names, ['id', 'customer.segment', 'customer.address.city', 'tags']);
    assert.deepEqual(texts(t.frame, 'customer.address.city'), ['Lyon', 'Nice']);
    assert.deepEqual(texts(t.frame, 'tags'), ['["p"]', '[]']);
    assert.deepEqual(t.notes?.map((n) => n.code).sort(), ['lists_read_as_text', 'nested_objects_flattened']);
  });

  test('a bad NDJSON line gets a hint about NDJSON, not about CSV', async () => {
    await assert.rejects(readTable(writeFixture(dir, 'bad.ndjson', '{"a":1}\n{"a":\n')), (err: unknown) => {
      assert.ok(isKilnError(err, 'DATA_UNREADABLE'));
      assert.match(err.hint ?? '', /one JSON object per line/);
      assert.doesNotMatch(err.hint ?? '', /CSV/);
      return true;
    });
  });
});

describe('workbooks made for people', () => {
  let path: string;
  before(async () => {
    path = `${dir}/report.xlsx`;
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Cover').getCell('A1').value = 'Quarterly report';
    const ws = wb.addWorksheet('Data');
    ws.getCell('A1').value = 'Sales 2024';
    ws.mergeCells('A1:E1');
    ws.getRow(3).values = ['Region', 'Amounts', null, 'Day', 'Check'];
    ws.mergeCells('B3:C3');
    ws.getRow(4).values = [null, 'net', 'gross', null, null];
    ws.mergeCells('A3:A4'); // "Region" spans both header rows
    for (let i = 0; i < 5; i++) {
      const r = 5 + i;
      ws.getRow(r).values = [['north', 'south'][i % 2], 10 + i * 3, { formula: `B${r}*1.2`, result: (10 + i * 3) * 1.2 }, new Date(Date.UTC(2024, 0, 1 + i)), { formula: `B${r}*2` }];
    }
    await wb.xlsx.writeFile(path);
  });

  test('the cover sheet is passed over, the title skipped, a two-row header joined, dates typed', async () => {
    const t = await readTable(path);
    assert.deepEqual(t.frame.names, ['Region', 'Amounts net', 'Amounts gross', 'Day', 'Check']);
    assert.deepEqual(texts(t.frame, 'Region').slice(0, 2), ['north', 'south']);
    assert.deepEqual(numbers(t.frame, 'Amounts net').slice(0, 2), [10, 13]);
    assert.equal(t.sourceTypes['Day'], 'DATE');
    const codes = t.notes?.map((n) => n.code) ?? [];
    for (const code of ['sheet_chosen', 'title_rows_skipped', 'formulas_without_results']) assert.ok(codes.includes(code), code);
    assert.match(t.notes?.find((n) => n.code === 'sheet_chosen')?.fix ?? '', /report\.xlsx#Cover/);
    assert.deepEqual(t.notes?.find((n) => n.code === 'formulas_without_results')?.columns, ['Check']);
  });

  test('values right of the header are kept; an .xls workbook is refused with the way out', async () => {
    const wide = `${dir}/wide.xlsx`;
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('S');
    ws.addRow(['a', 'b']);
    ws.addRow([1, 2, 'note']);
    ws.addRow([3, 4]);
    await wb.xlsx.writeFile(wide);
    const t = await readTable(wide);
    assert.deepEqual(t.frame.names, ['a', 'b', 'column_3']);
    assert.deepEqual(texts(t.frame, 'column_3'), ['note', null]);
    await assert.rejects(readTable(writeFixture(dir, 'old.xls', 'not read')), (err: unknown) => {
      assert.ok(isKilnError(err, 'DATA_UNREADABLE'));
      assert.match(err.hint ?? '', /save it as \.xlsx/);
      return true;
    });
  });

  test('header_row names the header when the guess is wrong; a bad one is explained', async () => {
    const t = await readTable(`${path}?sheet=Data&header_row=4`);
    assert.deepEqual(t.frame.names.slice(0, 3), ['Region', 'net', 'gross']);
    await assert.rejects(readTable(`${path}?sheet=Data&header_row=two`), (err: unknown) => isKilnError(err, 'SOURCE_INVALID'));
    await assert.rejects(readTable(`${path}?sheet=Data&header_row=2`), (err: unknown) => isKilnError(err, 'SOURCE_INVALID'));
  });
});

describe('a file that is not text, named .csv', () => {
  test('an image, a workbook or bytes with NULs are refused by what they are (they reached SQL as column names)', async () => {
    const cases: [name: string, bytes: Buffer, reason: RegExp][] = [
      ['image.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00, 0x01, 0x22, 0x0a, 0x00, 0x22, 0x2c, 0x0a]), /it is a PNG image, not a table saved as text/],
      ['book.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]), /zip archive \(an Excel \.xlsx workbook is one: keep its \.xlsx name\)/],
      ['nul.csv', Buffer.from('name,age\nann\u0000,3\n', 'latin1'), /holds NUL bytes/],
    ];
    for (const [name, bytes, reason] of cases) {
      const path = writeFixture(dir, name, bytes);
      await assert.rejects(readTable(path), (err: unknown) => isKilnError(err, 'DATA_UNREADABLE') && reason.test(err.message) && /give the table itself/.test(err.hint ?? ''), name);
    }
    // a UTF-16 file (its byte-order mark says so) holds NULs and is text
    const utf16 = writeFixture(dir, 'utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n1,2\n', 'utf16le')]));
    assert.equal((await readTable(utf16)).frame.nRows, 1);
  });
});
