import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBatch, FINDABLE_WITHIN_MS, MAX_BATCH_SPAN_MS, toPredictionBatches, type PredictionBatch } from '../../src/store/prediction-batch.js';
import { timeOrderedId } from '../../src/core/time-ordered-id.js';
import type { PredictionRecord } from '../../src/store/store.js';
import { prediction } from './store-conformance.js';

const stored = (b: PredictionBatch) => ({ model: b.model, version: b.version, experiment: b.experiment, request_ids: b.requestIds, payload: b.payload });

test('records are grouped by model, version and experiment, in order, and decode to what was logged', () => {
  const records: PredictionRecord[] = [
    prediction(1),
    prediction(2, { version: 2, experiment: 'e', arm: 'challenger', shadow: true, userKey: 'u1' }),
    prediction(3, { inputs: null, outputs: null, error: 'INPUT_INVALID' }),
    prediction(4, { model: 'housing' }),
    prediction(5),
  ];
  const batches = toPredictionBatches(records);
  assert.deepEqual(batches.map((b) => [b.model, b.version, b.experiment, b.records]), [['titanic', 1, null, 3], ['titanic', 2, 'e', 1], ['housing', 1, null, 1]]);
  assert.deepEqual(batches.flatMap((b) => decodeBatch(stored(b))), [records[0], records[2], records[4], records[1], records[3]]);
  const first = batches[0] as PredictionBatch;
  assert.deepEqual([first.firstTimestamp, first.lastTimestamp], [records[0]?.timestamp, records[4]?.timestamp]);
  assert.ok(!first.payload.includes('"arm"') && !first.payload.includes('"userKey"'), 'absent optional fields are not written');
});

test('a group is cut at the record limit and at the longest span', () => {
  const many = Array.from({ length: 2500 }, (_, i) => prediction(i));
  assert.deepEqual(toPredictionBatches(many).map((b) => b.records), [1000, 1000, 500]);
  const spread = [prediction(0, { timestamp: 0 }), prediction(1, { timestamp: MAX_BATCH_SPAN_MS }), prediction(2, { timestamp: MAX_BATCH_SPAN_MS + 1 })];
  assert.deepEqual(toPredictionBatches(spread).map((b) => b.records), [2, 1]);
});

test('time-ordered ids logged soon after they were made are found by time; others go to the lookup table', () => {
  const at = 1_800_000_000_000;
  const soon = timeOrderedId(at);
  const late = timeOrderedId(at);
  const [batch] = toPredictionBatches([
    prediction(1, { requestId: soon, timestamp: at + 3 }),
    prediction(2, { requestId: late, timestamp: at + FINDABLE_WITHIN_MS + 1 }),
    prediction(3, { requestId: 'client-id', timestamp: at + 4 }),
    prediction(4, { requestId: 'client-id', timestamp: at + 5 }),
  ]);
  assert.ok(batch !== undefined);
  assert.deepEqual(batch.indexedRequestIds, [late, 'client-id']);
  assert.deepEqual([batch.minFindableId, batch.maxFindableId], [soon, soon]);
  assert.deepEqual(JSON.parse(batch.requestIds), [soon, late, 'client-id', 'client-id']);
});

test('a damaged payload is STORE_CORRUPT, not a raw JSON error', () => {
  assert.throws(
    () => decodeBatch({ model: 'titanic', version: 1, experiment: null, request_ids: '["a"]', payload: '{"timestamp": [' }),
    (err: unknown) => (err as { code?: string }).code === 'STORE_CORRUPT' && /titanic v1/.test((err as Error).message),
  );
});
