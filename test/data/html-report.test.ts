import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { inspectSource } from '../../src/data/profile/inspect.js';
import { renderHtmlReport } from '../../src/data/report/html-report.js';
import { tempDir } from './data-fixtures.js';

test('inspect reads a database source, and the report escapes what the data says', async () => {
  const dir = tempDir('kiln-report-');
  const path = join(dir, 'shop.db');
  const db = new Database(path);
  db.exec('CREATE TABLE t ("<script>alert(1)</script>" TEXT, amount REAL, status TEXT)');
  const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
  for (let i = 0; i < 60; i++) insert.run(i % 2 === 0 ? '<b>x</b>' : 'y & z', i % 7 === 0 ? null : i * 1.25, i % 3 === 0 ? 'open' : 'paid');
  db.close();

  const report = await inspectSource(`sqlite:${path}?table=t`, { target: 'status' });
  assert.equal(report.rows, 60);
  assert.equal(report.columns.find((c) => c.name === 'amount')?.missing, 9);
  const html = renderHtmlReport(report);
  assert.doesNotMatch(html, /<script>|<b>x<\/b>/, 'data must be escaped, never interpreted');
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /Target: status/);
  assert.match(html, /Share of empty cells per column/);
  assert.equal((html.match(/<svg/g) ?? []).length >= 4, true, 'histograms, value bars, missing values and class bars are drawn');
});
