/**
 * Sentence embeddings from a LOCAL transformers.js model folder (offline: remote downloads are turned
 * off). The folder holds what Hugging Face's feature-extraction models hold: `config.json`,
 * `tokenizer.json` (+ `tokenizer_config.json`) and the ONNX graph at `onnx/model.onnx`. A text's
 * embedding is the mean of its token vectors (`last_hidden_state`) over the attention mask — the
 * pooling of sentence-transformers models — and transformers.js runs the graph on Kiln's own
 * onnxruntime-node (an npm override pins it).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { KilnError } from '../../core/errors.js';
import { createMatrix, type Matrix } from '../../core/matrix.js';

/** Turns texts into rows of an embedding matrix (texts × dimension). */
export interface SentenceEmbedder {
  readonly folder: string;
  embed(texts: readonly (string | null)[], signal?: AbortSignal): Promise<Matrix>;
}

/** What transformers.js's feature-extraction pipeline is called as here. */
type FeatureExtractor = (texts: string[], options: { pooling: 'mean'; normalize: boolean }) => Promise<{ dims: number[]; data: unknown }>;

const REQUIRED_FILES = ['config.json', 'tokenizer.json', join('onnx', 'model.onnx')];
/** Texts per call into the transformer: bounds the padded [batch, tokens, dim] activations. */
const BATCH = 32;

export async function loadSentenceEmbedder(folder: string): Promise<SentenceEmbedder> {
  const path = resolve(folder);
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    throw new KilnError('EMBEDDING_MODEL_INVALID', { folder: path, reason: 'there is no such folder' });
  }
  const missing = REQUIRED_FILES.filter((f) => !existsSync(join(path, f)));
  if (missing.length > 0) throw new KilnError('EMBEDDING_MODEL_INVALID', { folder: path, reason: `it lacks ${missing.join(', ')}` });

  const { env, pipeline } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dirname(path);
  // transformers.js's own pipeline typing is a union too large for the compiler; this is the part used.
  const featureExtraction = pipeline as unknown as (task: 'feature-extraction', model: string, options: object) => Promise<FeatureExtractor>;
  let extractor: FeatureExtractor;
  try {
    extractor = await featureExtraction('feature-extraction', basename(path), { local_files_only: true, dtype: 'fp32' });
  } catch (err) {
    throw new KilnError('EMBEDDING_MODEL_INVALID', { folder: path, reason: err instanceof Error ? err.message : String(err) }, { cause: err });
  }

  return {
    folder: path,
    async embed(texts, signal) {
      let out: Matrix | undefined;
      for (let start = 0; start < texts.length; start += BATCH) {
        if (signal?.aborted === true) throw new KilnError('CANCELLED', { what: 'embedding the texts' });
        const batch = texts.slice(start, start + BATCH).map((t) => t ?? '');
        const result = await extractor(batch, { pooling: 'mean', normalize: false });
        const [rows, dim] = result.dims as [number, number];
        out ??= createMatrix(texts.length, dim);
        out.data.set(Float64Array.from(result.data as Float32Array), start * dim);
        if (rows !== batch.length) throw new KilnError('EMBEDDING_MODEL_INVALID', { folder: path, reason: `it returned ${rows} embeddings for ${batch.length} texts` });
      }
      return out ?? createMatrix(0, 0);
    },
  };
}
