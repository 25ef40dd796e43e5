/**
 * Which `kiln worker` processes are alive: each one beats a heartbeat into Redis while it runs, and the
 * server reads them to tell a job whose worker died from one still training, and a queue nobody takes
 * jobs from (redis-job-watchdog.ts).
 *
 *   <prefix>:workers   sorted set: worker name → the time its heartbeat runs out (ms, Redis's clock)
 *
 * A heartbeat lasts as long as BullMQ's lock on the worker's jobs (`--lock-duration`) and is renewed
 * three times as often, from the worker's main thread, like the lock — so "its heartbeat ran out" means
 * what "its lock ran out" means to BullMQ: the process died, or lost Redis for that long. Times are
 * Redis's own (TIME inside the scripts), so machines whose clocks disagree still agree on who is alive.
 *
 * Why not BullMQ's list of connected workers (CLIENT LIST)? A machine that lost power keeps its
 * connection listed until Redis's TCP keep-alive gives up on it (minutes); a heartbeat stops at once.
 */
import type { Redis } from 'ioredis';

/** Redis's clock in ms, inside a script. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: workers. ARGV: name, ttl ms. Also forgets the heartbeats that ran out. */
const BEAT = `${NOW}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return now`;

/** KEYS: workers. → {now, name…} of the workers whose heartbeat has not run out. */
const LIVE = `${NOW}
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
table.insert(live, 1, tostring(now))
return live`;

/** The workers alive at `now` (Redis's clock, ms). */
export interface LiveWorkers {
  readonly now: number;
  readonly names: readonly string[];
}

export class RedisWorkerRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get key(): string {
    return `${this.prefix}:workers`;
  }

  /** Says `name` is alive for the next `ttlMs`. */
  async beat(name: string, ttlMs: number): Promise<void> {
    await this.redis.eval(BEAT, 1, this.key, name, Math.max(1, Math.round(ttlMs)));
  }

  /** A worker that stops cleanly says so at once, instead of letting its heartbeat run out. */
  async leave(name: string): Promise<void> {
    await this.redis.zrem(this.key, name);
  }

  async live(): Promise<LiveWorkers> {
    const [now, ...names] = (await this.redis.eval(LIVE, 1, this.key)) as string[];
    return { now: Number(now), names };
  }
}

/**
 * Beats `name`'s heartbeat now and every third of `ttlMs` until stopped. A failed beat (Redis away) is
 * reported once per outage; the next one that succeeds says the worker is back.
 */
export async function keepAlive(
  registry: RedisWorkerRegistry,
  name: string,
  ttlMs: number,
  report: { failed(err: unknown): void; back(): void },
): Promise<{ stop(): Promise<void> }> {
  await registry.beat(name, ttlMs);
  let failing = false;
  let beating: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    beating = registry.beat(name, ttlMs).then(
      () => {
        if (failing) report.back();
        failing = false;
      },
      (err: unknown) => {
        if (!failing) report.failed(err);
        failing = true;
      },
    );
  }, Math.max(10, Math.floor(ttlMs / 3)));
  timer.unref(); // the worker's connections keep the process running, not its heartbeat
  return {
    async stop() {
      clearInterval(timer);
      await beating; // a beat in flight must not land after leave()
      await registry.leave(name);
    },
  };
}
