/**
 * Kiln's inference server: the data plane behind REST v2 (Open Inference Protocol with Triton's
 * extensions), v1 JSON, Prometheus metrics and, when asked, gRPC.
 *
 *   buildServer()     wires repository, prediction log, data plane, routes, request ids and the one
 *                     error mapping into a Fastify instance (not listening: tests use `inject`), whose
 *                     HTTP server answers plain JSON v2 infer requests itself (rest/infer-fast-path.ts);
 *   startServer()     builds, loads the models (each warms up) and listens; returns `{app, url, port, close()}`;
 *   closeOnSignals()  graceful shutdown on SIGINT/SIGTERM, for the CLI to call (nothing is wired at import).
 *
 * `app.close()` stops taking requests, drains the ones in flight (and the gRPC server's), writes what is
 * left of the prediction log and stops the models' instances. The store and artifact store belong to the
 * caller, who closes them after the server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { KilnError } from '../core/errors.js';
import { KILN_VERSION } from '../core/version.js';
import { timeOrderedId } from '../core/time-ordered-id.js';
import type { ArtifactStore, Store } from '../store/store.js';
import { DataPlane } from './data-plane.js';
import { startGrpcServer, type GrpcServer } from './grpc/grpc-server.js';
import { METRICS_CONTENT_TYPE, renderMetrics } from './metrics.js';
import { ModelRepository } from './model-repository.js';
import { listModelFolders } from './triton-directory.js';
import { PredictionLogger, type PredictionLoggerOptions } from './prediction-log.js';
import { PredictionRetention } from './prediction-retention.js';
import { WorkerPredictionWriter } from './prediction-log-writer.js';
import { InferFastPath } from './rest/infer-fast-path.js';
import { jsonParser, registerBodyParser } from './rest/request-body.js';
import { listenError } from './listen-error.js';
import { AccessGuard, TOKEN_PARAMETER, tokenCookie, type AccessOptions } from './access-token.js';
import { registerOpenApi } from '../api/openapi.js';
import { registryApi } from '../api/registry-api.js';
import { monitoringApi } from '../api/monitoring-api.js';
import { appApi } from '../api/app/app-api.js';
import { webApp } from '../api/app/web-app.js';
import { experimentsApi, type ExperimentsApiOptions } from '../api/experiments-api.js';
import { ExperimentRouter } from '../experiment/router.js';
import { replyWithError } from './rest/http-errors.js';
import { v1Routes } from './rest/v1-routes.js';
import { v2Routes } from './rest/v2-routes.js';
import { docs } from '../api/route-docs.js';

export interface ServerOptions {
  /** The registry whose models are served (with its artifact store); absent = only `modelRepository`. */
  readonly store?: Store;
  readonly artifacts?: ArtifactStore;
  /** The Kiln home (absolute): with a store, the no-code app's API (uploads in `<home>/uploads`) and the built app at `/`. */
  readonly home?: string;
  /**
   * The store's URL, which the app's training jobs (default `<home>/kiln.db`) and the prediction log's
   * writer thread open in their worker threads; without it the prediction log is written from the main thread.
   */
  readonly storeUrl?: string;
  /** The URL of `artifacts` when not `<home>/artifacts`, which the app's training jobs open in their worker threads. */
  readonly artifactsUrl?: string;
  /** A Redis job queue for the app's training jobs (`kiln serve --queue redis://…`); default: jobs run in this server. */
  readonly queue?: string;
  /** The queue's key prefix (default `kiln`; tests give each run its own). */
  readonly queuePrefix?: string;
  /** An access token every route but health, the app's files (and, if asked, inference) needs (access-token.ts). */
  readonly access?: AccessOptions;
  /** A Triton-layout model repository folder to serve as well (`kiln serve --model-repository DIR`). */
  readonly modelRepository?: string;
  readonly logger: Logger;
  /** Largest request body in bytes (default 32 MiB: a JSON batch of ~1M numbers). */
  readonly bodyLimit?: number;
  /** Most elements one input tensor may have (default 16 Mi). */
  readonly maxTensorElements?: number;
  /** onnxruntime threads per model instance (default 1). */
  readonly intraOpNumThreads?: number;
  /** Small models run on the main thread (see loaded-model.ts); 0 = every model in worker threads. */
  readonly mainThreadRunLimitUs?: number;
  /** The prediction log (with a store): tuning, sampling and retention; `false` = no prediction log. */
  readonly predictionLog?: false | PredictionLogSettings;
  /** How long "latest" and aliases are trusted before asking the store again (default 500 ms). */
  readonly resolveCacheMs?: number;
  /** A/B experiments: how often running ones are re-read (default 2 s) and the canary watcher's settings. */
  readonly experiments?: { readonly refreshMs?: number; readonly canary?: ExperimentsApiOptions['canary'] };
}

