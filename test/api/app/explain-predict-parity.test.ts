/**
 * "Why this prediction?" reads a row as predicting does: the same rows, good and bad, sent to the v1
 * predict route and to the app's explain route get the same verdicts — accepted by both with the same
 * answer, or refused by both with the same code, message and hint (the message naming the request's own
 * list: `instances[0].plan` there, `rows[0].plan` here). The module has a column of every kind a table
 * module serves: a number (FP32), a yes/no (FP32 1/0), a category (BYTES) and a datetime read in epoch
 * seconds when training (INT64 epoch milliseconds when served).
 *
 * (`kiln explain` reads a table file, as `kiln predict` does, not JSON rows: its columns are typed by
 * the table reader, so it has no row values of its own to check.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../../src/core/rng.js';
import { validateSpec } from '../../../src/modules/spec.js';
import { trainModule } from '../../../src/modules/train-module.js';
import { startAppServer, type AppServer } from './app-server.js';

/** Epoch seconds of 2023-01-01T00:00:00Z. */
const START_2023_S = 1_672_531_200;
const DAY_S = 86_400;

/** Churn that depends on every column, the signup month included (so a misread date changes the answer). */
function churnCsv(): string {
  const rng = new Rng(11);
  const lines = ['signup_s,amount,member,plan,churned'];
  for (let i = 0; i < 300; i++) {
    const day = rng.int(365);
    const amount = Math.round(rng.next() * 1000) / 10;
    const member = rng.next() < 0.5;
    const plan = rng.next() < 0.5 ? 'basic' : 'pro';
    const late = day > 180;
    const churned = (late && !member) || (plan === 'basic' && amount < 30) || rng.next() < 0.1 ? 1 : 0;
    lines.push(`${START_2023_S + day * DAY_S + rng.int(DAY_S)},${amount},${member},${plan},${churned}`);
  }
  return lines.join('\n') + '\n';
}

/** A served datetime is epoch MILLISECONDS, whatever unit the training table used. */
const JULY_MS = (START_2023_S + 200 * DAY_S) * 1000;
const FULL = { signup_s: JULY_MS, amount: 12.5, member: 1, plan: 'pro' };

/** Rows both routes accept. */
const GOOD: readonly [string, Record<string, unknown>][] = [
  ['a full row', FULL],
  ['a row in February', { ...FULL, signup_s: (START_2023_S + 40 * DAY_S) * 1000, member: 0, plan: 'basic' }],
  ['a partial row (absent columns are missing values)', { amount: 3 }],
  ['an empty row', {}],
  ['every value null', { signup_s: null, amount: null, member: null, plan: null }],
  ['a number for a category', { ...FULL, plan: 3 }],
  ['a boolean for a category', { ...FULL, plan: true }],
  ['an empty category', { ...FULL, plan: '' }],
  ['a datetime as decimal text', { ...FULL, signup_s: String(JULY_MS) }],
  ['a large number float32 holds', { ...FULL, amount: 1e30 }],
];

/** Rows both routes refuse, with the code they must give. */
const BAD: readonly [string, Record<string, unknown>, string][] = [
  ['an object for a category', { ...FULL, plan: { name: 'pro' } }, 'INPUT_DATA'],
  ['an array for a category', { ...FULL, plan: ['pro'] }, 'INPUT_DATA'],
  ['true for a number', { ...FULL, amount: true }, 'INPUT_DATA'],
  ['numeric text for a number', { ...FULL, amount: '12.5' }, 'INPUT_DATA'],
  ['a number beyond float32', { ...FULL, amount: 1e308 }, 'INPUT_DATA'],
  ['text for a yes/no column', { ...FULL, member: 'yes' }, 'INPUT_DATA'],
  ['ISO text for a datetime', { ...FULL, signup_s: '2023-07-20' }, 'INPUT_DATA'],
  ['a fractional datetime', { ...FULL, signup_s: JULY_MS + 0.5 }, 'INPUT_DATA'],
  ['a datetime beyond 2^53', { ...FULL, signup_s: 2 ** 60 }, 'INPUT_DATA'],
  ['an object for a datetime', { ...FULL, signup_s: { ms: JULY_MS } }, 'INPUT_DATA'],
  ['a column the model does not have', { ...FULL, Plan: 'pro' }, 'INPUT_UNKNOWN'],
];

