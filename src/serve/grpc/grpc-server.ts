/**
 * The Open Inference Protocol over gRPC (service `inference.GRPCInferenceService`, the same service
 * Triton serves): ServerLive, ServerReady, ModelReady, ServerMetadata, ModelMetadata and ModelInfer, as a
 * thin adapter over the one data plane.
 *
 * ModelInfer takes tensors either as typed `contents` or as `raw_input_contents` (one little-endian buffer
 * per input, in input order; FP16 only this way, as the proto has no FP16 contents field). The answer uses
 * `raw_output_contents` when the request sent raw inputs (as Triton's clients do) or an output has no
 * contents field (FP16); otherwise typed `contents`.
 *
 * Errors keep their meaning: a 4xx Kiln error becomes INVALID_ARGUMENT (NOT_FOUND for unknown models and
 * versions), a 503 becomes UNAVAILABLE, anything else INTERNAL; the message is Kiln's.
 */
import { timeOrderedId } from '../../core/time-ordered-id.js';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { asKilnError, KilnError } from '../../core/errors.js';
import type { AccessGuard } from '../access-token.js';
import type { DataPlane, InferResult } from '../data-plane.js';
import { isOipDatatype, toRawBytes, type HostTensor, type OipDatatype } from '../datatypes.js';
import type { InferRequest, Parameters, RequestInput } from '../protocol.js';
import { loadInferenceService, type GrpcInferRequest, type GrpcInferResponse, type GrpcOutputTensor, type InferParameter, type InferTensorContents } from './proto.js';

export interface GrpcServerOptions {
  readonly dataPlane: DataPlane;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly logger: Logger;
  /** Largest message in bytes (default 32 MiB, like the REST body limit). */
  readonly maxMessageBytes?: number;
  /** How long close() waits for calls in flight before cutting them (default 10 s). */
  readonly drainTimeoutMs?: number;
  /** The server's access token (access-token.ts): calls other than health (and, if open, inference) need it. */
  readonly access?: AccessGuard;
}

export interface GrpcServer {
  /** `host:port` */
  readonly address: string;
  readonly port: number;
  /** Stops taking calls and waits for those in flight. */
  close(): Promise<void>;
}

type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;

export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServer> {
  const { dataPlane, logger } = options;
  // grpc-js writes its own errors to stderr as raw text ("E No address added …"); one JSON log instead
  grpc.setLogger({ error: (...parts: unknown[]) => logger.warn({ from: 'grpc-js' }, parts.map(String).join(' ')) });
  const maxBytes = options.maxMessageBytes ?? 32 * 1024 * 1024;
  const server = new grpc.Server({ 'grpc.max_receive_message_length': maxBytes, 'grpc.max_send_message_length': maxBytes });

  /** Runs a handler and maps its outcome to the callback. */
  const unary =
    <Req, Res>(method: string, handle: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>): Unary<Req, Res> =>
    (call, callback) => {
      const authorization = call.metadata.get('authorization')[0];
      if (options.access !== undefined && !options.access.allowsCall(method, typeof authorization === 'string' ? authorization : undefined)) {
        const refused = new KilnError('UNAUTHORIZED');
        callback({ code: grpc.status.UNAUTHENTICATED, details: `${refused.message}; ${refused.hint ?? ''}`.trim() }, null);
        return;
      }
      handle(call.request, call).then(
        (response) => callback(null, response),
        (err: unknown) => {
          const kiln = asKilnError(err);
          if (kiln.status >= 500 && kiln.code !== 'MODEL_NOT_READY' && kiln.code !== 'QUEUE_FULL') logger.error({ err }, 'gRPC call failed');
          callback({ code: grpcStatus(kiln), details: kiln.message, metadata: codeMetadata(kiln) }, null);
        },
      );
    };

  server.addService(loadInferenceService(), {
    ServerLive: unary('ServerLive', async () => ({ live: dataPlane.serverLive() })),
    ServerReady: unary('ServerReady', async () => ({ ready: await dataPlane.serverReady() })),
    ModelReady: unary('ModelReady', async (request: { name: string; version: string }) => ({ ready: (await dataPlane.modelReady(request.name, request.version || undefined)).ready })),
    ServerMetadata: unary('ServerMetadata', async () => dataPlane.serverMetadata()),
    ModelMetadata: unary('ModelMetadata', async (request: { name: string; version: string }) => dataPlane.modelMetadata(request.name, request.version || undefined)),
    ModelInfer: unary('ModelInfer', async (request: GrpcInferRequest, call) => {
      const given = call.metadata.get('x-request-id')[0];
      const requestId = typeof given === 'string' && given !== '' ? given : timeOrderedId();
      const result = await dataPlane.infer(request.model_name, request.model_version || undefined, fromGrpcRequest(request), { requestId });
      return toGrpcResponse(result, request.raw_input_contents.length > 0);
    }),
  });

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err === null ? resolve(bound) : reject(err))),
  );
  const address = `${options.host}:${port}`;
  logger.info({ address }, 'gRPC listening');
  let closed: Promise<void> | undefined;
  return {
    address,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, options.drainTimeoutMs ?? 10_000);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return closed;
    },
  };
}

