/**
 * The infer fast path (src/serve/rest/infer-fast-path.ts) answers exactly as the Fastify route does: the
 * same requests are sent over a real socket (where the fast path answers plain JSON infer requests) and
 * through `app.inject` (which never passes the HTTP server, so Fastify's route answers), and the answers
 * must agree — status, body, the headers that matter. Requests the fast path leaves to Fastify are
 * checked to reach Fastify. Clients that go away at the wrong moment (mid-body, during the inference,
 * while the answer is written) are sent to both paths over a raw socket (misbehaving-clients.ts): a query
 * string hands the same request to the Fastify route, and the server's log lines must agree.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, before, test } from 'node:test';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import { InferFastPath, inferPath } from '../../src/serve/rest/infer-fast-path.js';
import { jsonParser } from '../../src/serve/rest/request-body.js';
import { buildServer, type KilnServer } from '../../src/serve/server.js';
import { gate, startHarness, storeWith, titanicRequest, type Harness } from './harness.js';
import {
  captureLog,
  leave,
  openConnection,
  postText,
  resetWhileAnswering,
  stopMidBody,
  waitFor,
  type CapturedLog,
  type LogLine,
} from './misbehaving-clients.js';

let h: Harness;
let url: string;

/**
 * A second server on the same registry, logging at info into memory, whose store holds the next model
 * lookup while `held` is set (to keep an inference in flight) until the test releases it.
 */
let logged: KilnServer;
let loggedPort: number;
let log: CapturedLog;
let held: { readonly arrived: ReturnType<typeof gate>; readonly release: ReturnType<typeof gate> } | undefined;

before(async () => {
  h = await startHarness();
  url = await h.app.listen({ host: '127.0.0.1', port: 0 });
  log = captureLog();
  const store = storeWith(h.home.store, {
    resolve: async (ref) => {
      const hold = held;
      held = undefined;
      if (hold !== undefined) {
        hold.arrived.open();
        await hold.release.opened;
      }
      return h.home.store.resolve(ref);
    },
  });
  logged = await buildServer({ store, artifacts: h.home.artifacts, logger: log.logger, predictionLog: false, resolveCacheMs: 0 });
  loggedPort = Number(new URL(await logged.listen({ host: '127.0.0.1', port: 0 })).port);
  await logged.kiln.repository.warmUp();
  log.take(); // "listening" and "model loaded"
});
after(async () => {
  await logged.close();
  await h.close();
});

interface Sent {
  readonly path: string;
  readonly body: string | Buffer;
  readonly headers?: Record<string, string>;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | undefined>;
  readonly body: Buffer;
}

const HEADERS = ['content-type', 'content-length', 'x-request-id', 'inference-header-content-length', 'connection'] as const;

async function overSocket({ path, body, headers = {} }: Sent): Promise<Answer> {
  const res = await fetch(`${url}${path}`, { method: 'POST', body, headers });
  const picked: Record<string, string | undefined> = {};
  for (const name of HEADERS) picked[name] = res.headers.get(name) ?? undefined;
  return { status: res.status, headers: picked, body: Buffer.from(await res.arrayBuffer()) };
}

async function throughFastify({ path, body, headers = {} }: Sent): Promise<Answer> {
  const res = await h.app.inject({ method: 'POST', url: path, payload: body, headers });
  const picked: Record<string, string | undefined> = {};
  for (const name of HEADERS) {
    const value = res.headers[name];
    picked[name] = value === undefined ? undefined : String(value);
  }
  return { status: res.statusCode, headers: picked, body: res.rawPayload };
}

/** Both answers, with a server-made request id (different for each) replaced by a placeholder. */
async function both(sent: Sent): Promise<{ fast: Answer; fastify: Answer }> {
  const normalise = (a: Answer): Answer => {
    const id = a.headers['x-request-id'] ?? '';
    if (sent.headers?.['x-request-id'] !== undefined) return { ...a, headers: { ...a.headers, connection: a.headers['connection'] === 'close' ? 'close' : undefined } };
    const body = Buffer.from(a.body.toString('latin1').split(id).join('<id>'), 'latin1');
    return { status: a.status, headers: { ...a.headers, 'x-request-id': '<id>', 'content-length': String(body.byteLength - a.body.byteLength + Number(a.headers['content-length'])), connection: a.headers['connection'] === 'close' ? 'close' : undefined }, body };
  };
  const fast = normalise(await overSocket(sent));
  const fastify = normalise(await throughFastify(sent));
  return { fast, fastify };
}

