/**
 * The Open Inference Protocol's gRPC definitions (grpc_predict_v2.proto, vendored beside this file),
 * loaded with @grpc/proto-loader, and the plain-object shapes of the messages Kiln reads and writes.
 *
 * Loader options: field names as in the proto (`model_name`, `raw_input_contents`), 64-bit integers as
 * JS numbers (shapes and int64 contents; raw contents carry the exact bytes), bytes as Buffers.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The proto sits beside the sources; a compiled build (dist/) finds it in the source tree. */
function protoPath(): string {
  const candidates = [new URL('./grpc_predict_v2.proto', import.meta.url), new URL('../../../src/serve/grpc/grpc_predict_v2.proto', import.meta.url)];
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (existsSync(path)) return path;
  }
  throw new Error('grpc_predict_v2.proto is missing from src/serve/grpc/');
}

export function loadInferenceService(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(protoPath(), { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { inference: { GRPCInferenceService: grpc.ServiceClientConstructor } };
  return pkg.inference.GRPCInferenceService.service;
}

/** Client constructor, for tests and benchmarks. */
export function inferenceClient(address: string): grpc.Client & Record<string, (...args: never[]) => unknown> {
  const definition = protoLoader.loadSync(protoPath(), { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { inference: { GRPCInferenceService: grpc.ServiceClientConstructor } };
  return new pkg.inference.GRPCInferenceService(address, grpc.credentials.createInsecure()) as never;
}

/** InferParameter: exactly one of its fields is set (`parameter_choice` names which). */
export interface InferParameter {
  readonly parameter_choice?: 'bool_param' | 'int64_param' | 'string_param' | 'double_param' | 'uint64_param';
  readonly bool_param?: boolean;
  readonly int64_param?: number;
  readonly string_param?: string;
  readonly double_param?: number;
  readonly uint64_param?: number;
}

export interface InferTensorContents {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: number[];
  uint_contents?: number[];
  uint64_contents?: number[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Buffer[];
}

export interface GrpcInputTensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly parameters: Readonly<Record<string, InferParameter>>;
  readonly contents: InferTensorContents | null;
}

export interface GrpcInferRequest {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string;
  readonly parameters: Readonly<Record<string, InferParameter>>;
  readonly inputs: readonly GrpcInputTensor[];
  readonly outputs: readonly { readonly name: string; readonly parameters: Readonly<Record<string, InferParameter>> }[];
  readonly raw_input_contents: readonly Buffer[];
}

export interface GrpcOutputTensor {
  name: string;
  datatype: string;
  shape: number[];
  parameters: Record<string, InferParameter>;
  contents?: InferTensorContents;
}

export interface GrpcInferResponse {
  model_name: string;
  model_version: string;
  id: string;
  parameters: Record<string, InferParameter>;
  outputs: GrpcOutputTensor[];
  raw_output_contents: Buffer[];
}
