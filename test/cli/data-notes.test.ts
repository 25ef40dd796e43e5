/**
 * What reading a messy table decided (numbers read from "$1,234.50", "n/a" read as missing) is not silent
 * in `kiln train`, `kiln predict`, `kiln explain` and `kiln curves`: one line per note on stderr
 * (severity, message, fix), and the notes in the --json document as `notes` — only when there are some,
 * and also in the error document when the verb then fails.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kiln, tempHome } from '../helpers/kiln-cli.js';
import type { IngestNote as Note } from '../../src/data/sources/ingest-note.js';

/** 120 rows whose price is written as a person formats money, and 8 rows where it is "n/a". */
function table(formatted: boolean): string {
  const lines = ['price,size,bought'];
  for (let i = 0; i < 120; i++) {
    const price = 10 + ((i * 37) % 300) * 10.25;
    const size = 1 + (i % 5);
    const bought = price > 1500 || size > 4 ? 1 : 0;
    const cell = !formatted ? String(price) : i % 17 === 0 ? 'n/a' : `"$${price.toLocaleString('en-US', { minimumFractionDigits: 2 })}"`;
    lines.push(`${formatted || i % 17 !== 0 ? cell : ''},${size},${bought}`);
  }
  return lines.join('\n') + '\n';
}

/** The one line a note gets on stderr. */
const NOTE_LINE = /^• info: "price" holds numbers stored as text; .*"n\/a" read as missing.*fix: Nothing to do; store "price" as plain numbers/m;