const json = { 'content-type': 'application/json' };
const titanic = JSON.stringify(titanicRequest());

test('inferPath: plain infer paths are the fast path\'s, anything unusual is left to Fastify', () => {
  assert.deepEqual(inferPath('/v2/models/titanic/infer'), { name: 'titanic', version: undefined });
  assert.deepEqual(inferPath('/v2/models/titanic/versions/2/infer'), { name: 'titanic', version: '2' });
  assert.deepEqual(inferPath('/v2/models/titanic@champion/versions/champion/infer'), { name: 'titanic@champion', version: 'champion' });
  for (const other of [
    '/v2/models/titanic/infer?x=1',
    '/v2/models/titanic/infer/',
    '/v2/models//infer',
    '/v2/models/ti%74anic/infer',
    '/v2/models/titanic/versions/infer',
    '/v2/models/titanic/versions/2/x/infer',
    '/v2/models/titanic/ready',
    '/v1/models/titanic/infer',
    `/v2/models/${'m'.repeat(301)}/infer`,
  ]) {
    assert.equal(inferPath(other), undefined, other);
  }
});

test('while the server closes, with request lines logged, or for a body it does not take, the fast path steps aside', () => {
  const request = (headers: Record<string, string>, url = '/v2/models/titanic/infer', method = 'POST'): IncomingMessage =>
    ({ method, url, headers: { 'content-length': '20', 'content-type': 'application/json', ...headers } }) as unknown as IncomingMessage;
  const untouched = {} as ServerResponse; // any use of it would throw
  const fastPath = (options: { closing?: boolean; level?: string; bodyLimit?: number } = {}): InferFastPath =>
    new InferFastPath({
      dataPlane: h.app.kiln.dataPlane,
      logger: pino({ level: options.level ?? 'silent' }),
      bodyLimit: options.bodyLimit ?? 1000,
      parseJson: jsonParser(h.app),
      requestId: () => 'id',
      closing: () => options.closing ?? false,
    });
  const steps = (path: InferFastPath, req: IncomingMessage): boolean => !path.handle(req, untouched) && path.answered === 0;
  assert.ok(steps(fastPath({ closing: true }), request({})), 'closing: Fastify answers 503');
  assert.ok(steps(fastPath({ level: 'debug' }), request({})), 'debug: Fastify logs the request lines');
  assert.ok(steps(fastPath({ bodyLimit: 10 }), request({})), 'over the body limit: Fastify answers 413');
  assert.ok(steps(fastPath(), request({ 'content-length': '0' })), 'empty');
  assert.ok(steps(fastPath(), request({ 'transfer-encoding': 'chunked' })), 'chunked');
  assert.ok(steps(fastPath(), request({}, '/v2/models/titanic/infer', 'PUT')), 'another method');
  assert.ok(steps(fastPath(), request({}, '/v2/models/titanic/ready')), 'another route');
});

test('the JSON parser\'s shortcut (plain JSON.parse) agrees with Fastify\'s secure parser on every kind of body', () => {
  const parse = jsonParser(h.app);
  const fastify = h.app.getDefaultJsonParser('error', 'error');
  const outcome = (run: () => unknown): string => {
    try {
      return `value ${JSON.stringify(run())}`;
    } catch {
      return 'refused';
    }
  };
  const secure = (text: string): unknown => {
    let result: unknown;
    fastify(undefined as never, text, (err, value) => {
      if (err !== null) throw err;
      result = value;
    });
    return result;
  };
  for (const text of [
    titanic,
    '{"a": [1, 2, {"b": null}]}',
    '3',
    '"text"',
    '{"__proto__": {"x": 1}}',
    '{"a": {"constructor": {"prototype": {"x": 1}}}}',
    '{"constructor": 1}',
    '{"\\u005f_proto__": {"x": 1}}',
    '{"a": "escaped \\" quote"}',
    '\ufeff{"bom": true}',
    '{"a": ',
    '   ',
  ]) {
    assert.equal(outcome(() => parse(text)), outcome(() => secure(text)), text);
  }
});

