/**
 * The answers of Triton's extensions as Kiln serves them (triton-inference-server/server
 * docs/protocol: extension_model_configuration.md, extension_statistics.md, extension_model_repository.md),
 * as strict schemas for the OpenAPI document: the model configuration (model-config.ts configToJson,
 * protobuf JSON names), the statistics (statistics.ts toTriton) and the repository's index
 * (model-repository.ts) with its request. test/serve/openapi-answers.test.ts parses a running server's
 * answers with them.
 */
import { z } from 'zod';
import { OIP_DATATYPES } from '../datatypes.js';

/** Triton's names of the datatypes (`TYPE_FP32`; BYTES is `TYPE_STRING`), as datatypes.ts tritonTypeName writes them. */
const TRITON_TYPES = OIP_DATATYPES.map((d) => (d === 'BYTES' ? 'TYPE_STRING' : `TYPE_${d}`)) as [string, ...string[]];

const count = z.number().int().min(0);

const tensorConfig = {
  name: z.string(),
  data_type: z.enum(TRITON_TYPES),
  dims: z.array(z.number().int()).describe('Without the batch dimension when max_batch_size > 0; -1 = variable'),
};

export const modelConfigDocs = z
  .strictObject({
    name: z.string(),
    platform: z.string().describe('onnxruntime_onnx'),
    backend: z.string().describe('onnxruntime'),
    version_policy: z.union([
      z.strictObject({ latest: z.strictObject({ num_versions: count }) }),
      z.strictObject({ all: z.strictObject({}) }),
      z.strictObject({ specific: z.strictObject({ versions: z.array(z.number().int()) }) }),
    ]),
    max_batch_size: count.describe('0: the model takes no batch dimension and requests are never merged'),
    input: z.array(z.strictObject(tensorConfig)),
    output: z.array(z.strictObject({ ...tensorConfig, label_filename: z.string().optional().describe('One class label per line (classification extension)') })),
    dynamic_batching: z
      .strictObject({
        preferred_batch_size: z.array(z.number().int()),
        max_queue_delay_microseconds: count,
        priority_levels: count,
        default_priority_level: count,
        default_queue_policy: z.strictObject({
          timeout_action: z.literal('REJECT'),
          default_timeout_microseconds: count.describe('0: a request may wait forever'),
          allow_timeout_override: z.boolean(),
          max_queue_size: count.describe('0: no limit'),
        }),
      })
      .optional()
      .describe('Absent: each request runs alone'),
    instance_group: z.array(z.strictObject({ name: z.string(), kind: z.literal('KIND_CPU'), count: z.number().int().min(1) })),
  })
  .describe('Triton model configuration (model_config.proto as JSON), restricted to the fields Kiln acts on');

const duration = z.strictObject({ count, ns: count.describe('Total nanoseconds') });

export const modelStatisticsDocs = z
  .strictObject({
    model_stats: z.array(
      z.strictObject({
        name: z.string(),
        version: z.string(),
        last_inference: count.describe('Milliseconds since the epoch of the last inference; 0 if none'),
        inference_count: count.describe('Inferences (rows of a batch count one each)'),
        execution_count: count.describe('Model executions (a batch counts once)'),
        inference_stats: z.strictObject({ success: duration, fail: duration, queue: duration, compute_input: duration, compute_infer: duration, compute_output: duration }),
        batch_stats: z.array(z.strictObject({ batch_size: z.number().int().min(1), compute_infer: duration })),
      }),
    ),
  })
  .describe('Triton statistics of every loaded version asked for');

/**
 * Triton's `$repository_index_request`: an optional body, `{"ready": true}` to list only the models
 * ready to answer. Without a body (or with `{}`, or `ready: false`) the index lists every model.
 */
export const repositoryIndexRequestDocs = z
  .strictObject({ ready: z.boolean().optional().describe('true: only the models ready to answer') })
  .describe('Without `ready` (or without a body), every model');

export const repositoryIndexDocs = z
  .array(
    z.strictObject({
      name: z.string(),
      version: z.string().optional().describe('Absent for a model with no version loaded'),
      state: z.enum(['READY', 'LOADING', 'UNAVAILABLE']),
      reason: z.string().describe('Why it is unavailable; empty when ready'),
    }),
  )
  .describe('Every model of the repository (registered, in the folder, loaded), its versions and states');

/** Load and unload answer an empty object once done (a failure is an error). */
export const repositoryActionDocs = z.strictObject({});
