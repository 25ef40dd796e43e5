/**
 * Every recommender against the contract in src/learners/recommend/recommender.ts: it learns the
 * tastes planted in small data, is deterministic under a seed, reports progress, stops when cancelled,
 * survives a JSON round trip, and its ONNX graphs ("top k for a user", "items similar to an item")
 * give the in-process recommendations and scores within 1e-5.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Progress } from '../../../src/learners/learner.js';
import { buildInteractions, type InteractionMatrix } from '../../../src/learners/recommend/interactions.js';
import { MASKED_SCORE, recommendForUser, similarToItem } from '../../../src/learners/recommend/recommend-items.js';
import { getRecommender, loadRecommender, recommenderNames } from '../../../src/learners/recommend/recommender-registry.js';
import type { RecommenderPredictor } from '../../../src/learners/recommend/recommender.js';
import { graphAgreement } from '../../../src/modules/recommend/graph-agreement.js';
import { buildSimilarItemsGraph, buildUserTopKGraph } from '../../../src/modules/recommend/recommend-graph.js';
import { expectCode } from '../../helpers/assertions.js';
import { tasteRatings } from './taste-ratings.js';

const taste = tasteRatings();
const explicit = buildInteractions(taste.users, taste.items, taste.stars);
const implicit = buildInteractions(taste.users, taste.items);

/** Small, fast settings for each learner. */
const PARAMS: Record<string, Record<string, unknown>> = {
  'mf-als': { factors: 4, epochs: 6, regularization: 1 },
  'mf-sgd': { factors: 4, epochs: 30, learningRate: 0.02 },
  'implicit-als': { factors: 4, epochs: 6, alpha: 5 },
  'item-knn': { neighbours: 10 },
  popularity: {},
};

const K = 5;

async function fitted(name: string, data: InteractionMatrix, seed = 1, progress?: Progress[]): Promise<RecommenderPredictor> {
  return getRecommender(name).fit(data, PARAMS[name], { seed, ...(progress ? { onProgress: (p) => progress.push(p) } : {}) });
}

test('every registered recommender is covered here', () => {
  assert.deepEqual([...recommenderNames].sort(), Object.keys(PARAMS).sort());
});

