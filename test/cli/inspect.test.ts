import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kiln, tempHome } from '../helpers/kiln-cli.js';
import { writeFixture } from '../data/data-fixtures.js';

const TITANIC = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'titanic.csv');
const noStackTrace = (text: string) => assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/, 'a stack trace reached the user');

describe('kiln inspect', () => {
  const dir = tempHome('kiln-inspect-');

  test('--json prints exactly one document; --html writes a self-contained report', async () => {
    const html = join(dir, 'report.html');
    const r = await kiln(['inspect', TITANIC, '--target', 'Survived', '--json', '--html', html]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, any>;
    assert.equal(doc['rows'], 891);
    assert.equal(doc['columns'].length, 12);
    assert.equal(doc['target'].task, 'classification');
    const age = doc['columns'].find((c: { name: string }) => c.name === 'Age');
    assert.equal(age.missing, 177);
    assert.equal(age.type, 'numeric');
    const codes = doc['findings'].map((f: { code: string }) => f.code);
    assert.ok(codes.includes('missing_values'));
    assert.ok(codes.includes('identifier_column'));
    for (const f of doc['findings']) assert.deepEqual(Object.keys(f).sort(), ['code', 'columns', 'fix', 'message', 'severity']);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /^<!doctype html>/);
    assert.match(page, /<svg/);
    assert.match(page, /Missing values/);
    assert.doesNotMatch(page, /<script|https?:\/\//, 'the report must open offline, without scripts');
  });

  test('the human summary lists columns and findings', async () => {
    const r = await kiln(['inspect', TITANIC]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /891 rows × 12 columns/);
    assert.match(r.stderr, /PassengerId\s+identifier/);
    assert.match(r.stderr, /\[warning\] missing_values: "Age"/);
  });

  test('a misspelt target gets the closest names (exit 1, no stack trace)', async () => {
    const r = await kiln(['inspect', TITANIC, '--target', 'survivd', '--json']);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as { error: { code: string; hint: string } };
    assert.equal(doc.error.code, 'TARGET_NOT_FOUND');
    assert.match(doc.error.hint, /"Survived"/);
    noStackTrace(r.stderr);
  });

  test('a malformed row stops with its line; --on-bad-rows skip counts it', async () => {
    const path = writeFixture(dir, 'bad.csv', 'a,b\n1,2\n3,4\n5,6,7\n8,9\n');
    const stop = await kiln(['inspect', path]);
    assert.equal(stop.code, 1);
    assert.match(stop.stderr, /error \[DATA_UNREADABLE\]: .*bad\.csv: line 4 has 3 fields but the header has 2 .*--on-bad-rows skip/);
    noStackTrace(stop.stderr);
    const skip = await kiln(['inspect', path, '--on-bad-rows', 'skip', '--json']);
    assert.equal(skip.code, 0, skip.stderr);
    assert.equal((JSON.parse(skip.stdout) as { skippedRows: number; rows: number }).skippedRows, 1);
    assert.match(skip.stderr, /skipped 1 malformed row/);
  });

  test('unreachable and unknown sources are coded errors', async () => {
    const missing = await kiln(['inspect', join(dir, 'nope.csv')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /DATA_NOT_FOUND/);
    const db = await kiln(['inspect', `sqlite:${join(dir, 'none.db')}?table=t`]);
    assert.equal(db.code, 1);
    assert.match(db.stderr, /SOURCE_UNREACHABLE/);
    noStackTrace(db.stderr);
    const empty = await kiln(['inspect', writeFixture(dir, 'empty.csv', '')]);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /DATA_EMPTY/);
  });
});
