/**
 * The sentiment example end to end: train (in the library, and through the real `kiln train` CLI) →
 * registered version → `startServer` on port 0 → v2 infer with a BYTES tensor and v1 predict with a
 * string field → a sensible label for a clearly positive and a clearly negative sentence. The spec
 * names the learner and its settings (no cross-validated choice) so the test stays fast; the example's
 * own spec is exercised by the benchmark.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { Frame } from '../../../src/core/frame.js';
import { readCsv } from '../../../src/data/sources/csv.js';
import { explainRows, type SavedModel } from '../../../src/modules/explain-rows.js';
import { loadModule } from '../../../src/modules/load-module.js';
import { MODULE_ARTIFACTS } from '../../../src/modules/manifest.js';
import { scoreFrame } from '../../../src/modules/score-table.js';
import { loadSpecFile } from '../../../src/modules/spec.js';
import { trainModule, type ModuleTrainResult } from '../../../src/modules/train-module.js';
import { startServer, type RunningServer } from '../../../src/serve/server.js';
import { openHome, type KilnHome } from '../../../src/store/open-store.js';
import { kiln, tempHome } from '../../helpers/kiln-cli.js';

const DATA = join(import.meta.dirname, '..', '..', '..', 'examples', 'sentiment', 'sentiment.csv');
const POSITIVE = 'I loved this movie, wonderful acting';
const NEGATIVE = 'terrible, boring and way too long';

/** The example's data with one fixed configuration: word 1-2-grams, logistic regression C=10. */
function fastSpec(): string {
  const dir = tempHome('kiln-sentiment-spec-');
  const file = join(dir, 'kiln.yaml');
  writeFileSync(
    file,
    [
      'name: sentiment',
      'task: text-classify',
      `data: ${DATA}`,
      'target: label',
      'seed: 42',
      'learner: logistic-regression',
      'params: { C: 10, wordNgrams: [1, 2], charNgrams: null }',
    ].join('\n'),
  );
  return file;
}

const post = async (url: string, body: unknown): Promise<{ status: number; json: any }> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
};

