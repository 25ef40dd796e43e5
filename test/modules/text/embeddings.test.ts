/**
 * Sentence embeddings from a local transformers.js model folder, tested with a TINY BERT-like model
 * written here: an ONNX graph whose `last_hidden_state` is an embedding lookup (Gather) of
 * `input_ids`, a WordLevel tokenizer with a dozen tokens, and a config.json (./tiny-embedder.ts). No
 * network is used.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { isKilnError } from '../../../src/core/errors.js';
import { loadModule } from '../../../src/modules/load-module.js';
import { MODULE_ARTIFACTS } from '../../../src/modules/manifest.js';
import { validateSpec } from '../../../src/modules/spec.js';
import { loadSentenceEmbedder } from '../../../src/modules/text/sentence-embeddings.js';
import { trainModule } from '../../../src/modules/train-module.js';
import { startServer } from '../../../src/serve/server.js';
import { openHome, type KilnHome } from '../../../src/store/open-store.js';
import { tempHome } from '../../helpers/kiln-cli.js';
import { DIM, VOCAB, vector, writeTinyModel } from './tiny-embedder.js';

/** Mean of the token vectors of [CLS] tokens… [SEP] (what mean pooling over the attention mask gives). */
function expectedEmbedding(text: string): number[] {
  const ids = [2, ...text.toLowerCase().split(/\s+/).filter(Boolean).map((w) => Math.max(1, VOCAB.indexOf(w))), 3];
  const sum = [0, 0, 0];
  for (const id of ids) vector(id).forEach((v, k) => (sum[k] = (sum[k] as number) + v));
  return sum.map((v) => v / ids.length);
}

describe('sentence embeddings from a local model folder', () => {
  const root = tempHome('kiln-tiny-model-');
  const folder = join(root, 'tiny-bert');
  let home: KilnHome;

  before(async () => {
    writeTinyModel(folder);
    home = await openHome(tempHome());
  });
  after(async () => {
    await home.store.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('embeds texts offline as the mean of their token vectors over the attention mask', async () => {
    const embedder = await loadSentenceEmbedder(folder);
    const texts = ['The movie was great', 'awful', 'unknown words here'];
    const X = await embedder.embed(texts);
    assert.deepEqual([X.rows, X.cols], [3, DIM]);
    texts.forEach((t, i) => {
      const want = expectedEmbedding(t);
      for (let k = 0; k < DIM; k++) assert.ok(Math.abs((X.data[i * DIM + k] as number) - (want[k] as number)) < 1e-6, `${t}[${k}]`);
    });
  });

  test('a folder that is missing, or lacks the tokenizer, is refused with a coded error naming it', async () => {
    await assert.rejects(loadSentenceEmbedder(join(root, 'nope')), (e) => isKilnError(e, 'EMBEDDING_MODEL_INVALID') && /no such folder/.test(e.message));
    const broken = join(root, 'broken');
    mkdirSync(join(broken, 'onnx'), { recursive: true });
    writeFileSync(join(broken, 'config.json'), '{}');
    await assert.rejects(loadSentenceEmbedder(broken), (e) => isKilnError(e, 'EMBEDDING_MODEL_INVALID') && /tokenizer\.json/.test(e.message));
  });

  test('params.embeddings trains logistic regression on the embeddings and registers a graph that takes them', async () => {
    const rows = ['sentence,label'];
    const subjects = ['the movie', 'the food', 'movie', 'food'];
    for (let i = 0; i < 40; i++) {
      const positive = i % 2 === 0;
      const word = positive ? (i % 4 === 0 ? 'good' : 'great') : i % 4 === 1 ? 'bad' : 'awful';
      rows.push(`${subjects[i % 4]} was ${word},${positive ? 'pos' : 'neg'}`);
    }
    const data = join(root, 'tiny.csv');
    writeFileSync(data, rows.join('\n'));
    const loaded = validateSpec(
      { name: 'tiny-sentiment', task: 'text-classify', data, target: 'label', text: 'sentence', params: { embeddings: folder, C: 10 } },
      null,
      root,
    );
    const result = await trainModule(loaded, home);
    assert.equal(result.task, 'text-classify');
    assert.equal(result.metrics.test['accuracy'], 1);
    assert.equal(result.details['dimension'], DIM);
    assert.ok((result.details['onnx_max_abs_diff'] as number) <= 1e-5);
    assert.match(result.summary.join('\n'), /sentence embedding as input/);

    const version = await home.store.getVersion('tiny-sentiment', result.version);
    const { manifest } = await loadModule(version, home.artifacts);
    assert.deepEqual(manifest.classes, ['neg', 'pos']);
    assert.deepEqual(manifest.signature.inputs, [{ name: 'sentence_embedding', kind: 'numeric', type: 'numeric', datatype: 'FP32', shape: [-1, DIM] }]);
    assert.equal(manifest.params['served_input'], 'embedding');
    assert.equal(version.artifacts[MODULE_ARTIFACTS.predictor], undefined, 'no per-word explanations for embeddings');
    const report = JSON.parse((await home.artifacts.get(version.artifacts[MODULE_ARTIFACTS.report]!)).toString('utf8'));
    assert.match(report.servedBy, /tokenizer has no standard ONNX operator/);

    // served like any module: the client sends the embeddings it computed with the same folder
    const embedder = await loadSentenceEmbedder(folder);
    const X = await embedder.embed(['the food was great', 'the movie was awful']);
    const server = await startServer({ store: home.store, artifacts: home.artifacts, logger: pino({ level: 'silent' }), host: '127.0.0.1', port: 0 });
    try {
      const res = await fetch(`${server.url}/v2/models/tiny-sentiment/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'sentence_embedding', datatype: 'FP32', shape: [2, DIM], data: Array.from(X.data) }] }),
      });
      const body = (await res.json()) as { outputs: { name: string; data: string[] }[] };
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.deepEqual(body.outputs.find((o) => o.name === 'label')?.data, ['pos', 'neg']);
    } finally {
      await server.close();
    }
  });
});
