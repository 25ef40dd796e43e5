/**
 * The Open Inference Protocol (KServe V2) JSON types, as in kserve/open-inference-protocol
 * `specification/protocol/inference_rest.md`, and the structural check of an inference request body.
 *
 * Only the envelope is checked here (is `inputs` a list of objects with a name, a shape and a datatype?).
 * Whether the tensors fit the model is the data plane's job, because that needs the model's signature.
 * The `data` arrays are deliberately NOT walked here: they can hold millions of elements and are read
 * exactly once, while being written into the tensors onnxruntime gets.
 *
 * Parameters Kiln acts on (Triton's): request `priority` and `timeout` (µs), `binary_data_output`;
 * input `binary_data_size` (the tensor's bytes follow the JSON header, see rest/binary-body.ts); output
 * `binary_data` and `classification` (top-k class labels). Other parameters are accepted and ignored.
 */
import { z } from 'zod';
import { KilnError, type Problem } from '../core/errors.js';

export type Parameters = Readonly<Record<string, unknown>>;

export interface RequestInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly datatype: string;
  readonly parameters?: Parameters;
  /** Row-major elements, flat or nested (JSON); absent when the tensor comes as raw bytes. */
  readonly data?: unknown;
  /** The tensor's raw bytes (binary tensor extension, or gRPC raw_input_contents). */
  readonly raw?: Uint8Array;
}

export interface RequestOutput {
  readonly name: string;
  readonly parameters?: Parameters;
}

export interface InferRequest {
  readonly id?: string;
  readonly parameters?: Parameters;
  readonly inputs: readonly RequestInput[];
  readonly outputs?: readonly RequestOutput[];
}

export interface ResponseOutput {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly parameters?: Parameters;
  /** Absent when the output is sent as raw bytes (parameters.binary_data_size says how many). */
  readonly data?: readonly (number | string | boolean)[];
}

export interface InferResponse {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string;
  readonly parameters?: Parameters;
  readonly outputs: readonly ResponseOutput[];
}

export interface TensorMetadata {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

export interface ServerMetadata {
  readonly name: string;
  readonly version: string;
  readonly extensions: readonly string[];
}

export interface ModelMetadata {
  readonly name: string;
  readonly versions: readonly string[];
  readonly platform: string;
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}

export interface ModelReadiness {
  readonly name: string;
  readonly ready: boolean;
}

const PARAMETERS = z.record(z.string(), z.unknown());

const INFER_REQUEST = z.object({
  id: z.string().optional(),
  parameters: PARAMETERS.optional(),
  inputs: z.array(
    z.object({
      name: z.string().min(1),
      shape: z.array(z.number().int()),
      datatype: z.string().min(1),
      parameters: PARAMETERS.optional(),
      // checked (and read) element by element by the data plane; see the file comment. Absent when the
      // tensor's bytes follow the JSON header (parameters.binary_data_size).
      data: z.unknown().optional(),
    }),
  ),
  outputs: z.array(z.object({ name: z.string().min(1), parameters: PARAMETERS.optional() })).optional(),
});

/**
 * Checks an inference request body's structure; MALFORMED_REQUEST lists every problem found.
 *
 * Every served request comes through here, so a well-formed body is recognised by a hand-written check
 * (a few property reads per input, no copies); only a body it does not accept goes through the zod
 * schema, which then either accepts it too (unusual but valid shapes) or explains what is wrong. The
 * hand-written check accepts a subset of what the schema accepts, so both paths agree on what is valid.
 */
export function parseInferRequest(body: unknown): InferRequest {
  if (isPlainInferRequest(body)) return body;
  const parsed = INFER_REQUEST.safeParse(body);
  if (parsed.success) return parsed.data as InferRequest;
  throw malformed(parsed.error.issues);
}

/** Whether a body is an inference request the schema would accept unchanged (the fast path of parseInferRequest). */
function isPlainInferRequest(body: unknown): body is InferRequest {
  if (!isRecord(body)) return false;
  const { id, parameters, inputs, outputs } = body;
  if ((id !== undefined && typeof id !== 'string') || (parameters !== undefined && !isRecord(parameters)) || !Array.isArray(inputs)) return false;
  for (const input of inputs as unknown[]) {
    if (!isRecord(input)) return false;
    // `raw` is never read from JSON: the schema strips it, and the slow path is what does that
    if (!isName(input['name']) || !isName(input['datatype']) || !isShape(input['shape']) || input['raw'] !== undefined) return false;
    if (input['parameters'] !== undefined && !isRecord(input['parameters'])) return false;
  }
  if (outputs === undefined) return true;
  if (!Array.isArray(outputs)) return false;
  for (const output of outputs as unknown[]) {
    if (!isRecord(output) || !isName(output['name']) || (output['parameters'] !== undefined && !isRecord(output['parameters']))) return false;
  }
  return true;
}

/** A JSON object (what `z.record` and `z.object` accept from parsed JSON). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isName = (value: unknown): boolean => typeof value === 'string' && value.length > 0;

function isShape(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const d of value as unknown[]) if (!Number.isSafeInteger(d)) return false;
  return true;
}

/** A MALFORMED_REQUEST error from zod issues: the first one in the message, all of them as problems. */
export function malformed(issues: readonly z.core.$ZodIssue[]): KilnError {
  const problems: Problem[] = issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message, code: issue.code }));
  const first = problems[0];
  const reason = first === undefined ? 'unknown problem' : first.path === '' ? first.message : `${first.path}: ${first.message}`;
  return new KilnError('MALFORMED_REQUEST', { reason }, { problems });
}

/** `['inputs', 0, 'shape']` → `inputs[0].shape`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}
