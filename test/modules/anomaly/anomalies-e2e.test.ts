/**
 * The anomalies example end to end: train (in the library, and through the real `kiln train` CLI) →
 * registered version → `startServer` on port 0 → a planted anomaly flagged, with its reason, over v2 and v1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import pino from 'pino';
import { Frame } from '../../../src/core/frame.js';
import { readCsv } from '../../../src/data/sources/csv.js';
import { TabularPreprocessor } from '../../../src/features/tabular-preprocessor.js';
import { loadPredictor } from '../../../src/learners/registry.js';
import { largestZ } from '../../../src/modules/anomaly/robust-z.js';
import { loadModule } from '../../../src/modules/load-module.js';
import { MODULE_ARTIFACTS } from '../../../src/modules/manifest.js';
import { scoreFrame } from '../../../src/modules/score-table.js';
import { loadSpecFile } from '../../../src/modules/spec.js';
import { trainModule, type ModuleTrainResult } from '../../../src/modules/train-module.js';
import { startServer, type RunningServer } from '../../../src/serve/server.js';
import { openHome, type KilnHome } from '../../../src/store/open-store.js';
import { kiln, tempHome } from '../../helpers/kiln-cli.js';

const SPEC = join(import.meta.dirname, '..', '..', '..', 'examples', 'anomalies', 'kiln.yaml');
const DATA = join(import.meta.dirname, '..', '..', '..', 'examples', 'anomalies', 'transactions.csv');

const post = async (url: string, body: unknown): Promise<{ status: number; json: any }> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
};

/** A usual fuel purchase, and a planted-style anomaly: 3 a.m., 2,000 km from home. */
const usual = { merchant: 'fuel', amount: 58.5, hour: 15, items: 1, distance_km: 4.2 };
const odd = { merchant: 'fuel', amount: 55, hour: 3, items: 1, distance_km: 2000 };

