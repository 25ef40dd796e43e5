/**
 * The Open Inference Protocol's messages (protocol.ts has their types), as schemas for the OpenAPI
 * document only: requests are decoded and checked by protocol.ts by hand (for speed and for the binary
 * extension), whose errors say what is wrong with which tensor, and answers are written as they are.
 * The answers' schemas are strict: test/serve/openapi-answers.test.ts parses a running server's real
 * answers with them, so a field added to or dropped from an answer fails there until it is described.
 * (Triton's extensions — configuration, statistics, repository — are in repository-docs.ts.)
 */
import { z } from 'zod';
import { OIP_DATATYPES } from '../datatypes.js';

const parameters = z.record(z.string(), z.unknown()).optional().describe('Extra settings, e.g. `binary_data_size` (Triton\'s binary extension)');
const tensorMetadata = z.strictObject({ name: z.string(), datatype: z.enum(OIP_DATATYPES), shape: z.array(z.number().int()).describe('-1 for the batch dimension') });

export const inferRequestDocs = z
  .object({
    id: z.string().optional().describe('Echoed in the answer'),
    parameters,
    inputs: z
      .array(
        z.object({
          name: z.string().describe('A column of the model\'s signature (GET /v2/models/{name})'),
          shape: z.array(z.number().int()).describe('[N, 1] for a module\'s columns: N rows'),
          datatype: z.enum(OIP_DATATYPES),
          parameters,
          data: z.array(z.unknown()).optional().describe('The values in row-major order, flat or nested; absent with binary data'),
        }),
      )
      .min(1),
    outputs: z.array(z.object({ name: z.string(), parameters })).optional().describe('Which outputs to return (default: all)'),
  })
  .describe('Open Inference Protocol (KServe v2) inference request');

export const inferResponseDocs = z
  .strictObject({
    model_name: z.string(),
    model_version: z.string(),
    id: z.string().describe('The request\'s id, or the server\'s request id'),
    parameters,
    outputs: z.array(
      z.strictObject({
        name: z.string().describe('e.g. label and probabilities for a classifier, prediction for a regressor'),
        datatype: z.enum(OIP_DATATYPES),
        shape: z.array(z.number().int()),
        parameters,
        data: z.array(z.union([z.number(), z.string(), z.boolean(), z.null()])).optional().describe('Row-major; absent when sent as binary data; null for a number that is not finite'),
      }),
    ),
  })
  .describe('Open Inference Protocol (KServe v2) inference response');

export const modelMetadataDocs = z.strictObject({
  name: z.string(),
  versions: z.array(z.string()),
  platform: z.string().describe('onnxruntime_onnx'),
  inputs: z.array(tensorMetadata),
  outputs: z.array(tensorMetadata),
});

export const serverMetadataDocs = z.strictObject({ name: z.string(), version: z.string(), extensions: z.array(z.string()).describe('e.g. binary_tensor_data, model_configuration, statistics, model_repository') });

export const liveDocs = z.strictObject({ live: z.boolean() }).describe('KServe\'s liveness answer');

export const serverReadyDocs = z.strictObject({ ready: z.boolean() }).describe('KServe\'s readiness answer: 200 with ready: true, 503 with ready: false');

export const modelReadyDocs = z
  .strictObject({ name: z.string(), ready: z.boolean() })
  .describe('Whether the model can answer: 200 with ready: true, 503 with ready: false (a model or version that does not exist is a 404 error)');

export const predictResponseDocs = z
  .strictObject({
    predictions: z
      .array(z.record(z.string(), z.unknown()))
      .describe('One object per instance, in order: its outputs by name, e.g. {label, probabilities: {class: p}} for a classifier, {prediction} for a regressor'),
    model_version: z.string().describe('Which version answered (under an A/B experiment, attribute outcomes by it)'),
  })
  .describe('KServe v1 prediction response');
