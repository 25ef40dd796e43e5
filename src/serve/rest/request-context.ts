/**
 * What the REST routes tell the data plane about a request besides its body: the request id, and the
 * caller's user key — the `x-kiln-user` header, else a `user_key` the v1 body carries — which A/B
 * experiments hash for sticky assignment (src/experiment/router.ts) and the prediction log records.
 * (v2 clients may also send `user_key` in the request's `parameters`; the router reads it there.)
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../data-plane.js';

export const USER_KEY_HEADER = 'x-kiln-user';

/** Longest user key kept: enough for any id, short enough to log. */
const MAX_USER_KEY = 256;

export function requestContext(request: FastifyRequest, bodyUserKey?: unknown): RequestContext {
  return contextOf(request.headers, request.id, bodyUserKey);
}

/** The same context from the raw request's headers and id (the infer fast path has no FastifyRequest). */
export function contextOf(headers: IncomingHttpHeaders, requestId: string, bodyUserKey?: unknown): RequestContext {
  const header = headers[USER_KEY_HEADER];
  const given = typeof header === 'string' && header !== '' ? header : typeof bodyUserKey === 'string' && bodyUserKey !== '' ? bodyUserKey : typeof bodyUserKey === 'number' && Number.isFinite(bodyUserKey) ? String(bodyUserKey) : undefined;
  return given === undefined ? { requestId } : { requestId, userKey: given.slice(0, MAX_USER_KEY) };
}
