/**
 * Kiln's inference server: the data plane behind REST v2 (Open Inference Protocol) and v1 JSON routes.
 *
 *   buildServer()     wires repository, prediction log, data plane, routes, request ids and the one
 *                     error mapping into a Fastify instance (not listening: tests use `inject`);
 *   startServer()     builds, warms up the models and listens; returns `{app, url, port, close()}`;
 *   closeOnSignals()  graceful shutdown on SIGINT/SIGTERM, for the CLI to call (nothing is wired at import).
 *
 * `app.close()` stops taking requests, drains the ones in flight, writes what is left of the prediction
 * log and releases the models' sessions. The store and artifact store belong to the caller, who closes
 * them after the server.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { KilnError } from '../core/errors.js';
import type { ArtifactStore, Store } from '../store/store.js';
import { DataPlane } from './data-plane.js';
import { ModelRepository } from './model-repository.js';
import { PredictionLogger, type PredictionLoggerOptions } from './prediction-log.js';
import { replyWithError } from './rest/http-errors.js';
import { v1Routes } from './rest/v1-routes.js';
import { v2Routes } from './rest/v2-routes.js';

export interface ServerOptions {
  readonly store: Store;
  readonly artifacts: ArtifactStore;
  readonly logger: Logger;
  /** Largest request body in bytes (default 32 MiB: a JSON batch of ~1M numbers). */
  readonly bodyLimit?: number;
  /** Tuning of the prediction log (flush interval, batch size, buffer bound). */
  readonly predictionLog?: Omit<PredictionLoggerOptions, 'store' | 'logger'>;
  /** How long "latest" and aliases are trusted before asking the store again (default 500 ms). */
  readonly resolveCacheMs?: number;
}

export interface StartServerOptions extends ServerOptions {
  /** Default 127.0.0.1: nothing listens on other interfaces unless asked. */
  readonly host?: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Load the latest version of every model before listening (default true). */
  readonly warmUp?: boolean;
}

export interface RunningServer {
  readonly app: KilnServer;
  /** Where it listens, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** The port it listens on (the one picked when asked for port 0). */
  readonly port: number;
  /** Graceful stop: drains in-flight requests, flushes the prediction log, releases the models. */
  close(): Promise<void>;
}

export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;

/** Request ids: the caller's `x-request-id` when it is a sane token, else a new UUID. */
const REQUEST_ID_HEADER = 'x-request-id';
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@#/+=-]{1,128}$/;

function requestId(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

export async function buildServer(options: ServerOptions): Promise<KilnServer> {
  const { store, artifacts, logger } = options;
  const repository = new ModelRepository({
    store,
    artifacts,
    logger: logger.child({ component: 'model-repository' }),
    ...(options.resolveCacheMs === undefined ? {} : { resolveCacheMs: options.resolveCacheMs }),
  });
  const predictionLog = new PredictionLogger({ ...options.predictionLog, store, logger: logger.child({ component: 'prediction-log' }) });
  const dataPlane = new DataPlane({ repository, predictionLog, serverName: 'kiln', serverVersion: kilnVersion() });

  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    genReqId: requestId,
    // model references (`name@alias`) can be long; the default of 100 characters is too tight
    routerOptions: { maxParamLength: 300 },
    // During shutdown we answer 503 ourselves, so the body has the same shape as every other error.
    return503OnClosing: false,
    frameworkErrors: (err, request, reply) => replyWithError(err, request, reply),
  }) as unknown as FastifyInstance; // typed with pino's Logger by Fastify; callers need only the base type

  let closing = false;
  app.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    if (closing) {
      void reply.header('connection', 'close');
      throw new KilnError('SERVER_CLOSING');
    }
  });
  // Responses finished while the server drains close their connection, so keep-alive clients do not hold
  // the shutdown open (and reconnect to another replica).
  app.addHook('onSend', async (_request, reply) => {
    if (closing) void reply.header('connection', 'close');
  });
  app.addHook('preClose', async () => {
    closing = true;
    dataPlane.markClosing();
  });
  app.addHook('onClose', async () => {
    await predictionLog.close();
    await repository.close();
  });

  registerJsonBody(app);
  app.setErrorHandler((err, request, reply) => replyWithError(err, request, reply));
  app.setNotFoundHandler((request, reply) => replyWithError(new KilnError('ROUTE_NOT_FOUND', { method: request.method, url: request.url }), request, reply));

  await app.register(v2Routes, { dataPlane });
  await app.register(v1Routes, { dataPlane });
  app.decorate('kiln', { dataPlane, repository, predictionLog } satisfies KilnServerParts);
  return app as KilnServer;
}

