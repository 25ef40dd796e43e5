/**
 * The app API tests' world: a real Kiln server listening on a free port, on a fresh temporary home, and
 * small clients for JSON calls and for Server-Sent Events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer, type RunningServer } from '../../../src/serve/server.js';
import { openHome } from '../../../src/store/open-store.js';
import type { ArtifactStore, Store } from '../../../src/store/store.js';

export const TITANIC_CSV = new URL('../../../examples/titanic/titanic.csv', import.meta.url);

export interface AppServer {
  readonly url: string;
  /** The Fastify instance (its routes, for the OpenAPI test). */
  readonly app: RunningServer['app'];
  readonly home: string;
  readonly store: Store;
  readonly artifacts: ArtifactStore;
  /** JSON in, JSON out; never throws on an error status. */
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * `artifactsUrl`: keep the models' files there (e.g. an S3 bucket) instead of the home's folder.
 * `storeUrl`: the store (e.g. PostgreSQL) instead of the home's SQLite file — two servers given the same
 * ones are two replicas behind a load balancer, each with its own home.
 */
export async function startAppServer(options: { readonly artifactsUrl?: string; readonly storeUrl?: string } = {}): Promise<AppServer> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-app-api-'));
  const { store, artifacts, home } = await openHome(dir, options.storeUrl, {}, options.artifactsUrl);
  let server: RunningServer;
  try {
    server = await startServer({
      store,
      artifacts,
      home,
      ...(options.artifactsUrl === undefined ? {} : { artifactsUrl: options.artifactsUrl }),
      ...(options.storeUrl === undefined ? {} : { storeUrl: options.storeUrl }),
      logger: pino({ level: process.env['KILN_LOG_LEVEL'] ?? 'silent' }),
      host: '127.0.0.1',
      port: 0,
    });
  } catch (err) {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: server.url,
    app: server.app,
    home,
    store,
    artifacts,
    async call(method, path, body) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      const text = await res.text();
      return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
    },
    async close() {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SseEvent {
  readonly id: number;
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/**
 * Reads an event stream to its end (the server ends it after the job's last event), calling `onEvent`
 * for each event as it arrives. Comments (keep-alives) are skipped.
 */
export async function readEvents(url: string, onEvent: (e: SseEvent) => void = () => {}, headers: Record<string, string> = {}): Promise<SseEvent[]> {
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers } });
  if (res.headers.get('content-type')?.startsWith('text/event-stream') !== true) {
    throw new Error(`not an event stream: ${res.status} ${await res.text()}`);
  }
  const events: SseEvent[] = [];
  for await (const e of sseEvents(res)) {
    events.push(e);
    onEvent(e);
  }
  return events;
}

/** The events of a response's event stream as they arrive; comments (keep-alives) are skipped. */
export async function* sseEvents(res: Response): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        if (line.startsWith(':') || line === '') continue;
        const colon = line.indexOf(':');
        fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
      }
      if (!fields.has('event')) continue;
      yield { id: Number(fields.get('id')), event: fields.get('event') as string, data: JSON.parse(fields.get('data') ?? '{}') as Record<string, unknown> };
    }
  }
}
