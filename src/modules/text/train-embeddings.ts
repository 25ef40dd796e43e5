/**
 * The sentence-embedding variant of text-classify (`params: {embeddings: FOLDER}`): each text becomes
 * the mean-pooled vector of a local transformers.js model (./sentence-embeddings.ts) and logistic
 * regression classifies those vectors.
 *
 * Serving: a transformer's tokenizer (WordPiece, BPE, Unigram) has no standard ONNX operator, so the
 * text → embedding step cannot join Kiln's one graph. The registered `model.onnx` therefore takes the
 * EMBEDDING as its input (`<text>_embedding`, FP32 [N, dim]) and the manifest, the report and the
 * training summary say so; clients embed with the same model folder (`loadSentenceEmbedder`).
 */
import { arch, platform } from 'node:os';
import { KilnError } from '../../core/errors.js';
import { Frame, type Column } from '../../core/frame.js';
import { takeRows, takeValues, type Matrix } from '../../core/matrix.js';
import { KILN_VERSION } from '../../core/version.js';
import { buildReferenceProfile } from '../../data/profile/reference-profile.js';
import type { LoadedTable } from '../../data/sources/csv.js';
import type { Split } from '../../data/split.js';
import { classificationMetrics } from '../../evaluate/metrics/index.js';
import { logisticRegression } from '../../learners/linear/logistic-regression.js';
import { GraphBuilder } from '../../onnx/graph-builder.js';
import { openSession, ort } from '../../onnx/session.js';
import { snapshotDataset } from '../../store/datasets.js';
import { MANIFEST_FORMAT, MODULE_ARTIFACTS, type ModuleManifest, type Signature } from '../manifest.js';
import type { LoadedSpec } from '../spec.js';
import type { TargetEncoding } from '../tabular/plan-columns.js';
import { ONNX_AGREEMENT_TOLERANCE } from '../tabular/train-tabular.js';
import type { ModuleTrainResult, TrainContext } from '../train-module.js';
import { loadSentenceEmbedder } from './sentence-embeddings.js';
import { addClassOutputs } from './text-graph.js';
import { flatten, judgeTextModel, outputsFrame } from './text-evaluation.js';
import { markRunFailed } from '../failed-run.js';

export interface EmbeddingTrainInput {
  readonly loaded: LoadedSpec;
  readonly ctx: TrainContext;
  readonly table: LoadedTable;
  readonly frame: Frame;
  readonly target: TargetEncoding;
  readonly textColumn: string;
  readonly texts: readonly (string | null)[];
  readonly embeddings: string;
  readonly split: Split;
}

