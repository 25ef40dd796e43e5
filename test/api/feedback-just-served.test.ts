/**
 * Outcomes posted right after the predictions they label. The server writes its prediction log off the
 * response path, in batches every 250 ms, so a prediction served a moment ago was not in the store yet
 * and POST /api/feedback answered its id as unknown — dropping the outcome, as if the id were wrong
 * (a walk-through posting outcomes at once lost the last ~45 of 200). Ids not found while the log
 * holds unwritten records are now looked up again after writing them. Here the log's flush interval is
 * a minute, so without that nothing served in the test would be in the store.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHarness, type Harness } from '../serve/harness.js';

let h: Harness;

before(async () => {
  h = await startHarness({ predictionLog: { flushIntervalMs: 60_000 } });
  await h.app.ready();
});

after(async () => h?.close());

async function predict(age: number): Promise<string> {
  const res = await h.app.inject({ method: 'POST', url: '/v1/models/titanic:predict', payload: { instances: [{ Age: age, Sex: 'male' }] } });
  assert.equal(res.statusCode, 200, res.body);
  const id = res.headers['x-request-id'];
  assert.equal(typeof id, 'string');
  return id as string;
}

test('outcomes for predictions served a moment ago are accepted, and a wrong id is still reported unknown', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push(await predict(20 + i));
  assert.ok(h.app.kiln.predictionLog !== undefined && h.app.kiln.predictionLog.stats().buffered === 5, 'the five predictions wait in the log buffer');

  const res = await h.app.inject({
    method: 'POST',
    url: '/api/feedback',
    payload: { items: [...ids.map((id, i) => ({ request_id: id, outcome: i % 2 })), { request_id: 'no-such-request', outcome: 1 }] },
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), { accepted: 5, unknown_request_ids: ['no-such-request'] });
  const labelled = await h.home.store.listLabelledPredictions({ model: 'titanic' });
  assert.deepEqual(labelled.map((l) => l.requestId).sort(), [...ids].sort());
  assert.deepEqual(
    ids.map((id) => labelled.find((l) => l.requestId === id)?.outcome),
    [0, 1, 0, 1, 0],
  );
});

test('when every id is known at once, feedback leaves the log\'s batch alone', async () => {
  const first = await predict(40);
  await h.app.kiln.predictionLog?.flush();
  const pending = await predict(41);
  const res = await h.app.inject({ method: 'POST', url: '/api/feedback', payload: { items: [{ request_id: first, outcome: 1 }] } });
  assert.deepEqual(res.json(), { accepted: 1, unknown_request_ids: [] });
  // the prediction served after the flush is still buffered: nothing forced a write
  assert.equal(h.app.kiln.predictionLog?.stats().buffered, 1);
  assert.ok(pending.length > 0);
});
