/**
 * What Kiln keeps in Redis about each queued job, beside BullMQ's own entry (which carries only the
 * job's id and decides which worker runs it, with its lock and its stalled-job check):
 *
 *   <prefix>:job:<id>      hash: kind, model, work (JSON), home, status, submitted_at, started_at,
 *                          finished_at, worker, result / error (JSON), cancel, seq (last event id)
 *   <prefix>:events:<id>   stream: the job's events, entry id `0-<n>` for event n — so the SSE id, the
 *                          Last-Event-ID a browser sends back and the stream position are one number
 *   <prefix>:jobs          sorted set: every job by submission time (newest listed first)
 *   <prefix>:queued        sorted set: the jobs waiting, by submission time (a job's rank = jobs ahead)
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

/** A job as read from Redis; `queuePosition` is its rank among the waiting jobs. */
export interface RedisJobView extends JobView {
  readonly queuePosition: number | undefined;
  /** The Kiln home of the server that queued it: its uploads' paths start there. */
  readonly home: string;
  /** Whether cancelling was asked for (a running job stops when its worker hears it). */
  readonly cancelRequested: boolean;
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

/** KEYS: job, events. ARGV: event, data, most stored. → the event's id, or 0 (job ended or gone, or progress over the cap). */
const EMIT = `${IS_FINAL}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or final(status) then return 0 end
if ARGV[1] == 'progress' and redis.call('XLEN', KEYS[2]) >= tonumber(ARGV[3]) then return 0 end
local n = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('XADD', KEYS[2], '0-' .. n, 'event', ARGV[1], 'data', ARGV[2])
return n`;

/** KEYS: job, queued. ARGV: id, started_at, worker. → 1 started, 2 started again (its last worker was lost), 0 not to run. */
const START = `${IS_FINAL}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or final(status) or redis.call('HGET', KEYS[1], 'cancel') == '1' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'running', 'started_at', ARGV[2], 'worker', ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[1])
if status == 'running' then return 2 end
return 1`;

/**
 * KEYS: job, events, queued. ARGV: id, status, event, data, finished_at, field ('' = none), field value,
 * ttl, only-from status ('' = any unfinished). → the last event's id, or 0 when the job had already ended.
 */
const FINISH = `${IS_FINAL}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or final(status) then return 0 end
if ARGV[9] ~= '' and status ~= ARGV[9] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'finished_at', ARGV[5])
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], ARGV[6], ARGV[7]) end
redis.call('ZREM', KEYS[3], ARGV[1])
local n = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('XADD', KEYS[2], '0-' .. n, 'event', ARGV[3], 'data', ARGV[4])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[8]))
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[8]))
return n`;

const TERMINAL: ReadonlySet<string> = new Set(['done', 'failed', 'cancelled']);

export class RedisJobRecords {
  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
  ) {}

  get cancelChannel(): string {
    return `${this.prefix}:cancel`;
  }

  private jobKey(id: string): string {
    return `${this.prefix}:job:${id}`;
  }

  private eventsKey(id: string): string {
    return `${this.prefix}:events:${id}`;
  }

  private get jobsKey(): string {
    return `${this.prefix}:jobs`;
  }

  private get queuedKey(): string {
    return `${this.prefix}:queued`;
  }

  /** Records a new waiting job. */
  async create(id: string, work: JobWork, home: string, submittedAt: Date): Promise<void> {
    const model = work.kind === 'train' ? work.loaded.spec.name : work.input.model;
    await this.redis
      .multi()
      .hset(this.jobKey(id), { id, kind: work.kind, model, work: JSON.stringify(work), home, status: 'queued', submitted_at: submittedAt.toISOString(), seq: 0 })
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

  async forget(id: string): Promise<void> {
    await this.redis.zrem(this.jobsKey, id);
  }

  /** Appends an event to an unfinished job; its id, or 0 when it was not kept. */
  async emit(id: string, event: JobEventName, data: unknown, maxStored: number): Promise<number> {
    return Number(await this.redis.eval(EMIT, 2, this.jobKey(id), this.eventsKey(id), event, JSON.stringify(data), maxStored));
  }

  /** Marks the job running on `worker`; 'again' when a lost worker had started it; 'skip' when it must not run. */
  async start(id: string, worker: string): Promise<'started' | 'again' | 'skip'> {
    const outcome = Number(await this.redis.eval(START, 2, this.jobKey(id), this.queuedKey, id, new Date().toISOString(), worker));
    return outcome === 1 ? 'started' : outcome === 2 ? 'again' : 'skip';
  }

  /**
   * Ends the job with its last event (`done` {result}, `failed` {error}, `cancelled` {message}); false when
   * it had already ended (or, with `onlyFrom`, was no longer in that status).
   */
  async finish(id: string, status: FinalStatus, data: { result: Record<string, unknown> } | { error: JobError } | { message: string }, onlyFrom?: JobStatus): Promise<boolean> {
    const [field, value] = 'result' in data ? ['result', JSON.stringify(data.result)] : 'error' in data ? ['error', JSON.stringify(data.error)] : ['', ''];
    const event = status === 'succeeded' ? 'done' : status;
    const n = await this.redis.eval(
      FINISH, 3, this.jobKey(id), this.eventsKey(id), this.queuedKey,
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

  /**
   * Follows the job's events after `afterEventId` on a connection of its own (XREAD BLOCK holds it),
   * calling `listener` for each until the last one or until `stop` aborts. While Redis is away it waits
   * and reads on; a listener that throws ends the following.
   */
  async follow(id: string, afterEventId: number, listener: (event: JobEvent) => void, stop: AbortSignal): Promise<void> {
    const reader = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: false });
    reader.on('error', () => {}); // reconnection attempts; the loop below just reads again
    const quit = () => reader.disconnect();
    stop.addEventListener('abort', quit);
    let last = `0-${afterEventId}`;
    try {
      while (!stop.aborted) {
        let reply: [string, [string, string[]][]][] | null;
        try {
          reply = (await reader.xread('COUNT', 500, 'BLOCK', 10_000, 'STREAMS', this.eventsKey(id), last)) as typeof reply;
        } catch {
          if (stop.aborted) return;
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          continue;
        }
        if (reply === null) {
          // nothing new for a while: stop following a job whose records have expired meanwhile
          if ((await reader.exists(this.jobKey(id))) === 0) return;
          continue;
        }
        for (const [entryId, fields] of reply[0]?.[1] ?? []) {
          last = entryId;
          const event = toEvent(entryId, fields);
          listener(event);
          if (TERMINAL.has(event.event)) return;
        }
      }
    } finally {
      stop.removeEventListener('abort', quit);
      reader.disconnect();
    }
  }
}

function toEvent(entryId: string, fields: string[]): JobEvent {
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
  };
}
