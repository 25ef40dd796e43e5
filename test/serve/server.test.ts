import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import pino from 'pino';
import { closeOnSignals, startServer } from '../../src/serve/server.js';
import { registerFixture, tempHome } from './fixture-module.js';
import { gate, startHarness, storeWith, titanicRequest } from './harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test('request ids: a sane x-request-id is echoed, otherwise one is generated', async () => {
  const h = await startHarness();
  try {
    const given = await h.app.inject({ method: 'GET', url: '/v2', headers: { 'x-request-id': 'client-7' } });
    assert.equal(given.headers['x-request-id'], 'client-7');
    const generated = await h.app.inject({ method: 'GET', url: '/v2' });
    assert.match(String(generated.headers['x-request-id']), UUID);
    const insane = await h.app.inject({ method: 'GET', url: '/v2', headers: { 'x-request-id': 'a b\u0001c' } });
    assert.match(String(insane.headers['x-request-id']), UUID);
    // errors carry it too
    const missing = await h.app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': 'lost-1' } });
    assert.equal(missing.headers['x-request-id'], 'lost-1');
  } finally {
    await h.close();
  }
});

test('transport errors share the error shape, and the server keeps answering after each', async () => {
  const h = await startHarness({ bodyLimit: 4096 });
  const valid = async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v2/models/titanic/infer', payload: titanicRequest() });
    assert.equal(res.statusCode, 200, res.body);
  };
  try {
    const cases: { what: string; status: number; code: string; mentions: RegExp; send: InjectOptions }[] = [
      {
        what: 'malformed JSON',
        status: 400,
        code: 'MALFORMED_REQUEST',
        mentions: /not valid JSON/,
        send: { method: 'POST', url: '/v2/models/titanic/infer', payload: '{"inputs": [', headers: { 'content-type': 'application/json' } },
      },
      {
        what: 'empty body',
        status: 400,
        code: 'MALFORMED_REQUEST',
        mentions: /empty/,
        send: { method: 'POST', url: '/v2/models/titanic/infer', payload: '', headers: { 'content-type': 'application/json' } },
      },
      {
        what: 'body over the limit',
        status: 413,
        code: 'REQUEST_TOO_LARGE',
        mentions: /4096 bytes/,
        send: { method: 'POST', url: '/v2/models/titanic/infer', payload: JSON.stringify({ inputs: [], pad: 'x'.repeat(10_000) }), headers: { 'content-type': 'application/json' } },
      },
      {
        what: 'unknown route',
        status: 404,
        code: 'ROUTE_NOT_FOUND',
        mentions: /GET \/v3\/models/,
        send: { method: 'GET', url: '/v3/models' },
      },
      {
        what: 'binary tensor data whose header length exceeds the body',
        status: 400,
        code: 'BINARY_DATA_INVALID',
        mentions: /Inference-Header-Content-Length is 9 but the body has 3 bytes/,
        send: { method: 'POST', url: '/v2/models/titanic/infer', payload: Buffer.from([1, 2, 3]), headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': '9' } },
      },
      {
        what: 'binary tensor data whose JSON header is not JSON',
        status: 400,
        code: 'MALFORMED_REQUEST',
        mentions: /not valid JSON/,
        send: { method: 'POST', url: '/v2/models/titanic/infer', payload: Buffer.from([1, 2, 3]), headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': '3' } },
      },
    ];
    for (const c of cases) {
      const res = await h.app.inject(c.send);
      assert.equal(res.statusCode, c.status, `${c.what}: ${res.body}`);
      const body = res.json();
      assert.equal(body.code, c.code, c.what);
      assert.match(body.error, c.mentions, c.what);
      assert.deepEqual(Object.keys(body).filter((k) => !['error', 'code', 'hint', 'problems'].includes(k)), [], c.what);
      await valid();
    }
  } finally {
    await h.close();
  }
});

test('a JSON body is read whatever the content type says (clients do not all send application/json)', async () => {
  const h = await startHarness();
  try {
    for (const headers of [{}, { 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }]) {
      const res = await h.app.inject({ method: 'POST', url: '/v2/models/titanic/infer', payload: JSON.stringify(titanicRequest()), headers });
      assert.equal(res.statusCode, 200, `${JSON.stringify(headers)}: ${res.body}`);
    }
  } finally {
    await h.close();
  }
});

test('an unexpected error is a generic 500: the cause goes to the log, never to the client', async () => {
  const h = await startHarness({
    wrapStore: (store) =>
      storeWith(store, {
        listVersions: async () => {
          throw new Error('secret database detail');
        },
      }),
  });
  try {
    const res = await h.app.inject({ method: 'GET', url: '/v2/models/titanic', headers: { 'x-request-id': 'oops-1' } });
    assert.equal(res.statusCode, 500);
    const body = res.json();
    assert.equal(body.code, 'INTERNAL');
    assert.match(body.error, /oops-1/);
    assert.doesNotMatch(res.body, /secret|at .*\.ts/);
    assert.equal((await h.app.inject({ method: 'POST', url: '/v2/models/titanic/infer', payload: titanicRequest() })).statusCode, 200);
  } finally {
    await h.close();
  }
});

test('the prediction log gets one record per row after a flush, and the request does not wait for it', async () => {
  const writing = gate();
  let writes = 0;
  const h = await startHarness({
    wrapStore: (store) =>
      storeWith(store, {
        logPredictions: async (records) => {
          writes++;
          await writing.opened;
          await store.logPredictions(records);
        },
      }),
    predictionLog: { flushIntervalMs: 10 },
  });
  try {
    const batch = await h.app.inject({ method: 'POST', url: '/v2/models/titanic/infer', payload: titanicRequest({ id: 'batch-1' }) });
    assert.equal(batch.statusCode, 200);
    const single = await h.app.inject({
      method: 'POST',
      url: '/v1/models/titanic@champion:predict',
      payload: { instances: [{ Age: 40, Sex: 'female' }] },
      headers: { 'x-request-id': 'single-1' },
    });
    assert.equal(single.statusCode, 200);
    // both requests have answered while nothing has reached the store yet
    assert.equal(await h.home.store.countPredictions(), 0);

    writing.open();
    await h.app.kiln.predictionLog?.flush();
    await h.app.kiln.predictionLog?.flush(); // anything recorded while the first flush ran
    assert.ok(writes >= 1);
    const logged = await h.home.store.listPredictions({ model: 'titanic' });
    assert.equal(logged.length, 3);
    const byId = new Map(logged.map((r) => [r.requestId, r]));
    assert.deepEqual([...byId.keys()].sort(), ['batch-1#0', 'batch-1#1', 'single-1']);

    const first = byId.get('batch-1#0')!;
    assert.equal(first.version, 2);
    assert.deepEqual(first.inputs, { Age: 22, Sex: 'male' });
    const out = first.outputs as { label: string; probabilities: Record<string, number> };
    assert.equal(typeof out.label, 'string');
    assert.deepEqual(Object.keys(out.probabilities), ['died', 'survived']);
    assert.deepEqual(byId.get('batch-1#1')!.inputs, { Age: null, Sex: 'female' });
    assert.ok(first.latencyMs >= 0);

    const row = byId.get('single-1')!;
    assert.equal(row.version, 1);
    assert.deepEqual(row.inputs, { Age: 40, Sex: 'female' });
    assert.deepEqual(Object.keys(row.outputs as object), ['label', 'probabilities']);
  } finally {
    writing.open();
    await h.close();
  }
});

test('over a real socket: listen on 127.0.0.1, serve v2 and v1, drain in-flight requests and flush the log on close', async () => {
  const home = await tempHome();
  await registerFixture(home, { name: 'titanic', classes: [0, 1] });
  // the last request is held in the store until close() has started, whatever the machine's speed
  let holdResolve = false;
  const arrived = gate();
  const released = gate();
  const store = storeWith(home.store, {
    resolve: async (ref) => {
      if (holdResolve) {
        arrived.open();
        await released.opened;
      }
      return home.store.resolve(ref);
    },
  });
  const { app, url, port } = await startServer({ store, artifacts: home.artifacts, logger: pino({ level: 'silent' }), host: '127.0.0.1', port: 0, resolveCacheMs: 0 });
  try {
    assert.equal(url, `http://127.0.0.1:${port}`);
    assert.ok(port > 0);
    assert.deepEqual(app.kiln.repository.status(), [{ name: 'titanic', version: 1, state: 'ready' }], 'warmed up before listening');

    const v2 = await fetch(`${url}/v2/models/titanic/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'sock-1' },
      body: JSON.stringify(titanicRequest()),
    });
    assert.equal(v2.status, 200);
    assert.equal(v2.headers.get('x-request-id'), 'sock-1');
    assert.equal(((await v2.json()) as { model_version: string }).model_version, '1');

    const v1 = await fetch(`${url}/v1/models/titanic:predict`, { method: 'POST', body: JSON.stringify({ instances: [{ Age: 3 }] }) });
    assert.equal(v1.status, 200);
    assert.equal(((await v1.json()) as { predictions: unknown[] }).predictions.length, 1);

    const bad = await fetch(`${url}/v2/models/titanic/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { code: string }).code, 'MALFORMED_REQUEST');

    // a request in flight when close() starts still gets its answer, and its rows reach the store
    holdResolve = true;
    const inFlight = fetch(`${url}/v2/models/titanic/infer`, { method: 'POST', body: JSON.stringify(titanicRequest({ id: 'last' })) });
    await arrived.opened; // the request is being served
    const closing = app.close();
    setTimeout(released.open, 100); // let close() get going before the answer is ready
    const answered = await inFlight;
    assert.equal(answered.status, 200);
    await answered.arrayBuffer();
    await closing;
    const logged = await home.store.listPredictions();
    assert.equal(logged.length, 2 + 1 + 2);
    assert.ok(logged.some((r) => r.requestId === 'last#1'));
    assert.deepEqual(app.kiln.repository.status(), [{ name: 'titanic', version: 1, state: 'unloaded' }]);
    await assert.rejects(fetch(`${url}/v2`));
  } finally {
    await app.close();
    await home.remove();
  }
});

test('closeOnSignals closes the server on a signal and resolves with it', async () => {
  const h = await startHarness();
  try {
    const shutdown = closeOnSignals(h.app, { signals: ['SIGUSR2'] });
    process.emit('SIGUSR2');
    assert.equal(await shutdown.closed, 'SIGUSR2');
    assert.equal(process.listenerCount('SIGUSR2'), 0, 'handlers removed once closed');
    assert.equal(await h.app.kiln.dataPlane.serverReady(), false, 'not ready once shutting down');
    assert.deepEqual(h.app.kiln.predictionLog?.stats().buffered, 0);
  } finally {
    await h.close();
  }
});
