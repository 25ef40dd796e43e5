/**
 * A server started with an access token: health probes and the app's files stay open, every other route
 * and gRPC call needs `Authorization: Bearer TOKEN` or the cookie a browser gets from `?token=…`; with
 * `openInference` predictions and model metadata are open while the registry, the app's API, the
 * repository control and /metrics stay private. The infer fast path (answered in front of Fastify) is
 * guarded like every route. The browser side (cookie, redirect, the app's API calls) runs in Chromium.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { AccessGuard } from '../../src/serve/access-token.js';
import { inferenceClient } from '../../src/serve/grpc/proto.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { ensureWebBuilt, launchChromium } from '../app/browser.js';
import { registerFixture, tempHome } from './fixture-module.js';
import { titanicRequest } from './harness.js';

const TOKEN = 's3cret-Token_1';

test('AccessGuard: which routes are open, and what counts as the token', () => {
  const guard = new AccessGuard({ token: TOKEN });
  const open = new AccessGuard({ token: TOKEN, openInference: true });
  const cases: [method: string, path: string, closed: boolean, withOpenInference: boolean][] = [
    ['GET', '/v2/health/live', true, true],
    ['GET', '/v2/health/ready', true, true],
    ['GET', '/', true, true],
    ['GET', '/assets/index-abc.js', true, true],
    ['GET', '/models/titanic', true, true], // the app's own page paths (single-page fallback)
    ['GET', '/openapi.json', true, true],
    ['POST', '/', false, false],
    ['POST', '/v2/models/titanic/infer', false, true],
    ['POST', '/v2/models/titanic/versions/2/infer', false, true],
    ['GET', '/v2/models/titanic', false, true],
    ['GET', '/v2/models/titanic/ready', false, true],
    ['GET', '/v2', false, true],
    ['POST', '/v1/models/titanic:predict', false, true],
    ['GET', '/v1/models/titanic', false, true],
    ['GET', '/v2/models/titanic/config', false, false],
    ['GET', '/v2/models/stats', false, false],
    ['GET', '/v2/models/titanic/stats', false, false],
    ['POST', '/v2/repository/index', false, false],
    ['POST', '/v2/repository/models/titanic/unload', false, false],
    ['GET', '/metrics', false, false],
    ['GET', '/api/models', false, false],
    ['POST', '/api/uploads', false, false],
  ];
  for (const [method, path, openWithout, openWithInference] of cases) {
    assert.equal(guard.isOpen(method, path), openWithout, `${method} ${path}`);
    assert.equal(open.isOpen(method, path), openWithInference, `${method} ${path} (open inference)`);
  }
  assert.ok(guard.carriesToken({ authorization: `Bearer ${TOKEN}` }));
  assert.ok(guard.carriesToken({ authorization: `bearer  ${TOKEN} ` }));
  assert.ok(guard.carriesToken({ cookie: `theme=dark; kiln_token=${encodeURIComponent(TOKEN)}` }));
  assert.ok(!guard.carriesToken({ authorization: `Bearer ${TOKEN}x` }));
  assert.ok(!guard.carriesToken({ authorization: TOKEN }), 'the scheme is part of the header');
  assert.ok(!guard.carriesToken({ cookie: 'kiln_token=%E0%A4%A' }), 'a malformed cookie is no token');
  assert.ok(!guard.carriesToken({}));
  assert.ok(guard.allowsCall('ServerLive', undefined));
  assert.ok(!guard.allowsCall('ModelInfer', undefined));
  assert.ok(guard.allowsCall('ModelInfer', `Bearer ${TOKEN}`));
  assert.ok(open.allowsCall('ModelInfer', undefined));
  assert.ok(!open.allowsCall('ModelStatistics', undefined));
});

describe('a server with an access token', () => {
  let home: Awaited<ReturnType<typeof tempHome>>;
  let server: RunningServer;
  let client: ReturnType<typeof inferenceClient>;

  before(async () => {
    await ensureWebBuilt();
    home = await tempHome();
    await registerFixture(home, { name: 'titanic' });
    server = await startServer({ store: home.store, artifacts: home.artifacts, home: home.home, access: { token: TOKEN }, logger: pino({ level: 'silent' }), port: 0, grpcPort: 0 });
    client = inferenceClient(server.grpc?.address ?? '');
  });
  after(async () => {
    client.close();
    await server.close();
    await home.remove();
  });

  const infer = (headers: Record<string, string> = {}) =>
    fetch(`${server.url}/v2/models/titanic/infer`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(titanicRequest()) });

  test('HTTP: 401 with a coded error and WWW-Authenticate without the token, answers with it', async () => {
    assert.equal((await fetch(`${server.url}/v2/health/ready`)).status, 200);
    const refused = await infer();
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="kiln"');
    const error = (await refused.json()) as { code: string; hint: string };
    assert.equal(error.code, 'UNAUTHORIZED');
    assert.match(error.hint, /Authorization: Bearer TOKEN/);
    assert.equal((await infer({ authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await infer({ authorization: `Bearer ${TOKEN}` })).status, 200, 'the fast path answers once the token is there');
    assert.equal((await fetch(`${server.url}/api/models`)).status, 401);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${server.url}/api/models`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    // the API description is open, and says how to authenticate
    const described = (await (await fetch(`${server.url}/openapi.json`)).json()) as { components: { securitySchemes: Record<string, { type: string; scheme: string }> }; security: unknown[] };
    assert.deepEqual(described.components.securitySchemes['accessToken'] && { type: described.components.securitySchemes['accessToken'].type, scheme: described.components.securitySchemes['accessToken'].scheme }, { type: 'http', scheme: 'bearer' });
    assert.deepEqual(described.security, [{}, { accessToken: [] }]);
  });

  test('a browser link with ?token= sets an HttpOnly cookie and drops the token from the address', async () => {
    const wrong = await fetch(`${server.url}/?token=nope`, { redirect: 'manual' });
    assert.equal(wrong.status, 401);
    const handed = await fetch(`${server.url}/models?token=${encodeURIComponent(TOKEN)}&tab=2`, { redirect: 'manual' });
    assert.equal(handed.status, 303);
    assert.equal(handed.headers.get('location'), '/models?tab=2');
    assert.match(handed.headers.get('set-cookie') ?? '', /^kiln_token=s3cret-Token_1; Path=\/; HttpOnly; SameSite=Strict$/);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/?token=${encodeURIComponent(TOKEN)}`);
      assert.equal(new URL(page.url()).search, '', 'the token left the address bar');
      assert.equal(await page.evaluate('document.cookie'), '', 'scripts cannot read the cookie');
      const status = await page.evaluate(async () => (await fetch('/api/models')).status);
      assert.equal(status, 200, "the app's API calls carry the cookie");
      const other = await browser.newPage(); // a fresh context has no cookie
      const stranger = await browser.newContext();
      const strangerPage = await stranger.newPage();
      await strangerPage.goto(`${server.url}/`);
      assert.equal(await strangerPage.evaluate(async () => (await fetch('/api/models')).status), 401);
      // the app itself says what to do, in its words, rather than a blank page or "401"
      await strangerPage.getByText('protected by an access token', { exact: false }).first().waitFor({ timeout: 30_000 });
      await other.close();
      await stranger.close();
    } finally {
      await browser.close();
    }
  });

  test('gRPC: health is open, the rest needs the token in the authorization metadata', async () => {
    const call = <T>(method: string, request: unknown, metadata = new grpc.Metadata()): Promise<T> =>
      new Promise((resolve, reject) =>
        (client[method] as (r: unknown, m: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: T) => void) => void).call(client, request, metadata, (err, res) => (err === null ? resolve(res) : reject(err))),
      );
    assert.deepEqual(await call('ServerLive', {}), { live: true });
    await assert.rejects(call('ModelMetadata', { name: 'titanic', version: '' }), (err: grpc.ServiceError) => err.code === grpc.status.UNAUTHENTICATED && /access token/.test(err.details));
    const withToken = new grpc.Metadata();
    withToken.set('authorization', `Bearer ${TOKEN}`);
    const meta = await call<{ name: string }>('ModelMetadata', { name: 'titanic', version: '' }, withToken);
    assert.equal(meta.name, 'titanic');
  });
});

describe('a server with an access token and open inference', () => {
  let home: Awaited<ReturnType<typeof tempHome>>;
  let server: RunningServer;

  before(async () => {
    home = await tempHome();
    await registerFixture(home, { name: 'titanic' });
    server = await startServer({ store: home.store, artifacts: home.artifacts, access: { token: TOKEN, openInference: true }, logger: pino({ level: 'silent' }), port: 0 });
  });
  after(async () => {
    await server.close();
    await home.remove();
  });

  test('predictions and metadata are open; the registry, repository control and metrics are not', async () => {
    const infer = await fetch(`${server.url}/v2/models/titanic/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(titanicRequest()) });
    assert.equal(infer.status, 200);
    const v1 = await fetch(`${server.url}/v1/models/titanic:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [{ Age: 3, Sex: 'female' }] }) });
    assert.equal(v1.status, 200);
    assert.equal((await fetch(`${server.url}/v2/models/titanic`)).status, 200);
    assert.equal((await fetch(`${server.url}/v2/models/titanic/config`)).status, 401);
    assert.equal((await fetch(`${server.url}/v2/repository/models/titanic/unload`, { method: 'POST' })).status, 401);
    assert.equal((await fetch(`${server.url}/api/models`)).status, 401);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${server.url}/v2/models/titanic/ready`)).status, 200, 'the model is still loaded');
  });
});
