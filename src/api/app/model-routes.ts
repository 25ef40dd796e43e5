/**
 * The app's routes for understanding and deploying a model version:
 *
 *   GET  /api/models/:ref/report        → report.json + manifest: metrics (train/test), baseline,
 *                                          diagnoses, importances, charts (ROC, PR, confusion, …), and for
 *                                          yes/no models `thresholds` (counts per cut-off) + `positive_class`
 *   POST /api/models/:ref/explain {rows} → {model, version, explanations: [{row, prediction, probabilities?,
 *                                          outcome, base, score, reasons: [{column, value, contribution}]}]}
 *   POST /api/models/:ref/curves         → 202 a job (see job-routes.ts) drawing the version's learning curve
 *                                          against training-set size — would more rows help? — followed over
 *                                          GET /api/jobs/:id/events (`point` events, then `done` {result});
 *                                          asked again, the same job (a version's curve never changes)
 *   POST /api/models/:ref/deploy         → loads the version and moves the `champion` alias to it →
 *                                          {model, version, alias, endpoints: {v2, v1}, metadata}
 *
 * `:ref` is a model reference: `titanic` (latest), `titanic:3`, `titanic@champion`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { asKilnError, KilnError } from '../../core/errors.js';
import { z } from '../../core/params.js';
import { parseBody } from '../json-body.js';
import { TabularPreprocessor } from '../../features/tabular-preprocessor.js';
import type { SupervisedPredictor } from '../../learners/learner.js';
import { loadPredictor } from '../../learners/registry.js';
import { checkExplainable, explainRows, type SavedModel } from '../../modules/explain-rows.js';
import { isSavedTextModel, predictTextProba } from '../../modules/text/explain-text.js';
import type { Matrix } from '../../core/matrix.js';
import type { Frame } from '../../core/frame.js';
import { loadModule } from '../../modules/load-module.js';
import { MODULE_ARTIFACTS, type ModuleManifest } from '../../modules/manifest.js';
import type { DataPlane } from '../../serve/data-plane.js';
import { parseModelRef } from '../../store/model-ref.js';
import type { ArtifactStore, ModelVersion, Store } from '../../store/store.js';
import { versionCurvesInput } from '../../modules/tabular/version-curves.js';
import { heldOutThresholds, type ThresholdCounts, type ThresholdTable } from './held-out-thresholds.js';
import type { JobQueue } from './job-queue.js';
import { jobJson } from './training-jobs.js';
import { rowsToFrame } from './rows-to-frame.js';
import { docs } from '../route-docs.js';
import { parseStoredReport } from '../../modules/stored-report.js';
import { jobDocs, jobSubmitErrors } from './job-docs.js';
import { deployDocs, explainDocs } from './model-docs.js';
import { reportDescription, reportDocs } from './report-docs.js';

export interface ModelRoutesOptions {
  readonly store: Store;
  readonly artifacts: ArtifactStore;
  readonly dataPlane: DataPlane;
  /** The job queue learning curves run in (one job at a time, with training). */
  readonly jobs: JobQueue;
}

/** The alias the app deploys to: what "the live version" of a model means in the app. */
export const DEPLOY_ALIAS = 'champion';

/** Rows one explain request may ask about (exact SHAP of a large forest costs milliseconds per row). */
const MAX_EXPLAIN_ROWS = 1000;

const explainBody = z.strictObject({
  rows: z.array(z.record(z.string(), z.unknown())).min(1).max(MAX_EXPLAIN_ROWS),
  top: z.number().int().min(1).max(100).default(5),
});

const SANE_ACTOR = /^[\w.@:+-]{1,128}$/;