/** The prediction log's writer settings (sampleRate, batching) and its retention (age, size, pruning interval). */
export interface PredictionLogSettings extends Omit<PredictionLoggerOptions, 'store' | 'logger'> {
  readonly retentionDays?: number;
  readonly maxRows?: number;
  readonly pruneIntervalMs?: number;
  /** Write from a thread of its own when the store's URL is known (default true; see prediction-log-writer.ts). */
  readonly writeInThread?: boolean;
}

export interface StartServerOptions extends ServerOptions {
  /** Default 127.0.0.1: nothing listens on other interfaces unless asked. */
  readonly host?: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Load the latest version of every model before listening (default true). */
  readonly warmUp?: boolean;
  /** Also serve the OIP over gRPC on this port (0 picks a free one); absent = no gRPC. */
  readonly grpcPort?: number;
}

export interface RunningServer {
  readonly app: KilnServer;
  /** Where it listens, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** The port it listens on (the one picked when asked for port 0). */
  readonly port: number;
  /** Where gRPC listens (`127.0.0.1:8081`), when it was asked for. */
  readonly grpc?: GrpcServer;
  /** Graceful stop: drains in-flight requests, flushes the prediction log, releases the models. */
  close(): Promise<void>;
}

export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;

/**
 * Fastify logs two lines per request at info; writing them would cost more than a small model's
 * inference. They go to debug. Refused and failed requests are logged at info and error where they are
 * answered (rest/http-errors.ts).
 */
class RequestLinesAtDebug extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/** Request ids: the caller's `x-request-id` when it is a sane token, else a new UUID-shaped id. */
const REQUEST_ID_HEADER = 'x-request-id';
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@#/+=-]{1,128}$/;

function requestId(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  if (typeof given === 'string' && SANE_REQUEST_ID.test(given)) return given;
  // time-ordered: the prediction log finds a record again from its request id's time (src/core/time-ordered-id.ts)
  return timeOrderedId();
}

