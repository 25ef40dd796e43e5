/**
 * The server's side of the Redis job queue (`kiln serve --queue redis://…`): jobs are queued in BullMQ
 * instead of run in the server, and `kiln worker` processes — on this machine or others — take them
 * (redis-job-worker.ts). The routes see the same JobQueue as with the in-process runner.
 *
 * BullMQ decides which worker runs a job and notices a worker that died (its lock is not renewed: the
 * job "stalls", goes back to the queue once, and fails the second time). Kiln's own record of each job —
 * its status, result or coded error, and its events for Server-Sent Events with replay — is kept beside
 * it (redis-job-records.ts), written by the server and the workers alike. BullMQ's check runs inside
 * workers only, so the server watches the workers' heartbeats too (redis-job-watchdog.ts): a job whose
 * only worker died waits for the next one, saying so, instead of showing `running` for ever.
 *
 * Event streams share one Redis connection, whatever their number (redis-event-feed.ts).
 *
 * Redis away does not stop the server: at start-up the server logs QUEUE_UNAVAILABLE and goes on
 * serving predictions, job requests answer QUEUE_UNAVAILABLE (503) until Redis is back, and the
 * connections retry on their own. Closing the server leaves queued and running jobs to the workers.
 */
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { KilnError } from '../../core/errors.js';
import type { LoadedSpec } from '../../modules/spec.js';
import type { VersionCurvesInput } from '../../modules/tabular/version-curves.js';
import type { JobQueue } from './job-queue.js';
import { connectRedis, newRedis, redactedUrl } from './redis-connection.js';
import { RedisEventFeed } from './redis-event-feed.js';
import { BULL_QUEUE_NAME, DEFAULT_QUEUE_PREFIX, RedisJobRecords, type BullJobData, type RedisJobView } from './redis-job-records.js';
import { NO_WORKER_NOTE, RedisJobWatchdog, workerLost } from './redis-job-watchdog.js';
import { RedisWorkerRegistry } from './redis-worker-registry.js';
import { shipDataFiles } from './shipped-data.js';
import type { ArtifactStore } from '../../store/store.js';
import { FINAL_STATUSES, type JobListener, type JobWork } from './training-jobs.js';

export interface RedisJobQueueOptions {
  /** redis://HOST:PORT (or rediss://). */
  readonly url: string;
  /** The server's Kiln home: job records name it, so workers find uploads under their own mount of it. */
  readonly home: string;
  readonly logger: Logger;
  /** Key prefix (default `kiln`); the workers must use the same. */
  readonly prefix?: string;
  /** Most jobs waiting at once (default 20). */
  readonly maxQueued?: number;
  /** Jobs listed (default 100 finished ones plus those waiting). */
  readonly keepFinished?: number;
  /** Events a job keeps for replay (default 20,000; later progress events are dropped). */
  readonly maxStoredEvents?: number;
  /** How long start-up waits for Redis before logging it as unavailable (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** How often the server looks for jobs whose worker is gone (default 5 s). */
  readonly watchIntervalMs?: number;
  /** How long a job whose worker was lost, with none other connected, waits for one before it fails JOB_WORKER_LOST (default 10 min). */
  readonly workerGraceMs?: number;
  /**
   * Where a job's data files under `home` are put for workers that share no folder with the server (the
   * bucket of `--artifacts s3://…`); absent: workers read them through a shared mount of the home.
   */
  readonly shipDataThrough?: ArtifactStore;
  /** How long the event reader blocks in one read (default 10 s; it is woken sooner whenever a stream opens). */
  readonly eventBlockMs?: number;
}


export class RedisJobQueue implements JobQueue {
  private readonly records: RedisJobRecords;
  private readonly registry: RedisWorkerRegistry;
  private readonly watchdog: RedisJobWatchdog;
  private readonly feed: RedisEventFeed;
  /** BullMQ's side, made once Redis first answers (BullMQ checks the server's version as it is made). */
  private bullmq: { readonly queue: Queue<BullJobData>; readonly events: QueueEvents } | undefined;
  private readonly maxQueued: number;
  private readonly keepFinished: number;
  private readonly maxStoredEvents: number;
  private readonly shownUrl: string;
  private available = false;
  private closed = false;

