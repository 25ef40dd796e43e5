/**
 * The worker's side of the Redis job queue (`kiln worker --queue redis://…`): takes jobs off BullMQ's
 * queue, `concurrency` at a time, and runs each exactly as the server's in-process runner would — in a
 * worker thread of its own (worker-trainer.ts), which opens the shared store and artifact folder — while
 * its events go to the job's record in Redis (redis-job-records.ts), where the server follows them.
 *
 * Training in a thread also keeps this process's main thread free to renew BullMQ's lock on the job, and
 * its heartbeat (redis-worker-registry.ts): a worker that dies stops renewing both. BullMQ's stalled-job
 * check (run by every worker) then puts the job back in the queue once, and fails it the second time
 * (the server ends it JOB_WORKER_LOST); with no worker left to run that check, the server, seeing no
 * heartbeat, puts the job back to wait for the next worker itself (redis-job-watchdog.ts).
 *
 * Cancelling: the server publishes the job's id; the worker running it aborts it through BullMQ
 * (`worker.cancelJob`, the processor's AbortSignal), the training unwinds and the job ends `cancelled`.
 * Closing the worker (SIGINT/SIGTERM) stops taking jobs and cancels the running ones the same way.
 */
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { asKilnError, KilnError } from '../../core/errors.js';
import { trainJson } from '../../cli/train.js';
import { keepDataNotes, notesJson } from '../../modules/data-notes.js';
import { connectRedis, newRedis } from './redis-connection.js';
import { BULL_QUEUE_NAME, DEFAULT_QUEUE_PREFIX, RedisJobRecords, type BullJobData } from './redis-job-records.js';
import { keepAlive, RedisWorkerRegistry } from './redis-worker-registry.js';
import { rehomeSpec } from './shared-home.js';
import { receiveDataFiles } from './shipped-data.js';
import { join } from 'node:path';
import { openArtifacts } from '../../store/open-store.js';
import type { ArtifactStore } from '../../store/store.js';
import type { JobEventName } from './training-jobs.js';
import type { WorkerError } from './training-worker.js';
import { workerCurves, workerTrainer } from './worker-trainer.js';

export interface RedisJobWorkerOptions {
  /** redis://HOST:PORT, the server's --queue. */
  readonly url: string;
  /** This worker's Kiln home (absolute): its artifact folder, and its mount of the server's uploads. */
  readonly home: string;
  /** The shared store (PostgreSQL, for workers on other machines). */
  readonly storeUrl: string;
  /**
   * The shared artifact store when not `<home>/artifacts` (`s3://BUCKET/PREFIX` for workers that share no
   * folder with the server: jobs' data files arrive through it too, shipped-data.ts).
   */
  readonly artifactsUrl?: string;
  readonly logger: Logger;
  /** Jobs run at once (default 1: a training uses every core it is given). */
  readonly concurrency?: number;
  /** Key prefix (default `kiln`), the server's. */
  readonly prefix?: string;
  /**
   * BullMQ's lock on a running job, renewed at half this, and this worker's heartbeat, renewed at a third
   * of it (default 30 s): how long a dead worker goes unnoticed.
   */
  readonly lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker was lost (default 30 s). */
  readonly stalledIntervalMs?: number;
  /** How long start-up waits for Redis (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** Events a job keeps for replay (default 20,000; later progress events are dropped). */
  readonly maxStoredEvents?: number;
}

export class RedisJobWorker {
  private constructor(
    private readonly worker: Worker<BullJobData>,
    private readonly clients: readonly Redis[],
    private readonly closing: AbortController,
    private readonly heartbeat: { stop(): Promise<void> },
    readonly name: string,
  ) {}

  /** Connects and starts taking jobs; QUEUE_UNAVAILABLE when the URL is not Redis or Redis does not answer. */
  static async start(options: RedisJobWorkerOptions): Promise<RedisJobWorker> {
    const prefix = options.prefix ?? DEFAULT_QUEUE_PREFIX;
    const name = `${hostname()}:${process.pid}`;
    // named, so `CLIENT LIST` tells this worker's connections apart (BullMQ renames the one it blocks on)
    const commands = newRedis(options.url, 'commands', `${prefix}:worker:${name}`);
    const subscriber = newRedis(options.url, 'blocking', `${prefix}:worker:${name}:cancel`);
    const blocking = newRedis(options.url, 'blocking', `${prefix}:worker:${name}:bullmq`);
    const clients = [commands, subscriber, blocking];
    try {
      await Promise.all(clients.map((client) => connectRedis(client, options.url, options.connectTimeoutMs)));
    } catch (err) {
      for (const client of clients) client.disconnect();
      throw err;
    }
    const records = new RedisJobRecords(commands, prefix);
    let artifacts: ArtifactStore;
    try {
      artifacts = await openArtifacts(options.artifactsUrl ?? join(options.home, 'artifacts'));
    } catch (err) {
      for (const client of clients) client.disconnect();
      throw err;
    }
    const lockDurationMs = options.lockDurationMs ?? 30_000;
    const maxStoredEvents = options.maxStoredEvents ?? 20_000;
    const threads = {
      home: options.home,
      storeUrl: options.storeUrl,
      ...(options.artifactsUrl === undefined ? {} : { artifactsUrl: options.artifactsUrl }),
      logError: (err: WorkerError) => options.logger.error({ err }, 'job worker thread failed'),
    };
    const closing = new AbortController();
    const run = jobRunner({ records, artifacts, train: workerTrainer(threads), curves: workerCurves(threads), home: options.home, name, maxStoredEvents, logger: options.logger, closing: closing.signal });

    const worker = new Worker<BullJobData>(
      BULL_QUEUE_NAME,
      // three parameters: BullMQ passes an AbortSignal only to a processor that declares it
      async (job: Job<BullJobData>, _token: string | undefined, signal: AbortSignal | undefined) => {
        const stop = AbortSignal.any([closing.signal, ...(signal === undefined ? [] : [signal])]);
        await run(job.data.id, stop);
      },
      {
        connection: blocking,
        prefix: `${prefix}:bull`,
        name,
        concurrency: options.concurrency ?? 1,
        lockDuration: lockDurationMs,
        stalledInterval: options.stalledIntervalMs ?? 30_000,
        maxStalledCount: 1,
        autorun: false,
      },
    );
    worker.on('error', (err) => options.logger.warn({ err }, 'job queue error'));
    // alive before it takes a job: the server never sees a job running on a worker without a heartbeat
    const heartbeat = await keepAlive(new RedisWorkerRegistry(commands, prefix), name, lockDurationMs, {
      failed: (err) => options.logger.warn({ err }, 'this worker\'s heartbeat could not reach Redis: if it stays away, the server takes its jobs for lost'),
      back: () => options.logger.info('this worker\'s heartbeat reaches Redis again'),
    });
    const self = new RedisJobWorker(worker, clients, closing, heartbeat, name);

    // the server asks to cancel by publishing the job's id; only the worker running it has it active
    subscriber.on('message', (_channel: string, id: string) => {
      if (worker.cancelJob(id, 'cancelled')) options.logger.info({ job: id }, 'cancelling the job, as asked');
    });
    await subscriber.subscribe(records.cancelChannel);
    void worker.run().catch((err: unknown) => options.logger.error({ err }, 'the job worker stopped'));
    await worker.waitUntilReady();
    return self;
  }