describe('the sentiment module, end to end', () => {
  const spec = fastSpec();
  let home: KilnHome;
  let result: ModuleTrainResult;

  before(async () => {
    home = await openHome(tempHome());
    result = await trainModule(loadSpecFile(spec), home);
  });
  after(async () => home.store.close());

  test('finds the text column, holds out 600 sentences and beats the majority class by far', () => {
    assert.equal(result.task, 'text-classify');
    assert.equal(result.learner, 'logistic-regression');
    assert.deepEqual(result.rows, { train: 2400, test: 600 });
    assert.equal(result.details['text'], 'sentence');
    assert.ok(result.metrics.test['accuracy']! >= 0.8, `accuracy ${result.metrics.test['accuracy']}`);
    assert.ok(result.metrics.test['roc_auc']! >= 0.88, `roc_auc ${result.metrics.test['roc_auc']}`);
    assert.ok((result.details['onnx_max_abs_diff'] as number) <= 1e-5);
  });

  test('registers a text-in graph with label and probabilities, and reports the most indicative words', async () => {
    const version = await home.store.getVersion('sentiment', result.version);
    for (const name of Object.values(MODULE_ARTIFACTS)) assert.ok(version.artifacts[name], `artifact ${name}`);
    const module = await loadModule(version, home.artifacts);
    assert.equal(module.manifest.task, 'text-classify');
    assert.deepEqual(module.manifest.classes, [0, 1]);
    assert.deepEqual(module.manifest.signature.inputs, [{ name: 'sentence', kind: 'categorical', type: 'text', datatype: 'BYTES', shape: [-1, 1] }]);
    assert.deepEqual(module.manifest.signature.outputs.map((o) => `${o.name}:${o.datatype}`), ['label:INT64', 'probabilities:FP32']);

    const report = JSON.parse((await home.artifacts.get(version.artifacts[MODULE_ARTIFACTS.report]!)).toString('utf8'));
    const positive = report.indicativeTerms.find((c: { class: number }) => c.class === 1).terms.map((t: { term: string }) => t.term);
    const negative = report.indicativeTerms.find((c: { class: number }) => c.class === 0).terms.map((t: { term: string }) => t.term);
    assert.ok(positive.includes('great'), positive.join(', '));
    assert.ok(negative.includes('bad') || negative.includes('not'), negative.join(', '));
    assert.match(report.baseline.sentence, /fewer errors than always answering/);
    assert.deepEqual(report.diagnoses, []);
    // the held-out texts it got most confidently wrong, by their row in the data, with the words to blame
    const data = (await readCsv(DATA)).frame.get('sentence')!.values as string[];
    assert.ok(report.confidentMistakes.length > 0);
    for (const m of report.confidentMistakes) {
      assert.notEqual(m.outcome, m.actual);
      assert.equal(data[m.row], m.text);
    }
    // how it copes with messier texts: typing slips, words left out, texts missing — each costs something
    assert.equal(report.scoreMetric, 'roc_auc');
    assert.deepEqual(report.robustness.map((r: { perturbation: string }) => r.perturbation), ['typos', 'dropped_words', 'missing_texts']);
    for (const r of report.robustness) {
      assert.ok(r.change < 0 && r.change > -0.1 && Math.abs(r.score - r.change - result.metrics.test['roc_auc']!) < 1e-12, JSON.stringify(r));
    }
    assert.ok(report.sentences.some((x: string) => /^On messier texts it does worse most with .*: roc_auc falls from/.test(x)), report.sentences.join('\n'));

    // kiln predict's path: every output as columns.
    const scores = await scoreFrame(module, new Frame([{ kind: 'categorical', name: 'sentence', values: [POSITIVE, NEGATIVE] }]));
    assert.deepEqual(scores.columns['label'], [1, 0]);
  });

  test('explains each prediction by the words that drove it (kiln explain)', async () => {
    const version = await home.store.getVersion('sentiment', result.version);
    const saved = JSON.parse((await home.artifacts.get(version.artifacts[MODULE_ARTIFACTS.predictor]!)).toString('utf8')) as SavedModel;
    const { manifest } = await loadModule(version, home.artifacts);
    const [pos, neg] = explainRows(saved, manifest, new Frame([{ kind: 'categorical', name: 'sentence', values: [POSITIVE, NEGATIVE] }]), 3);
    assert.equal(pos?.outcome, 1);
    assert.equal(neg?.outcome, 0);
    assert.ok(pos?.reasons.some((r) => r.column === 'sentence' && /loved|wonderful/.test(String(r.value)) && r.contribution > 0), JSON.stringify(pos));
    assert.ok(neg?.reasons.some((r) => /terrible|boring/.test(String(r.value)) && r.contribution > 0), JSON.stringify(neg));
    // the base plus every term's contribution is the log-odds behind the prediction
    assert.ok(pos!.score > 0 && neg!.score > 0);
  });

  test('kiln train → startServer → v2 BYTES and v1 string answer positive and negative', async () => {
    const cliHome = tempHome();
    const trained = await kiln(['train', spec, '--home', cliHome, '--json']);
    assert.equal(trained.code, 0, trained.stderr);
    const doc = JSON.parse(trained.stdout);
    assert.equal(doc.task, 'text-classify');
    assert.ok(doc.metrics.test.accuracy >= 0.8);

    const served = await openHome(cliHome);
    let server: RunningServer | undefined;
    try {
      server = await startServer({ store: served.store, artifacts: served.artifacts, logger: pino({ level: 'silent' }), host: '127.0.0.1', port: 0 });
      const v2 = await post(`${server.url}/v2/models/sentiment/infer`, {
        inputs: [{ name: 'sentence', datatype: 'BYTES', shape: [2, 1], data: [POSITIVE, NEGATIVE] }],
      });
      assert.equal(v2.status, 200, JSON.stringify(v2.json));
      const label = v2.json.outputs.find((o: { name: string }) => o.name === 'label');
      assert.deepEqual(label.data, [1, 0]);
      const proba = v2.json.outputs.find((o: { name: string }) => o.name === 'probabilities');
      assert.deepEqual(proba.shape, [2, 2]);
      assert.ok(proba.data[1] > 0.7 && proba.data[2] > 0.7, JSON.stringify(proba.data));

      const v1 = await post(`${server.url}/v1/models/sentiment:predict`, { instances: [{ sentence: NEGATIVE }, { sentence: POSITIVE }] });
      assert.equal(v1.status, 200, JSON.stringify(v1.json));
      assert.deepEqual(v1.json.predictions.map((p: { label: number }) => p.label), [0, 1]);
    } finally {
      await server?.close();
      await served.store.close();
    }
  });
});
