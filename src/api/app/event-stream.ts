/**
 * Server-Sent Events over a Fastify reply: the response is taken over from Fastify (hijacked) and
 * written as `id:`/`event:`/`data:` blocks. A comment line every 15 s keeps proxies from closing a
 * quiet stream (a long fit may report nothing for a while). Open streams are tracked so that a
 * shutting-down server can end them instead of waiting for browsers to hang up.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

const KEEP_ALIVE_MS = 15_000;

export interface EventStream {
  send(id: number, event: string, data: unknown): void;
  end(): void;
  /** Called once, when the stream ends from either side (at once when it already has). */
  onClose(listener: () => void): void;
}

export class EventStreams {
  private readonly open = new Set<EventStream>();

  /** Starts an event stream as the answer to `request`. */
  start(request: FastifyRequest, reply: FastifyReply): EventStream {
    reply.hijack();
    const raw: ServerResponse = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // nginx: pass events through as they come
      'x-request-id': request.id,
    });
    raw.write(': kiln job events\n\n');
    const closeListeners: (() => void)[] = [];
    let ended = false;
    const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    keepAlive.unref();
    const finish = () => {
      if (ended) return;
      ended = true;
      clearInterval(keepAlive);
      this.open.delete(stream);
      for (const listener of closeListeners) listener();
    };
    const stream: EventStream = {
      send(id, event, data) {
        if (ended) return;
        raw.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      },
      end() {
        if (!ended) raw.end();
        finish();
      },
      onClose(listener) {
        // a stream that ended while its follower was being set up (awaited) still lets that follower go
        if (ended) listener();
        else closeListeners.push(listener);
      },
    };
    raw.on('close', finish);
    this.open.add(stream);
    return stream;
  }

  /** Ends every open stream (server shutdown). */
  endAll(): void {
    for (const stream of [...this.open]) stream.end();
  }
}

/** The `Last-Event-ID` a reconnecting EventSource sends (0 when absent or not a number). */
export function lastEventId(request: FastifyRequest): number {
  const given = request.headers['last-event-id'];
  const id = Number(typeof given === 'string' ? given : undefined);
  return Number.isInteger(id) && id > 0 ? id : 0;
}
