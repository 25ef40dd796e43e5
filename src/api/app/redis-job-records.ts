/**
 * What Kiln keeps in Redis about each queued job, beside BullMQ's own entry (which carries only the
 * job's id and decides which worker runs it, with its lock and its stalled-job check):
 *
 *   <prefix>:job:<id>      hash: kind, model, work (JSON), home, status, submitted_at, started_at,
 *                          finished_at, worker, result / error (JSON), cancel, seq (last event id),
 *                          lost (times a worker running it was lost), lost_at (when the server put it
 *                          back to wait for a worker, ms on Redis's clock), requeued (the server has
 *                          told of its lost worker: BullMQ's own news of it, later, is not repeated),
 *                          noted_no_worker (the job has said it waits while no worker is connected)
 *   <prefix>:events:<id>   stream: the job's events, entry id `0-<n>` for event n — so the SSE id, the
 *                          Last-Event-ID a browser sends back and the stream position are one number
 *   <prefix>:jobs          sorted set: every job by submission time (newest listed first)
 *   <prefix>:queued        sorted set: the jobs waiting, by submission time (a job's rank = jobs ahead)
 *   <prefix>:running       sorted set: the jobs running, by start time (the server's watchdog checks them)
 *   <prefix>:cancel        pub/sub channel: the id of a running job to stop
 *
 * The server and the workers both write to a job (the server queues and cancels, a worker starts and
 * finishes it, either may end a job whose worker was lost), so every change of status is one Lua script:
 * a job ends exactly once, and its last event is always the one that says how it ended. Ended jobs and
 * their events expire after a week.
 */
import type { Redis } from 'ioredis';
import type { JobError, JobEvent, JobEventName, JobStatus, JobWork } from './training-jobs.js';
import type { JobView } from './job-queue.js';
import type { ShippedFiles } from './shipped-data.js';

/** A job as read from Redis; `queuePosition` is its rank among the waiting jobs. */
export interface RedisJobView extends JobView {
  readonly queuePosition: number | undefined;
  /** The Kiln home of the server that queued it: its uploads' paths start there. */
  readonly home: string;
  /** Whether cancelling was asked for (a running job stops when its worker hears it). */
  readonly cancelRequested: boolean;
  /** The worker that runs it, or ran it last. */
  readonly worker: string | undefined;
  /** Times a worker running it was lost (it runs again once; the second time it fails). */
  readonly lost: number;
  /** When the server put it back to wait after its worker was lost with no other connected (ms, Redis's clock). */
  readonly lostAt: number | undefined;
  /** Whether it has said that it waits while no worker is connected. */
  readonly notedNoWorker: boolean;
  /** Its data files carried in the artifact store, for workers that share no folder with the server (shipped-data.ts). */
  readonly files: ShippedFiles;
}

export type FinalStatus = 'succeeded' | 'failed' | 'cancelled';

/** Kiln's keys start with this unless told otherwise (tests give each run its own). */
export const DEFAULT_QUEUE_PREFIX = 'kiln';
/** BullMQ's queue of job ids; its keys start with `<prefix>:bull`. */
export const BULL_QUEUE_NAME = 'jobs';
/** What BullMQ's queue entry carries: only the id (the work is in the job's record). */
export interface BullJobData {
  readonly id: string;
}

const FINISHED_TTL_S = 7 * 24 * 3600;

const IS_FINAL = `local function final(s) return s == 'succeeded' or s == 'failed' or s == 'cancelled' end`;

/**
 * KEYS: job, events. ARGV: event, data, most stored, once-flag ('' = none: a field set by the first emit
 * that names it, so that event is said once). → the event's id, or 0 (job ended or gone, progress over
 * the cap, or said already).
 */
const EMIT = `${IS_FINAL}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or final(status) then return 0 end
if ARGV[1] == 'progress' and redis.call('XLEN', KEYS[2]) >= tonumber(ARGV[3]) then return 0 end
if ARGV[4] ~= '' and redis.call('HSETNX', KEYS[1], ARGV[4], '1') == 0 then return 0 end
local n = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('XADD', KEYS[2], '0-' .. n, 'event', ARGV[1], 'data', ARGV[2])
return n`;

/**
 * KEYS: job, queued, running. ARGV: id, started_at, worker, started_at ms. → 1 started, 2 started again
 * (its last worker was lost), 0 not to run. A job still `running` was handed over by BullMQ's stalled-job
 * check (its worker was lost: counted here); one with lost_at was put back by the server (counted then).
 */
const START = `${IS_FINAL}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or final(status) or redis.call('HGET', KEYS[1], 'cancel') == '1' then return 0 end
local again = status == 'running' or redis.call('HEXISTS', KEYS[1], 'lost_at') == 1
if status == 'running' then redis.call('HINCRBY', KEYS[1], 'lost', 1) end
redis.call('HSET', KEYS[1], 'status', 'running', 'started_at', ARGV[2], 'worker', ARGV[3])
redis.call('HDEL', KEYS[1], 'lost_at')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], tonumber(ARGV[4]), ARGV[1])
if again then return 2 end
return 1`;

