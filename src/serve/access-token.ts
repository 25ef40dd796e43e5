/**
 * One access token for a server that listens beyond this machine (`kiln serve --api-token-file FILE`,
 * or KILN_API_TOKEN). With a token, every HTTP route and gRPC call needs it except:
 *   - the health probes (`/v2/health/live`, `/v2/health/ready`, gRPC ServerLive/ServerReady): load
 *     balancers and Kubernetes probe without credentials;
 *   - the app's page and its static files, and `/openapi.json`: they hold no data; the app's API calls do;
 *   - with `openInference`, predictions and model metadata (v1 and v2, REST and gRPC): a public prediction
 *     endpoint whose registry, app, monitoring, experiments and repository control stay private.
 * Triton's `--http-restricted-api` draws the same line between inference and the repository API.
 *
 * The token travels as `Authorization: Bearer TOKEN` (clients, gRPC metadata) or as the `kiln_token`
 * cookie, which a browser gets by opening any page once with `?token=TOKEN` (the link `kiln serve`
 * prints): an EventSource (the app's live job view) cannot send headers, and a cookie that is HttpOnly and
 * SameSite=Strict is neither readable by scripts nor sent by other sites' pages.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface AccessOptions {
  readonly token: string;
  /** Predictions and model metadata need no token (the rest still does). */
  readonly openInference?: boolean;
}

/** The cookie a browser keeps the token in. */
export const TOKEN_COOKIE = 'kiln_token';
/** The query parameter that hands a browser the token once. */
export const TOKEN_PARAMETER = 'token';

const HEALTH = /^\/v2\/health\/(live|ready)$/;
/** Paths that hold data or change state: everything else answered to a GET is the app's page or files. */
const API = /^\/(api|v1|v2|metrics)(\/|$)/;
/** Inference and model metadata, REST: v2 infer/metadata/ready (a version or not), v1 predict/ready, server metadata. */
const INFERENCE = /^\/(v2(\/models\/[^/]+(\/versions\/[^/]+)?(\/infer|\/ready)?)?|v1\/models\/[^/]+)$/;
/** The same over gRPC (method names of inference.GRPCInferenceService). */
const GRPC_HEALTH = new Set(['ServerLive', 'ServerReady']);
const GRPC_INFERENCE = new Set(['ServerMetadata', 'ModelMetadata', 'ModelReady', 'ModelInfer']);

export class AccessGuard {
  private readonly digest: Buffer;
  private readonly openInference: boolean;

  constructor(options: AccessOptions) {
    this.digest = sha256(options.token);
    this.openInference = options.openInference ?? false;
  }

  /** Whether an HTTP request may be answered without the token. `path` has no query string. */
  isOpen(method: string, path: string): boolean {
    if (HEALTH.test(path)) return true;
    if (this.openInference && INFERENCE.test(path) && !/\/v2\/models\/stats$/.test(path)) return true;
    // the app's page, its files and the API description; HEAD is GET without a body
    return (method === 'GET' || method === 'HEAD') && (!API.test(path) || path === '/openapi.json');
  }

  /** Whether an HTTP request carries the token, in its Authorization header or its cookie. */
  carriesToken(headers: IncomingHttpHeaders): boolean {
    const bearer = bearerToken(headers.authorization);
    if (bearer !== undefined) return this.matches(bearer);
    const cookie = cookieValue(headers.cookie, TOKEN_COOKIE);
    return cookie !== undefined && this.matches(cookie);
  }

  /** Whether a gRPC call may go ahead: `method` is the RPC's name, `authorization` its metadata value. */
  allowsCall(method: string, authorization: string | undefined): boolean {
    if (GRPC_HEALTH.has(method) || (this.openInference && GRPC_INFERENCE.has(method))) return true;
    const bearer = bearerToken(authorization);
    return bearer !== undefined && this.matches(bearer);
  }

  /** Compared as digests in constant time: the answer's timing says nothing about the token. */
  matches(candidate: string): boolean {
    return timingSafeEqual(sha256(candidate), this.digest);
  }
}

/** The token of an `Authorization: Bearer TOKEN` header (HTTP) or metadata value (gRPC); the scheme is case-blind. */
const bearerToken = (authorization: string | undefined): string | undefined => /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(part.slice(at + 1).trim());
      } catch {
        return undefined; // a malformed cookie is no token
      }
    }
  }
  return undefined;
}

/** The Set-Cookie value that keeps the token in a browser for the session. */
export function tokenCookie(token: string, secure: boolean): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