describe('kiln train and kiln predict show how reading changed the data', () => {
  const home = tempHome('kiln-data-notes-');
  const messy = join(home, 'shop.csv');
  const clean = join(home, 'clean.csv');

  before(() => {
    writeFileSync(messy, table(true));
    writeFileSync(clean, table(false));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  test('train prints the notes on stderr and returns them in --json; predict does too', async () => {
    const trained = await kiln(['train', '--data', messy, '--target', 'bought', '--json', '--home', home]);
    assert.equal(trained.code, 0, trained.stderr);
    const result = JSON.parse(trained.stdout) as { model: string; notes?: Note[] };
    assert.equal(result.model, 'shop');
    const note = result.notes?.find((n) => n.code === 'numbers_read_from_text');
    assert.ok(note, `no numbers_read_from_text note in ${trained.stdout}`);
    assert.deepEqual(note.columns, ['price']);
    assert.equal(note.severity, 'info');
    assert.match(note.fix, /plain numbers/);
    assert.match(trained.stderr, NOTE_LINE);

    const [scoredJson, scoredCsv, scoredClean] = await Promise.all([
      kiln(['predict', 'shop', messy, '--json', '--home', home]),
      kiln(['predict', 'shop', messy, '--home', home]),
      kiln(['predict', 'shop', clean, '--json', '--home', home]),
    ]);
    for (const r of [scoredJson, scoredCsv, scoredClean]) assert.equal(r.code, 0, r.stderr);
    const predicted = JSON.parse(scoredJson.stdout) as { rows: number; notes?: Note[]; predictions: Record<string, unknown>[] };
    assert.equal(predicted.rows, 120);
    assert.deepEqual(predicted.notes?.map((n) => n.code), ['numbers_read_from_text']);
    // "$1,234.50" was scored as the number 1234.5, "n/a" as missing
    assert.equal(predicted.predictions.filter((r) => r['price'] === null).length, 8);
    assert.ok(predicted.predictions.every((r) => r['price'] === null || typeof r['price'] === 'number'));
    assert.match(scoredJson.stderr, NOTE_LINE);

    // without --json the note is on stderr, and stdout is only the scored CSV
    assert.match(scoredCsv.stderr, NOTE_LINE);
    assert.match(scoredCsv.stdout, /^price,size,bought,/);
    assert.doesNotMatch(scoredCsv.stdout, /holds numbers/);

    // a table read as written has nothing to say: no `notes` key, no note line
    assert.equal('notes' in (JSON.parse(scoredClean.stdout) as object), false);
    assert.doesNotMatch(scoredClean.stderr, /^• (info|warning):/m);
  });

  test('explain prints the notes of the file it explains and returns them in --json', async () => {
    // the "shop" model of the first test explains its own messy file
    const [explained, explainedClean] = await Promise.all([
      kiln(['explain', 'shop', messy, '--rows', '0,1', '--json', '--home', home]),
      kiln(['explain', 'shop', clean, '--rows', '0', '--json', '--home', home]),
    ]);
    for (const r of [explained, explainedClean]) assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(explained.stdout) as { notes?: Note[]; explanations: { row: number; reasons: { column: string }[] }[] };
    assert.deepEqual(doc.notes?.map((n) => n.code), ['numbers_read_from_text']);
    assert.deepEqual(doc.notes?.[0]?.columns, ['price']);
    assert.deepEqual(doc.explanations.map((e) => e.row), [0, 1]);
    assert.match(explained.stderr, NOTE_LINE);
    assert.equal('notes' in (JSON.parse(explainedClean.stdout) as object), false);
    assert.doesNotMatch(explainedClean.stderr, /^• (info|warning):/m);
  });

  test('curves print the notes of the data file before drawing, and return them in --json, for tables and texts', async () => {
    // a text-classify spec over a file in Windows-1252: the guessed encoding is its note
    const reviews = ['review,label', ...Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? `"Caf\xe9 was great #${i}",good` : `"Caf\xe9 was awful #${i}",bad`))];
    writeFileSync(join(home, 'reviews.csv'), Buffer.from(reviews.join('\n') + '\n', 'latin1'));
    writeFileSync(
      join(home, 'reviews.yaml'),
      'name: reviews\ntask: text-classify\ndata: reviews.csv\ntarget: label\ntext: review\nlearner: logistic-regression\nparams: {C: 1, charNgrams: null}\n',
    );
    const [table, texts, human] = await Promise.all([
      kiln(['curves', '--data', messy, '--target', 'bought', '--sizes', '0.5,1', '--json', '--home', home]),
      kiln(['curves', join(home, 'reviews.yaml'), '--sizes', '0.5,1', '--json', '--home', home]),
      kiln(['curves', '--data', messy, '--target', 'bought', '--sizes', '1', '--home', home]),
    ]);
    const tableDoc = JSON.parse(table.stdout) as { notes?: Note[]; size: unknown };
    assert.equal(table.code, 0, table.stderr);
    assert.deepEqual(tableDoc.notes?.map((n) => n.code), ['numbers_read_from_text']);
    assert.ok(tableDoc.size !== undefined);
    assert.match(table.stderr, NOTE_LINE);
    assert.equal(texts.code, 0, texts.stderr);
    assert.deepEqual((JSON.parse(texts.stdout) as { notes?: Note[] }).notes?.map((n) => n.code), ['encoding_guessed']);
    assert.match(texts.stderr, /^• info: The file is not UTF-8 text; it is read as windows-1252/m);
    // without --json the note comes before the curves' reading, once
    assert.equal(human.code, 0, human.stderr);
    assert.equal(human.stderr.match(new RegExp(NOTE_LINE.source, 'gm'))?.length, 1, human.stderr);
    assert.ok(human.stderr.search(NOTE_LINE) < human.stderr.indexOf('cross-validation'), human.stderr);
  });

  test('curves that then fail on a changed value: the error document carries the notes too', async () => {
    // "n/a" read as missing leaves the price, as a target, empty in 8 rows
    const r = await kiln(['curves', '--data', messy, '--target', 'price', '--json', '--home', home]);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as { error: { code: string }; notes?: Note[] };
    assert.equal(doc.error.code, 'TARGET_HAS_MISSING');
    assert.deepEqual(doc.notes?.map((n) => n.code), ['numbers_read_from_text']);
    assert.match(r.stderr, NOTE_LINE);
  });

  test('a human train run prints each note once, as a line with its fix; the test table\'s notes say so', async () => {
    const trained = await kiln(['train', '--data', messy, '--test-data', messy, '--target', 'bought', '--name', 'shop-human', '--home', home]);
    assert.equal(trained.code, 0, trained.stderr);
    assert.equal(trained.stderr.match(new RegExp(NOTE_LINE.source, 'gm'))?.length, 1, trained.stderr);
    assert.equal(trained.stderr.match(/^• info: in the test data: "price" holds numbers stored as text; .* fix: /gm)?.length, 1, trained.stderr);
  });
});
