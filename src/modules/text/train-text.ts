/**
 * Training a text-classify module end to end (the tabular trainer's shape, for one text column):
 * read → label and text column → seeded stratified holdout → choose features + learner by
 * cross-validation on the training part → fit → holdout metrics → ONE ONNX graph (text in, label and
 * probabilities out) checked against the in-process model → a tracked run and a registered version
 * with model.onnx, manifest.json, predictor.json (for explanations), report.json and reference.json.
 */
import { arch, platform } from 'node:os';
import { KilnError } from '../../core/errors.js';
import { Frame, type Column } from '../../core/frame.js';
import { createMatrix, takeValues } from '../../core/matrix.js';
import { KILN_VERSION } from '../../core/version.js';
import { applyTypeOverrides, inferSchema } from '../../data/infer-schema.js';
import { buildReferenceProfile } from '../../data/profile/reference-profile.js';
import { randomSplit, stratifiedSplit, type Split } from '../../data/split.js';
import { classificationMetrics } from '../../evaluate/metrics/index.js';
import { openSession, ort } from '../../onnx/session.js';
import { snapshotDataset } from '../../store/datasets.js';
import { MANIFEST_FORMAT, MODULE_ARTIFACTS, type ModuleManifest } from '../manifest.js';
import { readTrainingTables, trainingFrame } from '../read-training-tables.js';
import type { LoadedSpec, ModuleSpec } from '../spec.js';
import { encodeTarget, type TargetEncoding } from '../tabular/plan-columns.js';
import { ONNX_AGREEMENT_TOLERANCE } from '../tabular/train-tabular.js';
import type { TrainListener } from '../train-events.js';
import type { ModuleTrainResult, TrainContext } from '../train-module.js';
import { explainTexts, indicativeTerms, type SavedTextModel, type TextExplanation } from './explain-text.js';
import { buildTextGraph, textSignature } from './text-graph.js';
import {
  candidateConfigs, crossValidateConfigs, describeConfig, fitTextModel, parseTextParams, predictText, rankCandidates,
  type CandidateScore, type FittedTextModel,
} from './text-model.js';
import { flatten, judgeTextModel, outputsFrame } from './text-evaluation.js';
import { buildTextReport } from './text-report.js';
import { textRobustness } from './text-robustness.js';
import { augmentTexts, describeTextAugmentation } from '../../features/augment-texts.js';
import { trainEmbeddingModule } from './train-embeddings.js';
import { markRunFailed } from '../failed-run.js';

/** Rows per onnxruntime call when checking the graph: its TF-IDF output is dense (rows × vocabulary). */
const AGREEMENT_BATCH = 128;

