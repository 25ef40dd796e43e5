/**
 * `kiln feedback` and `kiln alerts` as a user runs them: outcomes from a CSV (ids kept as text), from
 * JSON and one at a time; clear errors for bad files and flags; alert rules added, checked and removed.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openHome } from '../../src/store/open-store.js';
import type { PredictionRecord } from '../../src/store/store.js';
import { kiln, tempHome } from '../helpers/kiln-cli.js';
import { registerChurnModel } from '../monitor/monitored-model.js';

let dir: string;

before(async () => {
  dir = tempHome('kiln-feedback-cli-');
  const home = await openHome(dir);
  await registerChurnModel(home);
  const records: PredictionRecord[] = ['00123', 'abc', 'def', 'ghi'].map((requestId, i) => ({
    requestId,
    model: 'churn',
    version: 1,
    timestamp: Date.now() - 1000 + i,
    latencyMs: 3,
    inputs: { age: 40 + i, plan: 'pro' },
    outputs: { label: 'churn', probabilities: { churn: 0.7, stay: 0.3 } },
  }));
  await home.store.logPredictions(records);
  await home.store.close();
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function labelled(): Promise<[string, unknown][]> {
  const home = await openHome(dir);
  try {
    return (await home.store.listLabelledPredictions()).map((p): [string, unknown] => [p.requestId, p.outcome]).sort();
  } finally {
    await home.store.close();
  }
}

test('kiln feedback reads a CSV (ids as text, named columns) and takes a single outcome', async () => {
  const csv = join(dir, 'outcomes.csv');
  writeFileSync(csv, 'id,churned,note\n00123,churn,x\nabc,stay,y\nmissing-1,stay,z\n');
  const r = await kiln(['feedback', 'churn', '--home', dir, '--json', '--file', csv, '--id-column', 'id', '--outcome-column', 'churned']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { accepted: number; unknown_request_ids: string[]; model: string; performance: { labelled: number } };
  assert.deepEqual([out.accepted, out.unknown_request_ids, out.model, out.performance.labelled], [2, ['missing-1'], 'churn', 2]);

  const one = await kiln(['feedback', '--home', dir, '--request-id', 'ghi', '--outcome', 'true']);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stderr, /accepted 1 outcome\b/);
  assert.deepEqual(await labelled(), [['00123', 'churn'], ['abc', 'stay'], ['ghi', true]]);
});

test('kiln feedback with nothing to send is a usage error that says what to give', async () => {
  const nothing = await kiln(['feedback', '--home', dir, '--request-id', 'abc']);
  assert.equal(nothing.code, 2);
  assert.match(nothing.stderr, /give --file outcomes.csv, or --request-id ID together with --outcome VALUE/);
});

test('kiln alerts add, check and remove', async () => {
  const add = await kiln(['alerts', 'add', 'churn', '--home', dir, '--json', '--metric', 'p50_latency_ms', '--op', 'above', '--threshold', '1', '--window', '10']);
  assert.equal(add.code, 0, add.stderr);
  const rule = JSON.parse(add.stdout) as { id: string; op: string; window: number };
  assert.deepEqual([rule.op, rule.window], ['>', 10]);

  const check = await kiln(['alerts', 'check', '--home', dir, '--json']);
  assert.equal(check.code, 0, check.stderr);
  const [result] = (JSON.parse(check.stdout) as { results: { breached: boolean; value: number; event: { message: string } | null }[] }).results;
  assert.deepEqual([result?.breached, result?.value], [true, 3]);
  assert.match(result?.event?.message ?? '', /churn:1 p50_latency_ms is 3, above the threshold 1/);

  const remove = await kiln(['alerts', 'remove', rule.id, '--home', dir]);
  assert.equal(remove.code, 0, remove.stderr);
  const home = await openHome(dir);
  try {
    assert.deepEqual(await home.store.listAlertRules(), []);
    assert.equal((await home.store.listAlertEvents()).length, 1, 'the event outlives its rule');
  } finally {
    await home.store.close();
  }
});