test('the same requests get the same answers from the fast path and from the Fastify route', async () => {
  const cases: [string, Sent][] = [
    ['two rows, the caller\'s request id', { path: '/v2/models/titanic/infer', body: titanic, headers: { ...json, 'x-request-id': 'fast-1' } }],
    ['a server-made request id', { path: '/v2/models/titanic/infer', body: titanic, headers: json }],
    ['the body\'s own id', { path: '/v2/models/titanic/infer', body: JSON.stringify(titanicRequest({ id: 'body-id' })), headers: json }],
    ['a version', { path: '/v2/models/titanic/versions/2/infer', body: titanic, headers: json }],
    ['an alias', { path: '/v2/models/titanic/versions/champion/infer', body: titanic, headers: json }],
    ['text/plain, as fetch sends a string', { path: '/v2/models/titanic/infer', body: titanic }],
    ['no content type (a body of bytes)', { path: '/v2/models/titanic/infer', body: Buffer.from(titanic) }],
    ['a user key', { path: '/v2/models/titanic/infer', body: titanic, headers: { ...json, 'x-kiln-user': 'u-7' } }],
    [
      'classification and one output',
      { path: '/v2/models/titanic/infer', body: JSON.stringify({ ...titanicRequest(), outputs: [{ name: 'probabilities', parameters: { classification: 1 } }] }), headers: json },
    ],
    ['binary outputs', { path: '/v2/models/titanic/infer', body: JSON.stringify({ ...titanicRequest(), parameters: { binary_data_output: true } }), headers: json }],
    ['malformed JSON', { path: '/v2/models/titanic/infer', body: '{"inputs": [', headers: json }],
    ['a __proto__ key', { path: '/v2/models/titanic/infer', body: '{"inputs": [], "__proto__": {"x": 1}}', headers: json }],
    ['not an inference request', { path: '/v2/models/titanic/infer', body: '{"inputs": 3}', headers: json }],
    ['a wrong datatype', { path: '/v2/models/titanic/infer', body: titanic.replace('"FP32"', '"FP64"'), headers: json }],
    ['a wrong shape', { path: '/v2/models/titanic/infer', body: titanic.replace('[2,1]', '[3,1]'), headers: json }],
    ['an unknown model', { path: '/v2/models/nope/infer', body: titanic, headers: json }],
    ['an unknown version', { path: '/v2/models/titanic/versions/9/infer', body: titanic, headers: json }],
    ['a model that cannot load', { path: '/v2/models/broken/infer', body: titanic, headers: json }],
    ['a bad priority', { path: '/v2/models/titanic/infer', body: JSON.stringify({ ...titanicRequest(), parameters: { priority: -1 } }), headers: json }],
  ];
  for (const [what, sent] of cases) {
    const before = h.app.kiln.fastPath.answered;
    const { fast, fastify } = await both(sent);
    assert.equal(h.app.kiln.fastPath.answered, before + 1, `${what}: answered by the fast path`);
    assert.equal(fast.status, fastify.status, `${what}: status`);
    assert.deepEqual(fast.headers, fastify.headers, `${what}: headers`);
    assert.equal(fast.body.toString('latin1'), fastify.body.toString('latin1'), `${what}: body`);
  }
});