export async function trainEmbeddingModule(input: EmbeddingTrainInput): Promise<ModuleTrainResult> {
  const { loaded, ctx, table, frame, target, textColumn, texts, split } = input;
  const { spec } = loaded;
  const emit = ctx.onEvent ?? (() => {});
  const C = typeof spec.params['C'] === 'number' ? spec.params['C'] : 1;
  if (spec.learner !== undefined && spec.learner !== 'auto' && spec.learner !== 'logistic-regression') {
    throw new KilnError('UNKNOWN_LEARNER', { learner: spec.learner, task: 'text-classify with embeddings', available: 'logistic-regression' });
  }
  const embedder = await loadSentenceEmbedder(input.embeddings);

  const datasetVersion = await snapshotDataset(table, { store: ctx.store, artifacts: ctx.artifacts });
  const run = await ctx.store.createRun({
    name: spec.name,
    task: 'text-classify',
    learner: 'logistic-regression',
    params: { C, embeddings: embedder.folder, text: textColumn, seed: spec.seed, test_fraction: spec.split.test },
    dataset: { source: table.source, digest: table.digest, rows: frame.nRows, columns: frame.columns.length },
    datasetVersionId: datasetVersion.id,
    environment: { kiln: KILN_VERSION, node: process.version, platform: `${platform()}-${arch()}` },
  });
  try {
    emit({ type: 'stage', stage: 'preprocess', message: `embedding ${texts.length} texts with ${embedder.folder}` });
    const all = await embedder.embed(texts, ctx.signal);
    const Xtrain = takeRows(all, split.train);
    const Xtest = takeRows(all, split.test);
    const yTrain = takeValues(target.classIndex, split.train);
    const yTest = takeValues(target.classIndex, split.test);
    const nClasses = target.classes.length;

    emit({ type: 'stage', stage: 'fit', message: `training logistic regression (C=${C}) on ${all.cols}-dimensional embeddings` });
    const started = performance.now();
    const predictor = await logisticRegression.fit(Xtrain, yTrain, nClasses, { C }, {
      seed: spec.seed,
      onProgress: (p) => emit({ type: 'progress', ...p }),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const fitSeconds = (performance.now() - started) / 1000;
    const trainProba = predictor.predictProba(Xtrain);
    const testProba = predictor.predictProba(Xtest);
    const metrics = {
      train: { ...classificationMetrics(yTrain, trainProba) } as Record<string, number>,
      test: { ...classificationMetrics(yTest, testProba) } as Record<string, number>,
    };

    emit({ type: 'stage', stage: 'export', message: 'exporting the classifier of embeddings as an ONNX graph' });
    const inputName = `${textColumn}_embedding`;
    const g = new GraphBuilder(spec.name);
    const x = g.input(inputName, 'float', ['N', all.cols]);
    addClassOutputs(g, predictor.toOnnx(g, x).probabilities, target.classes);
    const onnx = g.toBytes({ producerVersion: KILN_VERSION, docString: `Kiln text-classify module ${spec.name} (sentence embeddings in)`, metadata: { kiln_run_id: run.id } });
    const signature: Signature = {
      inputs: [{ name: inputName, kind: 'numeric', type: 'numeric', datatype: 'FP32', shape: [-1, all.cols] }],
      outputs: [
        { name: 'label', datatype: target.classes.every((c) => typeof c === 'number') ? 'INT64' : 'BYTES', shape: [-1, 1] },
        { name: 'probabilities', datatype: 'FP32', shape: [-1, nClasses] },
      ],
    };
    const onnxMaxAbsDiff = await agreement(onnx, inputName, Xtest, testProba.data);
    if (!(onnxMaxAbsDiff <= ONNX_AGREEMENT_TOLERANCE)) {
      throw new KilnError('INTERNAL', { reason: `the exported ONNX graph differs from the trained model by ${onnxMaxAbsDiff} (more than ${ONNX_AGREEMENT_TOLERANCE})` });
    }

    const servedBy =
      `Served with the sentence embedding as input ("${inputName}", FP32 [N, ${all.cols}]), not the raw text: ` +
      `the transformer's tokenizer has no standard ONNX operator, so embed texts with the same model folder (${embedder.folder}) before calling the server.`;
    const flatMetrics = flatten(metrics);
    const manifest: ModuleManifest = {
      format: MANIFEST_FORMAT,
      name: spec.name,
      task: 'text-classify',
      target: target.name,
      classes: target.classes,
      signature,
      learner: 'logistic-regression',
      params: { C, embeddings: embedder.folder, text: textColumn, served_input: 'embedding' },
      metrics: flatMetrics,
      dataset: { source: table.source, digest: table.digest, rows: frame.nRows, columns: frame.columns.length },
      datasetVersion: datasetVersion.id,
      seed: spec.seed,
      trainedAt: new Date().toISOString(),
      kilnVersion: KILN_VERSION,
    };
    const { baseline, diagnoses } = judgeTextModel(yTrain, yTest, metrics, target.classes);
    const sentences = [
      `On the held-out texts: ${baseline.sentence}`,
      ...diagnoses.map((d) => `${d.severity.toUpperCase()}: ${d.message}`),
      `Trained logistic regression (C=${C}) on mean-pooled sentence embeddings from ${embedder.folder}.`,
      servedBy,
    ];
    const report = { task: 'text-classify', text: textColumn, target: target.name, classes: target.classes, configuration: `sentence embeddings → logistic regression C=${C}`, servedBy, baseline, diagnoses, metrics, sentences };

    emit({ type: 'stage', stage: 'register', message: `registering a new version of "${spec.name}"` });
    const encoder = new TextEncoder();
    const json = (value: unknown, indent?: number) => ctx.artifacts.put(encoder.encode(JSON.stringify(value, null, indent)));
    const embeddingColumns: Column[] = Array.from({ length: all.cols }, (_, k) => ({ kind: 'numeric', name: `${inputName}[${k}]`, values: column(Xtrain, k) }));
    // No predictor.json: per-word explanations do not exist for embeddings, and without it `kiln explain`
    // and the app say so (MODEL_NOT_READY / NOT_EXPLAINABLE) instead of misreading it as a table model.
    const artifacts = {
      [MODULE_ARTIFACTS.model]: await ctx.artifacts.put(onnx),
      [MODULE_ARTIFACTS.manifest]: await json(manifest, 2),
      [MODULE_ARTIFACTS.report]: await json(report, 2),
      [MODULE_ARTIFACTS.spec]: await json(spec, 2),
      [MODULE_ARTIFACTS.reference]: await json(buildReferenceProfile(new Frame(embeddingColumns), { predictions: outputsFrame(testProba.data, nClasses, target.classes), seed: spec.seed })),
    };
    await ctx.store.logMetrics(run.id, { ...flatMetrics, fit_s: fitSeconds, onnx_max_abs_diff: onnxMaxAbsDiff });
    const version = await ctx.store.createModelVersion({ model: spec.name, runId: run.id, artifacts, signature, metrics: flatMetrics, ...(spec.description === undefined ? {} : { description: spec.description }) });
    await ctx.store.finishRun(run.id, 'finished');
    return {
      model: spec.name,
      version: version.version,
      runId: run.id,
      task: 'text-classify',
      learner: 'logistic-regression',
      fitSeconds,
      rows: { train: split.train.length, test: split.test.length },
      metrics,
      details: { text: textColumn, classes: target.classes, embeddings: embedder.folder, dimension: all.cols, served_input: inputName, onnx_max_abs_diff: onnxMaxAbsDiff, baseline, diagnoses },
      summary: sentences,
    };
  } catch (err) {
    await markRunFailed(ctx.store, run.id, err);
    throw err;
  }
}

function column(X: Matrix, k: number): Float64Array {
  return Float64Array.from({ length: X.rows }, (_, i) => X.data[i * X.cols + k] as number);
}

async function agreement(onnx: Uint8Array, input: string, X: Matrix, expected: Float64Array): Promise<number> {
  const session = await openSession(onnx);
  try {
    const out = await session.run({ [input]: new ort.Tensor('float32', Float32Array.from(X.data), [X.rows, X.cols]) });
    const got = out['probabilities']?.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < expected.length; i++) {
      const diff = Math.abs((got[i] as number) - (expected[i] as number));
      worst = Number.isNaN(diff) ? Infinity : Math.max(worst, diff);
    }
    return worst;
  } finally {
    await session.release();
  }
}
