/**
 * Serving the no-code app at `/`: the files Vite built into `web/dist` (with @fastify/static), and
 * `index.html` for any other GET that is not an API route, so the app's own paths (`/data`, `/models/x`)
 * load the app, which then routes itself (single-page app fallback). `/api`, `/v1`, `/v2` and
 * `/metrics` are never answered with the page: an unknown API path stays a coded 404.
 *
 * Whether the app is built is checked per request, so `npm run build` while the server runs is enough.
 * When it is not built, `/` answers a short page saying how to build it.
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isAbsolute, join, relative } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { KilnError } from '../../core/errors.js';

export interface WebAppOptions {
  /** The built app (default: `web/dist` of this Kiln checkout or package). */
  readonly root?: string;
}

/** Three folders up from src/api/app (or dist/api/app) is the package root. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const API_PREFIXES = ['/api', '/v1', '/v2', '/metrics'];

export async function webApp(app: FastifyInstance, options: WebAppOptions): Promise<void> {
  const root = options.root ?? DEFAULT_WEB_ROOT;
  // serve: false — no routes of its own, only reply.sendFile, used by the one route below
  // logLevel: its start-up warning that the folder is missing is expected until the app is built
  await app.register(fastifyStatic, { root, serve: false, logLevel: 'error' });

  // the app's pages, not an API: left out of the OpenAPI document
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = decodePath(request.url);
    if (API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) {
      throw new KilnError('ROUTE_NOT_FOUND', { method: request.method, url: request.url });
    }
    if (!existsSync(join(root, 'index.html'))) return reply.type('text/html; charset=utf-8').send(notBuiltPage(root));
    const file = join(root, path);
    if (path !== '/' && isInside(root, file) && isFile(file)) {
      // Vite's hashed bundles never change under one name; everything else is checked each time
      const immutable = path.startsWith('/assets/');
      return reply.sendFile(relative(root, file), { maxAge: immutable ? 365 * 24 * 3600 * 1000 : 0, immutable });
    }
    // the page names the current bundles, so it is revalidated on every load
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  });
}

function decodePath(url: string): string {
  const path = url.split('?')[0] ?? '/';
  try {
    return decodeURIComponent(path);
  } catch {
    throw new KilnError('MALFORMED_REQUEST', { reason: `the path ${path} is not valid URL encoding` });
  }
}

function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function notBuiltPage(root: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Kiln</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>Kiln is running</h1>
<p>The web app is not built yet, so there is nothing to show here. The HTTP API is live: models answer under
<code>/v2/models</code> and <code>/v1/models</code>, and the app's API under <code>/api</code>.</p>
<p>To build the app, run this in the Kiln folder, then reload this page:</p>
<pre style="background: #f3f3f3; padding: 0.75rem">npm run build</pre>
<p style="color: #555">(Kiln looks for the built app in <code>${escapeHtml(root)}</code>.)</p>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