test('answers of note, over the socket: ids, errors, binary outputs, connection closed after a body that is not JSON', async () => {
  const ok = await overSocket({ path: '/v2/models/titanic/infer', body: titanic, headers: { ...json, 'x-request-id': 'fast-2' } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['x-request-id'], 'fast-2');
  assert.equal(ok.headers['content-type'], 'application/json; charset=utf-8');
  const answer = JSON.parse(ok.body.toString('utf8')) as { id: string; model_version: string };
  assert.equal(answer.id, 'fast-2');
  assert.equal(answer.model_version, '2');

  const made = await overSocket({ path: '/v2/models/titanic/infer', body: titanic, headers: json });
  assert.match(made.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/, 'a time-ordered id when the caller sends none');
  assert.equal((JSON.parse(made.body.toString('utf8')) as { id: string }).id, made.headers['x-request-id']);

  const bad = await overSocket({ path: '/v2/models/titanic/infer', body: '{', headers: json });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers['connection'], 'close');
  assert.equal((JSON.parse(bad.body.toString('utf8')) as { code: string }).code, 'MALFORMED_REQUEST');

  const unknown = await overSocket({ path: '/v2/models/titanic/infer', body: titanic.replace('"Age"', '"Height"'), headers: json });
  assert.equal(unknown.status, 400);
  assert.notEqual(unknown.headers['connection'], 'close', 'a well-formed body keeps the connection');
  assert.equal((JSON.parse(unknown.body.toString('utf8')) as { code: string }).code, 'INPUT_UNKNOWN');

  const binary = await overSocket({ path: '/v2/models/titanic/infer', body: JSON.stringify({ ...titanicRequest(), parameters: { binary_data_output: true } }), headers: json });
  assert.equal(binary.headers['content-type'], 'application/octet-stream');
  const headerLength = Number(binary.headers['inference-header-content-length']);
  const header = JSON.parse(binary.body.subarray(0, headerLength).toString('utf8')) as { outputs: { name: string; parameters: { binary_data_size: number } }[] };
  const sizes = header.outputs.reduce((sum, o) => sum + o.parameters.binary_data_size, 0);
  assert.equal(binary.body.byteLength, headerLength + sizes, 'the raw bytes follow the JSON header');
});

test('requests the fast path leaves to Fastify still get Fastify\'s answers', async () => {
  const cases: [string, Sent, number][] = [
    ['a query string', { path: '/v2/models/titanic/infer?debug=1', body: titanic, headers: json }, 200],
    ['an escaped name', { path: '/v2/models/tit%61nic/infer', body: titanic, headers: json }, 200],
    ['another content type', { path: '/v2/models/titanic/infer', body: titanic, headers: { 'content-type': 'application/x-ndjson' } }, 200],
    ['an empty content type (Fastify refuses it)', { path: '/v2/models/titanic/infer', body: titanic, headers: { 'content-type': '' } }, 415],
    ['an empty body', { path: '/v2/models/titanic/infer', body: '', headers: json }, 400],
    ['binary tensor data', { path: '/v2/models/titanic/infer', body: titanic, headers: { ...json, 'inference-header-content-length': String(titanic.length) } }, 200],
  ];
  for (const [what, sent, status] of cases) {
    const before = h.app.kiln.fastPath.answered;
    const answer = await overSocket(sent);
    assert.equal(h.app.kiln.fastPath.answered, before, `${what}: left to Fastify`);
    assert.equal(answer.status, status, `${what}: ${answer.body.toString('utf8')}`);
  }
});

test('the fast path counts in the model\'s statistics and metrics, and its predictions are logged with its request ids', async () => {
  const stats = async (): Promise<number> => {
    const res = await h.app.inject({ method: 'GET', url: '/v2/models/titanic/versions/2/stats' });
    return (res.json() as { model_stats: { inference_stats: { success: { count: number } } }[] }).model_stats[0]?.inference_stats.success.count ?? 0;
  };
  const metric = async (): Promise<number> => {
    const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    const line = text.split('\n').find((l) => l.startsWith('kiln_inference_requests_total{') && l.includes('model="titanic"') && l.includes('version="2"') && l.includes('outcome="success"'));
    return line === undefined ? 0 : Number(line.split(' ').at(-1));
  };
  const [statsBefore, metricBefore] = [await stats(), await metric()];
  const answered = h.app.kiln.fastPath.answered;
  for (let i = 0; i < 3; i++) assert.equal((await overSocket({ path: '/v2/models/titanic/infer', body: titanic, headers: { ...json, 'x-request-id': `logged-${i}` } })).status, 200);
  assert.equal(h.app.kiln.fastPath.answered, answered + 3);
  assert.equal(await stats(), statsBefore + 3);
  assert.equal(await metric(), metricBefore + 3);
  await h.app.kiln.predictionLog?.flush();
  const logged = await h.home.store.listPredictions();
  for (let i = 0; i < 3; i++) assert.ok(logged.some((r) => r.requestId === `logged-${i}#1`), `logged-${i}`);
});

// Clients that go away at the wrong moment. The same request goes to the fast path and, with a query
// string (which the fast path leaves alone), to the Fastify route; the log lines of both must agree.
const FAST_PATH = '/v2/models/titanic/infer';
const FASTIFY_ROUTE = '/v2/models/titanic/infer?route=fastify';

