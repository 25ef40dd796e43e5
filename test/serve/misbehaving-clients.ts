/**
 * Clients that go away at the wrong moment, over a raw TCP socket (fetch cannot stop half-way through a
 * body), and a logger that keeps what the server logs, for comparing the infer fast path with the Fastify
 * route (test/serve/infer-fast-path.test.ts).
 */
import { connect, type Socket } from 'node:net';
import type { Server } from 'node:http';
import pino, { type Logger } from 'pino';

/** One log line as the test compares it: without the fields that differ from run to run. */
export type LogLine = Record<string, unknown>;

export interface CapturedLog {
  readonly logger: Logger;
  /** The lines logged since the last call, oldest first, without `time`, `pid` and `hostname`. */
  take(): LogLine[];
  /** Waits until a line with this request id has been logged (without taking it). */
  waitForRequest(reqId: string): Promise<void>;
}

/** A logger at info (as `kiln serve` runs) whose lines are kept in memory. */
export function captureLog(): CapturedLog {
  let lines: LogLine[] = [];
  // pino writes each line synchronously to a stream's write()
  const logger = pino({ level: 'info' }, { write: (text: string) => void lines.push(JSON.parse(text) as LogLine) });
  return {
    logger,
    take() {
      const taken = lines.map(({ time: _time, pid: _pid, hostname: _hostname, ...rest }) => rest);
      lines = [];
      return taken;
    },
    waitForRequest: (reqId) => waitFor(() => lines.some((line) => line['reqId'] === reqId), `a log line for request ${reqId}`),
  };
}

/** Polls `ready` every few milliseconds; fails naming `what` after `timeoutMs`. */
export async function waitFor(ready: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await ready())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** An HTTP/1.1 POST as text, with a JSON body and the given request id. */
export function postText(path: string, body: string, requestId: string): string {
  const lines = [`POST ${path} HTTP/1.1`, 'host: 127.0.0.1', 'content-type: application/json', `x-request-id: ${requestId}`, `content-length: ${Buffer.byteLength(body)}`];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** A connection to the server: the client's end and the server's end of it (to see what the server has read and written). */
export interface Connection {
  readonly client: Socket;
  readonly server: Socket;
}

export async function openConnection(server: Server, port: number): Promise<Connection> {
  let accepted: Socket | undefined;
  const onConnection = (socket: Socket): void => void (accepted = socket);
  server.on('connection', onConnection);
  try {
    const client = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    await waitFor(() => accepted !== undefined, 'the server to accept the connection');
    return { client, server: accepted as Socket };
  } finally {
    server.off('connection', onConnection);
  }
}

/** Whether the server has read every byte the client has written. */
export const allRead = ({ client, server }: Connection): boolean => server.bytesRead === client.bytesWritten;

/** How a client goes away: `close` (FIN, as a process that exits) or `reset` (RST, as a killed connection). */
export type Departure = 'close' | 'reset';

/** The client goes away; resolves once the server's end of the connection is closed too. */
export async function leave({ client, server }: Connection, how: Departure): Promise<void> {
  if (how === 'reset') client.resetAndDestroy();
  else client.destroy();
  await waitFor(() => server.closed, 'the server to close its end of the connection');
}

/**
 * Sends the headers and the first half of a body, waits until the server has read them, then goes away;
 * resolves once the server has closed the connection.
 */
export async function stopMidBody(server: Server, port: number, path: string, body: string, requestId: string, how: Departure): Promise<void> {
  const connection = await openConnection(server, port);
  const text = postText(path, body, requestId);
  connection.client.write(text.slice(0, text.length - Math.floor(body.length / 2)));
  await waitFor(() => allRead(connection), `the server to read the start of request ${requestId}`);
  await leave(connection, how);
}

/**
 * Makes the server's socket fail while an answer is being written: the client sends requests one at a
 * time on one connection without reading the answers, until the kernel's buffers are full and an answer
 * waits in the server's socket; then it resets the connection. Each request is sent only once the server
 * has read the previous one and handed its answer to the socket, so no request is left half-read (that
 * would be the other case, a client stopping mid-body). Returns the error the server's socket got.
 */
export async function resetWhileAnswering(server: Server, port: number, path: string, body: string, answerBytes: number): Promise<Error | null> {
  const connection = await openConnection(server, port);
  const { client, server: socket } = connection;
  client.pause(); // never read: the answers pile up in the kernel's buffers, then in the server's socket
  for (let sent = 1; socket.writableLength === 0; sent++) {
    if (sent > 2000) throw new Error('the answers never filled the socket buffers');
    client.write(postText(path, body, `stuck-${sent}`));
    // read by the server and answered (a socket's bytesWritten counts what waits in it too)
    await waitFor(() => allRead(connection) && socket.bytesWritten >= sent * answerBytes, `the server to answer request ${sent}`);
  }
  await leave(connection, 'reset');
  return socket.errored;
}