export async function modelRoutes(app: FastifyInstance, { store, artifacts, dataPlane, jobs }: ModelRoutesOptions): Promise<void> {
  // Versions never change once registered, so their threshold tables are computed once.
  const thresholds = new BoundedCache<ThresholdTable>(50);

  app.get<{ Params: { ref: string } }>('/api/models/:ref/report', docs('app', 'A version\'s report: metrics, baseline, diagnoses, importances, robustness, charts, threshold table', { response: reportDocs, description: reportDescription }), async (request) => {
    const version = await store.resolve(parseModelRef(request.params.ref));
    const reportDigest = version.artifacts[MODULE_ARTIFACTS.report];
    if (reportDigest === undefined) {
      throw new KilnError('MODEL_NOT_READY', { model: `${version.model}:${version.version}`, reason: 'it was registered without a report; retrain it' });
    }
    const { manifest } = await loadModule(version, artifacts);
    const report = parseStoredReport(manifest.task, (await artifacts.get(reportDigest)).toString('utf8'));
    // Versions trained since report.json keeps the held-out counts use them; older ones are reproduced.
    const stored = (report['charts'] as { thresholds?: { positiveClass: string; rows: readonly ThresholdCounts[] } } | undefined)?.thresholds;
    const table: ThresholdTable | undefined =
      manifest.task !== 'binary'
        ? undefined
        : stored !== undefined
          ? { available: true, positiveClass: stored.positiveClass, rows: stored.rows }
          : await thresholdTable(version, manifest);
    return {
      ...report,
      model: version.model,
      version: version.version,
      task: manifest.task,
      target: manifest.target,
      ...(manifest.classes === undefined ? {} : { classes: manifest.classes }),
      learner: manifest.learner,
      metrics: nestedMetrics(manifest.metrics),
      ...(table === undefined ? {} : table.available ? { thresholds: table.rows, positive_class: table.positiveClass } : { thresholds_unavailable: table.reason }),
      manifest,
    };
  });

  /** A report without its threshold table is still a report: any failure here becomes the reason. */
  const thresholdTable = (version: ModelVersion, manifest: ModuleManifest): Promise<ThresholdTable> =>
    thresholds
      .get(`${version.model}:${version.version}`, async () => heldOutThresholds(version, manifest, await savedModel(version, artifacts), { store, artifacts }))
      .catch((err: unknown) => ({ available: false, reason: asKilnError(err).message }));

  app.post<{ Params: { ref: string } }>('/api/models/:ref/explain', docs('app', 'The reasons behind the predictions for some rows', { body: explainBody, response: explainDocs }), async (request) => {
    const body = parseBody(explainBody, request.body, 'explain request');
    const version = await store.resolve(parseModelRef(request.params.ref));
    const [saved, { manifest }] = await Promise.all([savedModel(version, artifacts), loadModule(version, artifacts)]);
    checkExplainable(manifest); // before the rows are read as the inputs of a model that has none by column
    // read and checked as the served model reads the same rows sent to be predicted (rows-to-frame.ts)
    const frame = rowsToFrame(version.model, manifest.signature.inputs, body.rows);
    // a text module reads one text field: the words of each text are its reasons
    const predictions = isSavedTextModel(saved) ? answers(predictTextProba(saved, frame), manifest.classes ?? []) : predict(saved, manifest, frame);
    const explanations = explainRows(saved, manifest, frame, body.top);
    return {
      model: version.model,
      version: version.version,
      explanations: explanations.map((e, i) => ({ ...predictions[i], ...e })),
    };
  });

  app.post<{ Params: { ref: string } }>('/api/models/:ref/curves', docs('app', 'Would more rows help? Draw the version\'s learning curve (a job)', { response: jobDocs, status: 202, errors: jobSubmitErrors }), async (request, reply) => {
    const version = await store.resolve(parseModelRef(request.params.ref));
    // checked here, so that a version that cannot be refitted is a coded answer, not a failed job
    const job = await jobs.submitCurves(await versionCurvesInput(version, { store, artifacts }));
    return reply.code(202).send(jobJson(job, await jobs.queuePosition(job)));
  });

  app.post<{ Params: { ref: string } }>('/api/models/:ref/deploy', docs('app', 'Deploy a version: load it and point the champion alias at it', { response: deployDocs }), async (request) => {
    const version = await store.resolve(parseModelRef(request.params.ref));
    // Asking for the exact version loads it (and warms it up) first: a version that cannot load is not
    // made the live one, and the alias moves only to a version that already answers.
    const metadata = await dataPlane.modelMetadata(version.model, String(version.version));
    await store.setAlias(version.model, DEPLOY_ALIAS, version.version, { actor: actorOf(request) });
    const name = encodeURIComponent(version.model);
    return {
      model: version.model,
      version: version.version,
      alias: DEPLOY_ALIAS,
      endpoints: {
        v2: `/v2/models/${name}/versions/${DEPLOY_ALIAS}/infer`,
        v1: `/v1/models/${name}@${DEPLOY_ALIAS}:predict`,
      },
      metadata,
    };
  });
}

/** What training saved besides the ONNX graph for explanations: table predictions and text modules have it. */
async function savedModel(version: ModelVersion, artifacts: ArtifactStore): Promise<SavedModel> {
  const digest = version.artifacts[MODULE_ARTIFACTS.predictor];
  if (digest === undefined) {
    throw new KilnError('NOT_EXPLAINABLE', { model: `${version.model}:${version.version}`, reason: 'it has no saved predictor (predictions from a table\'s columns and text modules keep one)' });
  }
  return JSON.parse((await artifacts.get(digest)).toString('utf8')) as SavedModel;
}

/** What the model answers for each row: the label and class probabilities, or the number. */
function predict(saved: SavedModel, manifest: ModuleManifest, frame: Frame): Record<string, unknown>[] {
  const predictor = loadPredictor(saved.predictor) as SupervisedPredictor;
  const X = TabularPreprocessor.fromJSON(saved.preprocessor).transform(frame);
  if (predictor.kind === 'regressor') return Array.from(predictor.predict(X), (value) => ({ prediction: value }));
  return answers(predictor.predictProba(X), manifest.classes ?? []);
}

/** A classifier's answer for each row of `proba`: the most probable class, and every class's probability. */
function answers(proba: Matrix, classes: readonly (string | number)[]): Record<string, unknown>[] {
  return Array.from({ length: proba.rows }, (_, i) => {
    const row = Array.from(proba.data.subarray(i * proba.cols, (i + 1) * proba.cols));
    const best = row.indexOf(Math.max(...row));
    return { prediction: classes[best] ?? best, probabilities: Object.fromEntries(row.map((p, k) => [String(classes[k] ?? k), p])) };
  });
}

/** `{'test.accuracy': 0.8, 'train.accuracy': 0.9}` → `{test: {accuracy: 0.8}, train: {accuracy: 0.9}}`. */
function nestedMetrics(flat: Readonly<Record<string, number>>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [key, value] of Object.entries(flat)) {
    const dot = key.indexOf('.');
    const part = dot < 0 ? 'other' : key.slice(0, dot);
    (out[part] ??= {})[dot < 0 ? key : key.slice(dot + 1)] = value;
  }
  return out;
}

function actorOf(request: FastifyRequest): string {
  const given = request.headers['x-kiln-actor'];
  return typeof given === 'string' && SANE_ACTOR.test(given) ? given : 'app';
}

/** A small memo of computed values by key; the oldest is forgotten first. Failures are not kept. */
class BoundedCache<T> {
  private readonly entries = new Map<string, Promise<T>>();
  constructor(private readonly size: number) {}

  get(key: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = compute();
    this.entries.set(key, value);
    value.catch(() => this.entries.delete(key));
    const oldest = this.entries.keys().next().value;
    if (this.entries.size > this.size && oldest !== undefined) this.entries.delete(oldest);
    return value;
  }
}
