/**
 * The one mapping from anything thrown while serving a request to an HTTP answer.
 *
 * Body shape, for every error (the OIP error object `{"error": message}`, plus Kiln's code and hint):
 *
 *   {"error": "input \"Age\" has datatype FP64, expected FP32", "code": "INPUT_DATATYPE", "hint"?: "…", "problems"?: […]}
 *
 * Kiln's coded errors keep their status. Fastify's own errors (bad JSON, body too large, unsupported
 * content type, bad URL) become the matching coded error. Anything else is a bug: the client gets a
 * generic 500 naming the request id, and the stack goes to the log only.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { KilnError, type Problem } from '../../core/errors.js';

export interface ErrorBody {
  readonly error: string;
  readonly code: string;
  readonly hint?: string;
  readonly problems?: readonly Problem[];
}

/** Fastify errors carry a `code` such as FST_ERR_CTP_BODY_TOO_LARGE and an HTTP `statusCode`. */
interface FrameworkError {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly message?: unknown;
}

/** What the mapping needs to know of the request: a FastifyRequest, or the infer fast path's raw request (infer-fast-path.ts). */
export interface ErroredRequest {
  readonly id: string;
  readonly headers: IncomingHttpHeaders;
  /** The request's logger (bound to its request id). */
  readonly log: FastifyBaseLogger;
  readonly bodyLimit: number;
}

function erroredRequest(request: FastifyRequest): ErroredRequest {
  return { id: request.id, headers: request.headers, log: request.log, bodyLimit: request.routeOptions.bodyLimit ?? request.server.initialConfig.bodyLimit ?? 0 };
}

export function toKilnError(err: unknown, request: FastifyRequest | ErroredRequest): KilnError {
  if (err instanceof KilnError) return err;
  const { code, statusCode, message } = (typeof err === 'object' && err !== null ? err : {}) as FrameworkError;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || statusCode === 413) {
    return new KilnError('REQUEST_TOO_LARGE', { limit: 'routeOptions' in request ? erroredRequest(request).bodyLimit : request.bodyLimit });
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || statusCode === 415) {
    return new KilnError('UNSUPPORTED_MEDIA_TYPE', { contentType: request.headers['content-type'] ?? '(none)' });
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    // Other client errors Fastify detects itself (bad URL encoding, Content-Length mismatch, …); a URL
    // that cannot be decoded is named as such, so that its hint is about the URL and not the body
    const part = code === 'FST_ERR_BAD_URL' ? { part: 'URL' } : {};
    return new KilnError('MALFORMED_REQUEST', { reason: typeof message === 'string' ? message : 'the request is not valid', ...part });
  }
  return new KilnError('INTERNAL', { reason: `see the server log for request ${request.id}` }, { cause: err });
}

export function errorBody(err: KilnError): ErrorBody {
  // OIP's error shape is {"error": message}; the code, hint and problems ride along.
  const { message, ...rest } = err.toJSON();
  return { error: message, ...rest };
}

/** Logs and answers one error. Client errors are logged briefly; server errors with their cause's stack. */
export function replyWithError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body } = errorAnswer(err, request);
  return reply.code(status).send(body);
}

/** Maps and logs one error (as replyWithError does); the caller writes the answer. */
export function errorAnswer(err: unknown, request: FastifyRequest | ErroredRequest): { readonly status: number; readonly body: ErrorBody } {
  const kiln = toKilnError(err, request);
  if (kiln.status >= 500) request.log.error({ err: kiln.code === 'INTERNAL' ? err : kiln, code: kiln.code }, 'request failed');
  else request.log.info({ code: kiln.code, error: kiln.message }, 'request refused');
  return { status: kiln.status, body: errorBody(kiln) };
}
