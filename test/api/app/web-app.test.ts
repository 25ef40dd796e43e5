/**
 * The built app at `/`: files from its folder, index.html for the app's own paths (single-page
 * fallback), coded 404s for unknown API paths, and a how-to-build page while nothing is built.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { webApp } from '../../../src/api/app/web-app.js';
import { KilnError } from '../../../src/core/errors.js';
import { replyWithError } from '../../../src/serve/rest/http-errors.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The web app mounted as the server mounts it: one error mapping, one not-found handler. */
async function serve(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  app.setErrorHandler((err, request, reply) => replyWithError(err, request, reply));
  app.setNotFoundHandler((request, reply) => replyWithError(new KilnError('ROUTE_NOT_FOUND', { method: request.method, url: request.url }), request, reply));
  app.get('/v2/health/live', async () => ({ live: true }));
  await app.register(webApp, { root });
  return app;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-web-'));
  dirs.push(dir);
  return dir;
}

describe('the web app at /', () => {
  test('a built app is served, with index.html for the app\'s own paths', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Kiln app</title>');
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'assets', 'app-1234.js'), 'console.log("kiln")');
    const app = await serve(root);
    try {
      const index = await app.inject({ method: 'GET', url: '/' });
      assert.equal(index.statusCode, 200);
      assert.match(index.body, /Kiln app/);
      const route = await app.inject({ method: 'GET', url: '/models/titanic?tab=report' });
      assert.equal(route.statusCode, 200);
      assert.match(route.body, /Kiln app/);
      assert.equal(route.headers['cache-control'], 'no-cache');
      const asset = await app.inject({ method: 'GET', url: '/assets/app-1234.js' });
      assert.equal(asset.statusCode, 200);
      assert.match(asset.body, /console\.log/);
      assert.match(String(asset.headers['cache-control']), /immutable/);
      // API paths never get the page; real API routes keep answering
      for (const url of ['/api/unknown', '/v1/nothing', '/v2/nope/deeper', '/metrics/x', '/api']) {
        const res = await app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 404, url);
        assert.equal(res.json().code, 'ROUTE_NOT_FOUND', url);
      }
      assert.deepEqual((await app.inject({ method: 'GET', url: '/v2/health/live' })).json(), { live: true });
      // no way out of the folder
      const escape = await app.inject({ method: 'GET', url: '/..%2f..%2fetc%2fpasswd' });
      assert.ok(!escape.body.includes('root:'), 'nothing outside the folder is served');
      // other methods are not the page's business
      assert.equal((await app.inject({ method: 'POST', url: '/data' })).statusCode, 404);
    } finally {
      await app.close();
    }
  });

  test('while nothing is built, / says how to build it', async () => {
    const app = await serve(join(tempDir(), 'dist'));
    try {
      const res = await app.inject({ method: 'GET', url: '/' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.match(res.body, /npm run build/);
    } finally {
      await app.close();
    }
  });
});
