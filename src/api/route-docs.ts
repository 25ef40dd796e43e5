/**
 * What a route says about itself in the OpenAPI document (src/api/openapi.ts): a summary, its area (a
 * tag), and the zod schema its handler validates the body with. Passed as the route's options:
 *
 *   app.post('/api/models/:ref/explain', docs('app', 'Explain rows', { body: explainBody }), handler)
 *
 * Only `summary`, `tags` and `description` go into Fastify's `schema` (which Fastify does not validate
 * against); the body, query and response schemas travel in the route's `config` and reach the document
 * alone, so that requests keep being checked by the handlers' zod schemas, with Kiln's coded errors
 * (and answers are not reshaped by a serializer). A body whose schema accepts the empty object is
 * documented as optional: the handlers read a missing body as `{}`. An answer that is not JSON (an
 * event stream, a text format) is documented by its media type alone. A readiness route also documents
 * its 503 "not ready" answer, which is not an error. Every route answers errors in one shape (the
 * document's `default`); a route names an error status of its own when a client should plan for it,
 * such as the 503 of the job routes while their Redis queue is away.
 */
import type { z } from 'zod';

/** The API's areas, in the order the document lists them. */
export const API_TAGS = {
  inference: 'Open Inference Protocol (KServe v2) and KServe v1: metadata, readiness, inference',
  repository: "Triton's extensions: the model repository, configuration, statistics",
  registry: 'Runs, registered models and versions, aliases, datasets, audit log, webhooks',
  monitoring: 'Drift and performance reports, ground-truth feedback, alerts',
  experiments: 'A/B tests and canaries between versions of a model',
  app: "The no-code app's API: uploads, data profiles, spec suggestions, training jobs, reports, explanations, learning curves, deploying",
  server: 'The server itself: Prometheus metrics, this document',
} as const;

export type ApiTag = keyof typeof API_TAGS;

/** 201 created, 202 accepted (a job), 204 no content (a removal). */
export type SuccessStatus = 200 | 201 | 202 | 204;

/** Error statuses a route may name beside the default error answer: 503, a service it needs is away. */
export type ErrorStatus = 503;

/** Each named error status, and when it comes (its codes, in words). */
export type ErrorDocs = Readonly<Partial<Record<ErrorStatus, string>>>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The body schema the handler validates with, for the OpenAPI document only. */
    docsBody?: z.ZodType;
    /** The query schema the handler validates with, for the OpenAPI document only. */
    docsQuery?: z.ZodType;
    /** What a successful answer holds, for the OpenAPI document only. */
    docsResponse?: z.ZodType;
    /** The status of a successful answer, when not 200. */
    docsStatus?: SuccessStatus;
    /** The media type of a successful answer that is not JSON (e.g. text/event-stream). */
    docsContentType?: string;
    /** What a 503 answer holds when it is not an error (a readiness probe's "not ready"). */
    docsNotReady?: z.ZodType;
    /** Error statuses named beside the default error answer, each with when it comes. */
    docsErrors?: ErrorDocs;
    /** When a 204 (nothing to send) can come beside the success answer. */
    docsNoContent?: string;
  }
}

export interface RouteDocs {
  readonly schema: { readonly summary: string; readonly tags: readonly ApiTag[]; readonly description?: string };
  readonly config: {
    readonly docsBody?: z.ZodType;
    readonly docsQuery?: z.ZodType;
    readonly docsResponse?: z.ZodType;
    readonly docsStatus?: SuccessStatus;
    readonly docsContentType?: string;
    readonly docsNotReady?: z.ZodType;
    readonly docsErrors?: ErrorDocs;
    readonly docsNoContent?: string;
  };
}

export interface DocsOptions {
  readonly description?: string;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  /** What a successful JSON answer holds. */
  readonly response?: z.ZodType;
  readonly status?: SuccessStatus;
  /** The media type of an answer that is not JSON; it has no schema. */
  readonly contentType?: string;
  /**
   * A readiness route's answer while not ready, sent with status 503 (so that a probe can read the
   * status alone) but in the shape of a success, not of an error.
   */
  readonly notReady?: z.ZodType;
  /**
   * Error statuses worth naming beside the default error answer, with when each comes: in the error
   * shape, but listed so that a client knows to expect them (and to retry a 503).
   */
  readonly errors?: ErrorDocs;
  /** When the route answers 204 with nothing to send, beside its success answer. */
  readonly noContent?: string;
}

export function docs(
  tag: ApiTag,
  summary: string,
  options: DocsOptions = {},
): RouteDocs {
  return {
    schema: { summary, tags: [tag], ...(options.description === undefined ? {} : { description: options.description }) },
    config: {
      ...(options.body === undefined ? {} : { docsBody: options.body }),
      ...(options.query === undefined ? {} : { docsQuery: options.query }),
      ...(options.response === undefined ? {} : { docsResponse: options.response }),
      ...(options.status === undefined ? {} : { docsStatus: options.status }),
      ...(options.contentType === undefined ? {} : { docsContentType: options.contentType }),
      ...(options.notReady === undefined ? {} : { docsNotReady: options.notReady }),
      ...(options.errors === undefined ? {} : { docsErrors: options.errors }),
      ...(options.noContent === undefined ? {} : { docsNoContent: options.noContent }),
    },
  };
}
