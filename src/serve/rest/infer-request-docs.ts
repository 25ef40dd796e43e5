/**
 * The Open Inference Protocol's inference request, as a schema for the OpenAPI document only: the
 * request itself is decoded and checked by protocol.ts (by hand, for speed and for the binary
 * extension), whose errors say what is wrong with which tensor.
 */
import { z } from 'zod';
import { OIP_DATATYPES } from '../datatypes.js';

const parameters = z.record(z.string(), z.unknown()).optional().describe('Extra settings, e.g. `binary_data_size` (Triton\'s binary extension)');

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
