/**
 * The data plane: what the server does, independent of how requests arrive (KServe's data plane).
 * REST v2 (with Triton's extensions), v1 JSON and gRPC are thin adapters that parse their transport's
 * request, call one method here, and write the answer back; validation, scheduling, statistics and the
 * prediction log live here once.
 *
 * Every method takes the model as the request names it: `name` (which may be a reference such as
 * `titanic@champion`) and the URL's optional version segment (a version number or an alias name).
 *
 * Inference answers carry host tensors, not JSON: each transport encodes them its own way (JSON arrays,
 * Triton's binary tensor data, gRPC raw contents).
 */
import { KilnError } from '../core/errors.js';
import { feedsOf, rowOutputReader, type DecodedBatch, type ModelOutputs } from './batch.js';
import { classify } from './classification.js';
import type { HostTensor } from './datatypes.js';
import { decodeRows } from './decode-rows.js';
import { DEFAULT_MAX_TENSOR_ELEMENTS, decodeTensors } from './decode-tensors.js';
import type { LoadedModel } from './loaded-model.js';
import { configToJson, PLATFORM } from './model-config.js';
import { modelRefFromPath, type IndexEntry, type ModelRepository } from './model-repository.js';
import type { PredictionSampler, PredictionSink } from './prediction-log.js';
import type { InferRequest, ModelMetadata, ModelReadiness, Parameters, RequestOutput, ServerMetadata } from './protocol.js';
import type { Outcome } from './statistics.js';

export { PLATFORM };

/** Triton's names for the protocol extensions Kiln implements (GET /v2 lists them). */
export const EXTENSIONS = ['binary_tensor_data', 'classification', 'model_configuration', 'model_repository', 'schedule_policy', 'statistics', 'parameters'] as const;

export interface DataPlaneOptions {
  readonly repository: ModelRepository;
  /** Where served rows go for monitoring; none = not logged. */
  readonly predictionLog?: PredictionSink & PredictionSampler;
  readonly serverName?: string;
  readonly serverVersion?: string;
  /** Most elements one input tensor may have (default 16 Mi). */
  readonly maxTensorElements?: number;
  /** A/B routing (src/experiment/router.ts): may answer a request with an experiment's arm instead. */
  readonly router?: InferenceRouter;
}

/** What the transport knows about a request. */
export interface RequestContext {
  /** The transport's request id (e.g. the `x-request-id` header); used when the body carries no `id`. */
  readonly requestId: string;
  /** The caller's user key (`x-kiln-user` header or `user_key`): sticky A/B assignment; logged with the prediction. */
  readonly userKey?: string;
  /** Set by the A/B router on the requests it routes; copied into their prediction log records. */
  readonly experiment?: ExperimentTag;
}

/** Which experiment and arm answered a routed request (field names as in PredictionRecord). */
export interface ExperimentTag {
  readonly experiment: string;
  readonly arm: 'champion' | 'challenger';
  /** A mirrored challenger answer that is logged, not returned. */
  readonly shadow?: true;
}

/**
 * The A/B hook at the top of `infer` and `predictRows`: answers the request itself (through this data
 * plane, with an explicit version and `context.experiment` set) when an experiment routes it, or
 * returns undefined to let the data plane answer as usual.
 */
export interface InferenceRouter {
  infer(dataPlane: DataPlane, name: string, version: string | undefined, request: InferRequest, context: RequestContext): Promise<InferResult> | undefined;
  predictRows(dataPlane: DataPlane, name: string, version: string | undefined, rows: readonly unknown[], context: RequestContext): Promise<RowPredictions> | undefined;
}

/** One output of an answer, still a tensor; `parameters` are the ones the client asked the output with. */
export interface InferResultOutput {
  readonly name: string;
  readonly tensor: HostTensor;
  readonly requested: Parameters;
}

export interface InferResult {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string;
  /** The request's own parameters (binary_data_output, …), for the transport. */
  readonly requestParameters: Parameters;
  readonly outputs: readonly InferResultOutput[];
}

/** One row's answer in the row-minded (v1) API. */
export type RowPrediction = Record<string, unknown>;

/** The v1 answer: one prediction per row, and which version gave them (A/B clients attribute outcomes by it). */
export interface RowPredictions {
  readonly model_name: string;
  readonly model_version: string;
  readonly predictions: RowPrediction[];
}

export class DataPlane {
  readonly repository: ModelRepository;
  private readonly predictionLog: (PredictionSink & PredictionSampler) | undefined;
  private readonly metadata: ServerMetadata;
  private readonly maxTensorElements: number;
  private readonly router: InferenceRouter | undefined;
  private closing = false;

  constructor(options: DataPlaneOptions) {
    this.repository = options.repository;
    this.predictionLog = options.predictionLog;
    this.maxTensorElements = options.maxTensorElements ?? DEFAULT_MAX_TENSOR_ELEMENTS;
    this.router = options.router;
    this.metadata = { name: options.serverName ?? 'kiln', version: options.serverVersion ?? '0.0.0', extensions: [...EXTENSIONS] };
  }

