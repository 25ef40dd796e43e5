/**
 * `kiln worker --queue redis://HOST:PORT [--concurrency N] [--lock-duration S]` (with the global `--home`,
 * `--store`, `--artifacts`): takes the training jobs that `kiln serve --queue` puts in Redis and runs them
 * with the same trainer as the server — each in a worker thread — registering versions in the store and
 * writing artifacts to the artifact store. Run as many as you like, on as many machines: they share the
 * store (PostgreSQL) and either the artifacts bucket (`--artifacts s3://…`, through which the server
 * also sends the jobs' uploads) or the home folder (an NFS mount or the like).
 *
 * Runs until SIGINT/SIGTERM: then it stops taking jobs, cancels the ones it runs (they end `cancelled`)
 * and leaves; a second signal leaves at once. A queue that cannot be reached at start is
 * QUEUE_UNAVAILABLE (exit code 1).
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { KilnError } from '../core/errors.js';
import { commandContext } from './context.js';

interface WorkerFlags {
  readonly queue?: string;
  readonly concurrency?: string;
  readonly lockDuration?: string;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run the training jobs queued by `kiln serve --queue` (Redis), sharing the store and the home folder with the server')
    .option('--queue <url>', 'the Redis queue, redis://HOST:PORT, as given to `kiln serve --queue` (env KILN_QUEUE_URL)')
    .option('--concurrency <n>', 'jobs run at once by this worker (default 1: a training uses every core it gets)')
    .option('--lock-duration <seconds>', 'how long a worker that stopped answering (died) keeps its jobs — its lock on them and its heartbeat — before they go back to the queue (default 30)')
    .action(async (opts: WorkerFlags, cmd: Command) => {
      const ctx = commandContext(cmd, { queue: opts.queue });
      const url = ctx.config.queue;
      if (url === undefined) {
        throw new KilnError('INVALID_PARAMS', { what: 'options', summary: '--queue redis://HOST:PORT (or KILN_QUEUE_URL) is required: the queue `kiln serve --queue` was given' });
      }
      const concurrency = parseWhole('--concurrency', opts.concurrency, 1, 64) ?? 1;
      const lockSeconds = parseWhole('--lock-duration', opts.lockDuration, 1, 3600);
      // loaded here: `kiln --help` and the other verbs should not load BullMQ
      const { RedisJobWorker } = await import('../api/app/redis-job-worker.js');
      const worker = await RedisJobWorker.start({
        url,
        home: ctx.config.home,
        storeUrl: ctx.config.store ?? join(ctx.config.home, 'kiln.db'),
        ...(ctx.config.artifacts === undefined ? {} : { artifactsUrl: ctx.config.artifacts }),
        logger: ctx.logger,
        concurrency,
        ...(lockSeconds === undefined ? {} : { lockDurationMs: lockSeconds * 1000, stalledIntervalMs: lockSeconds * 1000 }),
        ...(ctx.config.queuePrefix === undefined ? {} : { prefix: ctx.config.queuePrefix }),
      });
      stopOnSignals(() => worker.close(), ctx.logger);
      const { redactedUrl } = await import('../api/app/redis-connection.js');
      ctx.out.result({ worker: worker.name, queue: redactedUrl(url), concurrency, home: ctx.config.home }, () =>
        `kiln worker ${worker.name} takes jobs from ${redactedUrl(url)}, ${concurrency} at a time (Ctrl+C to stop)`,
      );
    });
}

function parseWhole(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new KilnError('INVALID_PARAMS', { what: 'options', summary: `${flag} must be a whole number from ${min} to ${max}, got "${text}"` });
  }
  return n;
}

/** The first signal closes the worker gracefully and exits 0; a second exits at once (130). */
function stopOnSignals(close: () => Promise<void>, logger: { info(msg: string): void; error(obj: object, msg: string): void }): void {
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info('stopping: running jobs are cancelled (press Ctrl-C again to quit at once)');
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping the worker');
        process.exit(3);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
