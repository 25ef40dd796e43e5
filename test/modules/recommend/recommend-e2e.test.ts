/**
 * The recommend module end to end on small synthetic ratings with planted tastes: train (through
 * trainModule, and once through the `kiln` CLI) → registered versions of NAME and NAME-similar → served
 * by the generic server → top-k items for a known user, popular items for an unknown one, similar items,
 * over the Open Inference Protocol (v2) and KServe v1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { validateSpec } from '../../../src/modules/spec.js';
import { MODULE_ARTIFACTS } from '../../../src/modules/manifest.js';
import { checkModel } from '../../../src/monitor/check-model.js';
import { parseModelRef } from '../../../src/store/model-ref.js';
import { trainModule, type ModuleTrainResult } from '../../../src/modules/train-module.js';
import { startServer, type RunningServer } from '../../../src/serve/server.js';
import { openHome, type KilnHome } from '../../../src/store/open-store.js';
import { expectCode } from '../../helpers/assertions.js';
import { kiln, tempHome } from '../../helpers/kiln-cli.js';
import { writeSyntheticRatings } from './synthetic-ratings.js';

const K = 5;
const synthetic = writeSyntheticRatings();
const { tasteOf } = synthetic.data;
const spec = (extra: Record<string, unknown> = {}) =>
  validateSpec(
    { name: 'shop', data: synthetic.csv, task: 'recommend', user: 'customer', item: 'product', rating: 'stars', time: 'when', topK: K, seed: 7, params: { factors: 6, epochs: 8, regularization: 1 }, ...extra },
    null,
    synthetic.dir,
  );

const post = async (url: string, body: unknown): Promise<{ status: number; body: any }> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
};
const idsRequest = (name: string, ids: string[]) => ({ inputs: [{ name, datatype: 'BYTES', shape: [ids.length, 1], data: ids }] });
const output = (body: any, name: string) => body.outputs.find((o: { name: string }) => o.name === name);

describe('the recommend module, end to end', () => {
  let home: KilnHome;
  let result: ModuleTrainResult;
  let server: RunningServer;

  before(async () => {
    home = await openHome(tempHome());
    result = await trainModule(spec(), home);
    server = await startServer({ store: home.store, artifacts: home.artifacts, logger: pino({ level: 'silent' }), port: 0 });
  });
  after(async () => {
    await server?.close();
    await home?.store.close();
    rmSync(synthetic.dir, { recursive: true, force: true });
  });

  test('trains biased MF on a per-user time holdout and beats the popularity baseline', () => {
    assert.equal(result.task, 'recommend');
    assert.equal(result.learner, 'mf-als');
    assert.equal(result.details['holdout'], 'latest per user');
    assert.equal(result.rows.train + result.rows.test, synthetic.data.users.length);
    const m = result.metrics.test;
    for (const name of ['rmse', 'mae', `precision_at_${K}`, `recall_at_${K}`, `ndcg_at_${K}`, `map_at_${K}`, `baseline_ndcg_at_${K}`]) {
      assert.ok(Number.isFinite(m[name]), `test.${name}`);
    }
    assert.ok(m[`ndcg_at_${K}`]! > m[`baseline_ndcg_at_${K}`]!, `NDCG ${m[`ndcg_at_${K}`]} vs popularity ${m[`baseline_ndcg_at_${K}`]}`);
    assert.ok((result.details['onnx_max_abs_diff'] as number) <= 1e-5);
    assert.match(result.summary.join('\n'), /better than recommending the most popular items/);
  });

  test('registers NAME and NAME-similar from one run, with manifest, report and reference', async () => {
    const main = await home.store.getVersion('shop', result.version);
    const similar = await home.store.getVersion('shop-similar', 1);
    assert.equal(main.runId, result.runId);
    assert.equal(similar.runId, result.runId);
    assert.equal((await home.store.getRun(result.runId)).status, 'finished');
    for (const v of [main, similar]) {
      for (const artifact of Object.values(MODULE_ARTIFACTS)) assert.ok(v.artifacts[artifact], `${v.model} has ${artifact}`);
    }
    const manifest = JSON.parse((await home.artifacts.get(main.artifacts[MODULE_ARTIFACTS.manifest]!)).toString('utf8'));
    assert.equal(manifest.task, 'recommend');
    assert.deepEqual(manifest.signature.inputs.map((i: { name: string; datatype: string }) => `${i.name}:${i.datatype}`), ['user:BYTES']);
    assert.deepEqual(manifest.signature.outputs.map((o: { name: string; shape: number[] }) => `${o.name}:${o.shape}`), [`items:-1,${K}`, `scores:-1,${K}`]);
    assert.equal(manifest.metrics['test.rmse'], result.metrics.test['rmse']);
    const report = JSON.parse((await home.artifacts.get(main.artifacts[MODULE_ARTIFACTS.report]!)).toString('utf8'));
    assert.equal(report.ranking.model.users, 90);
    assert.match(report.verdict, /NDCG@5/);
    assert.ok(report.ratings.rmse < report.ratings.meanBaselineRmse, `RMSE ${report.ratings.rmse} vs ${report.ratings.meanBaselineRmse} for the mean`);
    const reference = JSON.parse((await home.artifacts.get(similar.artifacts[MODULE_ARTIFACTS.reference]!)).toString('utf8'));
    assert.deepEqual(reference.columns.map((c: { name: string }) => c.name), ['item']);
  });

  test('monitoring: a few requests of known users are no drift; a flood of unknown users is, in words', async () => {
    const now = Date.now();
    const log = (users: string[], from: number) =>
      home.store.logPredictions(users.map((user, i) => ({ requestId: `mon-${from + i}`, model: 'shop', version: result.version, timestamp: now - 60_000 + from + i, latencyMs: 2, inputs: { user }, outputs: { items: ['i0'], scores: [1] } })));
    await log(['u4', 'u7', 'u12'], 0);
    const ordinary = await checkModel(home, parseModelRef('shop'), { now });
    assert.deepEqual(ordinary.drift.columns.map((c) => [c.column, c.test, c.drift]), [['user', 'unseen_share', false]]);
    assert.match(ordinary.verdict, /^No dataset drift/);
    await log(Array.from({ length: 50 }, (_, i) => `newcomer-${i}`), 3);
    const flooded = await checkModel(home, parseModelRef('shop'), { now });
    assert.equal(flooded.drift.dataset_drift, true);
    assert.match(flooded.verdict, /94% of the 53 "user" values in the window are ids the model never saw in training \(0% of the held-out data\)/);
  });

  test('v2: a known user gets k unseen items of their taste; an unknown user the most popular item first', async () => {
    const { status, body } = await post(`${server.url}/v2/models/shop/infer`, idsRequest('user', ['u4', 'someone new']));
    assert.equal(status, 200, JSON.stringify(body));
    const items = output(body, 'items');
    const scores = output(body, 'scores');
    assert.deepEqual(items.shape, [2, K]);
    assert.equal(scores.datatype, 'FP32');
    const mine = items.data.slice(0, K) as string[];
    const seen = new Set(synthetic.data.items.filter((_, r) => synthetic.data.users[r] === 'u4'));
    assert.ok(mine.every((i) => !seen.has(i)), `u4 is offered only items it has not rated: ${mine}`);
    assert.ok(mine.slice(0, 3).every((i) => tasteOf(i) === tasteOf('u4')), `u4's top 3 share its taste: ${mine}`);
    assert.ok(scores.data[0] >= scores.data[1], 'best first');
    assert.equal(items.data[K], 'i0', 'the item everyone rated, for a stranger');
  });

  test('v2: items similar to an item share its taste, never itself; an unknown item gets popular ones', async () => {
    const { status, body } = await post(`${server.url}/v2/models/shop-similar/infer`, idsRequest('item', ['i3', 'no such item']));
    assert.equal(status, 200, JSON.stringify(body));
    const items = output(body, 'items').data as string[];
    const forI3 = items.slice(0, K);
    assert.ok(!forI3.includes('i3'));
    assert.ok(forI3.slice(0, 3).every((i) => tasteOf(i) === tasteOf('i3')), `similar to i3: ${forI3}`);
    assert.equal(items[K], 'i0');
  });

  test('v1: rows with a user id (numbers taken as text) answer items and scores per row', async () => {
    const { status, body } = await post(`${server.url}/v1/models/shop:predict`, { instances: [{ user: 'u4' }, { user: 12345 }] });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.predictions.length, 2);
    assert.equal(body.predictions[0].items.length, K);
    assert.equal(body.predictions[1].items[0], 'i0');
    assert.equal(body.predictions[0].scores.length, K);
  });

  test('bad requests and specs are refused with what to do', async () => {
    const wrongInput = await post(`${server.url}/v2/models/shop/infer`, idsRequest('item', ['i3']));
    assert.equal(wrongInput.status, 400);
    assert.match(wrongInput.body.error, /no input "item"/);
    await assert.rejects(trainModule(spec({ rating: undefined, learner: 'mf-sgd' }), home), expectCode('RECOMMEND_NEEDS_RATINGS'));
    await assert.rejects(trainModule(spec({ user: 'client' }), home), expectCode('COLUMN_NOT_FOUND', (d) => assert.equal(d['column'], 'client')));
    await assert.rejects(trainModule(spec({ learner: 'svd' }), home), expectCode('UNKNOWN_LEARNER'));
  });

  test('a cancelled training stops with CANCELLED and its run is recorded as failed', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(trainModule(spec({ name: 'shop-cancelled' }), { ...home, signal: controller.signal }), expectCode('CANCELLED'));
    const runs = await home.store.listRuns({ where: "name = 'shop-cancelled'" });
    assert.deepEqual(runs.map((r) => r.status), ['failed']);
  });

  test('a separate test table replaces the holdout; its new users are ranked with popular items', async () => {
    const testCsv = join(synthetic.dir, 'later.csv');
    writeFileSync(testCsv, ['customer,product,stars,when', 'u1,i7,5,1', 'u2,i5,4,2', 'newcomer,i0,4,3', 'newcomer,i3,2,4', ''].join('\n'));
    const separate = await trainModule(spec({ name: 'shop-later', testData: testCsv }), home);
    assert.equal(separate.details['holdout'], 'separate test table');
    assert.deepEqual(separate.rows, { train: synthetic.data.users.length, test: 4 });
    assert.ok(Number.isFinite(separate.metrics.test['rmse']), 'the newcomer\'s ratings fall back to the item biases');
    assert.ok(separate.metrics.test[`recall_at_${K}`]! > 0, 'i0 is the newcomer\'s first recommendation and a hit');
  });

  test('implicit interactions (no rating, no time): implicit ALS by default, random per-user holdout, ranking metrics only', async () => {
    const implicit = await trainModule(spec({ name: 'shop-views', rating: undefined, time: undefined, params: { factors: 6, epochs: 6 } }), home);
    assert.equal(implicit.learner, 'implicit-als');
    assert.equal(implicit.details['holdout'], 'random per user');
    assert.equal(implicit.metrics.test['rmse'], undefined);
    assert.ok(implicit.metrics.test[`ndcg_at_${K}`]! > implicit.metrics.test[`baseline_ndcg_at_${K}`]!);
  });
});

describe('kiln train with a recommend spec', () => {
  test('trains, registers both models and prints the JSON result', async () => {
    const data = writeSyntheticRatings({ users: 45, items: 30 });
    const specFile = join(data.dir, 'kiln.yaml');
    writeFileSync(
      specFile,
      ['name: picks', 'data: ratings.csv', 'task: recommend', 'user: customer', 'item: product', 'rating: stars', 'time: when', 'topK: 4', 'learner: item-knn', ''].join('\n'),
    );
    const home = tempHome();
    try {
      const run = await kiln(['train', specFile, '--home', home, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const json = JSON.parse(run.stdout);
      assert.equal(json.task, 'recommend');
      assert.equal(json.learner, 'item-knn');
      assert.deepEqual(json.similar_model, { model: 'picks-similar', version: 1 });
      assert.ok(Number.isFinite(json.metrics.test.ndcg_at_4));
      const models = await kiln(['models', 'list', '--home', home, '--json']);
      assert.match(models.stdout, /picks-similar/);
    } finally {
      rmSync(data.dir, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    }
  });
});