/**
 * KEYS: job, events, queued, running. ARGV: id, worker, note (JSON), submitted_at ms. A running job
 * whose worker `ARGV[2]` was lost goes back to waiting, saying so. → the note's id, or 0 when the job is
 * no longer running on that worker (it ended, or another worker has it).
 */
const REQUEUE = `local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'running' or redis.call('HGET', KEYS[1], 'worker') ~= ARGV[2] then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'status', 'queued', 'lost_at', now, 'requeued', '1', 'noted_no_worker', '1')
redis.call('HINCRBY', KEYS[1], 'lost', 1)
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[3], tonumber(ARGV[4]), ARGV[1])
local n = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('XADD', KEYS[2], '0-' .. n, 'event', 'note', 'data', ARGV[3])
return n`;

/**
 * KEYS: job, events, queued, running. ARGV: id, status, event, data, finished_at, field ('' = none), field
 * value, ttl, only-from status ('' = any unfinished). → the last event's id, or 0 when the job had already ended.
 */
const FINISH = `${IS_FINAL}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or final(status) then return 0 end
if ARGV[9] ~= '' and status ~= ARGV[9] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'finished_at', ARGV[5])
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], ARGV[6], ARGV[7]) end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
local n = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('XADD', KEYS[2], '0-' .. n, 'event', ARGV[3], 'data', ARGV[4])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[8]))
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[8]))
return n`;

/** The events that end a job's stream: nothing follows them. */
export const TERMINAL_EVENTS: ReadonlySet<string> = new Set(['done', 'failed', 'cancelled']);