  /**
   * Stops taking jobs, cancels the running ones, waits for them to end `cancelled`, leaves the live
   * workers (at once, rather than when its heartbeat runs out), disconnects.
   */
  async close(): Promise<void> {
    this.closing.abort(new KilnError('CANCELLED', { what: 'the job (its kiln worker is shutting down)' }));
    this.worker.cancelAllJobs('the kiln worker is shutting down');
    await this.worker.close();
    await this.heartbeat.stop().catch(() => {}); // Redis away: the heartbeat runs out on its own
    for (const client of this.clients) client.disconnect();
  }
}

interface JobRunnerParts {
  readonly records: RedisJobRecords;
  /** Where the jobs' shipped data files are fetched from. */
  readonly artifacts: ArtifactStore;
  readonly train: ReturnType<typeof workerTrainer>;
  readonly curves: ReturnType<typeof workerCurves>;
  readonly home: string;
  readonly name: string;
  readonly maxStoredEvents: number;
  readonly logger: Logger;
  /** Aborted when the worker shuts down. */
  readonly closing: AbortSignal;
}

/** Runs one job by id until it has ended (whatever happens, its record says how). */
function jobRunner(parts: JobRunnerParts): (id: string, stop: AbortSignal) => Promise<void> {
  const { records, logger } = parts;
  return async (id, stop) => {
    const started = await records.start(id, parts.name);
    if (started === 'skip') return; // cancelled while it waited, or expired
    const job = await records.read(id);
    if (job === undefined) return; // its record expired while it waited
    // events are written in the order they happen, one after another; a failed write is logged, never felt by training
    let written = Promise.resolve();
    const emit = (event: JobEventName, data: unknown) => {
      written = written.then(async () => {
        await records.emit(id, event, data, parts.maxStoredEvents);
      }).catch((err: unknown) => logger.warn({ err, job: id }, 'a job event could not be written to Redis'));
    };
    if (started === 'again') emit('note', { type: 'note', message: `the worker that ran this job was lost: starting again on ${parts.name}` });
    else emit('note', { type: 'note', message: `running on kiln worker ${parts.name}` });
    // a cancel published before this worker took the job was not heard: the record remembers it
    if (job.cancelRequested) {
      await written;
      await records.finish(id, 'cancelled', { message: 'cancelled' });
      return;
    }

    let outcome: Parameters<RedisJobRecords['finish']>[2];
    let status: 'succeeded' | 'failed' | 'cancelled';
    try {
      const { work } = job;
      if (work.kind === 'train') await receiveDataFiles(job.files, job.home, parts.home, parts.artifacts);
      // the data's notes are kept for the result too, as the server's own runner keeps them
      const data = keepDataNotes((event) => emit(event.type, event));
      const result =
        work.kind === 'train'
          ? { ...trainJson(await parts.train(rehomeSpec(work.loaded, job.home, parts.home), { signal: stop, onEvent: data.onEvent })), ...notesJson(data.notes) }
          : { ...(await parts.curves(work.input, { signal: stop, onPoint: (event) => emit('point', event) })) };
      [status, outcome] = ['succeeded', { result }];
    } catch (err) {
      if (stop.aborted) {
        [status, outcome] = ['cancelled', { message: parts.closing.aborted ? 'the kiln worker running it is shutting down' : 'cancelled' }];
      } else {
        const kiln = asKilnError(err);
        if (kiln.status >= 500) logger.error({ err, job: id, model: job.model }, 'training job failed');
        [status, outcome] = ['failed', { error: { code: kiln.code, error: kiln.message, ...(kiln.hint === undefined ? {} : { hint: kiln.hint }) } }];
      }
    }
    await written;
    await records.finish(id, status, outcome);
    logger.info({ job: id, model: job.model, status }, 'job ended');
  };
}
