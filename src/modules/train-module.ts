/**
 * One entry point for training any module: the spec's `task` picks the trainer. Tabular tasks
 * (auto, binary, multiclass, classification, regression) go to the tabular trainer; the templates
 * beyond tables (text-classify, recommend, cluster, detect-anomalies) to theirs. Trainers are loaded
 * on demand so that the CLI starts without loading every module's dependencies.
 *
 * Every trainer records a run, registers a model version whose artifacts include `model.onnx` and
 * `manifest.json` (so the server, `kiln predict`, `kiln export` and monitoring treat it like any other
 * module), and returns the common result below.
 */
import type { ArtifactStore, Store } from '../store/store.js';
import { MODULE_TASKS, type LoadedSpec } from './spec.js';
import type { TrainListener } from './train-events.js';

export interface TrainContext {
  readonly store: Store;
  readonly artifacts: ArtifactStore;
  readonly onEvent?: TrainListener;
  readonly signal?: AbortSignal;
}

/** What every trainer returns: enough for the CLI's summary, `--json` and the HTTP API. */
export interface ModuleTrainResult {
  readonly model: string;
  readonly version: number;
  readonly runId: string;
  /** The module's task, e.g. `binary` or `recommend`. */
  readonly task: string;
  readonly learner: string;
  readonly fitSeconds: number;
  readonly rows: { readonly train: number; readonly test: number };
  /** scikit-learn's metric names where they exist, on the training part and on the held-out part. */
  readonly metrics: { readonly train: Readonly<Record<string, number>>; readonly test: Readonly<Record<string, number>> };
  /** The rest of the result as JSON (snake_case keys), merged into `kiln train --json` and the API's answer. */
  readonly details: Readonly<Record<string, unknown>>;
  /** Plain-language lines the CLI prints under the metrics table (verdict, diagnoses, what to do next). */
  readonly summary: readonly string[];
}

export type ModuleTrainer = (loaded: LoadedSpec, ctx: TrainContext) => Promise<ModuleTrainResult>;

type ModuleTaskName = (typeof MODULE_TASKS)[number];

/** The trainer of each module template, loaded when first used. */
const MODULE_TRAINERS: Partial<Record<ModuleTaskName, () => Promise<ModuleTrainer>>> = {
  // text-classify, recommend, cluster, detect-anomalies: one line each, e.g.
  // 'cluster': async () => (await import('./cluster/train-cluster.js')).trainClusterModule,
  'text-classify': async () => (await import('./text/train-text.js')).trainTextModule,
  cluster: async () => (await import('./cluster/train-cluster.js')).trainClusterModule,
  'detect-anomalies': async () => (await import('./anomaly/train-anomaly.js')).trainAnomalyModule,
  recommend: async () => (await import('./recommend/train-recommend.js')).trainRecommendModule,
};

export async function trainModule(loaded: LoadedSpec, ctx: TrainContext): Promise<ModuleTrainResult> {
  const task = loaded.spec.task;
  const load = (MODULE_TRAINERS as Partial<Record<string, () => Promise<ModuleTrainer>>>)[task];
  if (load !== undefined) return (await load())(loaded, ctx);
  const { trainTabular } = await import('./tabular/tabular-result.js');
  return trainTabular(loaded, ctx);
}