export async function buildServer(options: ServerOptions): Promise<KilnServer> {
  const { store, artifacts, logger } = options;
  const repository = new ModelRepository({
    ...(store === undefined ? {} : { store }),
    ...(artifacts === undefined ? {} : { artifacts }),
    ...(options.modelRepository === undefined ? {} : { directory: options.modelRepository }),
    ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
    ...(options.mainThreadRunLimitUs === undefined ? {} : { mainThreadRunLimitUs: options.mainThreadRunLimitUs }),
    logger: logger.child({ component: 'model-repository' }),
    ...(options.resolveCacheMs === undefined ? {} : { resolveCacheMs: options.resolveCacheMs }),
  });
  const { predictionLog, writer, retention } = await openPredictionLog(store, options.storeUrl, options.predictionLog, logger.child({ component: 'prediction-log' }));
  // A/B routing of requests for models under experiment (src/experiment/router.ts)
  const router = store === undefined ? undefined : new ExperimentRouter({ store, ...(predictionLog === undefined ? {} : { predictionLog }), logger: logger.child({ component: 'experiments' }), ...(options.experiments?.refreshMs === undefined ? {} : { refreshMs: options.experiments.refreshMs }) });
  const dataPlane = new DataPlane({
    repository,
    ...(router === undefined ? {} : { router }),
    ...(predictionLog === undefined ? {} : { predictionLog }),
    ...(options.maxTensorElements === undefined ? {} : { maxTensorElements: options.maxTensorElements }),
    serverName: 'kiln',
    serverVersion: KILN_VERSION,
  });

  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  let closing = false;
  // Plain JSON infer requests are answered in front of Fastify (rest/infer-fast-path.ts); made below, once
  // Fastify's JSON parser exists.
  let fastPath: InferFastPath | undefined;
  const guard = options.access === undefined ? undefined : new AccessGuard(options.access);
  // a request the guard would refuse goes through Fastify, whose onRequest hook refuses it in the one error shape
  const mayTakeFastPath = (request: IncomingMessage): boolean => guard === undefined || guard.isOpen('POST', pathOf(request.url)) || guard.carriesToken(request.headers);
  const app = Fastify({
    serverFactory: (handler, serverOptions) => httpServer(handler, serverOptions, (request, response) => mayTakeFastPath(request) && fastPath?.handle(request, response) === true),
    loggerInstance: logger,
    bodyLimit,
    genReqId: requestId,
    // model references (`name@alias`) can be long; the default of 100 characters is too tight
    routerOptions: { maxParamLength: 300 },
    // During shutdown we answer 503 ourselves, so the body has the same shape as every other error.
    return503OnClosing: false,
    frameworkErrors: (err, request, reply) => replyWithError(err, request, reply),
    logController: new RequestLinesAtDebug(),
  }) as unknown as FastifyInstance; // typed with pino's Logger by Fastify; callers need only the base type

  // The per-request hooks take callbacks rather than being async: no promise per request and hook.
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    if (guard !== undefined) {
      const refusal = checkAccess(guard, request, reply);
      if (refusal !== undefined) return refusal === 'redirected' ? undefined : done(refusal);
    }
    if (!closing) return done();
    void reply.header('connection', 'close');
    done(new KilnError('SERVER_CLOSING'));
  });
  // Responses finished while the server drains close their connection, so keep-alive clients do not hold
  // the shutdown open (and reconnect to another replica).
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });

  const beforeClose: (() => Promise<void>)[] = [];
  app.addHook('preClose', async () => {
    closing = true;
    dataPlane.markClosing();
    await Promise.all(beforeClose.map((stop) => stop()));
  });
  app.addHook('onClose', async () => {
    await retention?.stop();
    await repository.close();
    await predictionLog?.close();
    await writer?.close();
  });

  const parseJson = jsonParser(app);
  registerBodyParser(app, parseJson);
  fastPath = new InferFastPath({ dataPlane, logger, bodyLimit, parseJson, requestId, closing: () => closing });
  app.setErrorHandler((err, request, reply) => replyWithError(err, request, reply));
  app.setNotFoundHandler((request, reply) => replyWithError(new KilnError('ROUTE_NOT_FOUND', { method: request.method, url: request.url }), request, reply));

  await registerOpenApi(app); // before the routes: it learns them as they are added
  await app.register(v2Routes, { dataPlane });
  await app.register(v1Routes, { dataPlane });
  if (store !== undefined) await app.register(registryApi, { store }); // the registry API under /api (src/api)
  if (store !== undefined && artifacts !== undefined) await app.register(monitoringApi, { store, artifacts }); // feedback, monitoring report, alerts under /api
  if (store !== undefined && artifacts !== undefined && options.home !== undefined) {
    await app.register(appApi, {
      store,
      artifacts,
      home: options.home,
      ...(options.storeUrl === undefined ? {} : { storeUrl: options.storeUrl }),
      ...(options.artifactsUrl === undefined ? {} : { artifactsUrl: options.artifactsUrl }),
      ...(options.queue === undefined ? {} : { queue: options.queue }),
      ...(options.queuePrefix === undefined ? {} : { queuePrefix: options.queuePrefix }),
      dataPlane,
    }); // the no-code app's API under /api (src/api/app)
    await app.register(webApp, {}); // the built app (web/dist) at `/`, with single-page fallback
  }
  if (store !== undefined) await app.register(experimentsApi, { store, ...(router === undefined ? {} : { router }), ...(options.experiments?.canary === undefined ? {} : { canary: options.experiments.canary }) });
  app.get('/metrics', docs('server', 'Prometheus metrics: requests, latency, batches, loaded models, prediction log', { contentType: METRICS_CONTENT_TYPE }), async (_request, reply) =>
    reply
      .type(METRICS_CONTENT_TYPE)
      .send(renderMetrics(repository.loadedModels(), await repository.index(), predictionLog && { stats: predictionLog.stats(), pruned: retention?.totalDeleted ?? 0 })),
  );
  app.decorate('kiln', { dataPlane, repository, predictionLog, retention, fastPath, access: guard, beforeClose: (stop) => void beforeClose.push(stop) } satisfies KilnServerParts);
  retention?.start();
  return app as KilnServer;
}

/**
 * The prediction log's writer and retention, when a registry is served and the log is not turned off.
 * With the store's URL, records are written by a thread of their own (prediction-log-writer.ts), off the
 * thread that answers requests; without it (a store object handed in, as in tests), in this thread.
 */
async function openPredictionLog(
  store: Store | undefined,
  storeUrl: string | undefined,
  settings: false | PredictionLogSettings | undefined,
  logger: Logger,
): Promise<{ predictionLog: PredictionLogger | undefined; writer: WorkerPredictionWriter | undefined; retention: PredictionRetention | undefined }> {
  if (store === undefined || settings === false) return { predictionLog: undefined, writer: undefined, retention: undefined };
  const { retentionDays, maxRows, pruneIntervalMs, writeInThread, ...tuning } = settings ?? {};
  const retention = new PredictionRetention({
    store,
    logger,
    ...(retentionDays === undefined ? {} : { retentionDays }),
    ...(maxRows === undefined ? {} : { maxRows }),
    ...(pruneIntervalMs === undefined ? {} : { intervalMs: pruneIntervalMs }),
  });
  let writer: WorkerPredictionWriter | undefined;
  if (storeUrl !== undefined && writeInThread !== false) {
    try {
      writer = await WorkerPredictionWriter.start(storeUrl);
    } catch (err) {
      logger.warn({ err }, 'the prediction log writer thread could not open the store; writing from the main thread');
    }
  }
  return {
    predictionLog: new PredictionLogger({ ...tuning, store: writer ?? store, logger }),
    writer,
    retention: retention.active ? retention : undefined,
  };
}

