import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store, WebhookDelivery } from '../../src/store/store.js';
import { deliverDueWebhooks, retryDelayMs, WebhookDispatcher } from '../../src/store/webhooks/dispatcher.js';
import { versionInput } from './store-conformance.js';

const tempDirs: string[] = [];
function freshStore(): SqliteStore {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-webhooks-'));
  tempDirs.push(dir);
  return SqliteStore.open(join(dir, 'kiln.db'));
}
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

interface Received {
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** A receiver on 127.0.0.1 that answers 500 to the first `failures` POSTs of each delivery, then 204. */
async function receiver(failures: number): Promise<{ app: FastifyInstance; url: string; received: Received[] }> {
  const received: Received[] = [];
  const app = Fastify();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/hook', async (request, reply) => {
    received.push({ body: request.body as string, headers: request.headers });
    const attempt = received.filter((r) => r.headers['x-kiln-delivery'] === request.headers['x-kiln-delivery']).length;
    return reply.code(attempt <= failures ? 500 : 204).send();
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: `${url}/hook`, received };
}

async function waitFor(store: Store, predicate: (deliveries: WebhookDelivery[]) => boolean, timeoutMs = 20_000): Promise<WebhookDelivery[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const deliveries = await store.listDeliveries();
    if (predicate(deliveries)) return deliveries;
    if (Date.now() > deadline) throw new Error(`timed out; deliveries: ${JSON.stringify(deliveries)}`);
    await sleep(10);
  }
}

const fastPolicy = { baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 2000, leaseMs: 5000 };

describe('webhook delivery', () => {
  test('retryDelayMs doubles from the base and is capped', () => {
    const policy = { baseDelayMs: 1000, maxDelayMs: 10_000 };
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, policy)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  test('the dispatcher retries with backoff until the receiver accepts, and records every attempt', async () => {
    const store = freshStore();
    const { app, url, received } = await receiver(2);
    const dispatcher = new WebhookDispatcher({ store, pollMs: 10, policy: fastPolicy });
    try {
      await store.createWebhook({ url, secret: 'top-secret' });
      await store.createModelVersion(versionInput('titanic'));
      await store.setAlias('titanic', 'champion', 1);
      dispatcher.start();
      const deliveries = await waitFor(store, (ds) => ds.length === 2 && ds.every((d) => d.status === 'delivered'));
      // Both events were refused twice and accepted on the third attempt.
      assert.deepEqual(deliveries.map((d) => d.attempts), [3, 3]);
      assert.ok(deliveries.every((d) => d.lastError === null && d.deliveredAt !== null));
      assert.equal(received.length, 6);

      const created = received.filter((r) => r.headers['x-kiln-event'] === 'version.created');
      assert.equal(created.length, 3);
      const bodies = new Set(created.map((r) => r.body));
      assert.equal(bodies.size, 1, 'a retry sends the same event');
      const payload = JSON.parse(created[0]?.body ?? '') as { id: number; event: string; entity: string };
      assert.equal(payload.event, 'version.created');
      assert.equal(payload.entity, 'titanic:1');
      assert.equal(created[0]?.headers['x-kiln-event-id'], String(payload.id));
      const signature = `sha256=${createHmac('sha256', 'top-secret').update(created[0]?.body ?? '').digest('hex')}`;
      assert.equal(created[0]?.headers['x-kiln-signature'], signature);
    } finally {
      await dispatcher.stop();
      await app.close();
      await store.close();
    }
  });

  test('a delivery that keeps failing is marked failed after maxAttempts, with the last error', async () => {
    const store = freshStore();
    const { app, url, received } = await receiver(1000);
    const dispatcher = new WebhookDispatcher({ store, pollMs: 5, policy: { ...fastPolicy, baseDelayMs: 5, maxAttempts: 3 } });
    try {
      await store.createWebhook({ url, events: ['version.archived'] });
      await store.createModelVersion(versionInput('titanic'));
      await store.setVersionStatus('titanic', 1, 'archived');
      dispatcher.start();
      const [delivery] = await waitFor(store, (ds) => ds[0]?.status === 'failed');
      assert.equal(delivery?.attempts, 3);
      assert.equal(delivery?.lastError, 'the receiver answered HTTP 500');
      assert.equal(received.length, 3);
      assert.equal(delivery?.event, 'version.archived');
    } finally {
      await dispatcher.stop();
      await app.close();
      await store.close();
    }
  });

  test('an unreachable receiver is retried later, and one pass delivers what is due (the CLI path)', async () => {
    const store = freshStore();
    const { app, url, received } = await receiver(0);
    // Unreachable at first: every connection is cut as soon as it is accepted. (Closing the server and
    // listening again on its port later would race with other test files taking that free port.)
    let reachable = false;
    app.server.on('connection', (socket: Socket) => {
      if (!reachable) socket.destroy();
    });
    try {
      await store.createWebhook({ url });
      await store.createModelVersion(versionInput('titanic'));
      assert.equal(await deliverDueWebhooks(store, { policy: fastPolicy }), 1);
      const [pending] = await store.listDeliveries();
      assert.equal(pending?.status, 'pending');
      assert.equal(pending?.attempts, 1);
      assert.match(pending?.lastError ?? '', /could not reach/);
      assert.ok(Date.parse(pending?.nextAttemptAt ?? '') > Date.now() - 1000);
      assert.equal(received.length, 0);

      reachable = true;
      await sleep(30); // the retry is due after fastPolicy's 20 ms
      assert.equal(await deliverDueWebhooks(store, { policy: fastPolicy }), 1);
      const [delivered] = await store.listDeliveries();
      assert.deepEqual([delivered?.status, delivered?.attempts], ['delivered', 2]);
      assert.equal(await deliverDueWebhooks(store, { policy: fastPolicy }), 0, 'nothing is delivered twice');
      assert.equal(received.length, 1);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
