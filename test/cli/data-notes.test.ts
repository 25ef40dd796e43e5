/**
 * What reading a messy table decided (numbers read from "$1,234.50", "n/a" read as missing) is not silent
 * in `kiln train` and `kiln predict`: one line per note on stderr (severity, message, fix), and the notes
 * in the --json document as `notes` — only when there are some.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kiln, tempHome } from '../helpers/kiln-cli.js';

interface Note {
  readonly code: string;
  readonly severity: string;
  readonly columns: readonly string[];
  readonly message: string;
  readonly fix: string;
}

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

  test('a human train run prints each note once, as a line with its fix; the test table\'s notes say so', async () => {
    const trained = await kiln(['train', '--data', messy, '--test-data', messy, '--target', 'bought', '--name', 'shop-human', '--home', home]);
    assert.equal(trained.code, 0, trained.stderr);
    assert.equal(trained.stderr.match(new RegExp(NOTE_LINE.source, 'gm'))?.length, 1, trained.stderr);
    assert.equal(trained.stderr.match(/^• info: in the test data: "price" holds numbers stored as text; .* fix: /gm)?.length, 1, trained.stderr);
  });
});