/** The parts behind a built server, for tests and diagnostics (`app.kiln`). */
export interface KilnServerParts {
  readonly dataPlane: DataPlane;
  readonly repository: ModelRepository;
  /** Absent when no registry is served or the log is turned off. */
  readonly predictionLog: PredictionLogger | undefined;
  /** Absent when the prediction log has no retention limits. */
  readonly retention: PredictionRetention | undefined;
  /** What answers plain JSON infer requests in front of Fastify (rest/infer-fast-path.ts). */
  readonly fastPath: InferFastPath;
  /** Who may call (access-token.ts); absent when the server needs no token. gRPC asks the same guard. */
  readonly access: AccessGuard | undefined;
  /** Registers a stop (another transport's drain) to run when closing starts, before the models stop. */
  beforeClose(stop: () => Promise<void>): void;
}

/** A built server: a Fastify instance that also exposes its parts. */
export type KilnServer = FastifyInstance & { readonly kiln: KilnServerParts };

/**
 * The HTTP server Fastify would make itself (fastify/lib/server.js: the same timeouts), with the infer
 * fast path in front: `inFront` answers a request and returns true, or leaves it to Fastify.
 */
function httpServer(handler: (request: IncomingMessage, response: ServerResponse) => void, options: FastifyServerOptions, inFront: (request: IncomingMessage, response: ServerResponse) => boolean): Server {
  const server = createServer((request, response) => {
    if (!inFront(request, response)) handler(request, response);
  });
  if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
  if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
  server.setTimeout(options.connectionTimeout ?? 0);
  if (options.maxRequestsPerSocket !== undefined && options.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
  return server;
}

const pathOf = (url: string | undefined): string => {
  const path = url ?? '/';
  const query = path.indexOf('?');
  return query < 0 ? path : path.slice(0, query);
};

/**
 * The guard's word on one request: undefined to go on, an error to refuse it, or 'redirected' when a
 * browser brought the token in the URL (`?token=…`): it gets the cookie and the same URL without the token,
 * so the token leaves the address bar and the history.
 */
function checkAccess(guard: AccessGuard, request: FastifyRequest, reply: FastifyReply): KilnError | 'redirected' | undefined {
  const path = pathOf(request.url);
  const query = new URLSearchParams(request.url.slice(path.length + 1));
  const given = query.get(TOKEN_PARAMETER);
  if (given !== null && request.method === 'GET') {
    if (!guard.matches(given)) return unauthorized(reply);
    query.delete(TOKEN_PARAMETER);
    const rest = query.toString();
    const secure = request.protocol === 'https';
    void reply.header('set-cookie', tokenCookie(given, secure)).header('cache-control', 'no-store').redirect(`${path}${rest === '' ? '' : `?${rest}`}`, 303);
    return 'redirected';
  }
  if (guard.isOpen(request.method, path) || guard.carriesToken(request.headers)) return undefined;
  return unauthorized(reply);
}

function unauthorized(reply: FastifyReply): KilnError {
  void reply.header('www-authenticate', 'Bearer realm="kiln"');
  return new KilnError('UNAUTHORIZED');
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  // A folder that cannot be read is the caller's mistake: say so now rather than serve nothing.
  if (options.modelRepository !== undefined) await listModelFolders(options.modelRepository);
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
  const host = options.host ?? '127.0.0.1';
  let url: string;
  try {
    url = await app.listen({ host, port: options.port ?? 8080 });
  } catch (err) {
    // the models' worker threads are running: stop them, or the process would stay up serving nothing
    await app.close();
    throw listenError(err, { what: 'HTTP', host, port: options.port ?? 8080, flag: '--port' }) ?? err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 8080);
  if (options.grpcPort === undefined) return { app, url, port, close: () => app.close() };
  let grpc: GrpcServer;
  try {
    grpc = await startGrpcServer({
      dataPlane: app.kiln.dataPlane,
      host,
      port: options.grpcPort,
      logger: options.logger.child({ component: 'grpc' }),
      ...(app.kiln.access === undefined ? {} : { access: app.kiln.access }),
    });
  } catch (err) {
    await app.close();
    throw listenError(err, { what: 'gRPC', host, port: options.grpcPort, flag: '--grpc-port', alternative: 'or --no-grpc to serve HTTP only' }) ?? err;
  }
  // gRPC stops taking calls and drains before the models stop.
  app.kiln.beforeClose(() => grpc.close());
  return { app, url, port, grpc, close: () => app.close() };
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