/** Both paths of the logged server still answer a plain request (and the log has nothing to say about it). */
async function answersNormally(): Promise<void> {
  for (const path of [FAST_PATH, FASTIFY_ROUTE]) {
    const res = await fetch(`http://127.0.0.1:${loggedPort}${path}`, { method: 'POST', body: titanic, headers: json });
    const text = await res.text();
    assert.equal(res.status, 200, `${path}: ${text}`);
    assert.equal((JSON.parse(text) as { outputs: unknown[] }).outputs.length, 2, path);
  }
  assert.deepEqual(log.take(), [], 'nothing logged for a normal request');
}

/** The lines logged for one request, with its id replaced by a placeholder so that two requests compare. */
const forRequest = (lines: readonly LogLine[], id: string): LogLine[] => lines.map((line) => (line['reqId'] === id ? { ...line, reqId: '<id>' } : line));

test('a client that stops in the middle of its body: the fast path logs the Fastify route\'s line, and the server keeps serving', async () => {
  await answersNormally();
  for (const how of ['close', 'reset'] as const) {
    const lines = new Map<string, LogLine[]>();
    for (const path of [FAST_PATH, FASTIFY_ROUTE]) {
      const id = `half-${how}-${path === FAST_PATH ? 'fast' : 'fastify'}`;
      const answered = logged.kiln.fastPath.answered;
      await stopMidBody(logged.server, loggedPort, path, titanic, id, how);
      await log.waitForRequest(id);
      assert.equal(logged.kiln.fastPath.answered, answered + (path === FAST_PATH ? 1 : 0), `${path}: taken by the path under test`);
      lines.set(path, forRequest(log.take(), id));
    }
    // Fastify's body reader makes the stream's `aborted` error a 400, which Kiln maps to MALFORMED_REQUEST
    const refused = { level: 30, reqId: '<id>', code: 'MALFORMED_REQUEST', error: 'the request body is not valid: aborted', msg: 'request refused' };
    assert.deepEqual(lines.get(FASTIFY_ROUTE), [refused], `${how}: the Fastify route's line`);
    assert.deepEqual(lines.get(FAST_PATH), lines.get(FASTIFY_ROUTE), `${how}: the fast path logs the same`);
  }
  await answersNormally();
});

test('a client that goes away while its inference runs: the inference completes and counts, neither path logs anything', async () => {
  const successes = async (): Promise<number> => {
    const res = await logged.inject({ method: 'GET', url: '/v2/models/titanic/versions/2/stats' });
    return (res.json() as { model_stats: { inference_stats: { success: { count: number } } }[] }).model_stats[0]?.inference_stats.success.count ?? 0;
  };
  for (const path of [FAST_PATH, FASTIFY_ROUTE]) {
    const before = await successes();
    const hold = { arrived: gate(), release: gate() };
    held = hold; // the next model lookup: this request's
    const connection = await openConnection(logged.server, loggedPort);
    connection.client.write(postText(path, titanic, `gone-${path.length}`));
    await hold.arrived.opened; // the body is read and the inference is waiting for its model
    await leave(connection, 'reset');
    hold.release.open();
    await waitFor(async () => (await successes()) === before + 1, `${path}: the inference to complete and count as a success`);
    assert.deepEqual(log.take(), [], `${path}: nothing to log, as on the Fastify route`);
  }
  await answersNormally();
});

test('a socket error while the answer is written (the client resets the connection): neither path logs anything, and the server keeps serving', async () => {
  // answers of 1024 rows (~50 KB): the kernel's buffers fill after a few dozen of them
  const rows = 1024;
  const body = JSON.stringify({
    inputs: [
      { name: 'Age', shape: [rows, 1], datatype: 'FP32', data: Array.from({ length: rows }, (_, i) => i % 80) },
      { name: 'Sex', shape: [rows, 1], datatype: 'BYTES', data: Array.from({ length: rows }, (_, i) => (i % 2 === 0 ? 'male' : 'female')) },
    ],
  });
  const sample = await fetch(`http://127.0.0.1:${loggedPort}${FAST_PATH}`, { method: 'POST', body, headers: json });
  assert.equal(sample.status, 200);
  const answerBytes = (await sample.arrayBuffer()).byteLength; // without the headers: a lower bound of what is written
  for (const path of [FAST_PATH, FASTIFY_ROUTE]) {
    const answered = logged.kiln.fastPath.answered;
    const err = await resetWhileAnswering(logged.server, loggedPort, path, body, answerBytes);
    assert.match(String((err as NodeJS.ErrnoException | null)?.code), /^(ECONNRESET|EPIPE)$/, `${path}: the server's socket failed while writing`);
    assert.equal(logged.kiln.fastPath.answered > answered, path === FAST_PATH, `${path}: taken by the path under test`);
    // node gives a socket's error to the server's clientError listener (Fastify's, silent for a reset),
    // never to the response, so the Fastify route's response listeners have nothing to log either
    assert.deepEqual(log.take(), [], `${path}: nothing logged`);
  }
  await answersNormally();
});

