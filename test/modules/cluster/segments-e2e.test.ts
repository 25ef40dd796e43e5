/**
 * The segments example end to end: train (in the library, and through the real `kiln train` CLI) →
 * registered version → `startServer` on port 0 → "which segment is this row in" over v2 and v1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import pino from 'pino';
import { Frame } from '../../../src/core/frame.js';
import { readCsv } from '../../../src/data/sources/csv.js';
import { adjustedRandIndex } from '../../../src/evaluate/metrics/adjusted-rand.js';
import { TabularPreprocessor } from '../../../src/features/tabular-preprocessor.js';
import { loadPredictor } from '../../../src/learners/registry.js';
import { loadModule } from '../../../src/modules/load-module.js';
import { MODULE_ARTIFACTS } from '../../../src/modules/manifest.js';
import { scoreFrame } from '../../../src/modules/score-table.js';
import { loadSpecFile } from '../../../src/modules/spec.js';
import { trainModule, type ModuleTrainResult } from '../../../src/modules/train-module.js';
import { startServer, type RunningServer } from '../../../src/serve/server.js';
import { openHome, type KilnHome } from '../../../src/store/open-store.js';
import { kiln, tempHome } from '../../helpers/kiln-cli.js';

const SPEC = join(import.meta.dirname, '..', '..', '..', 'examples', 'segments', 'kiln.yaml');
const DATA = join(import.meta.dirname, '..', '..', '..', 'examples', 'segments', 'customers.csv');

const post = async (url: string, body: unknown): Promise<{ status: number; json: any }> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
};

describe('the segments module, end to end', () => {
  let home: KilnHome;
  let result: ModuleTrainResult;

  before(async () => {
    home = await openHome(tempHome());
    result = await trainModule(loadSpecFile(SPEC), home);
  });
  after(async () => home.store.close());

  test('suggests the 4 generated segments and explains why', () => {
    assert.equal(result.task, 'cluster');
    assert.equal(result.details['clusters'], 4);
    const choice = result.details['k_choice'] as { k: number; elbow: number | null; sentence: string; candidates: { k: number }[] };
    assert.deepEqual(choice.candidates.map((c) => c.k), [2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.match(choice.sentence, /^k=4: the silhouette is highest \(0\.\d\d\)/);
    assert.match(result.summary[0] ?? '', /suggested k=4/);
  });

  test('recovers the known segments: adjusted Rand index ≥ 0.9 on the training and the held-out rows', () => {
    assert.ok(result.metrics.train['adjusted_rand']! >= 0.9, `train ARI ${result.metrics.train['adjusted_rand']}`);
    assert.ok(result.metrics.test['adjusted_rand']! >= 0.9, `test ARI ${result.metrics.test['adjusted_rand']}`);
    assert.ok(result.metrics.test['silhouette']! > 0.4);
  });

  test('describes each segment in plain words from the original columns', () => {
    const segments = result.details['segments'] as { sentence: string; share: number }[];
    assert.equal(segments.length, 4);
    assert.ok(Math.abs(segments.reduce((a, s) => a + s.share, 0) - 1) < 1e-9);
    const young = segments.find((s) => /mostly mobile/.test(s.sentence));
    assert.ok(young, segments.map((s) => s.sentence).join('\n'));
    assert.match(young.sentence, /lower age \(2\d\.?\d* vs 3\d\.?\d* overall\)/);
    const seniors = segments.find((s) => /much higher spend/.test(s.sentence));
    assert.ok(seniors);
    assert.match(seniors.sentence, /higher age/);
    assert.match(seniors.sentence, /mostly store/);
  });

  test('registers a version whose graph `kiln predict` runs: segments as in the library, distances to k centres', async () => {
    const version = await home.store.getVersion('segments', result.version);
    const module = await loadModule(version, home.artifacts);
    assert.equal(module.manifest.task, 'cluster');
    assert.deepEqual(module.manifest.signature.outputs, [
      { name: 'segment', datatype: 'INT64', shape: [-1] },
      { name: 'distances', datatype: 'FP32', shape: [-1, 4] },
    ]);
    assert.deepEqual(module.manifest.signature.inputs.map((i) => `${i.name}:${i.datatype}`), ['age:FP32', 'spend:FP32', 'visits:FP32', 'channel:BYTES']);
    assert.ok((result.details['onnx_max_abs_diff'] as number) <= 1e-5);
    for (const name of Object.values(MODULE_ARTIFACTS)) assert.ok(version.artifacts[name], `artifact ${name}`);

    const table = await readCsv(DATA);
    const scores = await scoreFrame(module, table.frame);
    const segments = scores.columns['segment'] as number[];
    assert.equal(segments.length, 1200);
    assert.equal(scores.columns['distances_3']?.length, 1200);
    const truth = table.frame.get('true_segment')!.values as string[];
    assert.ok(adjustedRandIndex(truth, segments) >= 0.9);
  });

  test('the graph agrees with the saved model on damaged rows: missing numbers, missing and unseen categories', async () => {
    const version = await home.store.getVersion('segments', result.version);
    const module = await loadModule(version, home.artifacts);
    const saved = JSON.parse((await home.artifacts.get(version.artifacts[MODULE_ARTIFACTS.predictor]!)).toString('utf8'));
    const preprocessor = TabularPreprocessor.fromJSON(saved.preprocessor);
    const model = loadPredictor(saved.predictor);
    assert.equal(model.kind, 'clusterer');
    if (model.kind !== 'clusterer') return;
    const table = await readCsv(DATA);
    const rows = table.frame.select(['age', 'spend', 'visits', 'channel']).take(Int32Array.from({ length: 300 }, (_, i) => i));
    // float32 values, as the graph receives them; every third number missing, every fourth channel missing or unseen
    const damaged = new Frame(rows.columns.map((c, j) =>
      c.kind === 'numeric'
        ? { ...c, values: c.values.map((v, i) => ((i + j) % 3 === 0 ? Number.NaN : Math.fround(v))) }
        : { ...c, values: c.values.map((v, i) => (i % 4 === 0 ? null : i % 4 === 1 ? 'kiosk' : v)) },
    ));
    const X = preprocessor.transform(damaged);
    const expected = model.transform(X);
    const segments = model.predict(X);
    const scores = await scoreFrame(module, damaged);
    let worst = 0;
    for (let i = 0; i < damaged.nRows; i++) {
      assert.equal(scores.columns['segment']![i], segments[i], `segment of row ${i}`);
      for (let c = 0; c < 4; c++) worst = Math.max(worst, Math.abs((scores.columns[`distances_${c}`]![i] as number) - expected.data[i * 4 + c]!));
    }
    assert.ok(worst <= 1e-5, `max abs difference ${worst}`);
  });

  test('kiln train → startServer → v2 and v1 answer the segment of a row', async () => {
    const cliHome = tempHome();
    const trained = await kiln(['train', SPEC, '--home', cliHome, '--json']);
    assert.equal(trained.code, 0, trained.stderr);
    const doc = JSON.parse(trained.stdout);
    assert.equal(doc.task, 'cluster');
    assert.equal(doc.clusters, 4);
    assert.ok(doc.metrics.test.adjusted_rand >= 0.9);

    const served = await openHome(cliHome);
    let server: RunningServer | undefined;
    try {
      server = await startServer({ store: served.store, artifacts: served.artifacts, logger: pino({ level: 'silent' }), host: '127.0.0.1', port: 0 });
      const segments = doc.segments as { segment: number; sentence: string }[];
      const young = segments.find((s) => /mostly mobile/.test(s.sentence))!.segment;
      const seniors = segments.find((s) => /much higher spend/.test(s.sentence))!.segment;

      const v2 = await post(`${server.url}/v2/models/segments/infer`, {
        inputs: [
          { name: 'age', datatype: 'FP32', shape: [2, 1], data: [23, 66] },
          { name: 'spend', datatype: 'FP32', shape: [2, 1], data: [110, 950] },
          { name: 'visits', datatype: 'FP32', shape: [2, 1], data: [13, 3] },
          { name: 'channel', datatype: 'BYTES', shape: [2, 1], data: ['mobile', 'store'] },
        ],
      });
      assert.equal(v2.status, 200, JSON.stringify(v2.json));
      const segment = v2.json.outputs.find((o: { name: string }) => o.name === 'segment');
      assert.deepEqual(segment.shape, [2]);
      assert.equal(segment.datatype, 'INT64');
      assert.deepEqual(segment.data, [young, seniors]);
      const distances = v2.json.outputs.find((o: { name: string }) => o.name === 'distances');
      assert.deepEqual(distances.shape, [2, 4]);

      // v1 rows: a missing age is imputed, an unseen channel is all zeros in the one-hot features.
      const v1 = await post(`${server.url}/v1/models/segments:predict`, {
        instances: [{ age: 22, spend: 130, visits: 11, channel: 'mobile' }, { spend: 880, visits: 2, channel: 'store', age: null }],
      });
      assert.equal(v1.status, 200, JSON.stringify(v1.json));
      assert.equal(v1.json.predictions[0].segment, young);
      assert.equal(v1.json.predictions[0].distances.length, 4);
      assert.equal(typeof v1.json.predictions[1].segment, 'number');
    } finally {
      await server?.close();
      await served.store.close();
    }
  });
});
