/**
 * Every kind of module says what reading its data changed, as tabular training does: `kiln train` on a
 * sentiment, segments, anomaly or recommend module trained from a messy file (Windows-1252 bytes,
 * "$1,234.50" amounts, "N/A" and "NA" markers) prints one line per note on stderr and returns the notes
 * in --json; `kiln predict` with a sentiment, segments or recommend module does the same for the file it
 * scores, and scores the values as read (curly quotes and accents decoded, "N/A" missing).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kiln, tempHome, type CliResult } from '../helpers/kiln-cli.js';
import type { IngestNote as Note } from '../../src/data/sources/ingest-note.js';

/** The Windows-1252 bytes of `text`: its curly quotes and dash at their 0x80–0x9f codes, accents as in Latin-1. */
function windows1252(text: string): Buffer {
  const high = new Map([['’', 0x92], ['“', 0x93], ['”', 0x94], ['–', 0x96]]);
  return Buffer.from(Array.from(text, (ch) => high.get(ch) ?? ch.charCodeAt(0)));
}

/** 60 customers in three groups; spend written as money, "N/A" in 5 rows; cities with accents. */
function shopCsv(): string {
  const cities = ['Zürich', 'Málaga', 'Köln', 'Besançon'];
  const lines = ['customer,city,spend,visits'];
  for (let i = 0; i < 60; i++) {
    const group = i % 3;
    const spend = [40, 900, 2400][group]! + ((i * 37) % 50) * 1.5;
    const cell = i % 13 === 5 ? 'N/A' : `"$${spend.toLocaleString('en-US', { minimumFractionDigits: 2 })}"`;
    lines.push(`c${i},${cities[i % 4]},${cell},${[20, 6, 1][group]! + (i % 3)}`);
  }
  return lines.join('\n') + '\n';
}

/** 40 reviews typed in Word: curly quotes, apostrophes and dashes. */
function reviewsCsv(): string {
  const good = ['loved', 'wonderful', 'great', 'superb', 'delightful'];
  const bad = ['hated', 'terrible', 'boring', 'awful', 'dreadful'];
  const lines = ['review,label'];
  for (let i = 0; i < 40; i++) {
    const positive = i % 2 === 0;
    const word = (positive ? good : bad)[i % 5];
    const text = positive ? `I found it – “${word}”, it’s ${word} #${i}` : `It’s ${word} – “${word}”, I didn’t like it #${i}`;
    lines.push(`"${text}",${positive ? 'positive' : 'negative'}`);
  }
  return lines.join('\n') + '\n';
}

const PEOPLE = ['Zoë', 'Renée', 'José', 'Björn', 'Chloé', 'Søren', 'Inès', 'Jürgen', 'Noémie', 'Andrés', 'Maëlle', 'Anaïs'];
const DISHES = ['Crème brûlée', 'Café au lait', 'Crêpe', 'Soufflé', 'Gâteau', 'Pâté', 'Fondue', 'Rösti'];

