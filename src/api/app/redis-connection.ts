/**
 * Redis connections for the job queue (`kiln serve --queue`, `kiln worker --queue`). Two kinds:
 *
 *   commands  — fail fast while Redis is away (no offline queue, one retry), so an HTTP request about
 *               jobs answers QUEUE_UNAVAILABLE at once instead of hanging until Redis is back;
 *   blocking  — for BullMQ's workers and event readers and for following a job's events (XREAD BLOCK):
 *               they wait through an outage, as BullMQ requires (`maxRetriesPerRequest: null`).
 *
 * Both reconnect on their own, every two seconds at most, for as long as the process runs. The URL is
 * checked first, and its password never appears in an error or a log line. Each connection may carry a
 * name (CLIENT SETNAME, `<prefix>:server…`, `<prefix>:worker…`), so `CLIENT LIST` on the Redis shows
 * whose connection is whose.
 */
import { Redis } from 'ioredis';
import { KilnError } from '../../core/errors.js';

export type RedisRole = 'commands' | 'blocking';

/** The URL as it may be shown: the password replaced. */
export function redactedUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}

/** QUEUE_UNAVAILABLE unless `url` is a redis:// or rediss:// URL. */
export function checkQueueUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new KilnError('QUEUE_UNAVAILABLE', { url: redactedUrl(url), reason: 'it is not a URL (expected redis://HOST:PORT)' });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new KilnError('QUEUE_UNAVAILABLE', { url: redactedUrl(url), reason: `the queue is a Redis server, named redis://HOST:PORT or rediss://HOST:PORT, not ${parsed.protocol}//` });
  }
  if (parsed.hostname === '') throw new KilnError('QUEUE_UNAVAILABLE', { url: redactedUrl(url), reason: 'the URL names no host' });
}

/** A client that has not connected yet (connectRedis connects it); `name` is its CLIENT SETNAME. */
export function newRedis(url: string, role: RedisRole, name?: string): Redis {
  checkQueueUrl(url);
  const redis = new Redis(url, {
    lazyConnect: true,
    // a client name may not hold spaces or newlines; a key prefix might
    ...(name === undefined ? {} : { connectionName: name.replace(/\s+/g, '_') }),
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...(role === 'commands' ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 } : { enableOfflineQueue: true, maxRetriesPerRequest: null }),
  });
  // ioredis reports every failed reconnection as an 'error' event; the owners log outages themselves,
  // and an 'error' event without a listener would end the process
  redis.on('error', () => {});
  return redis;
}

/**
 * Connects `redis`: QUEUE_UNAVAILABLE (with the reason) when the first attempt fails or Redis has not
 * answered within `timeoutMs`. The client keeps trying in the background either way.
 */
export async function connectRedis(redis: Redis, url: string, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return;
  let timer: NodeJS.Timeout | undefined;
  let onError: ((err: Error) => void) | undefined;
  let onReady: (() => void) | undefined;
  try {
    const outcome = await new Promise<string | undefined>((resolve) => {
      onReady = () => resolve(undefined);
      onError = (err) => resolve(err.message || String(err));
      redis.once('ready', onReady);
      redis.once('error', onError);
      timer = setTimeout(() => resolve(`no answer within ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
      timer.unref(); // a caller that gave up (another client failed first) must not be held up by it
      if (redis.status === 'wait') redis.connect().catch(() => {}); // the outcome arrives as 'ready' or 'error'
    });
    if (outcome !== undefined) throw new KilnError('QUEUE_UNAVAILABLE', { url: redactedUrl(url), reason: `Redis does not answer (${outcome})` });
  } finally {
    clearTimeout(timer);
    if (onReady !== undefined) redis.off('ready', onReady);
    if (onError !== undefined) redis.off('error', onError);
  }
}
