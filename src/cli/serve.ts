/**
 * `kiln serve [--host] [--port] [--grpc-port] [--no-grpc] [--model-repository DIR]`: serve the registered
 * models (and a Triton-layout model repository folder, when given) over the Open Inference Protocol —
 * REST with Triton's extensions, and gRPC — plus KServe v1 and Prometheus /metrics.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { KilnError } from '../core/errors.js';
import { closeOnSignals, startServer, type RunningServer } from '../serve/server.js';
import { commandContext, type CommandContext } from './context.js';

export interface ServeFlags {
  readonly host?: string;
  readonly port?: string;
}

interface ServeOnlyFlags extends ServeFlags {
  readonly grpcPort?: string;
  /** commander's `--no-grpc` sets this to false. */
  readonly grpc?: boolean;
  readonly modelRepository?: string;
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
    .action(async (opts: ServeOnlyFlags, cmd: Command) => {
      const ctx = commandContext(cmd, { host: opts.host, port: opts.port });
      const grpcPort = opts.grpc === false ? undefined : parsePort(opts.grpcPort, ctx.config.port === 0 ? 0 : DEFAULT_GRPC_PORT);
      const server = await serveUntilStopped(ctx, {
        ...(grpcPort === undefined ? {} : { grpcPort }),
        ...(opts.modelRepository === undefined ? {} : { modelRepository: resolve(opts.modelRepository) }),
      });
      const grpc = server.grpc?.address;
      ctx.out.result({ url: server.url, ...(grpc === undefined ? {} : { grpc }) }, () =>
        `Kiln is serving on ${server.url}${grpc === undefined ? '' : ` and gRPC ${grpc}`} (Ctrl+C to stop)`,
      );
    });
}

function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new KilnError('INVALID_PARAMS', { what: 'options', summary: `--grpc-port must be a port number from 0 to 65535, got "${text}"` });
  }
  return port;
}

/** Opens the home store, starts the server, and stops it gracefully on SIGINT/SIGTERM. */
export async function serveUntilStopped(ctx: CommandContext, extra: { readonly grpcPort?: number; readonly modelRepository?: string } = {}): Promise<RunningServer> {
  const { store, artifacts } = await ctx.openHome();
  const server = await startServer({ store, artifacts, logger: ctx.logger, host: ctx.config.host, port: ctx.config.port, ...extra });
  // Drain in-flight requests and flush the prediction log, then close the store and leave.
  void closeOnSignals(server.app).closed.then(async () => {
    await store.close().catch((err: unknown) => ctx.logger.error({ err }, 'error while closing the store'));
    process.exit(0);
  });
  return server;
}
