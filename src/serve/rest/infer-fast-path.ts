/**
 * The v2 infer route served straight from node:http, in front of Fastify: the server's hot path.
 *
 * Why: a one-row request to a small model costs the server's main thread less in the model (decode,
 * scheduler, onnxruntime, answer: ~7 µs) than in Fastify's handling of a POST body (routing, request and
 * reply objects, hooks, the content-type parser's stream wrappers, the reply pipeline). A bare Fastify
 * POST route that parses the same body and answers a constant already costs ~1.7× a bare GET route, so
 * no Kiln route behind Fastify could reach 60% of the GET's requests per second (docs/decisions.md, "The
 * infer route is answered in front of Fastify"; docs/benchmarks.md, `## serving`).
 *
 * Which requests: `POST /v2/models/{m}[/versions/{v}]/infer` with a JSON body (content type absent,
 * application/json or text/plain) of 1 to bodyLimit bytes announced by Content-Length, no binary tensor data, a plain
 * path (no query, escapes or unusual characters), while the server is not closing and request lines are
 * not logged (level above debug). Every other request goes to Fastify unchanged, including every
 * request made with `app.inject` (it does not pass through the HTTP server).
 *
 * Same answers as the Fastify route: the same inferAnswer (v2-routes.ts), the same JSON parser
 * (request-body.ts), the same error mapping and log lines (http-errors.ts), the same request ids and
 * headers (`x-request-id`, `connection: close` while the server drains or after a body that is not JSON,
 * as Fastify closes the connection after a content-type parser's error). Statistics, metrics and the
 * prediction log live in the data plane, so they are the same too. test/serve/infer-fast-path.test.ts
 * sends the same requests both ways and compares the answers.
 *
 * Clients that go away, as on the Fastify route (node 20, Fastify 5; the test compares the log lines):
 *   - in the middle of the body (the connection closed or reset): node destroys the request with its
 *     `aborted` error, which Fastify's body reader turns into a 400; logged at info as "request
 *     refused", code MALFORMED_REQUEST, with the request id; the answer goes to a closed socket;
 *   - while the inference runs: it runs to the end and counts as a success in the statistics and metrics;
 *     the answer goes to a closed socket; nothing is logged;
 *   - while the answer is written (a reset): node hands the socket's error to the server's `clientError`
 *     listener (Fastify's, shared by both paths, silent for a reset or a destroyed socket) and never to
 *     the response, so Fastify's response listeners see nothing to log, and neither path logs anything.
 * Nothing is added to the connection or the server per request: the listeners live on the request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { KilnError } from '../../core/errors.js';
import type { DataPlane } from '../data-plane.js';
import type { RestAnswer } from './binary-body.js';
import { HEADER_LENGTH } from './binary-body.js';
import { errorAnswer } from './http-errors.js';
import { contextOf } from './request-context.js';
import type { JsonParser } from './request-body.js';
import { BINARY_CONTENT_TYPE, inferAnswer, JSON_CONTENT_TYPE } from './v2-routes.js';

export interface InferFastPathOptions {
  readonly dataPlane: DataPlane;
  readonly logger: Logger;
  readonly bodyLimit: number;
  readonly parseJson: JsonParser;
  /** The server's request id for a request (its sane `x-request-id`, else a new one). */
  readonly requestId: (request: IncomingMessage) => string;
  /** Whether the server has started closing (its requests are Fastify's, which answers 503). */
  readonly closing: () => boolean;
}

const PREFIX = '/v2/models/';
const SUFFIX = '/infer';
const VERSIONS = '/versions/';
/** A path segment the fast path takes as it is; anything else (escapes, `;`, very long names) is Fastify's. */
const PLAIN_SEGMENT = /^[A-Za-z0-9._~@:+=!$*,-]{1,300}$/;

/** The model name and version segment of an infer path, or undefined when the path is not one (or not plain). */
export function inferPath(url: string): { readonly name: string; readonly version: string | undefined } | undefined {
  if (!url.startsWith(PREFIX) || !url.endsWith(SUFFIX)) return undefined;
  const end = url.length - SUFFIX.length;
  const slash = url.indexOf('/', PREFIX.length);
  const name = url.slice(PREFIX.length, slash < 0 || slash > end ? end : slash);
  if (!PLAIN_SEGMENT.test(name)) return undefined;
  if (slash === end) return { name, version: undefined };
  // `{name}/versions/{version}/infer`
  if (!url.startsWith(VERSIONS, slash)) return undefined;
  const version = url.slice(slash + VERSIONS.length, end);
  return PLAIN_SEGMENT.test(version) ? { name, version } : undefined;
}

export class InferFastPath {
  private readonly options: InferFastPathOptions;
  /** Requests answered here (tests check that the fast path was taken). */
  answered = 0;

  constructor(options: InferFastPathOptions) {
    this.options = options;
  }

