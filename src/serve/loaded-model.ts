/**
 * Loading one model version into a runnable, served model. A served model is one of two kinds:
 *
 *   - a Kiln **module** (registered by `kiln train`): its manifest gives the signature (one `[-1, 1]`
 *     column per table column, `label` / `probabilities` / `prediction` outputs) and the class labels;
 *     the manifest and the graph are checked against each other here, once;
 *   - a plain **tensor** model (an ONNX file from a Triton-layout folder, e.g. made by skl2onnx or a
 *     PyTorch export): its signature comes from the graph as onnxruntime reports it, completed or
 *     overridden by the folder's config.pbtxt (Triton's auto-complete).
 *
 * Either way the model runs on `instanceCount` worker threads, each with its own onnxruntime session,
 * behind one scheduler; every instance runs one warm-up batch before the model is returned, so a model
 * is ready only once it has answered once.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { MANIFEST_FORMAT, MODULE_ARTIFACTS, type ModuleManifest } from '../modules/manifest.js';
import type { ArtifactStore, ModelVersion } from '../store/store.js';
import { allocate, datatypeOfOrtType, OIP_DATATYPES, type HostTensor, type OipDatatype } from './datatypes.js';
import {
  BACKEND,
  DEFAULT_DYNAMIC_BATCHING,
  DEFAULT_MAX_BATCH_SIZE,
  PLATFORM,
  signatureShape,
  type ConfigDeclaration,
  type ModelConfig,
  type TensorConfig,
} from './model-config.js';
import { InProcessInstance } from './scheduler/in-process-instance.js';
import { Instance, type InstanceResult, type ModelInstance } from './scheduler/instance.js';
import { Scheduler } from './scheduler/scheduler.js';
import type { GraphValue } from './scheduler/worker-protocol.js';
import { ModelStatistics } from './statistics.js';

export type ModelKind = 'module' | 'tensor';

export interface ServedTensor {
  readonly name: string;
  readonly datatype: OipDatatype;
  /** With -1 for variable dimensions; the batch dimension first when the model batches. */
  readonly shape: readonly number[];
}

export interface ServedInput extends ServedTensor {
  /** Modules only: how a table column is treated (decides how rows are read, see decode-rows.ts). */
  readonly kind?: 'numeric' | 'categorical';
}

export interface LoadedModel {
  readonly name: string;
  readonly version: number;
  readonly kind: ModelKind;
  /** Modules only. */
  readonly manifest: ModuleManifest | undefined;
  /** The signature's inputs by name, in signature order (a Map keeps insertion order). */
  readonly inputs: ReadonlyMap<string, ServedInput>;
  readonly outputs: ReadonlyMap<string, ServedTensor>;
  readonly config: ModelConfig;
  readonly scheduler: Scheduler;
  readonly statistics: ModelStatistics;
  /** Where its instances run (see InstanceOptions.mainThreadRunLimitUs). */
  readonly placement: Placement;
  /** Class labels by output name, for the classification extension. */
  readonly labels: ReadonlyMap<string, readonly string[]>;
}

export interface InstanceOptions {
  /** onnxruntime intra-op threads per instance (default 1: parallelism comes from instances and batching). */
  readonly intraOpNumThreads?: number;
  /**
   * A one-instance model whose run of a PLACEMENT_BATCH_ROWS-row batch takes at most this many microseconds
   * runs on the server's main thread instead of a worker thread (default DEFAULT_MAIN_THREAD_RUN_LIMIT_US;
   * 0 = always worker threads).
   */
  readonly mainThreadRunLimitUs?: number;
  /** Where a worker thread's death and replacement are reported. */
  readonly logger?: Logger;
}

/** Where a model's instances run. */
export type Placement = 'main-thread' | 'worker-threads';

/**
 * Small models run on the main thread. The hop to a worker thread and back costs the main thread some 20 µs
 * per batch (post, structured clone, wake-up, reply); running the batch in place costs its compute time.
 * So the placement is decided by timing a batch of the size that forms under load (PLACEMENT_BATCH_ROWS,
 * when the model batches): at most 100 µs, about five hops, and the model stays on the main thread — an
 * iris-sized classifier or a Kiln module of a few columns takes 15–30 µs; a wide MLP takes ~800 µs and
 * keeps its worker, so the event loop stays free for HTTP while it computes.
 */
