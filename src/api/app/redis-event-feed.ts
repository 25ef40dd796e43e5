/**
 * The server's one reader of job events from Redis: every open event stream of every job (GET
 * /api/jobs/:id/events, one per browser tab) is served by a single connection that blocks on one XREAD
 * over all the job streams being watched — so a hundred open tabs cost Redis one connection, not a
 * hundred.
 *
 * Each follower keeps its own position (the last event id it was given), so replay from the start or
 * from a Last-Event-ID comes out of the same read as the live events: a job's stream is read from the
 * lowest position among its followers, and each event goes to the followers that have not had it —
 * every follower sees every event once, in order, with no gap between replay and live.
 *
 * The watched set changes while the reader is blocked (a tab opens, the last tab of a job closes): the
 * reader is then woken with CLIENT UNBLOCK, from the server's commands connection, and reads again over
 * the new set. Where CLIENT UNBLOCK is refused (a managed Redis may restrict CLIENT), the blocking read
 * times out within `blockMs` instead. With nobody following, the reader sends nothing at all.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JobListener } from './training-jobs.js';
import { TERMINAL_EVENTS, toEvent, type RedisJobRecords } from './redis-job-records.js';

export interface RedisEventFeedOptions {
  /** How long one XREAD blocks (default 10 s): a wake-up that could not be delivered waits at most this. */
  readonly blockMs?: number;
  readonly logger: Logger;
}

interface Follower {
  readonly job: string;
  /** The last event id it was given. */
  cursor: number;
  readonly listener: JobListener;
}

/** Events read per stream per XREAD: a long replay goes in rounds, so live streams are not held up behind it. */
const BATCH = 500;

type XreadReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

export class RedisEventFeed {
  /** Followers by job id. */
  private readonly followers = new Map<string, Set<Follower>>();
  private readonly blockMs: number;
  /** The reader's CLIENT ID (for CLIENT UNBLOCK); unknown until asked, and again after a reconnection. */
  private readerId: number | undefined;
  /** Counts the changes of the watched set: a read over an older set is read again. */
  private changes = 0;
  /** Counts the reads, so a wake-up knows whether the read it meant to interrupt is still under way. */
  private reads = 0;
  /** An XREAD is on its way to Redis or blocking there. */
  private reading = false;
  /** Resolves the wait of a reader with nothing to follow. */
  private resumeIdle: (() => void) | undefined;
  private closed = false;
  private readonly running: Promise<void>;

  constructor(
    private readonly reader: Redis,
    private readonly commands: Redis,
    private readonly records: RedisJobRecords,
    private readonly options: RedisEventFeedOptions,
  ) {
    this.blockMs = options.blockMs ?? 10_000;
    // a reconnected reader is another client for Redis: its id is asked again before the next read
    reader.on('close', () => (this.readerId = undefined));
    this.running = this.run();
  }

  /**
   * Gives `listener` the job's events after `afterEventId`, then the new ones as they come, until the
   * job's last event (or until the listener throws). Returns the function that stops following.
   */
  follow(job: string, afterEventId: number, listener: JobListener): () => void {
    const follower: Follower = { job, cursor: afterEventId, listener };
    let set = this.followers.get(job);
    if (set === undefined) this.followers.set(job, (set = new Set()));
    set.add(follower);
    this.wake(); // its replay, or its job's stream, is not in the read under way
    return () => this.drop(follower);
  }

  /** Server shutdown: the followers are dropped (their streams are ended by the routes) and the reader stops. */
  async close(): Promise<void> {
    this.closed = true;
    this.followers.clear();
    this.wake();
    this.reader.disconnect();
    await this.running;
  }

  private drop(follower: Follower): void {
    const set = this.followers.get(follower.job);
    if (set === undefined || !set.delete(follower)) return;
    if (set.size > 0) return;
    this.followers.delete(follower.job);
    // a stream nobody follows may stay in the read under way (what it brings is dropped); once nobody
    // follows anything, the reader stops blocking at once
    if (this.followers.size === 0) this.wake();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      if (this.followers.size === 0) {
        await new Promise<void>((resolve) => (this.resumeIdle = resolve));
        this.resumeIdle = undefined;
        continue;
      }
      const seen = this.changes;
      const jobs = [...this.followers.keys()];
      const keys = jobs.map((job) => this.records.eventsKey(job));
      const from = jobs.map((job) => `0-${Math.min(...[...(this.followers.get(job) ?? [])].map((f) => f.cursor))}`);
      let reply: XreadReply;
      try {
        this.readerId ??= Number(await this.reader.client('ID'));
        if (this.changes !== seen) continue; // the set changed while asking: read over the new one
        this.reads += 1;
        this.reading = true;
        reply = (await this.reader.xread('COUNT', BATCH, 'BLOCK', this.blockMs, 'STREAMS', ...keys, ...from)) as XreadReply;
      } catch (err) {
        if (this.closed) return;
        this.options.logger.debug({ err }, 'reading job events from Redis failed; reading again');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      } finally {
        this.reading = false;
      }
      if (reply === null) {
        // woken (the set changed) or nothing new for a while
        if (this.changes === seen) await this.dropExpired(jobs);
        continue;
      }
      for (const [key, entries] of reply) this.deliver(jobs[keys.indexOf(key)] as string, entries);
    }
  }

  private deliver(job: string, entries: [string, string[]][]): void {
    const set = this.followers.get(job);
    if (set === undefined) return; // nobody follows it any more
    for (const [entryId, fields] of entries) {
      const event = toEvent(entryId, fields);
      for (const follower of [...set]) {
        if (event.id <= follower.cursor || !set.has(follower)) continue;
        follower.cursor = event.id;
        try {
          follower.listener(event);
        } catch {
          this.drop(follower); // a listener that fails (its stream is gone) is not followed any further
          continue;
        }
        if (TERMINAL_EVENTS.has(event.event)) this.drop(follower);
      }
    }
  }

  /** Nothing new for a while: followers of jobs whose records have expired meanwhile are let go. */
  private async dropExpired(jobs: readonly string[]): Promise<void> {
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await jobs.reduce((pipeline, job) => pipeline.exists(this.records.jobKey(job)), this.reader.pipeline()).exec();
    } catch {
      return; // Redis away: the next read waits for it
    }
    for (const [i, job] of jobs.entries()) {
      if (replies?.[i]?.[1] !== 0) continue;
      for (const follower of [...(this.followers.get(job) ?? [])]) this.drop(follower);
    }
  }

  /**
   * Makes the reader read again over the current followers: at once when it waits with nothing to
   * follow, by CLIENT UNBLOCK when it blocks in a read. The read may not have reached Redis yet when
   * the wake-up does (they travel on two connections), so it is tried again, briefly, until that read
   * is interrupted or has ended.
   */
  private wake(): void {
    this.changes += 1;
    if (this.resumeIdle !== undefined) {
      this.resumeIdle();
      return;
    }
    // not reading: the loop is about to read, and sees the change before it does
    if (!this.reading) return;
    const read = this.reads;
    const interrupt = async (attempt: number): Promise<void> => {
      if (this.closed || !this.reading || this.reads !== read || this.readerId === undefined) return;
      const unblocked = await this.commands.client('UNBLOCK', this.readerId).catch(() => undefined);
      if (unblocked === undefined) return; // refused, or Redis away: the read times out instead
      if (Number(unblocked) === 1 || attempt >= 20) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
      await interrupt(attempt + 1);
    };
    void interrupt(0);
  }
}
