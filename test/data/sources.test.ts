import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { isKilnError, type ErrorCode } from '../../src/core/errors.js';
import type { Frame } from '../../src/core/frame.js';
import { sqlString, withDuckDB } from '../../src/data/duckdb.js';
import { readCsv } from '../../src/data/sources/csv.js';
import { readTable } from '../../src/data/sources/read-table.js';
import { csvText, tempDir, writeFixture } from './data-fixtures.js';

const dir = tempDir();

function numbers(frame: Frame, name: string): number[] {
  const c = frame.get(name);
  assert.ok(c?.kind === 'numeric', `${name} should be numeric`);
  return Array.from(c.values);
}

function texts(frame: Frame, name: string): (string | null)[] {
  const c = frame.get(name);
  assert.ok(c?.kind === 'categorical', `${name} should be text`);
  return [...c.values];
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, check?: (err: { message: string; hint?: string | undefined; details: Record<string, unknown> }) => void): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isKilnError(err, code), `expected ${code}, got ${String(err)}`);
    check?.(err);
    return true;
  });
}

describe('CSV and TSV', () => {
  test('types, the digest of the bytes, and readCsv still working', async () => {
    const path = writeFixture(dir, 'plain.csv', csvText(['id', 'x', 'name'], [[1, 1.5, 'a'], [2, 2.5, 'b'], [3, null, 'c']]));
    const t = await readTable(path);
    assert.deepEqual(t.frame.names, ['id', 'x', 'name']);
    assert.deepEqual(numbers(t.frame, 'x').map((v) => (Number.isNaN(v) ? null : v)), [1.5, 2.5, null]);
    assert.deepEqual(texts(t.frame, 'name'), ['a', 'b', 'c']);
    assert.equal(t.sourceTypes['id'], 'BIGINT');
    assert.equal(t.digest, createHash('sha256').update(readFileSync(path)).digest('hex'));
    const legacy = await readCsv(path);
    assert.equal(legacy.digest, t.digest);
    assert.equal(legacy.frame.nRows, 3);
  });

  test('semicolons, a decimal comma, a UTF-8 BOM and CRLF line ends', async () => {
    const text = '\uFEFFprice;city\r\n3,5;Lyon\r\n10,25;Paris\r\n-1,0;Nice\r\n';
    const t = await readTable(writeFixture(dir, 'euro.csv', text));
    assert.deepEqual(t.frame.names, ['price', 'city']);
    assert.deepEqual(numbers(t.frame, 'price'), [3.5, 10.25, -1]);
    assert.deepEqual(texts(t.frame, 'city'), ['Lyon', 'Paris', 'Nice']);
  });

  test('a decimal comma is recognised past the first rows, and a word past them keeps a column text', async () => {
    // 3,000 rows: the first 2,048 are looked at first, the rest only for columns still in question
    const rows = Array.from({ length: 3000 }, (_, i) => `${i < 2500 ? '' : `${i},5`};${i},25;${i === 2999 ? 'n/a' : `${i},75`};${i % 2 === 0 ? 'word' : `${i},1`}`);
    const t = await readTable(writeFixture(dir, 'euro-late.csv', `late;early;marked;mixed\n${rows.join('\n')}\n`));
    assert.equal(numbers(t.frame, 'late')[2999], 2999.5, 'values only after the first rows still read as numbers');
    assert.equal(numbers(t.frame, 'early')[7], 7.25);
    assert.equal(numbers(t.frame, 'marked')[2998], 2998.75, 'a missing marker late in the file does not make the column text');
    assert.ok(Number.isNaN(numbers(t.frame, 'marked')[2999]), '"n/a" is missing');
    assert.equal(texts(t.frame, 'mixed')[1], '1,1', 'half words, half numbers: the column stays text');
    assert.ok(t.notes?.some((n) => n.code === 'numbers_read_from_text' && n.columns.includes('marked')));
  });

  test('quoted fields with delimiters and quotes inside', async () => {
    const text = 'a,b\n"x, y","say ""hi"""\n"z",2\n';
    const t = await readTable(writeFixture(dir, 'quoted.csv', text));
    assert.deepEqual(texts(t.frame, 'a'), ['x, y', 'z']);
    assert.deepEqual(texts(t.frame, 'b'), ['say "hi"', '2']);
  });

  test('.tsv is tab-separated', async () => {
    const t = await readTable(writeFixture(dir, 'data.tsv', 'a\tb\n1\tx y\n2\tz\n'));
    assert.deepEqual(numbers(t.frame, 'a'), [1, 2]);
    assert.deepEqual(texts(t.frame, 'b'), ['x y', 'z']);
  });

  test('a type guess from the first rows is corrected by a later row', async () => {
    const rows = Array.from({ length: 30000 }, (_, i) => [i, i < 29999 ? i : 'n/a', i < 20000 ? i : `w${i}`]);
    const t = await readTable(writeFixture(dir, 'late.csv', csvText(['i', 'v', 'w'], rows)));
    assert.equal(t.frame.nRows, 30000);
    assert.equal(t.sourceTypes['w'], 'VARCHAR', 'a third of the values are words: text');
    assert.equal(numbers(t.frame, 'v')[29998], 29998, 'a late "n/a" is a missing number, not a reason to make the column text');
    assert.ok(Number.isNaN(numbers(t.frame, 'v')[29999]));
  });

  test('a malformed row stops the read with its line number, or is skipped and counted', async () => {
    const path = writeFixture(dir, 'ragged.csv', 'a,b\n1,2\n3,4,5\n6,7\n8\n');
    await rejectsWith(readTable(path), 'DATA_UNREADABLE', (err) => {
      assert.equal(err.details['line'], 3);
      assert.equal(err.details['badRows'], 2);
      assert.match(err.message, /line 3 has 3 fields but the header has 2 \(2 malformed lines in all; .*--on-bad-rows skip/);
    });
    const t = await readTable(path, { onBadRows: 'skip' });
    assert.deepEqual(numbers(t.frame, 'a'), [1, 6]);
    assert.equal(t.skippedRows, 2);
  });

  test('a bad row far past the sniffer sample is still named by line', async () => {
    const rows = Array.from({ length: 40000 }, (_, i) => `${i},${i * 2}`);
    rows[35000] = '1,2,3';
    const path = writeFixture(dir, 'late-bad.csv', 'a,b\n' + rows.join('\n') + '\n');
    await rejectsWith(readTable(path), 'DATA_UNREADABLE', (err) => assert.equal(err.details['line'], 35002));
  });

  test('an empty file, a header without rows, a missing file', async () => {
    await rejectsWith(readTable(writeFixture(dir, 'empty.csv', '')), 'DATA_EMPTY');
    await rejectsWith(readTable(writeFixture(dir, 'header.csv', 'a,b\n')), 'DATA_EMPTY');
    await rejectsWith(readTable(join(dir, 'nope.csv')), 'DATA_NOT_FOUND');
  });

  test('text that is not UTF-8 is read as Windows-1252 with a note; naming the encoding reads it', async () => {
    const path = writeFixture(dir, 'latin.csv', Buffer.from('name,n\ncaf\xe9,1\nna\xefve,2\n', 'latin1'));
    const guessed = await readTable(path);
    assert.deepEqual(texts(guessed.frame, 'name'), ['café', 'naïve']);
    assert.ok(guessed.notes?.some((n) => n.code === 'encoding_guessed'));
    assert.equal(guessed.digest, createHash('sha256').update(readFileSync(path)).digest('hex'), 'the digest is of the original bytes');
    await rejectsWith(readTable(`${path}?encoding=klingon`), 'DATA_ENCODING', (err) => assert.match(err.message, /windows-1252/));
    const t = await readTable(path, { encoding: 'latin-1' });
    assert.deepEqual(texts(t.frame, 'name'), ['café', 'naïve']);
    const viaParam = await readTable(`${path}?encoding=latin-1`);
    assert.equal(viaParam.frame.nRows, 2);
  });
});

describe('JSON, NDJSON, Parquet', () => {
  test('a JSON array of objects', async () => {
    const t = await readTable(writeFixture(dir, 'rows.json', JSON.stringify([{ a: 1, b: 'x' }, { a: 2.5, b: null }])));
    assert.deepEqual(numbers(t.frame, 'a'), [1, 2.5]);
    assert.deepEqual(texts(t.frame, 'b'), ['x', null]);
  });

  test('NDJSON, with a bad line named or skipped', async () => {
    const good = await readTable(writeFixture(dir, 'ok.ndjson', '{"a":1,"b":"x"}\n{"a":2,"b":"y"}\n'));
    assert.deepEqual(numbers(good.frame, 'a'), [1, 2]);
    const path = writeFixture(dir, 'bad.jsonl', '{"a":1}\n{"a":2}\n{"a":\n{"a":4}\n');
    await rejectsWith(readTable(path), 'DATA_UNREADABLE', (err) => {
      assert.equal(err.details['line'], 3);
      assert.match(err.message, /line 3 is not valid JSON/);
    });
    const skipped = await readTable(path, { onBadRows: 'skip' });
    assert.deepEqual(numbers(skipped.frame, 'a'), [1, 2, 4]);
    assert.equal(skipped.skippedRows, 1);
  });

  test('Parquet', async () => {
    const path = join(dir, 'data.parquet');
    await withDuckDB((conn) => conn.run(`COPY (SELECT i AS id, i * 0.5 AS x, 'c' || (i % 2) AS g FROM range(5) t(i)) TO ${sqlString(path)} (FORMAT parquet)`));
    const t = await readTable(path);
    assert.deepEqual(numbers(t.frame, 'x'), [0, 0.5, 1, 1.5, 2]);
    assert.deepEqual(texts(t.frame, 'g'), ['c0', 'c1', 'c0', 'c1', 'c0']);
    await rejectsWith(readTable(writeFixture(dir, 'fake.parquet', 'not parquet at all')), 'DATA_UNREADABLE');
  });

  test('DuckDB SQL over files, joining two of them', async () => {
    const a = writeFixture(dir, 'people.csv', csvText(['id', 'name'], [[1, 'ann'], [2, 'bob']]));
    const b = writeFixture(dir, 'ages.json', JSON.stringify([{ id: 1, age: 30 }, { id: 2, age: 40 }]));
    const query = `sql:SELECT name, age FROM '${a}' JOIN '${b}' USING (id) ORDER BY id`;
    const t = await readTable(query);
    assert.deepEqual(texts(t.frame, 'name'), ['ann', 'bob']);
    assert.deepEqual(numbers(t.frame, 'age'), [30, 40]);
    assert.equal((await readTable(query)).digest, t.digest, 'the same query and result give the same digest');
    await rejectsWith(readTable('sql:SELECT * FROM no_such_table'), 'SOURCE_INVALID');
    await rejectsWith(readTable(`sql:SELECT * FROM '${join(dir, 'missing.csv')}'`), 'SOURCE_UNREACHABLE');
  });
});

describe('Excel', () => {
  let path: string;
  before(async () => {
    path = join(dir, 'book.xlsx');
    const wb = new ExcelJS.Workbook();
    const first = wb.addWorksheet('People');
    first.addRow(['name', 'age', 'joined']);
    first.addRow(['ann', 31, new Date(Date.UTC(2020, 0, 2))]);
    first.addRow(['bob', 42, new Date(Date.UTC(2021, 5, 3))]);
    const second = wb.addWorksheet('Totals');
    second.addRow(['region', 'sales']);
    second.addRow(['north', 10.5]);
    second.addRow(['south', { formula: 'A1', result: 7 }]);
    await wb.xlsx.writeFile(path);
  });

  test('the first sheet by default', async () => {
    const t = await readTable(path);
    assert.deepEqual(t.frame.names, ['name', 'age', 'joined']);
    assert.deepEqual(numbers(t.frame, 'age'), [31, 42]);
    assert.match(texts(t.frame, 'joined')[0] ?? '', /^2020-01-02/);
  });

  test('a named sheet, by fragment, parameter or option; formulas by their result', async () => {
    for (const t of [await readTable(`${path}#Totals`), await readTable(`${path}?sheet=Totals`), await readTable(path, { sheet: 'Totals' })]) {
      assert.deepEqual(texts(t.frame, 'region'), ['north', 'south']);
      assert.deepEqual(numbers(t.frame, 'sales'), [10.5, 7]);
    }
    await rejectsWith(readTable(`${path}#Total`), 'SOURCE_INVALID', (err) => assert.match(err.hint ?? '', /"Totals"/));
  });
});

describe('SQLite', () => {
  let path: string;
  before(() => {
    path = join(dir, 'shop.db');
    const db = new Database(path);
    db.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, amount REAL, status TEXT, note TEXT); CREATE TABLE customers (id INTEGER)");
    const insert = db.prepare('INSERT INTO orders (amount, status, note) VALUES (?, ?, NULL)');
    for (let i = 0; i < 25; i++) insert.run(i * 1.5, i % 3 === 0 ? 'open' : 'paid');
    db.close();
  });

  test('a table, or a query; a column empty everywhere becomes text', async () => {
    const t = await readTable(`sqlite:${path}?table=orders`);
    assert.equal(t.frame.nRows, 25);
    assert.deepEqual(numbers(t.frame, 'amount').slice(0, 3), [0, 1.5, 3]);
    assert.deepEqual(texts(t.frame, 'note').slice(0, 2), [null, null]);
    const q = await readTable(`sqlite:${path}?query=SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY status`);
    assert.deepEqual(texts(q.frame, 'status'), ['open', 'paid']);
    assert.deepEqual(numbers(q.frame, 'n'), [9, 16]);
  });

  test('a misspelt table gets the closest names; a missing file is unreachable', async () => {
    await rejectsWith(readTable(`sqlite:${path}?table=order`), 'SOURCE_INVALID', (err) => assert.match(err.hint ?? '', /"orders"/));
    await rejectsWith(readTable(`sqlite:${path}`), 'SOURCE_INVALID', (err) => assert.match(err.hint ?? '', /customers, orders/));
    await rejectsWith(readTable(`sqlite:${join(dir, 'none.db')}?table=orders`), 'SOURCE_UNREACHABLE');
    await rejectsWith(readTable(`sqlite:${path}?query=SELECT * FROM orders WHERE 0`), 'DATA_EMPTY');
  });
});