function grpcStatus(err: KilnError): grpc.status {
  if (err.status === 404) return grpc.status.NOT_FOUND;
  if (err.status === 503) return grpc.status.UNAVAILABLE;
  if (err.status === 413) return grpc.status.RESOURCE_EXHAUSTED;
  if (err.status >= 400 && err.status < 500) return grpc.status.INVALID_ARGUMENT;
  return grpc.status.INTERNAL;
}

function codeMetadata(err: KilnError): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('kiln-error-code', err.code);
  return metadata;
}

// ------------------------------------------------------------------------------------------------
// request → data plane

function parameterValue(p: InferParameter): unknown {
  return p.parameter_choice === undefined ? undefined : p[p.parameter_choice];
}

function parameters(map: Readonly<Record<string, InferParameter>>): Parameters {
  const out: Record<string, unknown> = {};
  for (const [key, p] of Object.entries(map)) out[key] = parameterValue(p);
  return out;
}

/** The contents field that carries each datatype (FP16 has none: it travels raw). */
const CONTENTS_FIELD: Readonly<Record<OipDatatype, keyof InferTensorContents | undefined>> = {
  BOOL: 'bool_contents',
  INT8: 'int_contents',
  INT16: 'int_contents',
  INT32: 'int_contents',
  INT64: 'int64_contents',
  UINT8: 'uint_contents',
  UINT16: 'uint_contents',
  UINT32: 'uint_contents',
  UINT64: 'uint64_contents',
  FP16: undefined,
  FP32: 'fp32_contents',
  FP64: 'fp64_contents',
  BYTES: 'bytes_contents',
};

function fromGrpcRequest(request: GrpcInferRequest): InferRequest {
  const raw = request.raw_input_contents;
  if (raw.length > 0 && raw.length !== request.inputs.length) {
    throw new KilnError('BINARY_DATA_INVALID', {
      reason: `raw_input_contents holds ${raw.length} buffer(s) for ${request.inputs.length} input(s); send one per input, in input order`,
    });
  }
  const inputs: RequestInput[] = request.inputs.map((input, i) => {
    const base = { name: input.name, datatype: input.datatype, shape: input.shape.map(Number), parameters: parameters(input.parameters) };
    if (raw.length > 0) return { ...base, raw: raw[i] as Buffer };
    const field = isOipDatatype(input.datatype) ? CONTENTS_FIELD[input.datatype] : undefined;
    const values = field === undefined ? undefined : input.contents?.[field];
    const data = field === 'bytes_contents' ? (values as Buffer[] | undefined)?.map((b) => b.toString('utf8')) : values;
    return data === undefined ? base : { ...base, data };
  });
  return {
    ...(request.id === '' ? {} : { id: request.id }),
    parameters: parameters(request.parameters),
    inputs,
    outputs: request.outputs.map((o) => ({ name: o.name, parameters: parameters(o.parameters) })),
  };
}

// ------------------------------------------------------------------------------------------------
// data plane → response

function toGrpcResponse(result: InferResult, rawRequested: boolean): GrpcInferResponse {
  const useRaw = rawRequested || result.outputs.some((o) => CONTENTS_FIELD[o.tensor.datatype] === undefined);
  const outputs: GrpcOutputTensor[] = [];
  const rawOutputs: Buffer[] = [];
  for (const { name, tensor } of result.outputs) {
    const output: GrpcOutputTensor = { name, datatype: tensor.datatype, shape: [...tensor.shape], parameters: {} };
    if (useRaw) {
      const bytes = toRawBytes(tensor);
      rawOutputs.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } else output.contents = contentsOf(tensor);
    outputs.push(output);
  }
  return { model_name: result.model_name, model_version: result.model_version, id: result.id, parameters: {}, outputs, raw_output_contents: rawOutputs };
}

function contentsOf(tensor: HostTensor): InferTensorContents {
  const field = CONTENTS_FIELD[tensor.datatype] as keyof InferTensorContents;
  const data = tensor.data;
  if (Array.isArray(data)) return { bytes_contents: data.map((s) => Buffer.from(s, 'utf8')) };
  if (tensor.datatype === 'BOOL') return { bool_contents: Array.from(data as Uint8Array, (v) => v !== 0) };
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return { [field]: Array.from(data, Number) };
  return { [field]: Array.from(data as ArrayLike<number>) };
}
