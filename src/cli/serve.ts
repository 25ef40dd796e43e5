/**
 * `kiln serve [--host] [--port] [--grpc-port] [--no-grpc] [--model-repository DIR] [--log-sample-rate R]
 * [--log-retention-days D] [--log-max-rows N] [--no-prediction-log] [--queue redis://HOST:PORT]
 * [--api-token-file FILE] [--open-inference]`: serve the
 * registered models (and a Triton-layout model repository folder, when given) over the Open Inference
 * Protocol — REST with Triton's extensions, and gRPC — plus KServe v1 and Prometheus /metrics, logging
 * served predictions for monitoring with the given sampling and retention. With --queue, the app's
 * training jobs go to a Redis queue that `kiln worker` processes take them from (src/cli/worker.ts).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { RunningServer } from '../serve/server.js';
import { commandContext, type CommandContext } from './context.js';
import { wholeNumberOption } from './option-values.js';
import { accessFor } from './access-settings.js';

export interface ServeFlags {
  readonly host?: string;
  readonly port?: string;
}

interface ServeOnlyFlags extends ServeFlags {
  readonly queue?: string;
  readonly grpcPort?: string;
  /** commander's `--no-grpc` sets this to false. */
  readonly grpc?: boolean;
  readonly modelRepository?: string;
  readonly logSampleRate?: string;
  readonly logRetentionDays?: string;
  readonly logMaxRows?: string;
  /** commander's `--no-prediction-log` sets this to false. */
  readonly predictionLog?: boolean;
  readonly apiTokenFile?: string;
  readonly openInference?: boolean;
}

/** Triton's default gRPC port is 8001; Kiln's HTTP default is 8080, so gRPC sits next to it. */
export const DEFAULT_GRPC_PORT = 8081;

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve models over the Open Inference Protocol (REST with Triton\'s extensions, and gRPC), KServe v1 and /metrics')
    .option('--host <address>', 'address to listen on (env KILN_HOST, default 127.0.0.1)')
    .option('--port <port>', 'HTTP port to listen on (env KILN_PORT, default 8080)')
    .option('--grpc-port <port>', `gRPC port (default ${DEFAULT_GRPC_PORT}; a free one when --port is 0)`)
    .option('--no-grpc', 'do not serve gRPC')
    .option('--model-repository <dir>', 'also serve a Triton-layout model repository: <model>/config.pbtxt (optional), <model>/<version>/model.onnx')
    .option('--log-sample-rate <rate>', 'share of requests whose predictions are logged for monitoring, 0..1, decided by request id; failed requests are always logged (env KILN_PREDICTION_LOG_SAMPLE_RATE, default 1)')
    .option('--log-retention-days <days>', 'delete logged predictions older than this many days, checked every minute (env KILN_PREDICTION_LOG_RETENTION_DAYS, default: keep)')
    .option('--log-max-rows <n>', 'keep at most this many logged predictions, the newest (env KILN_PREDICTION_LOG_MAX_ROWS, default: no limit)')
    .option('--no-prediction-log', 'do not log served predictions (env KILN_PREDICTION_LOG=false); monitoring then has no live data')
    .option('--queue <url>', 'queue training jobs in Redis (redis://HOST:PORT) for `kiln worker` processes instead of running them in the server (env KILN_QUEUE_URL)')
    .option('--api-token-file <file>', 'require the token on this file\'s first line for every request but health and the app\'s page (or env KILN_API_TOKEN); a server on a non-loopback --host without one makes one and prints it')
    .option('--open-inference', 'with a token: predictions and model metadata need none (env KILN_OPEN_INFERENCE)')
    .action(async (opts: ServeOnlyFlags, cmd: Command) => {
      const ctx = commandContext(cmd, {
        host: opts.host,
        port: opts.port,
        queue: opts.queue,
        apiTokenFile: opts.apiTokenFile,
        openInference: opts.openInference,
        predictionLogSampleRate: opts.logSampleRate,
        predictionLogRetentionDays: opts.logRetentionDays,
        predictionLogMaxRows: opts.logMaxRows,
        // commander always sets a --no-* option; only an explicit flag beats the environment and the config file
        predictionLog: cmd.getOptionValueSource('predictionLog') === 'cli' ? opts.predictionLog : undefined,
      });
      const grpcPort = opts.grpc === false ? undefined : parsePort(opts.grpcPort, ctx.config.port === 0 ? 0 : DEFAULT_GRPC_PORT);
      const server = await serveUntilStopped(ctx, {
        ...(grpcPort === undefined ? {} : { grpcPort }),
        ...(opts.modelRepository === undefined ? {} : { modelRepository: resolve(opts.modelRepository) }),
      });
      const grpc = server.grpc?.address;
      const made = server.generatedToken;
      ctx.out.result({ url: server.url, ...(grpc === undefined ? {} : { grpc }), ...(made === undefined ? {} : { token: made, app: `${server.url}/?token=${made}` }) }, () =>
        `Kiln is serving on ${server.url}${grpc === undefined ? '' : ` and gRPC ${grpc}`} (Ctrl+C to stop); the HTTP API is described at ${server.url}/openapi.json` +
        (made === undefined
          ? ''
          : `\nIt listens beyond this machine, so it made an access token: open ${server.url}/?token=${made} in a browser, or send \`Authorization: Bearer ${made}\`` +
            ` (set KILN_API_TOKEN or --api-token-file to choose your own)`),
      );
    });
}

