/**
 * Outcome files and bodies turned into feedback items: CSV (cells as text, named columns, timestamps),
 * JSON and NDJSON, and the coded errors for what cannot be read.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { feedbackFromJson, outcomeFromText, readFeedbackFile } from '../../src/monitor/feedback-input.js';
import { expectCode } from '../helpers/assertions.js';

const dir = mkdtempSync(join(tmpdir(), 'kiln-feedback-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('a CSV keeps request ids as text, turns outcome cells into numbers or booleans, and reads timestamps', async () => {
  const path = file('o.csv', 'request_id,outcome,timestamp\n00123,1,2026-11-03T10:00:00Z\nabc-7#2,churn,\nx,TRUE,1767225600000\ny,2.5e1,\n');
  assert.deepEqual(await readFeedbackFile(path), [
    { requestId: '00123', outcome: 1, timestamp: Date.parse('2026-11-03T10:00:00Z') },
    { requestId: 'abc-7#2', outcome: 'churn' },
    { requestId: 'x', outcome: true, timestamp: 1767225600000 },
    { requestId: 'y', outcome: 25 },
  ]);
  const named = file('named.csv', 'id;label\nr1;yes\n');
  assert.deepEqual(await readFeedbackFile(named, { idColumn: 'id', outcomeColumn: 'label' }), [{ requestId: 'r1', outcome: 'yes' }]);
});

test('JSON ({items}, a list or one item) and NDJSON files', async () => {
  assert.deepEqual(await readFeedbackFile(file('a.json', '{"items": [{"request_id": "a", "outcome": 0}]}')), [{ requestId: 'a', outcome: 0 }]);
  assert.deepEqual(await readFeedbackFile(file('b.json', '[{"requestId": 7, "outcome": "no"}]')), [{ requestId: '7', outcome: 'no' }]);
  assert.deepEqual(await readFeedbackFile(file('c.ndjson', '{"request_id": "a", "outcome": 1}\n\n{"request_id": "b", "outcome": false}\n')), [
    { requestId: 'a', outcome: 1 },
    { requestId: 'b', outcome: false },
  ]);
  assert.deepEqual(feedbackFromJson({ request_id: 'z', outcome: 3, timestamp: 5 }), [{ requestId: 'z', outcome: 3, timestamp: 5 }]);
});

test('what cannot be read is a coded error naming the line, the column or the field', async () => {
  await assert.rejects(readFeedbackFile(join(dir, 'none.csv')), expectCode('DATA_NOT_FOUND'));
  await assert.rejects(
    readFeedbackFile(file('cols.csv', 'request_id,result\nabc,1\n')),
    expectCode('FEEDBACK_INVALID', (d) => assert.match(String(d['summary']), /no column "outcome" \(columns: request_id, result\); name the right one with --outcome-column/)),
  );
  await assert.rejects(
    readFeedbackFile(file('gaps.csv', 'request_id,outcome,timestamp\n,1,\nb,,\nc,1,soon\n')),
    expectCode('FEEDBACK_INVALID', (d) => assert.equal(d['summary'], 'line 2: no request id in column "request_id"; line 3: no outcome in column "outcome"; line 4: "soon" in column "timestamp" is not epoch milliseconds or an ISO date from 1970 to the year 275760')),
  );
  await assert.rejects(readFeedbackFile(file('broken.json', '{"items": [')), expectCode('DATA_UNREADABLE'));
  assert.throws(() => feedbackFromJson('outcomes'), expectCode('FEEDBACK_INVALID'));
  assert.throws(() => feedbackFromJson({ items: [{ request_id: 'a', outcome: 1, timestamp: 'later' }] }), expectCode('FEEDBACK_INVALID'));
});

test('outcome cells: numbers, booleans, text', () => {
  assert.deepEqual(['1', '-0.5', '.5', 'true', 'False', 'yes', '1e3', '12abc', ' 7 '].map(outcomeFromText), [1, -0.5, 0.5, true, false, 'yes', 1000, '12abc', 7]);
});
