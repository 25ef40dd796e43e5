/**
 * `kiln predict` with a recommend module lists only recommendations: a user with fewer items left than
 * k gets fewer (the other places empty), never an item they already rated scored -3.4e38; the
 * similar-items module leaves out the item asked about the same way.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kiln, tempHome } from '../helpers/kiln-cli.js';

const ITEMS = ['a', 'b', 'c', 'd', 'e'];
/** What each user rated in training (the separate test table keeps every one of these rows for training). */
const RATED: Record<string, string[]> = { ann: ['a', 'b', 'c', 'd'], bob: ['a', 'b'], cy: ['c', 'd', 'e'], dee: ['a', 'e'] };

type Row = Record<string, string | number | null>;

/** A row's places as [item, score] pairs, k = 5 (every item: topK 10 is cut to the catalogue). */
const places = (row: Row): [string | number | null, string | number | null][] => ITEMS.map((_, p) => [row[`items_${p}`] ?? null, row[`scores_${p}`] ?? null]);
const listed = (row: Row): string[] => places(row).flatMap(([item]) => (item === null ? [] : [String(item)]));

describe('kiln predict with a recommend module', () => {
  const dir = tempHome('kiln-recommend-predict-');
  const home = join(dir, 'home');
  const file = (name: string) => join(dir, name);

  before(async () => {
    const lines = ['user,item,rating', ...Object.entries(RATED).flatMap(([user, items]) => items.map((item, k) => `${user},${item},${5 - k}`))];
    writeFileSync(file('ratings.csv'), lines.join('\n') + '\n');
    writeFileSync(file('held-out.csv'), 'user,item,rating\nann,e,4\nbob,c,3\n');
    writeFileSync(file('who.csv'), 'user\nann\nbob\nzed\n');
    writeFileSync(file('like.csv'), 'item\na\n');
    const r = await kiln(['train', '--data', file('ratings.csv'), '--test-data', file('held-out.csv'), '--task', 'recommend', '--user', 'user', '--item', 'item', '--rating', 'rating', '--name', 'rec', '--json', '--home', home]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { k: number }).k, ITEMS.length);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--json: each user gets only items they have not rated, fewer than k when fewer are left', async () => {
    const r = await kiln(['predict', 'rec', file('who.csv'), '--json', '--home', home]);
    assert.equal(r.code, 0, r.stderr);
    const [ann, bob, zed] = (JSON.parse(r.stdout) as { predictions: Row[] }).predictions;
    // ann rated four of the five items: one recommendation, then empty places
    assert.deepEqual(listed(ann!), ['e']);
    assert.deepEqual(places(ann!).slice(1), [[null, null], [null, null], [null, null], [null, null]]);
    assert.deepEqual(listed(bob!).sort(), ['c', 'd', 'e']);
    assert.deepEqual(places(bob!).slice(3), [[null, null], [null, null]]);
    // a user training never saw has nothing masked: every item, by popularity
    assert.deepEqual(listed(zed!).sort(), ITEMS);
    for (const row of [ann, bob, zed]) {
      for (const [item, score] of places(row!)) {
        assert.equal(item === null, score === null, 'an item and its score are left out together');
        if (typeof score === 'number') assert.ok(score > -1e38, `no filler score: ${r.stdout}`);
      }
    }
  });

  test('CSV: the left-out places are empty cells', async () => {
    const r = await kiln(['predict', 'rec', file('who.csv'), '--home', home]);
    assert.equal(r.code, 0, r.stderr);
    const ann = r.stdout.split('\n')[1]!.split(',');
    assert.deepEqual([ann[0], ann[1]], ['ann', 'e']);
    assert.deepEqual(ann.slice(2, 6), ['', '', '', ''], r.stdout);
    assert.deepEqual(ann.slice(7), ['', '', '', ''], r.stdout);
    assert.doesNotMatch(r.stdout, /e\+38/);
  });

  test('similar items: the item asked about is left out, not listed last', async () => {
    const r = await kiln(['predict', 'rec-similar', file('like.csv'), '--json', '--home', home]);
    assert.equal(r.code, 0, r.stderr);
    const [row] = (JSON.parse(r.stdout) as { predictions: Row[] }).predictions;
    assert.deepEqual(listed(row!).sort(), ['b', 'c', 'd', 'e']);
    assert.deepEqual(places(row!)[4], [null, null]);
  });
});