/** The parts behind a built server, for tests and diagnostics (`app.kiln`). */
export interface KilnServerParts {
  readonly dataPlane: DataPlane;
  readonly repository: ModelRepository;
  readonly predictionLog: PredictionLogger;
}

/** A built server: a Fastify instance that also exposes its parts. */
export type KilnServer = FastifyInstance & { readonly kiln: KilnServerParts };

/**
 * Bodies are JSON whatever the content type says (or when it says nothing): Triton's and KServe's
 * clients do not all send `content-type: application/json`. Triton's binary tensor extension (announced
 * by the Inference-Header-Content-Length header) is not supported and is refused clearly.
 */
function registerJsonBody(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const parser = (request: { headers: IncomingMessage['headers'] }, body: string, done: (err: Error | null, value?: unknown) => void): void => {
    if (request.headers['inference-header-content-length'] !== undefined) {
      done(new KilnError('UNSUPPORTED_MEDIA_TYPE', { contentType: 'binary tensor data (Inference-Header-Content-Length)' }));
      return;
    }
    if (body.length === 0) {
      done(new KilnError('MALFORMED_REQUEST', { reason: 'the body is empty; send a JSON object' }));
      return;
    }
    parseJson(request as never, body, (err, value) => {
      if (err === null) done(null, value);
      else done(new KilnError('MALFORMED_REQUEST', { reason: jsonProblem(body) }));
    });
  };
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parser);
  app.addContentTypeParser('*', { parseAs: 'string' }, parser);
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

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const app = await buildServer(options);
  if (options.warmUp ?? true) {
    try {
      const models = await app.kiln.repository.warmUp();
      options.logger.info({ models }, 'models loaded');
    } catch (err) {
      // an unreachable store is reported by /v2/health/ready; the server still starts
      options.logger.warn({ err }, 'could not load the models ahead of the first request');
    }
  }
  const url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8080 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 8080);
  return { app, url, port, close: () => app.close() };
}

export interface CloseOnSignalsOptions {
  readonly signals?: readonly NodeJS.Signals[];
  /** How long in-flight requests get to finish before `closed` resolves anyway (default 10 s). */
  readonly timeoutMs?: number;
}

export interface SignalShutdown {
  /** Resolves with the signal once the server has closed (or the drain timed out, or a second signal came). */
  readonly closed: Promise<NodeJS.Signals>;
  /** Removes the signal handlers (when the caller closes the server some other way). */
  dispose(): void;
}

/**
 * Graceful shutdown: on the first signal, stop taking requests, drain those in flight, flush the
 * prediction log, release the models. A second signal stops waiting. The process is not exited here:
 * the caller closes its store and decides the exit code.
 */
export function closeOnSignals(app: FastifyInstance, options: CloseOnSignalsOptions = {}): SignalShutdown {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const timeoutMs = options.timeoutMs ?? 10_000;
  let resolveClosed!: (signal: NodeJS.Signals) => void;
  const closed = new Promise<NodeJS.Signals>((resolve) => (resolveClosed = resolve));
  let received: NodeJS.Signals | undefined;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) {
      app.log.warn({ signal }, 'second signal: not waiting for in-flight requests any longer');
      resolveClosed(received);
      return;
    }
    received = signal;
    app.log.info({ signal }, 'shutting down: draining in-flight requests');
    const timer = setTimeout(() => {
      app.log.error({ timeoutMs }, 'in-flight requests did not finish in time');
      resolveClosed(signal);
    }, timeoutMs);
    timer.unref();
    app.close().then(
      () => {
        clearTimeout(timer);
        app.log.info('server closed');
        resolveClosed(signal);
      },
      (err: unknown) => {
        clearTimeout(timer);
        app.log.error({ err }, 'error while closing the server');
        resolveClosed(signal);
      },
    );
  };
  // one listener per signal, bound to its name (the name is not passed when a signal is emitted in-process)
  const listeners = signals.map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, listener] of listeners) process.on(signal, listener);
  const dispose = (): void => {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  };
  void closed.then(dispose);
  return { closed, dispose };
}

let cachedVersion: string | undefined;

/** Kiln's version from package.json (two folders up from both src/serve and dist/serve). */
function kilnVersion(): string {
  if (cachedVersion === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
      cachedVersion = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
    } catch {
      cachedVersion = '0.0.0';
    }
  }
  return cachedVersion;
}
