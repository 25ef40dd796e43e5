/**
 * A TINY BERT-like sentence-embedding model folder, written by tests (no network): an ONNX graph whose
 * `last_hidden_state` is an embedding lookup (Gather) of `input_ids`, a WordLevel tokenizer with a
 * dozen tokens, and a config.json — the layout transformers.js reads.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder, tensor } from '../../../src/onnx/graph-builder.js';

export const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'the', 'movie', 'food', 'good', 'great', 'bad', 'awful', 'was'];
export const DIM = 3;
/** Token vectors: the first coordinate carries sentiment (+1 good/great, −1 bad/awful). */
export const vector = (id: number): number[] => {
  const token = VOCAB[id] as string;
  const sentiment = ['good', 'great'].includes(token) ? 1 : ['bad', 'awful'].includes(token) ? -1 : 0;
  return [sentiment, Math.sin(id), Math.cos(2 * id) / 2];
};

/** Writes the tiny model folder in the layout transformers.js reads (config, tokenizer, onnx/model.onnx). */
export function writeTinyModel(dir: string): void {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const g = new GraphBuilder('tiny-bert');
  const ids = g.input('input_ids', 'int64', ['batch', 'seq']);
  g.input('attention_mask', 'int64', ['batch', 'seq']);
  g.input('token_type_ids', 'int64', ['batch', 'seq']);
  const table = g.constant('word_embeddings', tensor.float(VOCAB.flatMap((_, id) => vector(id)), [VOCAB.length, DIM]));
  g.output(g.op('Gather', [table, ids], {}, { name: 'hidden' }), 'last_hidden_state', 'float', ['batch', 'seq', DIM]);
  writeFileSync(join(dir, 'onnx', 'model.onnx'), g.toBytes({ producerVersion: 'test' }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', hidden_size: DIM, vocab_size: VOCAB.length }));
  const special = { pad_token: '[PAD]', unk_token: '[UNK]', cls_token: '[CLS]', sep_token: '[SEP]' };
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 64, ...special }));
  writeFileSync(
    join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: VOCAB.slice(0, 4).map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: { type: 'Lowercase' },
      pre_tokenizer: { type: 'Whitespace' },
      post_processor: { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] },
      decoder: null,
      model: { type: 'WordLevel', vocab: Object.fromEntries(VOCAB.map((t, i) => [t, i])), unk_token: '[UNK]' },
    }),
  );
}