export const DEFAULT_MAIN_THREAD_RUN_LIMIT_US = 100;

/** Rows in the batch that decides the placement (Kiln's batches at concurrency 64 hold ~30 rows). */
export const PLACEMENT_BATCH_ROWS = 32;

// ------------------------------------------------------------------------------------------------
// Kiln modules

const TENSOR = { name: z.string().min(1), datatype: z.enum(OIP_DATATYPES), shape: z.array(z.number().int()) };

/** The parts of a manifest that serving relies on; the rest (lineage, metrics) is kept as it is. */
const SERVED_MANIFEST = z.looseObject({
  format: z.literal(MANIFEST_FORMAT),
  name: z.string(),
  // Tabular tasks and the module templates beyond tables (their outputs are served as they are).
  task: z.enum(['binary', 'multiclass', 'regression', 'text-classify', 'recommend', 'cluster', 'detect-anomalies']),
  classes: z.array(z.union([z.string(), z.number()])).optional(),
  signature: z.object({
    inputs: z.array(z.object({ ...TENSOR, kind: z.enum(['numeric', 'categorical']) })).min(1),
    outputs: z.array(z.object(TENSOR)).min(1),
  }),
});

/** Reads and checks the manifest bytes; throws an Error whose message says what is wrong. */
export function parseManifest(bytes: Uint8Array): ModuleManifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    throw new Error(`${MODULE_ARTIFACTS.manifest} is not valid JSON (${(err as Error).message})`);
  }
  const parsed = SERVED_MANIFEST.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : issue.path.join('.');
    throw new Error(`${MODULE_ARTIFACTS.manifest} is not a valid manifest: ${where ? `${where}: ` : ''}${issue?.message ?? 'unknown problem'}`);
  }
  // The schema checked every field serving reads; the others travel through untouched.
  return parsed.data as unknown as ModuleManifest;
}

/** The configuration a module is served with: batchable columns, dynamic batching on, one instance. */
export function moduleConfig(name: string, manifest: ModuleManifest, overrides: ConfigDeclaration = {}): ModelConfig {
  const dims = (shape: readonly number[]): number[] => shape.slice(1);
  const labelled = manifest.classes !== undefined && manifest.signature.outputs.some((o) => o.name === 'probabilities');
  return {
    name,
    platform: PLATFORM,
    backend: BACKEND,
    maxBatchSize: overrides.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
    inputs: manifest.signature.inputs.map((t) => ({ name: t.name, datatype: t.datatype, dims: dims(t.shape) })),
    outputs: manifest.signature.outputs.map((t) => ({
      name: t.name,
      datatype: t.datatype,
      dims: dims(t.shape),
      ...(labelled && t.name === 'probabilities' ? { labelFilename: 'labels.txt' } : {}),
    })),
    dynamicBatching: overrides.dynamicBatching ?? DEFAULT_DYNAMIC_BATCHING,
    instanceCount: overrides.instanceCount ?? 1,
    versionPolicy: overrides.versionPolicy ?? { kind: 'latest', numVersions: 1 },
  };
}

/** Loads a registered module version: its manifest and ONNX graph from the artifact store. */
export async function loadModuleVersion(version: ModelVersion, artifacts: ArtifactStore, options: InstanceOptions & { readonly config?: ConfigDeclaration } = {}): Promise<LoadedModel> {
  const manifestDigest = version.artifacts[MODULE_ARTIFACTS.manifest];
  const modelDigest = version.artifacts[MODULE_ARTIFACTS.model];
  if (manifestDigest === undefined || modelDigest === undefined) {
    throw new Error(`the version has no ${manifestDigest === undefined ? MODULE_ARTIFACTS.manifest : MODULE_ARTIFACTS.model} artifact`);
  }
  const [manifestBytes, modelBytes] = await Promise.all([artifacts.get(manifestDigest), artifacts.get(modelDigest)]);
  return loadModuleFiles({ name: version.model, version: version.version, manifestBytes, modelBytes }, options);
}

export interface ModuleFiles {
  /** The name it is served under (a registered model's, or its folder's in a model repository). */
  readonly name: string;
  readonly version: number;
  readonly manifestBytes: Uint8Array;
  readonly modelBytes: Uint8Array;
}

