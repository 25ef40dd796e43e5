/** `kiln serve [--host] [--port]`: serve every registered model over the Open Inference Protocol and KServe v1. */
import type { Command } from 'commander';
import { closeOnSignals, startServer, type RunningServer } from '../serve/server.js';
import { commandContext, type CommandContext } from './context.js';

export interface ServeFlags {
  readonly host?: string;
  readonly port?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the registered models: Open Inference Protocol (v2) and KServe v1 over HTTP')
    .option('--host <address>', 'address to listen on (env KILN_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (env KILN_PORT, default 8080)')
    .action(async (opts: ServeFlags, cmd: Command) => {
      const ctx = commandContext(cmd, { host: opts.host, port: opts.port });
      const server = await serveUntilStopped(ctx);
      ctx.out.result({ url: server.url }, () => `Kiln is serving on ${server.url} (Ctrl+C to stop)`);
    });
}

/** Opens the home store, starts the server, and stops it gracefully on SIGINT/SIGTERM. */
export async function serveUntilStopped(ctx: CommandContext): Promise<RunningServer> {
  const { store, artifacts } = await ctx.openHome();
  const server = await startServer({ store, artifacts, logger: ctx.logger, host: ctx.config.host, port: ctx.config.port });
  // Drain in-flight requests and flush the prediction log, then close the store and leave.
  void closeOnSignals(server.app).closed.then(async () => {
    await store.close().catch((err: unknown) => ctx.logger.error({ err }, 'error while closing the store'));
    process.exit(0);
  });
  return server;
}
