/**
 * The one way the app talks to Kiln: JSON over the public HTTP API (the same routes a script would use).
 * Every failure becomes an ApiError carrying the server's `{error, code, hint?, problems?}`, so pages
 * show the server's own explanation and what to do next — never a stack trace.
 */
import { noteUnauthorized } from './access.js';

export interface Problem {
  readonly path?: string;
  readonly message: string;
  readonly code?: string;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly hint: string | undefined,
    readonly problems: readonly Problem[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What the server answers on failure (src/serve/rest/http-errors.ts). */
interface ErrorBody {
  error?: unknown;
  code?: unknown;
  hint?: unknown;
  problems?: unknown;
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A JSON value, or raw bytes (uploads). */
  readonly body?: unknown;
  readonly signal?: AbortSignal;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = options.body === undefined ? 'GET' : 'POST', body, signal } = options;
  const raw = body instanceof Blob || body instanceof ArrayBuffer;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': raw ? 'application/octet-stream' : 'application/json' },
      ...(body === undefined ? {} : { body: raw ? (body as BodyInit) : JSON.stringify(body) }),
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError('Kiln did not answer.', 'NETWORK', 0, 'Check that `kiln serve` is still running, then try again.', []);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (response.status === 401) noteUnauthorized();
  if (!response.ok) throw errorFrom(response.status, parsed);
  return parsed as T;
}

function errorFrom(status: number, body: unknown): ApiError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as ErrorBody;
  const message = typeof b.error === 'string' ? b.error : `The server answered ${status}.`;
  const code = typeof b.code === 'string' ? b.code : `HTTP_${status}`;
  const hint =
    typeof b.hint === 'string'
      ? b.hint
      : status === 404
        ? 'This page needs a part of Kiln that this server does not offer yet; update Kiln or go back.'
        : undefined;
  const problems = Array.isArray(b.problems)
    ? b.problems.flatMap((p): Problem[] =>
        typeof p === 'object' && p !== null && typeof (p as Problem).message === 'string'
          ? [{ message: (p as Problem).message, ...(typeof (p as Problem).path === 'string' ? { path: (p as Problem).path as string } : {}) }]
          : [],
      )
    : [];
  return new ApiError(message, code, status, hint, problems);
}

/** Any thrown value as an ApiError, so error boxes have one shape to show. */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(err instanceof Error ? err.message : String(err), 'APP_ERROR', 0, 'Reload the page; if it happens again, report it with the steps that led here.', []);
}

/** `name`, `name:3` and `name@champion` travel in URL paths. */
export const refPath = (ref: string): string => encodeURIComponent(ref);