/**
 * A module from its two files: from the registry's artifact store, or from a version folder of a model
 * repository that `kiln export --format triton` wrote (its `manifest.json` beside `model.onnx`), so that a
 * module served from a folder reads rows as columns exactly as when it is served from the registry.
 */
export function loadModuleFiles(files: ModuleFiles, options: InstanceOptions & { readonly config?: ConfigDeclaration } = {}): Promise<LoadedModel> {
  const manifest = parseManifest(files.manifestBytes);
  const config = moduleConfig(files.name, manifest, options.config);
  const labels = new Map<string, readonly string[]>();
  if (manifest.classes !== undefined) labels.set('probabilities', manifest.classes.map(String));
  return startModel({
    name: files.name,
    version: files.version,
    kind: 'module',
    manifest,
    modelBytes: files.modelBytes,
    ...options,
    signature: (graph) => {
      checkGraphMatchesSignature(graph, manifest);
      return {
        config,
        inputs: manifest.signature.inputs.map((s) => ({ name: s.name, datatype: s.datatype, shape: s.shape, kind: s.kind })),
        outputs: manifest.signature.outputs.map((s) => ({ name: s.name, datatype: s.datatype, shape: s.shape })),
      };
    },
    labels,
  });
}

/** Every graph input must be fed from the signature, and every signature output must exist in the graph. */
function checkGraphMatchesSignature(graph: GraphDescription, manifest: ModuleManifest): void {
  const signatureInputs = new Set(manifest.signature.inputs.map((s) => s.name));
  const graphInputs = new Set(graph.inputs.map((v) => v.name));
  const graphOutputs = new Set(graph.outputs.map((v) => v.name));
  const problems = [
    ...[...graphInputs].filter((n) => !signatureInputs.has(n)).map((n) => `graph input "${n}" is not in the signature`),
    ...[...signatureInputs].filter((n) => !graphInputs.has(n)).map((n) => `signature input "${n}" is not in the graph`),
    ...manifest.signature.outputs.map((s) => s.name).filter((n) => !graphOutputs.has(n)).map((n) => `signature output "${n}" is not in the graph`),
  ];
  if (problems.length > 0) throw new Error(`the manifest and ${MODULE_ARTIFACTS.model} disagree: ${problems.join('; ')}`);
}

// ------------------------------------------------------------------------------------------------
// plain tensor models (Triton-layout folders)

export interface TensorModelSource {
  readonly name: string;
  readonly version: number;
  readonly modelBytes: Uint8Array;
  /** What config.pbtxt declared; undefined when the folder has none. */
  readonly declaration: ConfigDeclaration | undefined;
  /** Class labels by output name, read from the outputs' label files. */
  readonly labels?: ReadonlyMap<string, readonly string[]>;
}

export function loadTensorModel(source: TensorModelSource, options: InstanceOptions = {}): Promise<LoadedModel> {
  return startModel({
    name: source.name,
    version: source.version,
    kind: 'tensor',
    manifest: undefined,
    modelBytes: source.modelBytes,
    ...options,
    signature: (graph) => completeConfig(source.name, graph, source.declaration),
    labels: source.labels ?? new Map(),
  });
}

/**
 * Triton's auto-complete for ONNX models: what config.pbtxt leaves out is read from the graph. The batch
 * dimension is assumed when every graph input and output starts with a variable dimension; a folder with
 * no config.pbtxt then gets Kiln's dynamic batching defaults.
 */