export class RedisJobRecords {
  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
  ) {}

  get cancelChannel(): string {
    return `${this.prefix}:cancel`;
  }

  jobKey(id: string): string {
    return `${this.prefix}:job:${id}`;
  }

  /** The job's events (a stream: the event feed reads it, redis-event-feed.ts). */
  eventsKey(id: string): string {
    return `${this.prefix}:events:${id}`;
  }

  private get jobsKey(): string {
    return `${this.prefix}:jobs`;
  }

  private get queuedKey(): string {
    return `${this.prefix}:queued`;
  }

  private get runningKey(): string {
    return `${this.prefix}:running`;
  }

  /** Records a new waiting job. */
  async create(id: string, work: JobWork, home: string, submittedAt: Date, files: ShippedFiles = {}): Promise<void> {
    const model = work.kind === 'train' ? work.loaded.spec.name : work.input.model;
    await this.redis
      .multi()
      .hset(this.jobKey(id), { id, kind: work.kind, model, work: JSON.stringify(work), home, files: JSON.stringify(files), status: 'queued', submitted_at: submittedAt.toISOString(), seq: 0 })
      .zadd(this.jobsKey, submittedAt.getTime(), id)
      .zadd(this.queuedKey, submittedAt.getTime(), id)
      .exec();
  }

  /** The job, or undefined when there is none (never queued, or expired). */
  async read(id: string): Promise<RedisJobView | undefined> {
    const replies = await this.redis.multi().hgetall(this.jobKey(id)).zrank(this.queuedKey, id).exec();
    const fields = replies?.[0]?.[1] as Record<string, string> | undefined;
    const rank = replies?.[1]?.[1] as number | null | undefined;
    if (fields === undefined || fields['status'] === undefined || fields['work'] === undefined) return undefined;
    return toView(fields, fields['status'] === 'queued' && typeof rank === 'number' ? rank : undefined);
  }

  /** Job ids, newest first; ids whose records have expired are dropped from the list. */
  async ids(limit: number): Promise<string[]> {
    return this.redis.zrevrange(this.jobsKey, 0, limit - 1);
  }

  /** Forgets ids past the newest `keep` (their records expire on their own). */
  async trim(keep: number): Promise<void> {
    await this.redis.zremrangebyrank(this.jobsKey, 0, -(keep + 1));
  }

  /** Forgets a job whose record is gone (expired, or deleted by hand). */
  async forget(id: string): Promise<void> {
    await this.redis.multi().zrem(this.jobsKey, id).zrem(this.queuedKey, id).zrem(this.runningKey, id).exec();
  }

  /** The ids of the jobs running or waiting (oldest first). */
  async unfinished(): Promise<string[]> {
    const replies = await this.redis.multi().zrange(this.runningKey, 0, '-1').zrange(this.queuedKey, 0, '-1').exec();
    return (replies ?? []).flatMap(([, ids]) => (Array.isArray(ids) ? (ids as string[]) : []));
  }

  /**
   * Appends an event to an unfinished job; its id, or 0 when it was not kept. With `once`, the event is
   * said only the first time an emit names that flag (a field of the job's record).
   */
  async emit(id: string, event: JobEventName, data: unknown, maxStored: number, once = ''): Promise<number> {
    return Number(await this.redis.eval(EMIT, 2, this.jobKey(id), this.eventsKey(id), event, JSON.stringify(data), maxStored, once));
  }

  /** Marks the job running on `worker`; 'again' when a lost worker had started it; 'skip' when it must not run. */
  async start(id: string, worker: string): Promise<'started' | 'again' | 'skip'> {
    const now = new Date();
    const outcome = Number(await this.redis.eval(START, 3, this.jobKey(id), this.queuedKey, this.runningKey, id, now.toISOString(), worker, now.getTime()));
    return outcome === 1 ? 'started' : outcome === 2 ? 'again' : 'skip';
  }

  /**
   * Puts a job whose worker was lost back to waiting, with a note saying why; false when it no longer
   * runs on `worker` (it ended meanwhile, or another worker took it).
   */
  async requeueLost(job: RedisJobView, worker: string, message: string): Promise<boolean> {
    const note = JSON.stringify({ type: 'note', message });
    const n = await this.redis.eval(REQUEUE, 4, this.jobKey(job.id), this.eventsKey(job.id), this.queuedKey, this.runningKey, job.id, worker, note, job.submittedAt.getTime());
    return Number(n) > 0;
  }

  /**
   * Whether the server has put the job back to wait after its worker was lost, and told so, since
   * last asked: BullMQ then reports the same loss (its stalled-job check, in the next worker), which
   * need not be told twice.
   */
  async takeRequeued(id: string): Promise<boolean> {
    return (await this.redis.hdel(this.jobKey(id), 'requeued')) === 1;
  }

  /**
   * Ends the job with its last event (`done` {result}, `failed` {error}, `cancelled` {message}); false when
   * it had already ended (or, with `onlyFrom`, was no longer in that status).
   */
  async finish(id: string, status: FinalStatus, data: { result: Record<string, unknown> } | { error: JobError } | { message: string }, onlyFrom?: JobStatus): Promise<boolean> {
    const [field, value] = 'result' in data ? ['result', JSON.stringify(data.result)] : 'error' in data ? ['error', JSON.stringify(data.error)] : ['', ''];
    const event = status === 'succeeded' ? 'done' : status;
    const n = await this.redis.eval(
      FINISH, 4, this.jobKey(id), this.eventsKey(id), this.queuedKey, this.runningKey,
      id, status, event, JSON.stringify(data), new Date().toISOString(), field, value, FINISHED_TTL_S, onlyFrom ?? '',
    );
    return Number(n) > 0;
  }

  /** Asks the worker running the job to stop it. */
  async requestCancel(id: string): Promise<void> {
    await this.redis.hset(this.jobKey(id), 'cancel', '1');
    await this.redis.publish(this.cancelChannel, id);
  }

  async cancelRequested(id: string): Promise<boolean> {
    return (await this.redis.hget(this.jobKey(id), 'cancel')) === '1';
  }
}

/** A job's event from its stream entry (`0-<n>`, fields event and data). */
export function toEvent(entryId: string, fields: string[]): JobEvent {
  const value = (name: string) => fields[fields.indexOf(name) + 1] ?? '';
  return { id: Number(entryId.split('-')[1]), event: value('event') as JobEventName, data: JSON.parse(value('data') || 'null') as unknown };
}

function toView(fields: Record<string, string>, queuePosition: number | undefined): RedisJobView {
  const work = JSON.parse(fields['work'] as string) as JobWork;
  const date = (name: string) => (fields[name] === undefined ? undefined : new Date(fields[name]));
  return {
    id: fields['id'] as string,
    work,
    model: fields['model'] as string,
    status: fields['status'] as JobStatus,
    submittedAt: date('submitted_at') as Date,
    startedAt: date('started_at'),
    finishedAt: date('finished_at'),
    spec: work.kind === 'train' ? work.loaded.spec : work.input.spec,
    result: fields['result'] === undefined ? undefined : (JSON.parse(fields['result']) as Record<string, unknown>),
    error: fields['error'] === undefined ? undefined : (JSON.parse(fields['error']) as JobError),
    queuePosition,
    home: fields['home'] ?? '',
    cancelRequested: fields['cancel'] === '1',
    worker: fields['worker'],
    lost: Number(fields['lost'] ?? 0),
    lostAt: fields['lost_at'] === undefined ? undefined : Number(fields['lost_at']),
    notedNoWorker: fields['noted_no_worker'] === '1',
    files: fields['files'] === undefined ? {} : (JSON.parse(fields['files']) as ShippedFiles),
    lastEventId: Number(fields['seq'] ?? 0),
  };
}