  serverMetadata(): ServerMetadata {
    return this.metadata;
  }

  /** The process is up and answering. */
  serverLive(): boolean {
    return true;
  }

  /** Ready for traffic: not shutting down, and the registry answers. */
  async serverReady(): Promise<boolean> {
    return !this.closing && (await this.repository.storeReachable());
  }

  /** Marks the server as shutting down, so readiness turns false and load balancers move away. */
  markClosing(): void {
    this.closing = true;
  }

  async modelMetadata(name: string, version?: string): Promise<ModelMetadata> {
    const model = await this.repository.get(modelRefFromPath(name, version));
    const versions = await this.repository.versions(model.name);
    return {
      name: model.name,
      versions: versions.map(String),
      platform: PLATFORM,
      inputs: [...model.inputs.values()].map(({ name: n, datatype, shape }) => ({ name: n, datatype, shape })),
      outputs: [...model.outputs.values()].map(({ name: n, datatype, shape }) => ({ name: n, datatype, shape })),
    };
  }

  /**
   * Whether the model can answer now. Asking loads a registered model (so a readiness probe warms it up);
   * a model that failed to load or was unloaded is "not ready", while a model or version that does not
   * exist is an error.
   */
  async modelReady(name: string, version?: string): Promise<ModelReadiness> {
    const ref = modelRefFromPath(name, version);
    try {
      await this.repository.get(ref);
      return { name: ref.name, ready: true };
    } catch (err) {
      if (err instanceof KilnError && (err.code === 'MODEL_NOT_READY' || err.code === 'SERVER_CLOSING' || err.code === 'MODEL_UNAVAILABLE')) {
        return { name: ref.name, ready: false };
      }
      throw err;
    }
  }

  /** Triton's model configuration extension. */
  async modelConfig(name: string, version?: string): Promise<Record<string, unknown>> {
    const model = await this.repository.get(modelRefFromPath(name, version));
    return configToJson(model.config);
  }

  /** Triton's statistics extension: every loaded version, or those of one model (one version). */
  async modelStatistics(name?: string, version?: string): Promise<{ model_stats: Record<string, unknown>[] }> {
    let models = this.repository.loadedModels();
    if (name !== undefined) {
      const model = await this.repository.get(modelRefFromPath(name, version));
      models = version === undefined ? models.filter((m) => m.name === model.name) : [model];
    }
    models.sort((a, b) => (a.name === b.name ? a.version - b.version : a.name < b.name ? -1 : 1));
    return { model_stats: models.map((m) => m.statistics.toTriton(m.name, m.version)) };
  }

  repositoryIndex(): Promise<IndexEntry[]> {
    return this.repository.index();
  }

  loadModel(name: string): Promise<void> {
    return this.repository.loadModel(name);
  }

  unloadModel(name: string): Promise<void> {
    return this.repository.unloadModel(name);
  }

  /**
   * Open Inference Protocol inference. The response's `id` echoes the request's `id`, or the transport's
   * request id when the body has none, so that a response can always be matched with its log records.
   */
  async infer(name: string, version: string | undefined, request: InferRequest, context: RequestContext): Promise<InferResult> {
    // A/B: a request for a model under experiment (without a version) is answered by its arm.
    const routed = this.router?.infer(this, name, version, request, context);
    if (routed !== undefined) return routed;
    const started = process.hrtime.bigint();
    const model = await this.repository.get(modelRefFromPath(name, version));
    try {
      const requested = requestedOutputs(model, request.outputs);
      const batch = decodeTensors(model, request.inputs, { maxTensorElements: this.maxTensorElements });
      const decoded = process.hrtime.bigint();
      model.statistics.recordDecode(Number(decoded - started));
      const outputs = await model.scheduler.submit({ feeds: feedsOf(batch), rows: Math.max(1, batch.rows), ...scheduling(request.parameters) });
      const ran = process.hrtime.bigint();
      const id = request.id ?? context.requestId;
      this.log(model, batch, outputs, id, Number(ran - started) / 1e6, context);

      const answers: InferResultOutput[] = [];
      for (const [outputName, parameters] of requested) {
        const tensor = outputs[outputName];
        if (tensor === undefined) continue;
        const k = parameters['classification'];
        answers.push({ name: outputName, tensor: k === undefined ? tensor : classify(model, outputName, tensor, k, batch.rows), requested: parameters });
      }
      const done = process.hrtime.bigint();
      model.statistics.recordEncode(Number(done - ran));
      model.statistics.recordRequest('success', Number(done - started));
      return { model_name: model.name, model_version: String(model.version), id, requestParameters: request.parameters ?? {}, outputs: answers };
    } catch (err) {
      const failedNs = Number(process.hrtime.bigint() - started);
      model.statistics.recordRequest(outcomeOf(err), failedNs);
      this.logFailure(model, request.id ?? context.requestId, err, failedNs / 1e6, context);
      throw err;
    }
  }