export async function trainTextModule(loaded: LoadedSpec, ctx: TrainContext): Promise<ModuleTrainResult> {
  const { spec } = loaded;
  const emit: TrainListener = ctx.onEvent ?? (() => {});
  const params = parseTextParams(spec.params);

  // what reading changed (a guessed encoding, numbers read from text, …) is said as notes there
  const tables = await readTrainingTables(loaded, emit);
  const { table, testTable } = tables;
  // With a separate test table, its rows are appended and become the held-out part.
  const frame = trainingFrame(tables, loaded);

  emit({ type: 'stage', stage: 'schema', message: `${frame.nRows} rows × ${frame.columns.length} columns` });
  refuseContinuousTarget(frame, spec);
  const target = encodeTarget(frame, { ...spec, task: 'classification' });
  const textColumn = chooseTextColumn(frame, table.sourceTypes, spec, target.name, loaded.file);
  const texts = textValues(frame.get(textColumn) as Column);
  if (params.embeddings !== undefined) {
    const tfidfOnly: string[] = (['wordNgrams', 'charNgrams', 'minDf', 'maxFeatures', 'sublinearTf', 'alpha'] as const).filter((k) => params[k] !== undefined);
    if (spec.augment !== undefined) tfidfOnly.push('augment'); // each copy would need its own embedding computed: not offered
    if (tfidfOnly.length > 0) {
      throw new KilnError('INVALID_PARAMS', { what: 'text-classify parameters', summary: `${tfidfOnly.join(', ')} apply to TF-IDF features, not to sentence embeddings; remove them or remove embeddings` });
    }
    return trainEmbeddingModule({ loaded, ctx, table, frame, target, textColumn, texts, embeddings: params.embeddings, split: holdout(frame, testTable, table.frame.nRows, target, spec) });
  }
  const configs = candidateConfigs(spec.learner, params);

  const datasetVersion = await snapshotDataset(table, { store: ctx.store, artifacts: ctx.artifacts });
  const run = await ctx.store.createRun({
    name: spec.name,
    task: 'text-classify',
    learner: configs.length === 1 ? (configs[0]?.learner ?? 'auto') : 'auto',
    params: {
      ...spec.params,
      text: textColumn,
      seed: spec.seed,
      test_fraction: spec.split.test,
      candidates: configs.length,
      ...(spec.augment === undefined ? {} : { augment_copies: spec.augment.copies, augment_swap: spec.augment.swap, augment_missing: spec.augment.missing }),
    },
    dataset: { source: table.source, digest: table.digest, rows: frame.nRows, columns: frame.columns.length },
    datasetVersionId: datasetVersion.id,
    environment: { kiln: KILN_VERSION, node: process.version, platform: `${platform()}-${arch()}` },
  });

  try {
    const split = holdout(frame, testTable, table.frame.nRows, target, spec);
    emit({ type: 'stage', stage: 'split', message: `${split.train.length} texts to train on, ${split.test.length} held out for the test` });
    const trainTexts = Array.from(split.train, (i) => texts[i] ?? null);
    const testTexts = Array.from(split.test, (i) => texts[i] ?? null);
    const yTrain = takeValues(target.classIndex, split.train);
    const yTest = takeValues(target.classIndex, split.test);
    const nClasses = target.classes.length;
    // what the model is fitted on: the training texts, plus messier copies when the spec asks
    const fitOn = spec.augment === undefined ? { texts: trainTexts, y: yTrain } : augmentTexts(trainTexts, yTrain, spec.augment, spec.seed);
    if (spec.augment !== undefined) emit({ type: 'note', message: `augmenting: ${describeTextAugmentation(spec.augment)}` });

    let candidates: CandidateScore[] = [];
    let config = configs[0];
    if (configs.length > 1) {
      emit({ type: 'stage', stage: 'search', message: `choosing among ${configs.length} configurations by ${params.folds}-fold cross-validation` });
      candidates = rankCandidates(
        await crossValidateConfigs(textColumn, trainTexts, yTrain, nClasses, configs, {
          folds: params.folds,
          seed: spec.seed,
          ...(spec.augment === undefined ? {} : { augment: spec.augment }),
          ...(ctx.signal ? { signal: ctx.signal } : {}),
          onScore: (s) => emit({ type: 'note', message: `${describeConfig(s.config)}: cross-validated accuracy ${s.accuracy.toFixed(4)}` }),
        }),
      );
      config = candidates[0]?.config;
    }
    if (config === undefined) throw new KilnError('INTERNAL', { reason: 'no text model configuration to train' });

    emit({ type: 'stage', stage: 'fit', message: `training ${describeConfig(config)}` });
    const started = performance.now();
    const fitted = await fitTextModel(textColumn, fitOn.texts, fitOn.y, nClasses, config, {
      onProgress: (p) => emit({ type: 'progress', ...p }),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const fitSeconds = (performance.now() - started) / 1000;

    emit({ type: 'stage', stage: 'evaluate', message: 'scoring the held-out texts' });
    const trainProba = predictText(fitted, trainTexts);
    const testProba = predictText(fitted, testTexts);
    const metrics = {
      train: { ...classificationMetrics(yTrain, createMatrix(yTrain.length, nClasses, trainProba)) } as Record<string, number>,
      test: { ...classificationMetrics(yTest, createMatrix(yTest.length, nClasses, testProba)) } as Record<string, number>,
    };

    emit({ type: 'stage', stage: 'export', message: 'exporting tokenising + TF-IDF + model as one ONNX graph' });
    const onnx = buildTextGraph(spec.name, fitted.features, fitted.model.predictor, target.classes, { kiln_run_id: run.id });
    const signature = textSignature(textColumn, target.classes);
    const onnxMaxAbsDiff = await onnxAgreement(onnx, textColumn, testTexts, testProba);
    if (!(onnxMaxAbsDiff <= ONNX_AGREEMENT_TOLERANCE)) {
      throw new KilnError('INTERNAL', { reason: `the exported ONNX graph of ${describeConfig(config)} differs from the trained model by ${onnxMaxAbsDiff} (more than ${ONNX_AGREEMENT_TOLERANCE})` });
    }

    const flatMetrics = flatten(metrics);
    const learner = config.learner;
    const manifest: ModuleManifest = {
      format: MANIFEST_FORMAT,
      name: spec.name,
      task: 'text-classify',
      target: target.name,
      classes: target.classes,
      signature,
      learner,
      params: { ...configParams(fitted), text: textColumn },
      metrics: flatMetrics,
      dataset: { source: table.source, digest: table.digest, rows: frame.nRows, columns: frame.columns.length },
      datasetVersion: datasetVersion.id,
      seed: spec.seed,
      ...(spec.augment === undefined ? {} : { augment: spec.augment }),
      trainedAt: new Date().toISOString(),
      kilnVersion: KILN_VERSION,
    };
    const judgement = judgeTextModel(yTrain, yTest, metrics, target.classes);
    // what the robustness check scores in: the ranking for yes/no questions, else the share right
    const scoreMetric = nClasses === 2 ? 'roc_auc' : 'accuracy';
    for (const d of judgement.diagnoses) emit({ type: 'note', message: `${d.severity}: ${d.message}` });
    const report = buildTextReport({
      text: textColumn,
      target: target.name,
      classes: target.classes,
      configuration: describeConfig(config),
      servedBy: `Served as one ONNX graph: the text "${textColumn}" goes in as a string, label and probabilities come out (tokenising and TF-IDF included).`,
      ...judgement,
      folds: params.folds,
      candidates,
      metrics,
      indicativeTerms: indicativeTerms(fitted.features, fitted.model, target.classes),
      mistakes: confidentMistakes(fitted, target.classes, split.test, testTexts, yTest, testProba),
      robustness: textRobustness(testTexts, (texts) => classificationMetrics(yTest, createMatrix(yTest.length, nClasses, predictText(fitted, texts)))[scoreMetric] ?? Number.NaN, spec.seed),
      scoreMetric,
    });
    const saved: SavedTextModel = { kind: 'text-classify', format: 1, features: fitted.features.toJSON(), predictor: fitted.model.predictor.toJSON() };

    emit({ type: 'stage', stage: 'register', message: `registering a new version of "${spec.name}"` });
    const encoder = new TextEncoder();
    const json = (value: unknown, indent?: number) => ctx.artifacts.put(encoder.encode(JSON.stringify(value, null, indent)));
    const trainFrame = new Frame([{ kind: 'categorical', name: textColumn, values: trainTexts }]);
    const artifacts = {
      [MODULE_ARTIFACTS.model]: await ctx.artifacts.put(onnx),
      [MODULE_ARTIFACTS.manifest]: await json(manifest, 2),
      [MODULE_ARTIFACTS.predictor]: await json(saved),
      [MODULE_ARTIFACTS.report]: await json(report, 2),
      [MODULE_ARTIFACTS.spec]: await json(spec, 2),
      [MODULE_ARTIFACTS.reference]: await json(buildReferenceProfile(trainFrame, {
        // outputs on the held-out texts: on its training texts a model is surer than on new ones
        predictions: outputsFrame(testProba, nClasses, target.classes),
        seed: spec.seed,
        // every text is new: monitor how long the texts are, not which texts they are
        measures: { [textColumn]: 'words' },
      })),
    };
    await ctx.store.logMetrics(run.id, { ...flatMetrics, fit_s: fitSeconds, onnx_max_abs_diff: onnxMaxAbsDiff, ...(candidates[0] ? { 'cv.accuracy': candidates[0].accuracy } : {}) });
    const version = await ctx.store.createModelVersion({
      model: spec.name,
      runId: run.id,
      artifacts,
      signature,
      metrics: flatMetrics,
      ...(spec.description === undefined ? {} : { description: spec.description }),
    });
    await ctx.store.finishRun(run.id, 'finished');
    return {
      model: spec.name,
      version: version.version,
      runId: run.id,
      task: 'text-classify',
      learner,
      fitSeconds,
      rows: { train: split.train.length, test: split.test.length },
      metrics,
      details: {
        text: textColumn,
        classes: target.classes,
        configuration: describeConfig(config),
        features: fitted.features.width,
        onnx_max_abs_diff: onnxMaxAbsDiff,
        ...(report.selection === null ? {} : { selection: report.selection }),
        baseline: report.baseline,
        diagnoses: report.diagnoses,
        indicative_terms: report.indicativeTerms,
        ...(spec.augment === undefined ? {} : { augment: { copies: spec.augment.copies, swap: spec.augment.swap, missing: spec.augment.missing, fitted_rows: fitOn.texts.length } }),
      },
      summary: [
        ...(spec.augment === undefined ? [] : [`fitted on ${trainTexts.length} training texts and ${fitOn.texts.length - trainTexts.length} messier copies of them`, '']),
        ...report.sentences,
        ...(report.selection === null
          ? []
          : ['', 'cross-validated accuracy of each configuration:', ...report.selection.candidates.map((c, i) => `  ${i + 1}. ${c.cv_accuracy.toFixed(4)}  ${c.model}`)]),
      ],
    };
  } catch (err) {
    await markRunFailed(ctx.store, run.id, err);
    throw err;
  }
}

/**
 * The spec's `text`, or else the only column that reads as free text (not the label). A column named
 * like an output (`label`, `probabilities`) would clash with the served outputs, so it is refused.
 */
export function chooseTextColumn(frame: Frame, sourceTypes: Readonly<Record<string, string>>, spec: ModuleSpec, target: string, file: string | null): string {
  const invalid = (summary: string) => new KilnError('INVALID_SPEC', { file: file ?? '', summary });
  let name = spec.text;
  if (name === undefined) {
    // the spec's `columns: {notes: text}` overrides and `drop` apply, as for tables
    const candidates = applyTypeOverrides(inferSchema(frame, sourceTypes), spec.columns)
      .filter((c) => c.type === 'text' && c.name !== target && !spec.drop.includes(c.name))
      .map((c) => c.name);
    if (candidates.length !== 1) {
      const strings = frame.columns.filter((c) => c.kind === 'categorical' && c.name !== target).map((c) => c.name);
      throw invalid(
        candidates.length === 0
          ? `text: no column reads as free text; name the text column (text: COLUMN), one of: ${strings.join(', ') || '(no text columns)'}`
          : `text: ${candidates.length} columns read as free text (${candidates.join(', ')}); name the one to classify (text: COLUMN)`,
      );
    }
    name = candidates[0] as string;
  }
  const column = frame.get(name);
  if (column === undefined) throw new KilnError('COLUMN_NOT_FOUND', { column: name, columns: frame.names, what: 'the text column' });
  if (name === target) throw invalid(`text: "${name}" is also the target; the text column holds what the model reads`);
  if (name === 'label' || name === 'probabilities') throw invalid(`text: a text column named "${name}" would clash with the served output of that name; rename the column`);
  return name;
}

/** text-classify predicts classes: a target of fractional numbers is a regression, which it does not do. */
export function refuseContinuousTarget(frame: Frame, spec: ModuleSpec): void {
  const column = spec.target === undefined ? undefined : frame.get(spec.target);
  if (column?.kind === 'numeric' && column.values.some((v) => !Number.isNaN(v) && !Number.isInteger(v))) {
    throw new KilnError('UNSUPPORTED_TASK', { task: `text-classify of "${spec.target}", which holds fractional numbers (a regression)`, available: 'text-classify of class labels (text or whole numbers)' });
  }
}

/** The column's values as texts (numbers read as their text, missing as null). */
export function textValues(column: Column): (string | null)[] {
  if (column.kind === 'categorical') return column.values.map((v) => (v === null || v === '' ? null : v));
  return Array.from(column.values, (v) => (Number.isNaN(v) ? null : String(v)));
}

export function holdout(frame: Frame, testTable: { frame: Frame } | undefined, nTrain: number, target: TargetEncoding, spec: ModuleSpec): Split {
  const split =
    testTable === undefined
      ? spec.split.stratify
        ? stratifiedSplit(target.classIndex, target.classes.length, spec.split.test, spec.seed)
        : randomSplit(frame.nRows, spec.split.test, spec.seed)
      : { train: Int32Array.from({ length: nTrain }, (_, i) => i), test: Int32Array.from({ length: testTable.frame.nRows }, (_, i) => nTrain + i) };
  if (split.train.length < 2 || split.test.length < 1) {
    throw new KilnError('TOO_FEW_ROWS', { what: 'the data', rows: frame.nRows, needed: Math.ceil(3 / Math.min(spec.split.test, 1 - spec.split.test)) });
  }
  return split;
}

/**
 * Runs the exported graph on the held-out texts (in batches: its TF-IDF output is dense) and returns
 * the largest difference from the in-process probabilities.
 */
export async function onnxAgreement(onnx: Uint8Array, column: string, texts: readonly (string | null)[], expected: Float64Array): Promise<number> {
  const session = await openSession(onnx);
  try {
    let worst = 0;
    const k = texts.length === 0 ? 0 : expected.length / texts.length;
    for (let start = 0; start < texts.length; start += AGREEMENT_BATCH) {
      const batch = texts.slice(start, start + AGREEMENT_BATCH).map((t) => t ?? '');
      const out = await session.run({ [column]: new ort.Tensor('string', batch, [batch.length, 1]) });
      const got = out['probabilities']?.data as Float32Array;
      for (let i = 0; i < batch.length * k; i++) {
        const diff = Math.abs((got[i] as number) - (expected[start * k + i] as number));
        worst = Number.isNaN(diff) ? Infinity : Math.max(worst, diff);
      }
    }
    return worst;
  } finally {
    await session.release();
  }
}

/**
 * The held-out texts the model got wrong with the highest confidence (at most 5), explained; `row` is
 * the text's row number in the data (0-based, test-table rows after the training table's).
 */
function confidentMistakes(
  fitted: FittedTextModel,
  classes: readonly (string | number)[],
  rows: Int32Array,
  texts: readonly (string | null)[],
  y: Int32Array,
  proba: Float64Array,
): (TextExplanation & { actual: string | number })[] {
  const k = classes.length;
  const wrong: { at: number; confidence: number }[] = [];
  for (let at = 0; at < y.length; at++) {
    let best = 0;
    for (let c = 1; c < k; c++) if ((proba[at * k + c] as number) > (proba[at * k + best] as number)) best = c;
    if (best !== y[at]) wrong.push({ at, confidence: proba[at * k + best] as number });
  }
  const picked = wrong.sort((a, b) => b.confidence - a.confidence).slice(0, 5);
  const explained = explainTexts(fitted.features, fitted.model, classes, picked.map((w) => texts[w.at] ?? null), 3);
  return explained.map((e, n) => {
    const at = (picked[n] as { at: number }).at;
    return { ...e, row: rows[at] as number, actual: classes[y[at] as number] as string | number };
  });
}

function configParams(fitted: FittedTextModel): Record<string, unknown> {
  const { features, learner, C, alpha } = fitted.config;
  return { ...features, ...(learner === 'logistic-regression' ? { C } : { alpha }) };
}
