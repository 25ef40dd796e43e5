/**
 * Shutting the server down while a job trains and a browser follows it: the event stream ends, the
 * job's worker is stopped, and close() returns instead of waiting for the browser or the budget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readEvents, startAppServer, TITANIC_CSV, type SseEvent } from './app-server.js';

test('closing the server ends open event streams and stops the running job', async () => {
  const server = await startAppServer();
  let closed = false;
  try {
    const upload = (await (await fetch(`${server.url}/api/uploads?filename=titanic.csv`, { method: 'PUT', body: readFileSync(TITANIC_CSV) })).json()) as { source: string };
    const job = await server.call('POST', '/api/jobs', { spec: { name: 'long', data: upload.source, target: 'Survived', budget: '120s' } });
    let closing: Promise<void> | undefined;
    const events: SseEvent[] = await readEvents(`${server.url}/api/jobs/${job.json['id'] as string}/events`, (e) => {
      if (e.event === 'stage' && e.data['stage'] === 'search' && closing === undefined) closing = server.close();
    });
    closed = true;
    const started = performance.now();
    await closing;
    assert.ok(performance.now() - started < 10_000, 'close() did not wait for the 120 s budget');
    assert.ok(events.some((e) => e.event === 'stage' && e.data['stage'] === 'search'));
    assert.ok(!events.some((e) => e.event === 'done'), 'the job did not run to its end');
  } finally {
    if (!closed) await server.close();
  }
});
