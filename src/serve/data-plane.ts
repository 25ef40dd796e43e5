/**
 * The data plane: what the server does, independent of how requests arrive (KServe's data plane).
 * REST v2, v1 JSON and (later) gRPC are thin adapters that parse their transport's request, call one
 * method here, and write the answer back; validation, inference and the prediction log live here once.
 *
 * Every method takes the model as the request names it: `name` (which may be a reference such as
 * `titanic@champion`) and the URL's optional version segment (a version number or an alias name).
 */
import { KilnError } from '../core/errors.js';
import type { PredictionRecord } from '../store/store.js';
import { feedsOf, rowInputs, rowOutputReader, type DecodedBatch, type ModelOutputs } from './batch.js';
import { oipDatatype, tensorToJson } from './datatypes.js';
import { decodeRows, type Row } from './decode-rows.js';
import { decodeTensors } from './decode-tensors.js';
import type { LoadedModel } from './loaded-model.js';
import { modelRefFromPath, type ModelRepository } from './model-repository.js';
import type { PredictionSink } from './prediction-log.js';
import type {
  InferRequest,
  InferResponse,
  ModelMetadata,
  ModelReadiness,
  RequestOutput,
  ResponseOutput,
  ServerMetadata,
} from './protocol.js';

/** The OIP platform name of Triton's ONNX Runtime backend, which runs the same files. */
export const PLATFORM = 'onnxruntime_onnx';

export interface DataPlaneOptions {
  readonly repository: ModelRepository;
  /** Where served rows go for monitoring; none = not logged. */
  readonly predictionLog?: PredictionSink;
  readonly serverName?: string;
  readonly serverVersion?: string;
}

/** What the transport knows about a request. */
export interface RequestContext {
  /** The transport's request id (e.g. the `x-request-id` header); used when the body carries no `id`. */
  readonly requestId: string;
}

/** One row's answer in the row-minded (v1) API. */
export type RowPrediction = Record<string, unknown>;

export class DataPlane {
  private readonly repository: ModelRepository;
  private readonly predictionLog: PredictionSink | undefined;
  private readonly metadata: ServerMetadata;
  private closing = false;

  constructor(options: DataPlaneOptions) {
    this.repository = options.repository;
    this.predictionLog = options.predictionLog;
    this.metadata = { name: options.serverName ?? 'kiln', version: options.serverVersion ?? '0.0.0', extensions: [] };
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
    const { inputs, outputs } = model.manifest.signature;
    return {
      name: model.name,
      versions: versions.map(String),
      platform: PLATFORM,
      inputs: inputs.map(({ name: n, datatype, shape }) => ({ name: n, datatype, shape })),
      outputs: outputs.map(({ name: n, datatype, shape }) => ({ name: n, datatype, shape })),
    };
  }

  /**
   * Whether the model can answer now. Asking loads it (so a readiness probe warms the model up); a model
   * that failed to load is "not ready", while a model or version that does not exist is an error.
   */
  async modelReady(name: string, version?: string): Promise<ModelReadiness> {
    const ref = modelRefFromPath(name, version);
    try {
      await this.repository.get(ref);
      return { name: ref.name, ready: true };
    } catch (err) {
      if (err instanceof KilnError && (err.code === 'MODEL_NOT_READY' || err.code === 'SERVER_CLOSING')) return { name: ref.name, ready: false };
      throw err;
    }
  }

  /**
   * Open Inference Protocol inference. The response's `id` echoes the request's `id`, or the transport's
   * request id when the body has none, so that a response can always be matched with its log records.
   */
  async infer(name: string, version: string | undefined, request: InferRequest, context: RequestContext): Promise<InferResponse> {
    const started = performance.now();
    const model = await this.repository.get(modelRefFromPath(name, version));
    const requested = requestedOutputs(model, request.outputs);
    const batch = decodeTensors(model, request.inputs);
    const outputs = await run(model, batch);
    const id = request.id ?? context.requestId;
    this.log(model, batch, outputs, id, performance.now() - started);

    const response: ResponseOutput[] = [];
    for (const outputName of requested) {
      const tensor = outputs[outputName];
      if (tensor === undefined) continue;
      response.push({
        name: outputName,
        datatype: model.outputs.get(outputName)?.datatype ?? oipDatatype(tensor.type),
        shape: tensor.dims,
        data: tensorToJson(tensor),
      });
    }
    return { model_name: model.name, model_version: String(model.version), id, outputs: response };
  }

  /**
   * Row-minded inference (KServe v1): one answer per row, `{label, probabilities}` or `{prediction}`.
   * Columns absent from a row are missing values (see decode-rows.ts).
   */
  async predictRows(name: string, version: string | undefined, rows: readonly Row[], context: RequestContext): Promise<RowPrediction[]> {
    const started = performance.now();
    const model = await this.repository.get(modelRefFromPath(name, version));
    const batch = decodeRows(model, rows);
    const outputs = await run(model, batch);
    this.log(model, batch, outputs, context.requestId, performance.now() - started);
    const rowOutputs = rowOutputReader(model, outputs, batch.rows);
    return Array.from({ length: batch.rows }, (_, i) => rowOutputs(i));
  }

  /**
   * One record per row. Building them is a few small objects per row; writing them is the logger's
   * business, off the response path.
   */
  private log(model: LoadedModel, batch: DecodedBatch, outputs: ModelOutputs, requestId: string, latencyMs: number): void {
    if (this.predictionLog === undefined) return;
    const timestamp = Date.now();
    const rowOutputs = rowOutputReader(model, outputs, batch.rows);
    const records: PredictionRecord[] = new Array<PredictionRecord>(batch.rows);
    for (let i = 0; i < batch.rows; i++) {
      records[i] = {
        requestId: batch.rows === 1 ? requestId : `${requestId}#${i}`,
        model: model.name,
        version: model.version,
        timestamp,
        latencyMs,
        inputs: rowInputs(batch, i),
        outputs: rowOutputs(i),
      };
    }
    this.predictionLog.record(records);
  }
}

/** The outputs to answer with: the requested ones (each must exist), or all of the signature's. */
function requestedOutputs(model: LoadedModel, requested: readonly RequestOutput[] | undefined): string[] {
  if (requested === undefined || requested.length === 0) return [...model.outputs.keys()];
  return requested.map(({ name }) => {
    if (!model.outputs.has(name)) {
      throw new KilnError('OUTPUT_UNKNOWN', { model: model.name, output: name, expected: [...model.outputs.keys()].join(', ') });
    }
    return name;
  });
}

async function run(model: LoadedModel, batch: DecodedBatch): Promise<ModelOutputs> {
  try {
    return await model.session.run(feedsOf(batch));
  } catch (err) {
    throw new KilnError('INFERENCE_FAILED', { model: `${model.name}:${model.version}`, reason: (err as Error).message }, { cause: err });
  }
}