  /**
   * Row-minded inference (KServe v1): one answer per row, `{label, probabilities}` or `{prediction}`.
   * Columns absent from a row are missing values (see decode-rows.ts).
   */
  async predictRows(name: string, version: string | undefined, rows: readonly unknown[], context: RequestContext): Promise<RowPredictions> {
    // A/B: a request for a model under experiment (without a version) is answered by its arm.
    const routed = this.router?.predictRows(this, name, version, rows, context);
    if (routed !== undefined) return routed;
    const started = process.hrtime.bigint();
    const model = await this.repository.get(modelRefFromPath(name, version));
    try {
      const batch = decodeRows(model, rows);
      const outputs = await model.scheduler.submit({ feeds: feedsOf(batch), rows: batch.rows });
      this.log(model, batch, outputs, context.requestId, Number(process.hrtime.bigint() - started) / 1e6, context);
      const rowOutputs = rowOutputReader(model, outputs, batch.rows);
      const predictions = Array.from({ length: batch.rows }, (_, i) => rowOutputs(i));
      model.statistics.recordRequest('success', Number(process.hrtime.bigint() - started));
      return { model_name: model.name, model_version: String(model.version), predictions };
    } catch (err) {
      const failedNs = Number(process.hrtime.bigint() - started);
      model.statistics.recordRequest(outcomeOf(err), failedNs);
      this.logFailure(model, context.requestId, err, failedNs / 1e6, context);
      throw err;
    }
  }

  /**
   * One record per row, for Kiln modules (whose inputs are table columns that monitoring can compare).
   * The logger copies the rows' values into its column buffers (a few numeric writes); writing them is
   * its business, off the response path.
   */
  private log(model: LoadedModel, batch: DecodedBatch, outputs: ModelOutputs, requestId: string, latencyMs: number, context: RequestContext): void {
    if (this.predictionLog === undefined || model.kind !== 'module' || !this.predictionLog.sampled(requestId)) return;
    this.predictionLog.served(model, batch, outputs, requestId, latencyMs, context);
  }

  /**
   * A failed request of a module is logged whatever the sampling, as one record with its error code and no
   * inputs or outputs, so that monitoring sees the error rate. Requests routed by an A/B experiment are
   * left to the router, which logs their failures with the arm.
   */
  private logFailure(model: LoadedModel, requestId: string, err: unknown, latencyMs: number, context: RequestContext): void {
    if (this.predictionLog === undefined || model.kind !== 'module' || context.experiment !== undefined) return;
    this.predictionLog.failed({
      model: model.name,
      version: model.version,
      requestId,
      latencyMs,
      userKey: context.userKey,
      error: err instanceof KilnError ? err.code : 'INTERNAL',
    });
  }
}

/** The outputs to answer with and their parameters: the requested ones (each must exist), or all of the signature's. */
function requestedOutputs(model: LoadedModel, requested: readonly RequestOutput[] | undefined): ReadonlyMap<string, Parameters> {
  if (requested === undefined || requested.length === 0) return allOutputs(model);
  const out = new Map<string, Parameters>();
  for (const { name, parameters } of requested) {
    if (!model.outputs.has(name)) {
      throw new KilnError('OUTPUT_UNKNOWN', { model: model.name, output: name, expected: [...model.outputs.keys()].join(', ') });
    }
    out.set(name, parameters ?? {});
  }
  return out;
}

/** Every output of a model, without parameters: what most requests ask for, made once per loaded model. */
const ALL_OUTPUTS = new WeakMap<LoadedModel, ReadonlyMap<string, Parameters>>();
const NO_PARAMETERS: Parameters = Object.freeze({});

function allOutputs(model: LoadedModel): ReadonlyMap<string, Parameters> {
  let outputs = ALL_OUTPUTS.get(model);
  if (outputs === undefined) {
    outputs = new Map([...model.outputs.keys()].map((n) => [n, NO_PARAMETERS]));
    ALL_OUTPUTS.set(model, outputs);
  }
  return outputs;
}

/** Triton's request parameters for the scheduler: `priority` (1 = highest) and `timeout` (µs). */
function scheduling(parameters: Parameters | undefined): { priority?: number; timeoutMicroseconds?: number } {
  if (parameters === undefined) return {};
  const priority = parameters['priority'];
  const timeout = parameters['timeout'];
  const integer = (v: unknown, what: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new KilnError('MALFORMED_REQUEST', { reason: `parameter "${what}" must be a non-negative integer, got ${JSON.stringify(v)}` });
    return v;
  };
  return {
    ...(priority === undefined ? {} : { priority: integer(priority, 'priority') }),
    ...(timeout === undefined ? {} : { timeoutMicroseconds: integer(timeout, 'timeout') }),
  };
}

/** The outcome label of a failed request. */
export function outcomeOf(err: unknown): Outcome {
  if (err instanceof KilnError) {
    if (err.code === 'QUEUE_FULL' || err.code === 'REQUEST_TIMEOUT' || err.code === 'MODEL_UNAVAILABLE' || err.code === 'SERVER_CLOSING') return 'rejected';
    return err.status < 500 ? 'client_error' : 'server_error';
  }
  return 'server_error';
}