interface Answer {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

describe('the explain route reads rows as the predict route does', () => {
  let server: AppServer;
  let dir: string;
  before(async () => {
    server = await startAppServer();
    dir = mkdtempSync(join(tmpdir(), 'kiln-parity-'));
    writeFileSync(join(dir, 'churn.csv'), churnCsv());
    const spec = validateSpec(
      { name: 'churn', data: 'churn.csv', target: 'churned', learner: 'logistic-regression', columns: { signup_s: 'datetime', member: 'boolean' }, transforms: { signup_s: { datetime: { parts: ['month', 'day'], unit: 's' } } } },
      null,
      dir,
    );
    await trainModule(spec, { store: server.store, artifacts: server.artifacts });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const predict = (rows: readonly unknown[]): Promise<Answer> => server.call('POST', '/v1/models/churn:predict', { instances: rows });
  const explain = (rows: readonly unknown[]): Promise<Answer> => server.call('POST', '/api/models/churn/explain', { rows });

  test('the module serves the four kinds of column', async () => {
    const metadata = (await server.call('GET', '/v2/models/churn')).json as { inputs: { name: string; datatype: string }[] };
    assert.deepEqual(Object.fromEntries(metadata.inputs.map((i) => [i.name, i.datatype])), { signup_s: 'INT64', amount: 'FP32', member: 'FP32', plan: 'BYTES' });
  });

  test('rows predict accepts are explained, with the served model\'s answer', async () => {
    for (const [what, row] of GOOD) {
      const [predicted, explained] = await Promise.all([predict([row]), explain([row])]);
      assert.equal(predicted.status, 200, `${what}: predict ${JSON.stringify(predicted.json)}`);
      assert.equal(explained.status, 200, `${what}: explain ${JSON.stringify(explained.json)}`);
      const served = (predicted.json['predictions'] as { label: unknown; probabilities: Record<string, number> }[])[0];
      const explanation = (explained.json['explanations'] as { prediction: unknown; probabilities: Record<string, number>; reasons: unknown[] }[])[0];
      assert.equal(explanation?.prediction, served?.label, what);
      // the predictor explained and the served graph (float32) read the row alike: dates in the same unit
      for (const [label, p] of Object.entries(served?.probabilities ?? {})) {
        assert.ok(Math.abs(p - (explanation?.probabilities[label] ?? NaN)) < 1e-4, `${what}: P(${label}) served ${p}, explained ${explanation?.probabilities[label]}`);
      }
      assert.ok((explanation?.reasons.length ?? 0) > 0, what);
    }
  });

  test('rows predict refuses are refused with the same code, message and hint', async () => {
    for (const [what, row, code] of BAD) {
      // second in its request, so that the position in the message is checked too
      const [predicted, explained] = await Promise.all([predict([FULL, row]), explain([FULL, row])]);
      assert.equal(predicted.status, 400, `${what}: predict ${JSON.stringify(predicted.json)}`);
      assert.equal(explained.status, 400, `${what}: explain ${JSON.stringify(explained.json)}`);
      assert.equal(predicted.json['code'], code, what);
      assert.equal(explained.json['code'], code, what);
      const asExplain = (text: unknown) => String(text).replaceAll('instances[', 'rows[');
      assert.equal(explained.json['error'], asExplain(predicted.json['error']), what);
      assert.match(String(explained.json['error']), /rows\[1\]|"Plan"/, what);
      assert.equal(explained.json['hint'], predicted.json['hint'], what);
      assert.equal(JSON.stringify(explained.json['problems'] ?? null), asExplain(JSON.stringify(predicted.json['problems'] ?? null)), what);
    }
  });

  test('a number beyond float32 is refused naming the column and the row, not explained as infinity', async () => {
    const explained = await explain([FULL, { ...FULL, amount: -1e39 }]);
    assert.equal(explained.status, 400);
    assert.match(String(explained.json['error']), /input "amount" has bad data: rows\[1\]\.amount is -1e\+39, expected a number within FP32's range/);
  });
});
