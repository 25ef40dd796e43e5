import { test } from 'node:test';
import assert from 'node:assert/strict';
import { perUserHoldout } from '../../../src/modules/recommend/per-user-holdout.js';
import { expectCode } from '../../helpers/assertions.js';

test('holds out each user\'s latest interactions, keeping at least one to train on', () => {
  // user 0: 5 rows (times 50, 10, 40, 20, 30), user 1: 2 rows, user 2: 1 row
  const users = Int32Array.from([0, 0, 1, 0, 0, 2, 0, 1]);
  const times = Float64Array.from([50, 10, 7, 40, 20, 99, 30, 8]);
  const { train, test: held } = perUserHoldout(users, { fraction: 0.2, seed: 1, times });
  // user 0 gives ceil(0.2 × 5) = 1 row, its latest (time 50, row 0); user 1 its later row (time 8, row 7); user 2 keeps its only one
  assert.deepEqual([...held], [0, 7]);
  assert.deepEqual([...train], [1, 2, 3, 4, 5, 6]);
  const { test: twoFifths } = perUserHoldout(users, { fraction: 0.4, seed: 1, times });
  assert.deepEqual([...twoFifths], [0, 3, 7], 'the two latest of user 0: times 50 and 40');
});

test('without times the held-out interactions are random per user, the same for the same seed', () => {
  const users = Int32Array.from({ length: 200 }, (_, r) => r % 10);
  const a = perUserHoldout(users, { fraction: 0.25, seed: 3 });
  const b = perUserHoldout(users, { fraction: 0.25, seed: 3 });
  const c = perUserHoldout(users, { fraction: 0.25, seed: 4 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.test, c.test);
  assert.equal(a.test.length, 10 * 5);
  for (let u = 0; u < 10; u++) assert.equal([...a.test].filter((r) => r % 10 === u).length, 5, `user ${u} gives a quarter`);
});

test('refuses data where no user has two interactions, and rows without a time', () => {
  assert.throws(() => perUserHoldout(Int32Array.from([0, 1, 2]), { fraction: 0.2, seed: 1 }), expectCode('RECOMMEND_TOO_FEW_USERS'));
  assert.throws(
    () => perUserHoldout(Int32Array.from([0, 0]), { fraction: 0.2, seed: 1, times: Float64Array.from([1, Number.NaN]) }),
    expectCode('TIME_MISSING', (d) => assert.equal(d['row'], 2)),
  );
});
