/**
 * The quality bar, on the real data: biased matrix factorisation (ALS, default settings) on
 * MovieLens small (examples/movielens/ratings.csv), seeded 80/20 random split of the ratings, reaches a
 * test RMSE ≤ 0.88 (every test rating counts; users or movies unseen in training fall back to the
 * known biases). The benchmark (bench/modules/recommend.ts) reports the same number beside its peers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readTable } from '../../../src/data/sources/read-table.js';
import { randomSplit } from '../../../src/data/split.js';
import { toCategoricalColumn } from '../../../src/data/coerce.js';
import { buildInteractions, indexPairs } from '../../../src/learners/recommend/interactions.js';
import { mfAls } from '../../../src/learners/recommend/mf-als.js';
import { ratingScores } from '../../../src/modules/recommend/evaluate-recommender.js';

const RATINGS = join(import.meta.dirname, '..', '..', '..', 'examples', 'movielens', 'ratings.csv');

test('biased MF (ALS) reaches RMSE ≤ 0.88 on MovieLens small, seeded 80/20 split', async () => {
  const { frame } = await readTable(RATINGS);
  assert.equal(frame.nRows, 100_836);
  const users = toCategoricalColumn(frame.get('userId')!).values as string[];
  const items = toCategoricalColumn(frame.get('movieId')!).values as string[];
  const stars = frame.get('rating')!.values as Float64Array;
  const { train, test: held } = randomSplit(frame.nRows, 0.2, 42);
  const pick = <T>(values: ArrayLike<T>, rows: Int32Array): T[] => Array.from(rows, (r) => values[r] as T);
  const data = buildInteractions(pick(users, train), pick(items, train), pick(stars, train));
  const predictor = await mfAls.fit(data, {}, { seed: 42 });
  const { rmse, mae } = ratingScores(predictor, indexPairs(data, pick(users, held), pick(items, held), pick(stars, held)));
  assert.ok(rmse <= 0.88, `RMSE ${rmse}`);
  assert.ok(mae < 0.7, `MAE ${mae}`);
});