test('nothing is left behind per request: the listeners of a kept-alive connection and of the server do not grow', async () => {
  const counts = (emitter: EventEmitter): Record<string, number> => Object.fromEntries(emitter.eventNames().map((name) => [String(name), emitter.listenerCount(name)]));
  const connection = await openConnection(logged.server, loggedPort);
  let answers = 0;
  connection.client.on('data', (chunk: Buffer) => (answers += chunk.toString('latin1').split('HTTP/1.1 200 OK').length - 1));
  const send = async (times: number): Promise<void> => {
    const expected = answers + times * 2;
    for (let i = 0; i < times; i++) {
      connection.client.write(postText(FAST_PATH, titanic, `kept-${i}`) + postText(FASTIFY_ROUTE, titanic, `kept-${i}`));
    }
    await waitFor(() => answers === expected, 'the answers');
  };
  await send(1);
  const [socketBefore, serverBefore] = [counts(connection.server), counts(logged.server)];
  await send(20);
  assert.deepEqual(counts(connection.server), socketBefore, 'the connection\'s listeners');
  await leave(connection, 'close');
  for (let i = 0; i < 10; i++) await stopMidBody(logged.server, loggedPort, i % 2 === 0 ? FAST_PATH : FASTIFY_ROUTE, titanic, `leak-${i}`, 'reset');
  assert.deepEqual(counts(logged.server), serverBefore, 'the server\'s listeners');
  assert.equal(log.take().length, 10, 'one line per aborted request');
});

test('the fast path acts on the first way a body ends only: an error after the end, or an end after an error, changes nothing', async () => {
  const capture = captureLog();
  const fastPath = new InferFastPath({
    dataPlane: h.app.kiln.dataPlane,
    logger: capture.logger,
    bodyLimit: 1_000_000,
    parseJson: jsonParser(h.app),
    requestId: (request) => String(request.headers['x-request-id']),
    closing: () => false,
  });
  const exchange = (id: string) => {
    const request = Object.assign(new EventEmitter(), { method: 'POST', url: FAST_PATH, headers: { 'content-length': String(titanic.length), 'x-request-id': id } });
    const written: { status: number; headers: Record<string, string>; text?: string }[] = [];
    const response = {
      writeHead: (status: number, headers: Record<string, string>) => void written.push({ status, headers }),
      end: (text: string) => void ((written.at(-1) as { text?: string }).text = text),
    };
    assert.ok(fastPath.handle(request as unknown as IncomingMessage, response as unknown as ServerResponse));
    return { request, written };
  };

  const whole = exchange('end-then-error');
  whole.request.emit('data', Buffer.from(titanic));
  whole.request.emit('end');
  whole.request.emit('error', new Error('aborted'));
  await waitFor(() => whole.written.length > 0, 'the answer');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(whole.written.map((w) => w.status), [200], 'one answer, from the end');
  assert.deepEqual(capture.take(), []);

  const half = exchange('error-then-end');
  half.request.emit('data', Buffer.from(titanic.slice(0, 10)));
  half.request.emit('error', new Error('aborted'));
  half.request.emit('end');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(half.written.map((w) => [w.status, w.headers['connection']]), [[400, 'close']], 'one refusal, from the error');
  assert.deepEqual(capture.take(), [{ level: 30, reqId: 'error-then-end', code: 'MALFORMED_REQUEST', error: 'the request body is not valid: aborted', msg: 'request refused' }]);
});