/** Twelve people's stars for six of eight dishes; with `unrated`, every 20th rating is "NA". */
function ratingsCsv(unrated: boolean): string {
  const lines = ['customer,dish,stars'];
  for (let u = 0; u < PEOPLE.length; u++) {
    for (let d = 0; d < DISHES.length; d++) {
      if ((u + d) % 4 === 0) continue;
      const stars = unrated && lines.length % 20 === 0 ? 'NA' : u % 2 === d % 2 ? '5' : '2';
      lines.push(`${PEOPLE[u]},${DISHES[d]},${stars}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** The line `kiln train` / `kiln predict` prints for each note kind these files cause. */
const ENCODING_LINE = /^• info: The file is not UTF-8 text; it is read as windows-1252 .* fix: If accented letters look wrong, name the file's encoding: .*\?encoding=NAME/gm;
const SPEND_LINE = /^• info: "spend" holds numbers stored as text; .*currency signs dropped; "N\/A" read as missing\)\. fix: Nothing to do; store "spend" as plain numbers/gm;

const count = (text: string, line: RegExp): number => text.match(line)?.length ?? 0;

function notesOf(r: CliResult): Note[] {
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { notes?: Note[] }).notes ?? [];
}

describe('every kind of module says what reading its data changed', () => {
  const dir = tempHome('kiln-module-notes-');
  const file = (name: string) => join(dir, name);
  // one home per module: the trainings run side by side
  const home = (kind: string) => join(dir, `home-${kind}`);

  before(() => {
    writeFileSync(file('shop.csv'), windows1252(shopCsv()));
    writeFileSync(file('reviews.csv'), windows1252(reviewsCsv()));
    writeFileSync(file('new-reviews.csv'), windows1252('review\n"It’s “wonderful”"\n"I didn’t like it – “awful”"\n'));
    writeFileSync(file('ratings.csv'), windows1252(ratingsCsv(false)));
    writeFileSync(file('unrated.csv'), windows1252(ratingsCsv(true)));
    writeFileSync(file('who.csv'), windows1252('user\nZoë\nSøren\n'));
    for (const kind of ['text', 'cluster', 'anomaly', 'recommend']) mkdirSync(home(kind));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('kiln train --json: text, cluster, anomaly and recommend print their notes once and return them', async () => {
    const [text, cluster, anomaly, recommend] = await Promise.all([
      kiln(['train', '--data', file('reviews.csv'), '--task', 'text-classify', '--target', 'label', '--name', 'mood', '--json', '--home', home('text')]),
      kiln(['train', '--data', file('shop.csv'), '--task', 'cluster', '--clusters', '3', '--name', 'segments', '--json', '--home', home('cluster')]),
      kiln(['train', '--data', file('shop.csv'), '--task', 'detect-anomalies', '--name', 'odd', '--json', '--home', home('anomaly')]),
      kiln(['train', '--data', file('ratings.csv'), '--task', 'recommend', '--user', 'customer', '--item', 'dish', '--rating', 'stars', '--name', 'dishes', '--json', '--home', home('recommend')]),
    ]);

    // a text or a ratings file with only its bytes to say: the encoding, nothing about its columns
    for (const [r, source] of [[text, 'reviews.csv'], [recommend, 'ratings.csv']] as const) {
      const notes = notesOf(r);
      assert.deepEqual(notes.map((n) => n.code), ['encoding_guessed'], r.stdout);
      assert.ok(notes[0]!.fix.includes(`${source}?encoding=NAME`), notes[0]!.fix);
      assert.equal(count(r.stderr, ENCODING_LINE), 1, r.stderr);
    }
    // segments and anomalies from the shop table: the encoding, and "$1,234.50" / "N/A" in spend
    for (const r of [cluster, anomaly]) {
      const notes = notesOf(r);
      assert.deepEqual(notes.map((n) => n.code), ['encoding_guessed', 'numbers_read_from_text'], r.stdout);
      assert.deepEqual(notes[1]!.columns, ['spend']);
      assert.equal(notes[1]!.severity, 'info');
      assert.equal(count(r.stderr, ENCODING_LINE), 1, r.stderr);
      assert.equal(count(r.stderr, SPEND_LINE), 1, r.stderr);
    }
    // the segments were found in the values as read: spend one number feature (not "$…" categories),
    // the cities spelt as written
    const { features } = JSON.parse(cluster.stdout) as { features: string[] };
    assert.deepEqual(features, ['city=Besançon', 'city=Köln', 'city=Málaga', 'city=Zürich', 'spend', 'visits']);

    // with --json, stdout is still one JSON document: no note line leaks into it
    for (const r of [text, cluster, anomaly, recommend]) assert.doesNotMatch(r.stdout, /^• /m);
  });

  test('kiln predict with text, cluster and recommend modules prints the notes of the file it scores and scores the values as read', async () => {
    // anomalies are scored as segments are (every output as columns, the same reading): left out for time
    const [text, cluster, recommend] = await Promise.all([
      kiln(['predict', 'mood', file('new-reviews.csv'), '--json', '--home', home('text')]),
      kiln(['predict', 'segments', file('shop.csv'), '--json', '--home', home('cluster')]),
      kiln(['predict', 'dishes', file('who.csv'), '--json', '--home', home('recommend')]),
    ]);
    type Scored = { rows: number; notes?: Note[]; predictions: Record<string, unknown>[] };
    const scored = (r: CliResult): Scored => {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(count(r.stderr, ENCODING_LINE), 1, r.stderr);
      return JSON.parse(r.stdout) as Scored;
    };

    const reviews = scored(text);
    assert.deepEqual(reviews.notes?.map((n) => n.code), ['encoding_guessed']);
    // the curly quotes were decoded, not scored as replacement characters
    assert.deepEqual(reviews.predictions.map((p) => p['review']), ['It’s “wonderful”', 'I didn’t like it – “awful”']);
    assert.deepEqual(reviews.predictions.map((p) => p['label']), ['positive', 'negative']);

    const shop = scored(cluster);
    assert.deepEqual(shop.notes?.map((n) => n.code), ['encoding_guessed', 'numbers_read_from_text']);
    assert.equal(count(cluster.stderr, SPEND_LINE), 1, cluster.stderr);
    assert.equal(shop.rows, 60);
    // "N/A" was scored as missing, "$2,436.00" as 2436, "Málaga" as written; every row has its segment
    assert.equal(shop.predictions.filter((p) => p['spend'] === null).length, 5);
    assert.equal(shop.predictions[2]?.['spend'], 2436);
    assert.equal(shop.predictions[1]?.['city'], 'Málaga');
    assert.ok(shop.predictions.every((p) => [0, 1, 2].includes(p['segment'] as number)), cluster.stdout.slice(0, 400));

    const who = scored(recommend);
    assert.deepEqual(who.notes?.map((n) => n.code), ['encoding_guessed']);
    // "Zoë" read from Windows-1252 is the Zoë training saw: the dishes she rated are left out, so she
    // gets fewer than all eight (an unknown user would get every dish, by popularity), the top ones dishes
    const zoe = who.predictions[0]!;
    assert.equal(zoe['user'], 'Zoë');
    const scores = DISHES.map((_, k) => zoe[`scores_${k}`] as number | null);
    assert.ok(scores.some((v) => v === null), JSON.stringify(zoe));
    assert.ok(scores.every((v) => v === null || v > -1e38), JSON.stringify(zoe));
    assert.ok(DISHES.includes(String(zoe['items_0'])), JSON.stringify(zoe));
  });

  test('"NA" ratings are said before training refuses the rows without a rating', async () => {
    const r = await kiln(['train', '--data', file('unrated.csv'), '--task', 'recommend', '--user', 'customer', '--item', 'dish', '--rating', 'stars', '--name', 'unrated', '--home', home('recommend')]);
    assert.equal(r.code, 1, r.stderr);
    const note = r.stderr.search(/^• info: "stars" holds numbers stored as text; it is read as a number column \("NA" read as missing\)/m);
    const error = r.stderr.indexOf('error [TARGET_HAS_MISSING]: the target column "stars" is empty in 3 row(s)');
    assert.ok(note >= 0 && error > note, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  test('--json: the error document of a refused training carries the notes said before it', async () => {
    const r = await kiln(['train', '--data', file('unrated.csv'), '--task', 'recommend', '--user', 'customer', '--item', 'dish', '--rating', 'stars', '--name', 'unrated', '--json', '--home', home('recommend')]);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as { error: { code: string }; notes?: Note[] };
    assert.equal(doc.error.code, 'TARGET_HAS_MISSING');
    // the guessed encoding and "NA" read as missing in stars: the reason the rows have no rating
    assert.deepEqual(doc.notes?.map((n) => n.code), ['encoding_guessed', 'numbers_read_from_text'], r.stdout);
    assert.deepEqual(doc.notes?.[1]?.columns, ['stars']);
    assert.match(doc.notes?.[1]?.message ?? '', /"NA" read as missing/);
    // stderr said them too, once each
    assert.equal(count(r.stderr, ENCODING_LINE), 1, r.stderr);
  });
});