  private constructor(
    private readonly options: RedisJobQueueOptions,
    private readonly redis: Redis,
    private readonly blocking: Redis,
    private readonly eventReader: Redis,
  ) {
    const prefix = options.prefix ?? DEFAULT_QUEUE_PREFIX;
    this.records = new RedisJobRecords(redis, prefix);
    this.registry = new RedisWorkerRegistry(redis, prefix);
    this.maxQueued = options.maxQueued ?? 20;
    this.keepFinished = options.keepFinished ?? 100;
    this.maxStoredEvents = options.maxStoredEvents ?? 20_000;
    this.shownUrl = redactedUrl(options.url);
    this.watchdog = new RedisJobWatchdog({
      records: this.records,
      registry: this.registry,
      bull: () => this.bull,
      logger: options.logger,
      graceMs: options.workerGraceMs ?? 10 * 60_000,
      maxStoredEvents: this.maxStoredEvents,
    });
    this.feed = new RedisEventFeed(eventReader, redis, this.records, { logger: options.logger, ...(options.eventBlockMs === undefined ? {} : { blockMs: options.eventBlockMs }) });
    redis.on('ready', () => {
      if (!this.available) options.logger.info({ queue: this.shownUrl }, 'training jobs go to the Redis queue');
      this.available = true;
      this.bullmq ??= this.attach(prefix);
      if (!this.closed) this.watchdog.start(options.watchIntervalMs ?? 5_000);
    });
    redis.on('close', () => {
      if (this.available && !this.closed) options.logger.error({ code: 'QUEUE_UNAVAILABLE', queue: this.shownUrl }, 'the Redis job queue is unreachable: job requests fail until it is back (predictions are served as usual)');
      this.available = false;
    });
  }

  private attach(prefix: string): { queue: Queue<BullJobData>; events: QueueEvents } {
    const queue = new Queue<BullJobData>(BULL_QUEUE_NAME, { connection: this.redis, prefix: `${prefix}:bull` });
    const events = new QueueEvents(BULL_QUEUE_NAME, { connection: this.blocking, prefix: `${prefix}:bull` });
    queue.on('error', () => {}); // outages are logged once, from the connection's own events
    events.on('error', () => {});
    // A job whose worker stopped renewing its lock: BullMQ puts it back in the queue (said in its
    // events), or, the second time, fails it — then the job ends JOB_WORKER_LOST, for the SSE followers too.
    events.on('stalled', ({ jobId }) => {
      const note = async () => {
        // a job the watchdog put back to wait (no worker was alive) has said so already
        if (await this.records.takeRequeued(jobId)) return;
        await this.records.emit(jobId, 'note', { type: 'note', message: 'the kiln worker running this job stopped answering: the job goes back to the queue and starts again on the next free worker' }, this.maxStoredEvents);
      };
      void note().catch(() => {});
    });
    events.on('failed', ({ jobId, failedReason }) => {
      void this.records.finish(jobId, 'failed', { error: workerLost(jobId, failedReason) }).catch(() => {});
    });
    return { queue, events };
  }

  /** BullMQ's queue; QUEUE_UNAVAILABLE while Redis is away. */
  private get bull(): Queue<BullJobData> {
    if (this.redis.status !== 'ready' || this.bullmq === undefined) {
      throw new KilnError('QUEUE_UNAVAILABLE', { url: this.shownUrl, reason: `Redis is not connected (${this.redis.status})` });
    }
    return this.bullmq.queue;
  }

  /**
   * Connects to the queue. A URL that is not redis:// throws QUEUE_UNAVAILABLE; a Redis that does not
   * answer is logged as QUEUE_UNAVAILABLE and retried in the background, and the server starts anyway.
   */
  static async open(options: RedisJobQueueOptions): Promise<RedisJobQueue> {
    // named, so `CLIENT LIST` tells the server's connections apart (BullMQ renames the one it blocks on)
    const name = `${options.prefix ?? DEFAULT_QUEUE_PREFIX}:server`;
    const redis = newRedis(options.url, 'commands', name);
    const blocking = newRedis(options.url, 'blocking', `${name}:bullmq-events`);
    const eventReader = newRedis(options.url, 'blocking', `${name}:job-events`);
    // connecting starts before BullMQ sees the clients, so it never starts a second connect of its own
    for (const client of [redis, blocking, eventReader]) client.connect().catch(() => {}); // awaited below, retried on their own
    const queue = new RedisJobQueue(options, redis, blocking, eventReader);
    try {
      await connectRedis(redis, options.url, options.connectTimeoutMs);
    } catch (err) {
      const kiln = err instanceof KilnError ? err : new KilnError('QUEUE_UNAVAILABLE', { url: queue.shownUrl, reason: String(err) });
      options.logger.error({ code: kiln.code, hint: kiln.hint }, `${kiln.message}; training jobs cannot be submitted until it answers (predictions are served as usual)`);
    }
    return queue;
  }

  submit(loaded: LoadedSpec): Promise<RedisJobView> {
    return this.guarded(() => this.enqueue({ kind: 'train', loaded }));
  }

  submitCurves(input: VersionCurvesInput): Promise<RedisJobView> {
    return this.guarded(() => this.enqueueCurves(input));
  }