  /** Answers the request and returns true when it is one the fast path takes; false = hand it to Fastify. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== 'POST') return false;
    const path = inferPath(request.url ?? '');
    if (path === undefined) return false;
    const headers = request.headers;
    const length = headers['content-length'];
    const type = headers['content-type'];
    if (
      length === undefined ||
      headers['transfer-encoding'] !== undefined ||
      headers[HEADER_LENGTH] !== undefined ||
      (type !== undefined && !isJsonContentType(type)) ||
      this.options.closing() ||
      this.options.logger.isLevelEnabled('debug')
    ) {
      return false;
    }
    const bytes = Number(length);
    if (!(bytes >= 1 && bytes <= this.options.bodyLimit)) return false; // Fastify answers empty and oversize bodies
    this.answered++;
    this.receive(request, response, path.name, path.version, bytes);
    return true;
  }

  /**
   * Reads the body (Content-Length bytes, which node's HTTP parser enforces), then answers. The body ends
   * one of two ways, as in Fastify's body reader (content-type-parser.js `rawBody`): 'end', the whole body
   * is here; or 'error', the client went away before sending all of it (node emits a request's 'error' only
   * when it has a listener; without one the fast path used to stay silent where Fastify logs). Only the
   * first counts, as Fastify stops listening once the body is read. The listeners are inline arrows, one
   * per event: nothing per request beyond them. (One function for both events, as Fastify registers, cost
   * ~0.5 µs more per request on node 20.20 in a micro-benchmark; two arrows cost no more than the old code's
   * `once('end')`, whose wrapper they save.)
   */
  private receive(request: IncomingMessage, response: ServerResponse, name: string, version: string | undefined, bytes: number): void {
    const id = this.options.requestId(request);
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let received = 0;
    let ended = false;
    request.on('data', (chunk: Buffer) => {
      received += chunk.byteLength;
      if (first === undefined) first = chunk;
      else (chunks ??= [first]).push(chunk);
    });
    request.on('end', () => {
      if (ended) return;
      ended = true;
      if (received !== bytes || first === undefined) return;
      const body = chunks === undefined ? first : Buffer.concat(chunks, received);
      this.answer(request, response, id, name, version, body.toString('utf8'));
    });
    request.on('error', (err: Error) => {
      // an error after the end (node emits none today) must neither be logged nor write a second answer
      if (ended) return;
      ended = true;
      this.abandoned(request, response, id, err);
    });
  }

  /**
   * The client closed or reset its connection in the middle of its body: node destroys the request with
   * its `aborted` error (ECONNRESET). Fastify's route gives such a stream error status 400
   * (content-type-parser.js `rawBody`), which Kiln's one mapping makes MALFORMED_REQUEST "…: aborted",
   * logged at info as "request refused" with the request id (http-errors.ts); then it answers, with
   * `connection: close`, a socket that is gone. The same here, and no inference runs.
   */
  private abandoned(request: IncomingMessage, response: ServerResponse, id: string, err: Error): void {
    this.writeError(request, response, id, new KilnError('MALFORMED_REQUEST', { reason: err.message }), true);
  }

  private answer(request: IncomingMessage, response: ServerResponse, id: string, name: string, version: string | undefined, text: string): void {
    let body: unknown;
    try {
      body = this.options.parseJson(text);
    } catch (err) {
      // as Fastify after a content-type parser's error: the rest of the connection cannot be trusted
      this.writeError(request, response, id, err, true);
      return;
    }
    inferAnswer(this.options.dataPlane, name, version, body, contextOf(request.headers, id)).then(
      (answer) => this.write(request, response, id, answer),
      (err: unknown) => this.writeError(request, response, id, err, false),
    );
  }

  private write(request: IncomingMessage, response: ServerResponse, id: string, answer: RestAnswer): void {
    try {
      this.writeAnswer(response, id, answer);
    } catch (err) {
      // a bug, not the client's doing; never an unhandled rejection
      this.options.logger.child({ reqId: id }).error({ err }, 'could not write the answer');
      request.socket.destroy();
    }
  }

  private writeAnswer(response: ServerResponse, id: string, answer: RestAnswer): void {
    const close = this.options.closing();
    if (answer.kind === 'json') {
      response.writeHead(200, headersOf(id, JSON_CONTENT_TYPE, Buffer.byteLength(answer.text), close));
      response.end(answer.text);
      return;
    }
    const headers = headersOf(id, BINARY_CONTENT_TYPE, answer.body.byteLength, close);
    headers[HEADER_LENGTH] = String(answer.headerLength);
    response.writeHead(200, headers);
    response.end(answer.body);
  }

  private writeError(request: IncomingMessage, response: ServerResponse, id: string, err: unknown, closeConnection: boolean): void {
    const log = this.options.logger.child({ reqId: id }); // as Fastify's request.log
    try {
      const { status, body } = errorAnswer(err, { id, headers: request.headers, log, bodyLimit: this.options.bodyLimit });
      const text = JSON.stringify(body);
      response.writeHead(status, headersOf(id, JSON_CONTENT_TYPE, Buffer.byteLength(text), closeConnection || this.options.closing()));
      response.end(text);
    } catch (failure) {
      log.error({ err: failure }, 'could not write the answer');
      request.socket.destroy();
    }
  }
}

/** The response headers the Fastify route sends, in its order. */
function headersOf(id: string, contentType: string, contentLength: number, close: boolean): Record<string, string> {
  const headers: Record<string, string> = { 'x-request-id': id, 'content-type': contentType, 'content-length': String(contentLength) };
  if (close) headers['connection'] = 'close';
  return headers;
}

/**
 * `application/json` or `text/plain` (what fetch() and many clients send for a string body), with or
 * without parameters: content types Fastify hands to Kiln's one body parser. Anything more unusual is
 * left to Fastify, which knows how to refuse a malformed content type.
 */
const JSON_OR_TEXT = /^(?:application\/json|text\/plain)\s*(?:;[^]*)?$/i;

function isJsonContentType(type: string): boolean {
  return type === 'application/json' || JSON_OR_TEXT.test(type);
}
