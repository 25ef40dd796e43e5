/**
 * The messier texts of a text module's robustness check: a typing slip swaps two neighbouring letters
 * of a word and nothing else, left-out words take their space with them, missing texts are null; each
 * hits about the share asked for, and the same seed gives the same texts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { blankTexts, dropWords, typoTexts } from '../../src/features/perturb-text.js';

const sentence = 'The staff were friendly and the food arrived quickly, but the room wasn\'t clean at all.';
const texts = Array.from({ length: 400 }, () => sentence);
const words = (t: string) => t.match(/\p{L}[\p{L}']*/gu) ?? [];
const sorted = (w: string) => [...w].sort().join('');

test('a typing slip swaps two neighbouring letters of a word: same letters, same words count, punctuation untouched', () => {
  const slipped = typoTexts([...texts, null], 0.1, new Rng(1));
  assert.equal(slipped[400], null);
  let changed = 0;
  let eligible = 0;
  for (const text of slipped.slice(0, 400) as string[]) {
    const before = words(sentence);
    const after = words(text);
    assert.equal(after.length, before.length);
    assert.equal(text.replace(/\p{L}|'/gu, ''), sentence.replace(/\p{L}|'/gu, ''), 'spaces and punctuation stay');
    before.forEach((w, i) => {
      const a = after[i] as string;
      if (w.length >= 3) eligible++;
      if (a === w) return;
      changed++;
      assert.ok(w.length >= 3, `short words keep their letters: ${w} → ${a}`);
      assert.equal(sorted(a), sorted(w));
      const diff = [...w].flatMap((c, k) => (c === a[k] ? [] : [k]));
      assert.ok(diff.length === 2 && diff[1] === (diff[0] as number) + 1, `${w} → ${a}`);
    });
  }
  // a swap of two equal letters ("all") changes nothing: a little under the share asked for
  assert.ok(changed / eligible > 0.07 && changed / eligible < 0.12, `${changed} of ${eligible}`);
  assert.deepEqual(typoTexts(texts, 0.1, new Rng(1)), slipped.slice(0, 400));
});

test('left-out words take their space with them, about the share asked for; missing texts are null', () => {
  const shorter = dropWords(texts, 0.1, new Rng(2)) as string[];
  const kept = shorter.reduce((n, t) => n + words(t).length, 0);
  const all = 400 * words(sentence).length;
  assert.ok(1 - kept / all > 0.08 && 1 - kept / all < 0.12, `${all - kept} of ${all} left out`);
  for (const t of shorter) {
    assert.ok(!/\s\s/.test(t), `no double spaces: ${t}`);
    const remaining = words(t);
    // what is left is the sentence's words in their order
    let at = 0;
    const original = words(sentence);
    for (const w of remaining) {
      while (at < original.length && original[at] !== w) at++;
      assert.ok(at < original.length, t);
      at++;
    }
  }
  const blanked = blankTexts(texts, 0.1, new Rng(3));
  const missing = blanked.filter((t) => t === null).length;
  assert.ok(missing > 25 && missing < 55, `${missing} of 400 missing`);
  assert.ok(blanked.every((t) => t === null || t === sentence));
});
