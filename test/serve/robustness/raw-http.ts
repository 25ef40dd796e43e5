/**
 * One HTTP request exactly as written, for the robustness test: the path goes out unnormalised (fetch
 * would resolve `..` and re-encode `%zz`), the body is any bytes with any content type, and an answer
 * the server gives before reading the whole body (413 on a body beyond its limit, announced by
 * Content-Length) is read even though the rest of the upload then fails with EPIPE.
 */
import { request } from 'node:http';

export interface RawAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

export interface RawRequest {
  readonly method: string;
  /** The path and query, sent as they are. */
  readonly path: string;
  readonly body?: string | Buffer;
  /** Default application/json when there is a body. */
  readonly contentType?: string;
}

export function sendRaw(baseUrl: string, { method, path, body, contentType }: RawRequest): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let answered = false;
    const headers = body === undefined ? {} : { 'content-type': contentType ?? 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
    });
    // once the server has answered (and stopped reading), the rest of a large upload fails with EPIPE —
    // sometimes before the answer is read: it is given a moment to arrive
    req.on('error', (err) => {
      setTimeout(() => {
        if (!answered) reject(new Error(`${method} ${path.slice(0, 200)}: ${err.message}`));
      }, 2000).unref();
    });
    req.end(body);
  });
}