  private async enqueueCurves(input: VersionCurvesInput): Promise<RedisJobView> {
    const same = (await this.listJobs()).find(
      (j) => j.work.kind === 'curves' && j.work.input.model === input.model && j.work.input.version === input.version && (j.status === 'succeeded' || !FINAL_STATUSES.has(j.status)),
    );
    return same ?? this.enqueue({ kind: 'curves', input });
  }

  private async enqueue(work: JobWork): Promise<RedisJobView> {
    this.ensureAvailable();
    const [waiting, active, live] = await Promise.all([this.bull.getWaitingCount(), this.bull.getActiveCount(), this.registry.live()]);
    const workers = live.names.length;
    if (waiting >= this.maxQueued) throw new KilnError('JOB_QUEUE_FULL', { queued: waiting });
    const id = randomUUID();
    const ship = this.options.shipDataThrough;
    const files = ship !== undefined && work.kind === 'train' ? await shipDataFiles(work.loaded, this.options.home, ship) : {};
    // the record first: a worker that takes the job at once finds it
    await this.records.create(id, work, this.options.home, new Date(), files);
    await this.bull.add('job', { id }, { jobId: id, attempts: 1, removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } });
    await this.records.trim(this.keepFinished + this.maxQueued);
    if (workers === 0) {
      // said once: the watchdog says it of every job that waits while no worker is connected
      await this.records.emit(id, 'note', { type: 'note', message: NO_WORKER_NOTE }, this.maxStoredEvents, 'noted_no_worker');
    } else if (waiting + active > 0) {
      await this.records.emit(id, 'note', { type: 'note', message: `waiting for ${waiting + active} job(s) ahead: ${workers} kiln worker(s) take jobs from this queue` }, this.maxStoredEvents);
    }
    return this.getJob(id);
  }

  get(id: string): Promise<RedisJobView> {
    return this.guarded(() => this.getJob(id));
  }

  private async getJob(id: string): Promise<RedisJobView> {
    this.ensureAvailable();
    const job = await this.records.read(id);
    if (job === undefined) throw new KilnError('JOB_NOT_FOUND', { id });
    return this.watchdog.reconcile(job);
  }

  list(): Promise<RedisJobView[]> {
    return this.guarded(() => this.listJobs());
  }

  private async listJobs(): Promise<RedisJobView[]> {
    this.ensureAvailable();
    const ids = await this.records.ids(this.keepFinished + this.maxQueued);
    const jobs = await Promise.all(ids.map((id) => this.records.read(id)));
    const live = jobs.some((job) => job !== undefined && !FINAL_STATUSES.has(job.status)) ? await this.registry.live() : undefined;
    const found: RedisJobView[] = [];
    for (const [i, job] of jobs.entries()) {
      if (job !== undefined) found.push(await this.watchdog.reconcile(job, live));
      else await this.records.forget(ids[i] as string); // expired
    }
    return found;
  }

  queuePosition(job: RedisJobView): number | undefined {
    return job.queuePosition;
  }

  cancel(id: string): Promise<RedisJobView> {
    return this.guarded(() => this.cancelJob(id));
  }

  private async cancelJob(id: string): Promise<RedisJobView> {
    const job = await this.getJob(id);
    if (FINAL_STATUSES.has(job.status)) throw new KilnError('JOB_FINISHED', { id, status: job.status });
    // a waiting job ends here and now, unless a worker has taken it meanwhile
    if (job.status === 'queued' && (await this.records.finish(id, 'cancelled', { message: 'cancelled before it started' }, 'queued'))) {
      // its queue entry goes too; a worker that takes it first finds it ended and skips it
      await (await this.bull.getJob(id))?.remove().catch(() => {});
      return this.getJob(id);
    }
    await this.records.requestCancel(id);
    return this.getJob(id);
  }

  subscribe(job: RedisJobView, afterEventId: number, listener: JobListener): () => void {
    return this.feed.follow(job.id, afterEventId, listener);
  }

  /** Server shutdown: followers stop, the connections close; the jobs stay with the workers. */
  async close(): Promise<void> {
    this.closed = true;
    this.watchdog.stop();
    await Promise.allSettled([this.feed.close(), this.bullmq?.events.close(), this.bullmq?.queue.close()]);
    this.redis.disconnect();
    this.blocking.disconnect();
    this.eventReader.disconnect();
  }

  /** Redis failing under a request (it went away meanwhile) is QUEUE_UNAVAILABLE, not an internal error. */
  private async guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof KilnError) throw err;
      throw new KilnError('QUEUE_UNAVAILABLE', { url: this.shownUrl, reason: err instanceof Error ? err.message : String(err) }, { cause: err });
    }
  }

  private ensureAvailable(): void {
    void this.bull; // throws QUEUE_UNAVAILABLE while Redis is away
  }
}