for (const name of recommenderNames) {
  const learner = getRecommender(name);
  const data = learner.feedback === 'explicit' ? explicit : implicit;

  describe(`recommender ${name}`, () => {
    test('is deterministic under a seed and reports progress', async () => {
      const progress: Progress[] = [];
      const a = await fitted(name, data, 7, progress);
      const b = await fitted(name, data, 7);
      assert.deepEqual(a.toJSON(), b.toJSON());
      assert.ok(progress.length >= 1);
      assert.ok(progress.every((p) => Number.isFinite(p.trainLoss) && p.iteration <= p.maxIterations));
      if (learner.feedback === 'explicit') assert.ok(progress.at(-1)!.trainLoss < progress[0]!.trainLoss, 'training RMSE falls');
    });

    test('recommends unseen items, an unknown user the most popular ones', async () => {
      const p = await fitted(name, data);
      const u = p.userIds.indexOf('u4');
      const top = recommendForUser(p, u, K);
      const seen = new Set(p.seen.index.subarray(p.seen.ptr[u], p.seen.ptr[u + 1]));
      assert.ok([...top.items].every((i) => !seen.has(i)), 'no item the user has');
      assert.ok(top.scores.every((s) => s > MASKED_SCORE));
      const popular = recommendForUser(p, -1, 1);
      assert.equal(p.itemIds[popular.items[0]!], 'i0', 'i0, which everyone rated, for a stranger');
    });

    if (name !== 'popularity') {
      test('learns the planted tastes: a user\'s top items and an item\'s neighbours share their taste', async () => {
        const p = await fitted(name, data);
        let same = 0;
        let total = 0;
        for (let u = 0; u < p.userIds.length; u++) {
          for (const i of recommendForUser(p, u, 3).items) {
            total++;
            if (taste.tasteOf(p.itemIds[i]!) === taste.tasteOf(p.userIds[u]!)) same++;
          }
        }
        assert.ok(same / total >= 0.8, `${same}/${total} recommendations of the user's taste`);
        let similarSame = 0;
        for (let i = 1; i < p.itemIds.length; i++) {
          const best = similarToItem(p, i, 1).items[0]!;
          if (taste.tasteOf(p.itemIds[best]!) === taste.tasteOf(p.itemIds[i]!)) similarSame++;
        }
        assert.ok(similarSame / (p.itemIds.length - 1) >= 0.8, `${similarSame} items' nearest neighbour shares their taste`);
      });
    }

    test('a JSON round trip keeps every score', async () => {
      const p = await fitted(name, data);
      const back = loadRecommender(JSON.parse(JSON.stringify(p.toJSON())));
      const a = new Float64Array(p.itemIds.length);
      const b = new Float64Array(p.itemIds.length);
      for (const u of [0, 5, -1]) {
        p.userScores(u, a);
        back.userScores(u, b);
        assert.deepEqual(a, b);
      }
      p.similarScores(3, a);
      back.similarScores(3, b);
      assert.deepEqual(a, b);
      assert.equal(back.predictRating(2, 3), p.predictRating(2, 3));
    });

    test('its ONNX graphs agree with the in-process recommendations within 1e-5', async () => {
      const p = await fitted(name, data);
      const users = [...p.userIds, 'nobody'];
      const buffer = new Float64Array(p.itemIds.length);
      const onUsers = await graphAgreement(buildUserTopKGraph(p, K, { name }), 'user', users, p.itemIds, K, (row) => {
        const u = row < p.userIds.length ? row : -1;
        const r = recommendForUser(p, u, p.itemIds.length, buffer);
        const full = new Float64Array(p.itemIds.length).fill(MASKED_SCORE);
        r.items.forEach((i, k) => (full[i] = r.scores[k]!));
        return full;
      });
      assert.equal(onUsers.mismatches, 0);
      assert.ok(onUsers.maxScaledDiff <= 1e-5, `scores differ by ${onUsers.maxScaledDiff}`);
      const items = [...p.itemIds, 'no such item'];
      const onItems = await graphAgreement(buildSimilarItemsGraph(p, K, { name }), 'item', items, p.itemIds, K, (row) => {
        const i = row < p.itemIds.length ? row : -1;
        p.similarScores(i, buffer);
        if (i >= 0) buffer[i] = MASKED_SCORE;
        return buffer;
      });
      assert.equal(onItems.mismatches, 0);
      assert.ok(onItems.maxScaledDiff <= 1e-5, `similarities differ by ${onItems.maxScaledDiff}`);
    });

    test('stops with CANCELLED when the signal aborts', async () => {
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(learner.fit(data, PARAMS[name], { signal: controller.signal }), expectCode('CANCELLED'));
    });

    test('refuses a misspelt parameter with INVALID_PARAMS', async () => {
      await assert.rejects(learner.fit(data, { ...PARAMS[name], facters: 3 }, {}), expectCode('INVALID_PARAMS'));
    });
  });
}

test('explicit learners refuse interactions without ratings, naming the fix', async () => {
  for (const name of ['mf-als', 'mf-sgd']) {
    await assert.rejects(getRecommender(name).fit(implicit, {}, {}), expectCode('RECOMMEND_NEEDS_RATINGS', (d) => assert.equal(d['learner'], name)));
  }
});

test('an unknown recommender is refused with the list of those available', () => {
  assert.throws(() => getRecommender('svd++'), expectCode('UNKNOWN_LEARNER', (d) => assert.match(String(d['available']), /mf-als/)));
});

test('biased MF predicts a stranger\'s rating from the item\'s bias, and a new item\'s from the user\'s', async () => {
  const p = await fitted('mf-als', explicit);
  const u = p.userIds.indexOf('u0');
  const liked = p.itemIds.indexOf('i3'); // taste 0, like u0
  const disliked = p.itemIds.indexOf('i4'); // taste 1
  assert.ok(p.predictRating(u, liked) > p.predictRating(u, disliked) + 0.5);
  const mean = taste.stars.reduce((a, b) => a + b, 0) / taste.stars.length;
  assert.ok(Math.abs(p.predictRating(-1, -1) - mean) < 1e-12, 'two strangers: the global mean');
  // A stranger gets the item's bias on top of the mean; a new item the user's bias.
  const itemBias = p.predictRating(-1, liked) - mean;
  const userBias = p.predictRating(u, -1) - mean;
  assert.ok(Number.isFinite(itemBias) && itemBias !== 0);
  assert.notEqual(userBias, 0);
});