describe('the anomalies module, end to end', () => {
  let home: KilnHome;
  let result: ModuleTrainResult;

  before(async () => {
    home = await openHome(tempHome());
    result = await trainModule(loadSpecFile(SPEC), home);
  });
  after(async () => home.store.close());

  test('finds the planted anomalies: precision@k ≥ 0.8 at k = the number planted, on both parts', () => {
    assert.equal(result.task, 'detect-anomalies');
    assert.ok(result.metrics.train['precision_at_k']! >= 0.8, `train precision@k ${result.metrics.train['precision_at_k']}`);
    assert.ok(result.metrics.test['precision_at_k']! >= 0.8, `test precision@k ${result.metrics.test['precision_at_k']}`);
    assert.ok(result.metrics.test['roc_auc']! >= 0.95);
    assert.ok(result.metrics.test['recall']! >= 0.8);
    // the baseline is reported beside it
    assert.equal(typeof result.metrics.test['baseline_precision_at_k'], 'number');
    assert.equal(typeof result.metrics.test['baseline_roc_auc'], 'number');
  });

  test('sets the threshold at the contamination quantile of the training scores', () => {
    assert.ok(Math.abs(result.metrics.train['flagged_share']! - 0.01) <= 0.002, `flagged ${result.metrics.train['flagged_share']}`);
    assert.match(result.summary[0] ?? '', /99th percentile of the training scores/);
    assert.match(result.summary.join('\n'), /robust z-score baseline finds/);
  });

  test('explains the most unusual held-out rows by the columns with the largest robust z', () => {
    const top = result.details['top_rows'] as { score: number; known: boolean; reasons: { column: string; z?: number; words: string }[] }[];
    assert.equal(top.length, 10);
    assert.ok(top[0]!.known, 'the most anomalous held-out row is a planted one');
    const reasons = top[0]!.reasons;
    assert.ok(reasons.length >= 1);
    assert.ok(Math.abs(reasons[0]!.z ?? Infinity) >= 3.5);
    assert.match(reasons[0]!.words, /is far (above|below) the usual/);
    assert.ok(top.every((r, i) => i === 0 || r.score <= top[i - 1]!.score));
  });

  test('registers score, is_anomaly and reason outputs', async () => {
    const version = await home.store.getVersion('anomalies', result.version);
    const module = await loadModule(version, home.artifacts);
    assert.equal(module.manifest.task, 'detect-anomalies');
    assert.deepEqual(module.manifest.signature.outputs, [
      { name: 'score', datatype: 'FP32', shape: [-1] },
      { name: 'is_anomaly', datatype: 'INT64', shape: [-1] },
      { name: 'reason', datatype: 'BYTES', shape: [-1] },
      { name: 'reason_z', datatype: 'FP32', shape: [-1] },
    ]);
    assert.ok(!module.manifest.signature.inputs.some((i) => i.name === 'is_fraud'), 'the label never becomes an input');
    assert.ok((result.details['onnx_max_abs_diff'] as number) <= 1e-5);
  });

  test('the graph agrees with the saved model on damaged rows: scores, flags and reasons', async () => {
    const version = await home.store.getVersion('anomalies', result.version);
    const module = await loadModule(version, home.artifacts);
    const saved = JSON.parse((await home.artifacts.get(version.artifacts[MODULE_ARTIFACTS.predictor]!)).toString('utf8'));
    const preprocessor = TabularPreprocessor.fromJSON(saved.preprocessor);
    const model = loadPredictor(saved.predictor);
    assert.equal(model.kind, 'anomaly');
    if (model.kind !== 'anomaly') return;
    const table = await readCsv(DATA);
    const names = ['merchant', 'amount', 'hour', 'items', 'distance_km'];
    const known = table.frame.get('is_fraud')!.values as Float64Array;
    // every planted anomaly and 270 ordinary rows, damaged: float32 numbers, some missing, unseen merchants
    const picked = Int32Array.from([...known.keys()].filter((i) => known[i] === 1 || i < 270));
    const rows = table.frame.select(names).take(picked);
    const damaged = new Frame(rows.columns.map((c, j) =>
      c.kind === 'numeric'
        ? { ...c, values: c.values.map((v, i) => ((i + j) % 5 === 0 ? Number.NaN : Math.fround(v))) }
        : { ...c, values: c.values.map((v, i) => (i % 6 === 0 ? null : i % 6 === 1 ? 'casino' : v)) },
    ));
    const scores = model.score(preprocessor.transform(damaged));
    const { column, z } = largestZ(saved.baseline, damaged);
    const out = await scoreFrame(module, damaged);
    let worst = 0;
    for (let i = 0; i < damaged.nRows; i++) {
      worst = Math.max(worst, Math.abs((out.columns['score']![i] as number) - scores[i]!));
      assert.equal(out.columns['is_anomaly']![i], scores[i]! > model.threshold ? 1 : 0, `flag of row ${i}`);
      assert.equal(out.columns['reason']![i], saved.baseline.numeric[column[i]!].column, `reason of row ${i}`);
      assert.ok(Math.abs((out.columns['reason_z']![i] as number) - z[i]!) <= 1e-5 * Math.max(1, Math.abs(z[i]!)));
    }
    assert.ok(worst <= 1e-5, `max abs difference ${worst}`);
  });

  test('kiln train → startServer → v2 and v1 flag a planted-style anomaly and pass a usual purchase', async () => {
    const cliHome = tempHome();
    const trained = await kiln(['train', SPEC, '--home', cliHome, '--json']);
    assert.equal(trained.code, 0, trained.stderr);
    const doc = JSON.parse(trained.stdout);
    assert.equal(doc.task, 'detect-anomalies');
    assert.ok(doc.metrics.test.precision_at_k >= 0.8);

    const served = await openHome(cliHome);
    let server: RunningServer | undefined;
    try {
      server = await startServer({ store: served.store, artifacts: served.artifacts, logger: pino({ level: 'silent' }), host: '127.0.0.1', port: 0 });
      const column = (name: keyof typeof usual, datatype: string) => ({ name, datatype, shape: [2, 1], data: [usual[name], odd[name]] });
      const v2 = await post(`${server.url}/v2/models/anomalies/infer`, {
        inputs: [column('merchant', 'BYTES'), column('amount', 'FP32'), column('hour', 'FP32'), column('items', 'FP32'), column('distance_km', 'FP32')],
      });
      assert.equal(v2.status, 200, JSON.stringify(v2.json));
      const flag = v2.json.outputs.find((o: { name: string }) => o.name === 'is_anomaly');
      const score = v2.json.outputs.find((o: { name: string }) => o.name === 'score');
      assert.deepEqual(flag.shape, [2]);
      assert.deepEqual(flag.data, [0, 1]);
      assert.ok(score.data[1] > doc.threshold && score.data[0] < doc.threshold);
      const reason = v2.json.outputs.find((o: { name: string }) => o.name === 'reason');
      assert.deepEqual(reason, { name: 'reason', datatype: 'BYTES', shape: [2], data: [reason.data[0], 'distance_km'] });
      const reasonZ = v2.json.outputs.find((o: { name: string }) => o.name === 'reason_z');
      assert.ok(reasonZ.data[1] > 100, `2,000 km against a usual 5 km: z ${reasonZ.data[1]}`);
      assert.ok(Math.abs(reasonZ.data[0]) < 3.5, 'a usual purchase has no outlying column');

      const v1 = await post(`${server.url}/v1/models/anomalies:predict`, { instances: [odd, usual] });
      assert.equal(v1.status, 200, JSON.stringify(v1.json));
      assert.equal(v1.json.predictions[0].is_anomaly, 1);
      assert.equal(v1.json.predictions[1].is_anomaly, 0);
      assert.ok(Math.abs(v1.json.predictions[0].score - score.data[1]) < 1e-6);
      assert.equal(v1.json.predictions[0].reason, 'distance_km');
      assert.equal(typeof v1.json.predictions[0].reason_z, 'number');
    } finally {
      await server?.close();
      await served.store.close();
    }
  });
});
