import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseSourceRef } from '../../src/data/sources/source-ref.js';
import { sourceFor } from '../../src/data/sources/registry.js';
import { isKilnError } from '../../src/core/errors.js';

describe('source strings', () => {
  test('a relative file path resolves from baseDir and keeps its extension', () => {
    const ref = parseSourceRef('data/x.CSV', '/base');
    assert.equal(ref.scheme, 'file');
    assert.equal(ref.location, join('/base', 'data', 'x.CSV'));
    assert.equal(ref.extension, '.csv');
    assert.equal(sourceFor(ref).name, 'csv');
  });

  test('compound extensions, sheets by fragment or parameter', () => {
    assert.equal(parseSourceRef('/d/a.csv.gz').extension, '.csv.gz');
    assert.equal(parseSourceRef('/d/book.xlsx#Sheet 2').params['sheet'], 'Sheet 2');
    assert.equal(parseSourceRef('/d/book.xlsx?sheet=Totals').params['sheet'], 'Totals');
    assert.equal(sourceFor(parseSourceRef('/d/book.xlsx#S')).name, 'xlsx');
    assert.equal(sourceFor(parseSourceRef('/d/e.jsonl')).name, 'ndjson');
    assert.equal(sourceFor(parseSourceRef('/d/e.parquet')).name, 'parquet');
  });

  test('sqlite: table or query; the query keeps &, + and spaces', () => {
    const t = parseSourceRef('sqlite:shop.db?table=orders', '/base');
    assert.deepEqual([t.scheme, t.location, t.params['table']], ['sqlite', join('/base', 'shop.db'), 'orders']);
    const q = parseSourceRef('sqlite:/x/shop.db?query=select a+b as c from t where s = \'x&y\'');
    assert.equal(q.params['query'], "select a+b as c from t where s = 'x&y'");
    assert.equal(sourceFor(q).name, 'sqlite');
  });

  test('postgres: Kiln parameters leave the connection URL', () => {
    const ref = parseSourceRef('postgres://me@db.local:5433/shop?sslmode=disable&query=select * from orders');
    assert.equal(ref.scheme, 'postgres');
    assert.equal(ref.location, 'postgres://me@db.local:5433/shop');
    assert.equal(ref.params['query'], 'select * from orders');
    assert.equal(ref.params['sslmode'], 'disable');
    assert.equal(parseSourceRef('postgresql://h/db?table=a.b').params['table'], 'a.b');
  });

  test('sql: the rest of the string is the query', () => {
    const ref = parseSourceRef("sql:SELECT * FROM 'a.csv' JOIN 'b.parquet' USING (id)");
    assert.equal(ref.scheme, 'sql');
    assert.equal(ref.location, "SELECT * FROM 'a.csv' JOIN 'b.parquet' USING (id)");
  });

  test('an unknown kind is a coded error listing what is known', () => {
    assert.throws(() => sourceFor(parseSourceRef('/d/notes.docx')), (err: unknown) => {
      assert.ok(isKilnError(err, 'SOURCE_UNKNOWN'));
      assert.match(err.hint ?? '', /\.parquet/);
      assert.match(err.hint ?? '', /sqlite:/);
      return true;
    });
  });
});
