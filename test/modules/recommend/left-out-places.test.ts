/**
 * A recommend graph answers k places per row; when a user has fewer than k items left, the last places
 * hold items they already have, scored the lowest float32. Read row by row, those places are left out:
 * the helper blanks them, and the evaluation does not count them as recommended (coverage).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MASKED_SCORE } from '../../../src/learners/recommend/recommend-items.js';
import { buildInteractions, indexPairs } from '../../../src/learners/recommend/interactions.js';
import { popularity } from '../../../src/learners/recommend/popularity.js';
import { leaveOutMaskedPlaces, recommendedCount } from '../../../src/modules/recommend/left-out-places.js';
import { rankingScores } from '../../../src/modules/recommend/evaluate-recommender.js';

// float32's lowest value, as onnxruntime hands it back (Float32Array → number)
const LOWEST = Float32Array.of(MASKED_SCORE)[0]!;

describe('left-out places of a recommend answer', () => {
  test('counts the places before the first masked score, row by row', () => {
    const scores = Float32Array.of(0.9, 0.5, 0.1, /* row 1 */ 0.7, MASKED_SCORE, MASKED_SCORE, /* row 2 */ MASKED_SCORE, MASKED_SCORE, MASKED_SCORE);
    assert.deepEqual([0, 1, 2].map((row) => recommendedCount(scores, row, 3)), [3, 1, 0]);
    // a genuinely low score is still a recommendation
    assert.equal(recommendedCount(Float32Array.of(-1e30, -3e38), 0, 2), 2);
  });

  test('blanks the item and the score of every left-out place, and nothing else', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f'];
    const scores = [2.5, 1, LOWEST, 3, 0, -0.5];
    const kept = leaveOutMaskedPlaces(items, scores, 2);
    assert.deepEqual(kept.items, ['a', 'b', null, 'd', 'e', 'f']);
    assert.deepEqual(kept.scores, [2.5, 1, null, 3, 0, -0.5]);
    assert.deepEqual(items, ['a', 'b', 'c', 'd', 'e', 'f'], 'the input is left as it was');
    assert.deepEqual(leaveOutMaskedPlaces([], [], 0), { items: [], scores: [] });
  });

  test("the evaluation's coverage counts only items recommended, not those a user already has", async () => {
    // three items; u1 and u2 have a and b, so with k = 3 each is recommended c alone
    const data = buildInteractions(['u1', 'u1', 'u2', 'u2', 'u3'], ['a', 'b', 'a', 'b', 'c']);
    const predictor = await popularity.fit(data, {}, { seed: 1 });
    const heldOut = { pairs: indexPairs(data, ['u1', 'u2'], ['c', 'c'], [1, 1]), userIds: ['u1', 'u2'], itemIds: ['c', 'c'] };
    const scores = rankingScores(predictor, heldOut, 3);
    assert.equal(scores.users, 2);
    assert.equal(scores.coverage, 1 / 3, 'c of a, b and c: a and b filled the places, they were not recommended');
    assert.equal(scores.recall, 1);
  });
});
