/**
 * How the server reads request bodies. Bodies are JSON whatever the content type says (or when it says
 * nothing): Triton's and KServe's clients do not all send `content-type: application/json`. A body
 * announced by the Inference-Header-Content-Length header is Triton's binary tensor data: a JSON header
 * followed by raw tensor bytes (see binary-body.ts). An empty body is left undefined (the repository
 * routes take none; the infer routes refuse it).
 *
 * JSON is parsed by Fastify's own parser (secure-json-parse, which refuses `__proto__` and
 * `constructor.prototype` keys), wrapped once so that a bad body is Kiln's MALFORMED_REQUEST naming the
 * problem — for the Fastify routes and for the infer fast path (infer-fast-path.ts) alike.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { KilnError } from '../../core/errors.js';
import { BinaryInferBody, HEADER_LENGTH, splitBinaryBody } from './binary-body.js';

/** Parses a JSON body; throws MALFORMED_REQUEST saying why the text is not acceptable. */
export type JsonParser = (text: string) => unknown;

export function jsonParser(app: FastifyInstance): JsonParser {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  return (text) => {
    // The usual body has no byte-order mark, no escapes and neither key secure-json-parse looks for (its
    // patterns need a backslash or the literal "__proto__" / "constructor"): plain JSON.parse then gives
    // the same value, without the two pattern scans. The rest goes through Fastify's parser.
    if (text.charCodeAt(0) !== 0xfeff && !text.includes('\\') && !text.includes('__proto__') && !text.includes('constructor')) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new KilnError('MALFORMED_REQUEST', { reason: jsonProblem(text) });
      }
    }
    let value: unknown;
    let failed = false;
    // Fastify's parser answers through a callback, synchronously
    parseJson(undefined as never, text, (err, parsed) => {
      if (err !== null) failed = true;
      else value = parsed;
    });
    if (failed) throw new KilnError('MALFORMED_REQUEST', { reason: jsonProblem(text) });
    return value;
  };
}

/** Why a body is not acceptable JSON. Only runs on the error path, so parsing again costs nothing that matters. */
function jsonProblem(body: string): string {
  try {
    JSON.parse(body);
    return 'the body contains a "__proto__" or "constructor.prototype" key, which is refused';
  } catch (err) {
    return `the body is not valid JSON (${(err as Error).message})`;
  }
}

/** Registers the one body parser of the Fastify routes: every content type, JSON or JSON + binary tensors. */
export function registerBodyParser(app: FastifyInstance, parseJson: JsonParser): void {
  type Done = (err: Error | null, body?: unknown) => void;
  // Callback style all the way (no promise per request).
  const parser = (request: { headers: IncomingMessage['headers'] }, body: Buffer, done: Done): void => {
    let parsed: unknown;
    try {
      const headerLength = request.headers[HEADER_LENGTH];
      if (headerLength !== undefined) {
        const split = splitBinaryBody(body, headerLength);
        parsed = new BinaryInferBody(parseJson(split.headerText), split.binary);
      } else if (body.byteLength > 0) {
        parsed = parseJson(body.toString('utf8'));
      }
    } catch (err) {
      return done(err as Error);
    }
    done(null, parsed);
  };
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parser);
  app.addContentTypeParser('*', { parseAs: 'buffer' }, parser);
}