function parsePort(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : wholeNumberOption('--grpc-port', text, { min: 0, max: 65535 });
}

/** Opens the home store, starts the server, and stops it gracefully on SIGINT/SIGTERM. */
export async function serveUntilStopped(
  ctx: CommandContext,
  extra: { readonly grpcPort?: number; readonly modelRepository?: string } = {},
): Promise<RunningServer & { readonly generatedToken?: string }> {
  // Loaded here, not at the top: `kiln --help` and the other verbs should not load the server.
  const { closeOnSignals, startServer } = await import('../serve/server.js');
  // a queue URL that cannot be Redis is refused before anything starts (a Redis that is down is not:
  // the server then serves predictions and says jobs are unavailable until Redis answers)
  if (ctx.config.queue !== undefined) (await import('../api/app/redis-connection.js')).checkQueueUrl(ctx.config.queue);
  const { access, generated } = await accessFor(ctx.config);
  const { store, artifacts } = await ctx.openHome();
  const { predictionLog, predictionLogSampleRate, predictionLogRetentionDays, predictionLogMaxRows } = ctx.config;
  // the app API (src/api/app) keeps uploads in the home, and its training workers open the same store
  const server = await startServer({
    store,
    artifacts,
    home: ctx.config.home,
    ...(ctx.config.store === undefined ? {} : { storeUrl: ctx.config.store }),
    ...(ctx.config.artifacts === undefined ? {} : { artifactsUrl: ctx.config.artifacts }),
    ...(ctx.config.queue === undefined ? {} : { queue: ctx.config.queue }),
    ...(ctx.config.queuePrefix === undefined ? {} : { queuePrefix: ctx.config.queuePrefix }),
    logger: ctx.logger,
    host: ctx.config.host,
    port: ctx.config.port,
    ...(access === undefined ? {} : { access }),
    ...extra,
    predictionLog: predictionLog && {
      sampleRate: predictionLogSampleRate,
      ...(predictionLogRetentionDays === undefined ? {} : { retentionDays: predictionLogRetentionDays }),
      ...(predictionLogMaxRows === undefined ? {} : { maxRows: predictionLogMaxRows }),
    },
  });
  // Drain in-flight requests and flush the prediction log, then close the store and leave.
  void closeOnSignals(server.app).closed.then(async () => {
    await store.close().catch((err: unknown) => ctx.logger.error({ err }, 'error while closing the store'));
    process.exit(0);
  });
  return generated && access !== undefined ? { ...server, generatedToken: access.token } : server;
}