export function completeConfig(name: string, graph: GraphDescription, declaration: ConfigDeclaration | undefined): ServedSignature {
  const tensors = (values: readonly GraphValue[], what: 'input' | 'output'): { name: string; datatype: OipDatatype; shape: readonly number[] }[] => {
    const out = [];
    for (const v of values) {
      const datatype = datatypeOfOrtType(v.type);
      if (datatype === undefined || v.shape === undefined) {
        if (what === 'input') throw new Error(`graph input "${v.name}" has type ${v.type}, which the Open Inference Protocol cannot carry`);
        continue; // e.g. skl2onnx's ZipMap output (a sequence of maps): not servable, the tensor outputs are
      }
      out.push({ name: v.name, datatype, shape: v.shape });
    }
    return out;
  };
  const graphInputs = tensors(graph.inputs, 'input');
  const graphOutputs = tensors(graph.outputs, 'output');
  const batchable = [...graphInputs, ...graphOutputs].every((t) => t.shape.length > 0 && t.shape[0] === -1);
  const maxBatchSize = declaration?.maxBatchSize ?? (batchable ? DEFAULT_MAX_BATCH_SIZE : 0);
  if (maxBatchSize > 0 && !batchable) {
    throw new Error(`max_batch_size is ${maxBatchSize} but not every graph input and output has a variable first (batch) dimension; set max_batch_size: 0`);
  }
  const fromGraph = (t: { name: string; datatype: OipDatatype; shape: readonly number[] }): TensorConfig => ({
    name: t.name,
    datatype: t.datatype,
    dims: maxBatchSize > 0 ? t.shape.slice(1) : t.shape,
  });
  const checkDeclared = (declared: readonly TensorConfig[] | undefined, inGraph: typeof graphInputs, what: string): TensorConfig[] => {
    if (declared === undefined) return inGraph.map(fromGraph);
    return declared.map((d) => {
      const g = inGraph.find((t) => t.name === d.name);
      if (g === undefined) throw new Error(`config.pbtxt ${what} "${d.name}" is not in the graph (it has: ${inGraph.map((t) => t.name).join(', ')})`);
      if (g.datatype !== d.datatype) throw new Error(`config.pbtxt ${what} "${d.name}" has data_type ${d.datatype} but the graph says ${g.datatype}`);
      const graphDims = maxBatchSize > 0 ? g.shape.slice(1) : g.shape;
      const fits = graphDims.length === d.dims.length && graphDims.every((x, i) => x === -1 || d.dims[i] === -1 || x === d.dims[i]);
      if (!fits) throw new Error(`config.pbtxt ${what} "${d.name}" has dims [${d.dims.join(', ')}] but the graph says [${graphDims.join(', ')}]`);
      return d;
    });
  };
  const inputs = checkDeclared(declaration?.inputs, graphInputs, 'input');
  if (declaration?.inputs !== undefined) {
    const missing = graphInputs.filter((g) => !inputs.some((i) => i.name === g.name));
    if (missing.length > 0) throw new Error(`config.pbtxt does not declare the graph input(s) ${missing.map((m) => `"${m.name}"`).join(', ')}`);
  }
  const outputs = checkDeclared(declaration?.outputs, graphOutputs, 'output');
  const config: ModelConfig = {
    name,
    platform: PLATFORM,
    backend: BACKEND,
    maxBatchSize,
    inputs,
    outputs,
    ...(declaration === undefined
      ? maxBatchSize > 0
        ? { dynamicBatching: DEFAULT_DYNAMIC_BATCHING }
        : {}
      : declaration.dynamicBatching === undefined
        ? {}
        : { dynamicBatching: declaration.dynamicBatching }),
    instanceCount: declaration?.instanceCount ?? 1,
    versionPolicy: declaration?.versionPolicy ?? { kind: 'latest', numVersions: 1 },
  };
  const served = (t: TensorConfig): ServedTensor => ({ name: t.name, datatype: t.datatype, shape: signatureShape(config, t.dims) });
  return { config, inputs: inputs.map(served), outputs: outputs.map(served) };
}

// ------------------------------------------------------------------------------------------------
// shared: instances, scheduler, warm-up

export interface GraphDescription {
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];
}

export interface ServedSignature {
  readonly config: ModelConfig;
  readonly inputs: readonly ServedInput[];
  readonly outputs: readonly ServedTensor[];
}

interface StartOptions extends InstanceOptions {
  readonly name: string;
  readonly version: number;
  readonly kind: ModelKind;
  readonly manifest: ModuleManifest | undefined;
  readonly modelBytes: Uint8Array;
  /** Decides the served signature once the graph is known; throws when the two disagree. */
  readonly signature: (graph: GraphDescription) => ServedSignature;
  readonly labels: ReadonlyMap<string, readonly string[]>;
}

