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
import { toRawBytes, tensorToJson } from '../datatypes.js';
import type { InferResult } from '../data-plane.js';
import type { InferRequest, InferResponse, RequestInput, ResponseOutput } from '../protocol.js';

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

export type RestAnswer = { readonly kind: 'json'; readonly body: InferResponse } | { readonly kind: 'binary'; readonly body: Buffer; readonly headerLength: number };

/** Encodes an answer as JSON, or as JSON + raw bytes when any output is to be binary. */
export function encodeInferResult(result: InferResult): RestAnswer {
  const allBinary = result.requestParameters['binary_data_output'] === true;
  const chunks: Uint8Array[] = [];
  const outputs: ResponseOutput[] = result.outputs.map(({ name, tensor, requested }) => {
    const binary = requested['binary_data'] === undefined ? allBinary : requested['binary_data'] === true;
    if (!binary) return { name, datatype: tensor.datatype, shape: tensor.shape, data: tensorToJson(tensor) };
    const raw = toRawBytes(tensor);
    chunks.push(raw);
    return { name, datatype: tensor.datatype, shape: tensor.shape, parameters: { binary_data_size: raw.byteLength } };
  });
  const body: InferResponse = { model_name: result.model_name, model_version: result.model_version, id: result.id, outputs };
  if (chunks.length === 0) return { kind: 'json', body };
  const header = Buffer.from(JSON.stringify(body), 'utf8');
  return { kind: 'binary', body: Buffer.concat([header, ...chunks]), headerLength: header.byteLength };
}
