/**
 * Triton's binary tensor data extension over HTTP, and the REST encoding of inference answers.
 *
 * Request: the header `Inference-Header-Content-Length: H` says the body's first H bytes are the JSON
 * inference request; after them come, in the order of `inputs`, the raw bytes of every input whose
 * parameters carry `binary_data_size` (little-endian elements; BYTES as 4-byte length + bytes each).
 *
 * Response: an output is sent as raw bytes when it was requested with `"binary_data": true`, or when the
 * request says `"binary_data_output": true` for all outputs. Its JSON entry then has
 * `parameters.binary_data_size` instead of `data`, the raw bytes follow the JSON in output order, and the
 * response carries `Inference-Header-Content-Length` and `content-type: application/octet-stream`.
 */
import { KilnError } from '../../core/errors.js';
import { tensorJsonText, toRawBytes } from '../datatypes.js';
import type { InferResult } from '../data-plane.js';
import type { InferRequest, RequestInput } from '../protocol.js';

export const HEADER_LENGTH = 'inference-header-content-length';

/** A body that came with binary tensor data: the JSON header (parsed, not yet checked) and the bytes after it. */
export class BinaryInferBody {
  constructor(
    readonly header: unknown,
    readonly binary: Buffer,
  ) {}
}

/** Splits a binary body at the header length; throws BINARY_DATA_INVALID naming what does not add up. */
export function splitBinaryBody(body: Buffer, headerLength: string | string[] | undefined): { readonly headerText: string; readonly binary: Buffer } {
  const text = Array.isArray(headerLength) ? headerLength[0] : headerLength;
  if (text === undefined || !/^[0-9]{1,10}$/.test(text.trim())) {
    throw new KilnError('BINARY_DATA_INVALID', { reason: `the Inference-Header-Content-Length header must be a byte count, got ${JSON.stringify(text ?? '')}` });
  }
  const length = Number(text.trim());
  if (length === 0 || length > body.byteLength) {
    throw new KilnError('BINARY_DATA_INVALID', { reason: `Inference-Header-Content-Length is ${length} but the body has ${body.byteLength} bytes` });
  }
  return { headerText: body.subarray(0, length).toString('utf8'), binary: body.subarray(length) };
}

/** Attaches each binary input's bytes to it; the sizes must account for every byte after the header. */
export function withBinaryInputs(request: InferRequest, binary: Buffer | undefined): InferRequest {
  // a plain JSON request (the usual one) is passed through as it is: no copies
  if (binary === undefined && !request.inputs.some((input) => input.parameters?.['binary_data_size'] !== undefined)) return request;
  let offset = 0;
  const inputs: RequestInput[] = request.inputs.map((input) => {
    const size = input.parameters?.['binary_data_size'];
    if (size === undefined) return input;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
      throw new KilnError('BINARY_DATA_INVALID', { reason: `input "${input.name}" has binary_data_size ${JSON.stringify(size)}; it must be a byte count` });
    }
    if (binary === undefined) {
      throw new KilnError('BINARY_DATA_INVALID', { reason: `input "${input.name}" has binary_data_size but the request has no Inference-Header-Content-Length header` });
    }
    if (input.data !== undefined) throw new KilnError('BINARY_DATA_INVALID', { reason: `input "${input.name}" has both "data" and binary_data_size; send one of them` });
    if (offset + size > binary.byteLength) {
      throw new KilnError('BINARY_DATA_INVALID', {
        reason: `input "${input.name}" declares ${size} bytes from offset ${offset}, but only ${binary.byteLength - offset} bytes of binary data are left`,
      });
    }
    const raw = binary.subarray(offset, offset + size);
    offset += size;
    return { ...input, raw };
  });
  if (binary !== undefined && offset !== binary.byteLength) {
    throw new KilnError('BINARY_DATA_INVALID', { reason: `${binary.byteLength - offset} bytes of binary data follow the header that no input's binary_data_size accounts for` });
  }
  return { ...request, inputs };
}

export type RestAnswer = { readonly kind: 'json'; readonly text: string } | { readonly kind: 'binary'; readonly body: Buffer; readonly headerLength: number };

/**
 * Encodes an answer as JSON text, or as JSON + raw bytes when any output is to be binary. The JSON is
 * written by hand (field order as in the OIP examples), with each tensor's data straight from its typed
 * array: the same text JSON.stringify would give, without building the response object first.
 */
export function encodeInferResult(result: InferResult): RestAnswer {
  const allBinary = result.requestParameters['binary_data_output'] === true;
  let chunks: Uint8Array[] | undefined;
  let outputs = '';
  for (const { name, tensor, requested } of result.outputs) {
    const binary = requested['binary_data'] === undefined ? allBinary : requested['binary_data'] === true;
    const head = `${outputs === '' ? '' : ','}{"name":${JSON.stringify(name)},"datatype":"${tensor.datatype}","shape":[${tensor.shape.join(',')}],`;
    if (!binary) {
      outputs += `${head}"data":${tensorJsonText(tensor)}}`;
      continue;
    }
    const raw = toRawBytes(tensor);
    (chunks ??= []).push(raw);
    outputs += `${head}"parameters":{"binary_data_size":${raw.byteLength}}}`;
  }
  const text = `{"model_name":${JSON.stringify(result.model_name)},"model_version":${JSON.stringify(result.model_version)},"id":${JSON.stringify(result.id)},"outputs":[${outputs}]}`;
  if (chunks === undefined) return { kind: 'json', text };
  const header = Buffer.from(text, 'utf8');
  return { kind: 'binary', body: Buffer.concat([header, ...chunks]), headerLength: header.byteLength };
}