async function startModel(options: StartOptions): Promise<LoadedModel> {
  const { instances, placement, signature } = await startInstances(options);
  const { config, inputs, outputs } = signature;
  const statistics = new ModelStatistics();
  const scheduler = new Scheduler({
    model: `${options.name}:${options.version}`,
    maxBatchSize: config.maxBatchSize,
    ...(config.dynamicBatching === undefined ? {} : { batching: config.dynamicBatching }),
    instances,
    statistics,
  });
  return {
    name: options.name,
    version: options.version,
    kind: options.kind,
    manifest: options.manifest,
    inputs: new Map(inputs.map((s) => [s.name, s])),
    outputs: new Map(outputs.map((s) => [s.name, s])),
    config,
    scheduler,
    statistics,
    placement,
    labels: options.labels,
  };
}

/** How many timed runs decide the placement (the fastest counts: the others met a busy machine). */
const PLACEMENT_TRIALS = 5;

/**
 * A model file larger than this goes straight to a worker thread: it cannot be small, and opening it on the
 * main thread first (a synchronous native call) would stall every request while it loads, then load twice.
 */
const MAIN_THREAD_MAX_MODEL_BYTES = 16 * 1024 * 1024;

/**
 * Opens the model's instances, each warmed up with one row. A model configured with one instance (and a
 * file of at most 16 MiB) is first opened on the main thread and a batch is timed; when the batch runs within the limit the model stays
 * there, otherwise it moves to a worker thread. A model asking for several instances wants parallelism:
 * worker threads.
 */
async function startInstances(options: StartOptions): Promise<{ instances: ModelInstance[]; placement: Placement; signature: ServedSignature }> {
  const limitUs = options.mainThreadRunLimitUs ?? DEFAULT_MAIN_THREAD_RUN_LIMIT_US;
  if (limitUs > 0 && options.modelBytes.byteLength <= MAIN_THREAD_MAX_MODEL_BYTES) {
    const local = await InProcessInstance.open(options.modelBytes, options);
    try {
      const signature = options.signature(local);
      if (signature.config.instanceCount === 1) {
        await warmUpRun(local, warmUpFeeds(signature.inputs));
        const rows = signature.config.maxBatchSize > 0 ? Math.min(PLACEMENT_BATCH_ROWS, signature.config.maxBatchSize) : 1;
        const batch = warmUpFeeds(signature.inputs, rows);
        let fastestNs = Infinity;
        for (let i = 0; i < PLACEMENT_TRIALS; i++) fastestNs = Math.min(fastestNs, (await warmUpRun(local, batch)).computeNs);
        if (fastestNs <= limitUs * 1000) return { instances: [local], placement: 'main-thread', signature };
      }
    } catch (err) {
      await local.close().catch(() => undefined);
      throw err;
    }
    await local.close();
  }
  const model = `${options.name}:${options.version}`;
  const logger = options.logger;
  const workerOptions = {
    ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
    events: {
      died: (reason: string) => logger?.warn({ model, reason }, 'a model instance stopped; its running batch failed and a new instance is starting'),
      replaced: () => logger?.info({ model }, 'the model instance was replaced'),
      replacementFailed: (reason: string) => logger?.error({ model, reason }, 'the model instance could not be restarted; reload the model'),
    },
  };
  const first = await Instance.start(options.modelBytes, workerOptions);
  const instances: ModelInstance[] = [first];
  try {
    const signature = options.signature(first);
    for (let i = 1; i < signature.config.instanceCount; i++) instances.push(await Instance.start(options.modelBytes, workerOptions));
    const warmUp = warmUpFeeds(signature.inputs);
    for (const instance of instances) await warmUpRun(instance, warmUp);
    return { instances, placement: 'worker-threads', signature };
  } catch (err) {
    await Promise.all(instances.map((i) => i.close().catch(() => undefined)));
    throw err;
  }
}

async function warmUpRun(instance: ModelInstance, feeds: Record<string, HostTensor>): Promise<InstanceResult> {
  try {
    return await instance.run(feeds);
  } catch (err) {
    throw new Error(`the warm-up inference failed: ${(err as Error).message}`);
  }
}

/** Zeros (empty strings for BYTES): `rows` rows when the model batches, variable dimensions otherwise 1. */
function warmUpFeeds(inputs: readonly ServedTensor[], rows = 1): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  for (const input of inputs) {
    const shape = input.shape.map((d, i) => (d !== -1 ? d : i === 0 ? rows : 1));
    feeds[input.name] = { datatype: input.datatype, shape, data: allocate(input.datatype, shape.reduce((a, b) => a * b, 1)) };
  }
  return feeds;
}

