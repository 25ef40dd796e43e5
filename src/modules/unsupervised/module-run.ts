/**
 * The bookkeeping every unsupervised module shares with the tabular trainer: the data as trained on
 * becomes a dataset version, training is a tracked run, and the result is a registered version whose
 * artifacts (model.onnx, manifest.json, predictor.json, report.json, reference.json) let the server,
 * `kiln predict`, `kiln export` and `kiln monitor` treat it like any other module.
 */
import { arch, platform } from 'node:os';
import type { Frame } from '../../core/frame.js';
import { KILN_VERSION } from '../../core/version.js';
import { buildReferenceProfile } from '../../data/profile/reference-profile.js';
import { snapshotDataset } from '../../store/datasets.js';
import { MANIFEST_FORMAT, MODULE_ARTIFACTS, type ModuleManifest, type ModuleTask, type Signature } from '../manifest.js';
import type { ModuleSpec } from '../spec.js';
import type { TrainContext } from '../train-module.js';
import type { ModuleTable } from './module-table.js';

export interface ModuleRun {
  readonly runId: string;
  readonly datasetVersionId: string;
}

export async function startModuleRun(
  ctx: TrainContext,
  spec: ModuleSpec,
  t: ModuleTable,
  what: { readonly task: ModuleTask; readonly learner: string; readonly params: Readonly<Record<string, unknown>> },
): Promise<ModuleRun> {
  const datasetVersion = await snapshotDataset(t.table, { store: ctx.store, artifacts: ctx.artifacts });
  const run = await ctx.store.createRun({
    name: spec.name,
    task: what.task,
    learner: what.learner,
    params: { ...what.params, seed: spec.seed, test_fraction: spec.split.test },
    dataset: { source: t.table.source, digest: t.table.digest, rows: t.frame.nRows, columns: t.frame.columns.length },
    datasetVersionId: datasetVersion.id,
    environment: { kiln: KILN_VERSION, node: process.version, platform: `${platform()}-${arch()}` },
  });
  return { runId: run.id, datasetVersionId: datasetVersion.id };
}

export interface PartMetrics {
  readonly train: Readonly<Record<string, number>>;
  readonly test: Readonly<Record<string, number>>;
}

export interface VersionParts {
  readonly spec: ModuleSpec;
  readonly run: ModuleRun;
  readonly table: ModuleTable;
  readonly task: ModuleTask;
  /** What the module answers (its main output's name), recorded as the manifest's target. */
  readonly answers: string;
  readonly learner: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly signature: Signature;
  readonly onnx: Uint8Array;
  /** The fitted preprocessing and model (and whatever else re-creates the predictor), as JSON. */
  readonly predictor: unknown;
  readonly report: unknown;
  /** The training rows' input columns, and the module's outputs on the held-out rows named as the server logs them. */
  readonly reference: { readonly inputs: Frame; readonly outputs: Frame };
  readonly metrics: PartMetrics;
  /** Extra numbers for the run only (timings, the ONNX agreement). */
  readonly runMetrics: Readonly<Record<string, number>>;
}

/** Writes the artifacts, registers the version and finishes the run; returns the version number. */
export async function registerModuleVersion(ctx: TrainContext, p: VersionParts): Promise<number> {
  const flat = flattenMetrics(p.metrics);
  const manifest: ModuleManifest = {
    format: MANIFEST_FORMAT,
    name: p.spec.name,
    task: p.task,
    target: p.answers,
    signature: p.signature,
    learner: p.learner,
    params: p.params,
    metrics: flat,
    dataset: { source: p.table.table.source, digest: p.table.table.digest, rows: p.table.frame.nRows, columns: p.table.frame.columns.length },
    datasetVersion: p.run.datasetVersionId,
    seed: p.spec.seed,
    trainedAt: new Date().toISOString(),
    kilnVersion: KILN_VERSION,
  };
  const json = (value: unknown, indent?: number): Uint8Array => new TextEncoder().encode(JSON.stringify(value, null, indent));
  const artifacts = {
    [MODULE_ARTIFACTS.model]: await ctx.artifacts.put(p.onnx),
    [MODULE_ARTIFACTS.manifest]: await ctx.artifacts.put(json(manifest, 2)),
    [MODULE_ARTIFACTS.predictor]: await ctx.artifacts.put(json(p.predictor)),
    [MODULE_ARTIFACTS.report]: await ctx.artifacts.put(json(p.report, 2)),
    [MODULE_ARTIFACTS.spec]: await ctx.artifacts.put(json(p.spec, 2)),
    [MODULE_ARTIFACTS.reference]: await ctx.artifacts.put(
      json(buildReferenceProfile(p.reference.inputs, { predictions: p.reference.outputs, seed: p.spec.seed })),
    ),
  };
  await ctx.store.logMetrics(p.run.runId, finiteOnly({ ...flat, ...p.runMetrics }));
  const version = await ctx.store.createModelVersion({
    model: p.spec.name,
    runId: p.run.runId,
    artifacts,
    signature: p.signature,
    metrics: finiteOnly(flat),
    ...(p.spec.description === undefined ? {} : { description: p.spec.description }),
  });
  await ctx.store.finishRun(p.run.runId, 'finished');
  return version.version;
}

/** `{train: {silhouette: …}, test: {…}}` → `{"train.silhouette": …, "test.…": …}`. */
export function flattenMetrics(metrics: PartMetrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [part, values] of Object.entries(metrics)) for (const [k, v] of Object.entries(values as Record<string, number>)) out[`${part}.${k}`] = v;
  return out;
}

/** Metrics that could not be computed (NaN: e.g. ROC AUC of a part without any known anomaly) are left out of the records. */
function finiteOnly(metrics: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v)));
}
