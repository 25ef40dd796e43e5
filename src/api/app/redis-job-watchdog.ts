/**
 * The server's watch over queued jobs whose `kiln worker` is gone — so that a job never shows `running`
 * for ever, nor waits without saying why.
 *
 * BullMQ notices a dead worker through its lock on the job, but only from inside a live worker (its
 * stalled-job check): with no worker left, nothing would notice. So the workers also beat a heartbeat
 * (redis-worker-registry.ts), and the server looks — every few seconds, and whenever a job is read:
 *
 *   - a job `running` on a worker whose heartbeat ran out, while another worker is alive: left to BullMQ,
 *     as before (that worker's stalled-job check puts it back in the queue once, fails it the second time);
 *   - the same with no worker alive: the job goes back to `queued`, saying "waiting for a worker", and the
 *     next worker to connect runs it again (BullMQ's check in that worker hands it over) — the same one
 *     retry a surviving worker would have given it. If none connects within the grace period, or the job
 *     had lost a worker before, it ends `failed` JOB_WORKER_LOST;
 *   - a job waiting while no worker is alive says so, once: "waiting for a worker: none is connected";
 *   - a job whose BullMQ entry failed, or is gone while it runs, ends JOB_WORKER_LOST (BullMQ failed it
 *     while no server listened, or its worker could not write the outcome).
 *
 * Every change is one of the records' Lua scripts, conditional on the job's state, so servers watching
 * the same Redis, and workers starting the job meanwhile, never step on each other.
 */
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { KilnError } from '../../core/errors.js';
import type { BullJobData, RedisJobRecords, RedisJobView } from './redis-job-records.js';
import type { LiveWorkers, RedisWorkerRegistry } from './redis-worker-registry.js';
import { FINAL_STATUSES, type JobError } from './training-jobs.js';

export interface RedisJobWatchdogParts {
  readonly records: RedisJobRecords;
  readonly registry: RedisWorkerRegistry;
  /** BullMQ's queue (throws QUEUE_UNAVAILABLE while Redis is away). */
  readonly bull: () => Queue<BullJobData>;
  readonly logger: Logger;
  /** How long a job whose worker was lost waits for another before it fails JOB_WORKER_LOST. */
  readonly graceMs: number;
  readonly maxStoredEvents: number;
}


/** The note of a job that waits while no worker is connected. */
export const NO_WORKER_NOTE = 'waiting for a worker: none is connected to the queue — the job starts when one is (`kiln worker --queue …`)';

export class RedisJobWatchdog {
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(private readonly parts: RedisJobWatchdogParts) {}

  /** Looks at every unfinished job every `intervalMs`, until stopped. */
  start(intervalMs: number): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at every job running or waiting; failures (Redis away) wait for the next. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const ids = await this.parts.records.unfinished();
      if (ids.length === 0) return;
      const live = await this.parts.registry.live();
      for (const id of ids) {
        const job = await this.parts.records.read(id);
        if (job !== undefined) await this.reconcile(job, live);
        else await this.parts.records.forget(id); // its record is gone: nothing to watch
      }
    } catch (err) {
      this.parts.logger.debug({ err }, 'checking the queued jobs\' workers failed; trying again later');
    } finally {
      this.sweeping = false;
    }
  }

  /** The job as it stands once its workers have been looked at (`live`: the workers alive, when known). */
  async reconcile(job: RedisJobView, live?: LiveWorkers): Promise<RedisJobView> {
    if (FINAL_STATUSES.has(job.status)) return job;
    const changed = (await this.endedInBullmq(job)) || (await this.checkWorkers(job, live ?? (await this.parts.registry.live())));
    return changed ? ((await this.parts.records.read(job.id)) ?? job) : job;
  }

  /** A job that looks unfinished whose BullMQ entry says otherwise ends JOB_WORKER_LOST; whether it did. */
  private async endedInBullmq(job: RedisJobView): Promise<boolean> {
    const entry = await this.parts.bull().getJob(job.id);
    const state = entry === undefined ? 'missing' : await entry.getState();
    const lost = state === 'failed' || (job.status === 'running' && (state === 'completed' || state === 'missing' || state === 'unknown'));
    if (!lost) return false;
    const reason = entry?.failedReason || (state === 'completed' ? 'it ended without recording an outcome' : 'its queue entry is gone');
    return this.parts.records.finish(job.id, 'failed', { error: workerLost(job.id, reason) });
  }

  /** Whether the job changed: put back to wait, failed, or noted as waiting with no worker. */
  private async checkWorkers(job: RedisJobView, live: LiveWorkers): Promise<boolean> {
    const { records, graceMs, maxStoredEvents } = this.parts;
    const noneAlive = live.names.length === 0;
    if (job.status === 'running') {
      const worker = job.worker;
      // alive, or left to the stalled-job check of a live worker (BullMQ puts it back in the queue or fails it)
      if (worker === undefined || live.names.includes(worker) || !noneAlive) return false;
      if (job.lost >= 1) return this.fail(job, `kiln worker ${worker} stopped answering, and the job had lost a worker before`);
      const message = `waiting for a worker: kiln worker ${worker}, which ran this job, stopped answering and none is connected — the job starts again when one connects (\`kiln worker --queue …\`), or fails JOB_WORKER_LOST if none has within ${duration(graceMs)}`;
      const requeued = await records.requeueLost(job, worker, message);
      if (requeued) this.parts.logger.warn({ job: job.id, worker }, 'the kiln worker running a job stopped answering and no other is connected: the job waits for one');
      return requeued;
    }
    if (job.status !== 'queued' || !noneAlive) return false;
    if (job.lostAt !== undefined && live.now - job.lostAt >= graceMs) {
      return this.fail(job, `no kiln worker connected within ${duration(graceMs)} after kiln worker ${job.worker ?? '?'} running it stopped answering`, 'queued');
    }
    if (job.notedNoWorker) return false;
    return (await records.emit(job.id, 'note', { type: 'note', message: NO_WORKER_NOTE }, maxStoredEvents, 'noted_no_worker')) > 0;
  }

  /** Ends the job JOB_WORKER_LOST (unless it ended, or left `onlyFrom`, meanwhile) and drops its queue entry. */
  private async fail(job: RedisJobView, reason: string, onlyFrom?: 'queued'): Promise<boolean> {
    const ended = await this.parts.records.finish(job.id, 'failed', { error: workerLost(job.id, reason) }, onlyFrom);
    if (!ended) return false;
    this.parts.logger.warn({ job: job.id, reason }, 'job failed: its kiln worker was lost');
    // a worker connecting later would otherwise be handed the entry, only to find the job ended
    await (await this.parts.bull().getJob(job.id))?.remove().catch(() => {});
    return true;
  }
}

/** The coded error of a job whose worker was lost. */
export function workerLost(id: string, reason: string): JobError {
  const kiln = new KilnError('JOB_WORKER_LOST', { id, reason });
  return { code: kiln.code, error: kiln.message, ...(kiln.hint === undefined ? {} : { hint: kiln.hint }) };
}

function duration(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 6_000) / 10} min` : `${Math.round(ms / 100) / 10} s`;
}