describe('PostgreSQL', () => {
  const url = process.env['KILN_TEST_POSTGRES_URL'];

  test('an unreachable server is a coded error, not a stack trace', async () => {
    await rejectsWith(readTable('postgres://postgres@127.0.0.1:1/kiln?table=t'), 'SOURCE_UNREACHABLE', (err) => assert.match(err.message, /127\.0\.0\.1:1/));
    await rejectsWith(readTable('postgres://postgres@127.0.0.1:1/kiln'), 'SOURCE_INVALID');
  });

  test('a table and a query, read in batches through a cursor', { skip: url === undefined ? 'KILN_TEST_POSTGRES_URL is not set (start one with ../shared/ci/services.sh postgres)' : false }, async () => {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const table = `kiln_src_${process.pid}`;
    try {
      // a run killed before its DROP may have left this name behind (pids are reused)
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.query(`CREATE TABLE ${table} (id serial, amount numeric(10,2), big bigint, label text, at timestamptz)`);
      await client.query(`INSERT INTO ${table} (amount, big, label, at) SELECT i * 0.25, i::bigint * 1000000000, CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END, now() FROM generate_series(1, 25000) i`);
      const t = await readTable(`${url}?table=${table}`);
      assert.equal(t.frame.nRows, 25000);
      assert.equal(numbers(t.frame, 'amount')[3], 1);
      assert.equal(numbers(t.frame, 'big')[1], 2e9);
      assert.match(t.sourceTypes['at'] ?? '', /TIMESTAMP/);
      const q = await readTable(`${url}?query=SELECT label, count(*) AS n FROM ${table} GROUP BY label ORDER BY label`);
      assert.deepEqual(texts(q.frame, 'label'), ['even', 'odd']);
      assert.deepEqual(numbers(q.frame, 'n'), [12500, 12500]);
      await rejectsWith(readTable(`${url}?table=no_such_table_here`), 'SOURCE_INVALID');
    } finally {
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.end();
    }
  });
});
