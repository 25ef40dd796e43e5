/**
 * The router's decisions without a server: which requests it routes (none when no experiment runs;
 * never an explicit version), the user key it hashes, the tags it adds, failures it logs, shadow
 * mirroring off the response path, and refreshes that pick up started and ended experiments. Also the
 * per-arm traffic summary and the canary's bounds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { KilnError } from '../../src/core/errors.js';
import { armTraffic } from '../../src/experiment/arm-traffic.js';
import { canaryBreach, CanaryWatcher } from '../../src/experiment/canary-watcher.js';
import { ExperimentRouter } from '../../src/experiment/router.js';
import { stickyAssigner } from '../../src/experiment/stats/assignment.js';
import type { DataPlane, InferResult, RequestContext } from '../../src/serve/data-plane.js';
import type { InferRequest } from '../../src/serve/protocol.js';
import type { Experiment, PredictionRecord } from '../../src/store/store.js';
import type { FailedRequest } from '../../src/serve/prediction-log.js';

const logger = pino({ level: 'silent' });

function experiment(overrides: Partial<Experiment> = {}): Experiment {
  return {
    id: 'exp-1',
    model: 'titanic',
    champion: 1,
    challenger: 2,
    mode: 'split',
    challengerShare: 0.5,
    outcome: 'binary',
    status: 'running',
    startedAt: new Date(0).toISOString(),
    endedAt: null,
    endReason: null,
    ...overrides,
  };
}

interface Call {
  readonly name: string;
  readonly version: string | undefined;
  readonly context: RequestContext;
}

/** A data plane that answers with the version it was asked for, or fails for versions in `failing`. */
function fakeDataPlane(failing: readonly number[] = []): { plane: DataPlane; calls: Call[] } {
  const calls: Call[] = [];
  const answer = async (name: string, version: string | undefined, context: RequestContext) => {
    calls.push({ name, version, context });
    if (failing.includes(Number(version))) throw new KilnError('MODEL_NOT_READY', { model: `${name}:${version}`, reason: 'broken' });
    return version;
  };
  const plane = {
    infer: async (name: string, version: string | undefined, _request: InferRequest, context: RequestContext): Promise<InferResult> => ({
      model_name: name,
      model_version: String(await answer(name, version, context)),
      id: 'x',
      requestParameters: {},
      outputs: [],
    }),
    predictRows: async (name: string, version: string | undefined, _rows: readonly unknown[], context: RequestContext) => ({
      model_name: name,
      model_version: String(await answer(name, version, context)),
      predictions: [],
    }),
  };
  return { plane: plane as unknown as DataPlane, calls };
}

function router(experiments: Experiment[], log: FailedRequest[] = []): ExperimentRouter {
  return new ExperimentRouter({ store: { listExperiments: async () => experiments }, predictionLog: { failed: (f) => void log.push(f) }, logger });
}

const request: InferRequest = { inputs: [] };

test('nothing is routed while no experiment runs, nor requests naming a version or another alias', async () => {
  const { plane } = fakeDataPlane();
  const idle = router([]);
  await idle.refresh();
  assert.equal(idle.infer(plane, 'titanic', undefined, request, { requestId: 'r' }), undefined);
  const busy = router([experiment()]);
  await busy.refresh();
  for (const [name, version] of [['titanic:1', undefined], ['titanic', '2'], ['titanic@staging', undefined], ['titanic', 'staging'], ['fare', undefined]] as const) {
    assert.equal(busy.infer(plane, name, version, request, { requestId: 'r' }), undefined, `${name} ${version}`);
  }
  // an already routed request is never routed again
  assert.equal(busy.infer(plane, 'titanic', undefined, request, { requestId: 'r', experiment: { experiment: 'exp-1', arm: 'champion' } }), undefined);
  for (const [name, version] of [['titanic', undefined], ['titanic@champion', undefined], ['titanic', 'champion']] as const) {
    assert.notEqual(busy.infer(plane, name, version, request, { requestId: 'r' }), undefined, `${name} ${version}`);
  }
});

test('split: the arm is the sticky assignment of the user key (header, then parameters, then request id), tagged for the log', async () => {
  const { plane, calls } = fakeDataPlane();
  const r = router([experiment({ challengerShare: 0.3 })]);
  await r.refresh();
  const assign = stickyAssigner('exp-1', [{ name: 'champion', weight: 0.7 }, { name: 'challenger', weight: 0.3 }]);
  for (let i = 0; i < 50; i++) {
    const header = await r.infer(plane, 'titanic', undefined, request, { requestId: `q${i}`, userKey: `u${i}` });
    assert.equal(header?.model_version, assign(`u${i}`) === 'champion' ? '1' : '2');
    const parameter = await r.infer(plane, 'titanic', undefined, { inputs: [], parameters: { user_key: `u${i}` } }, { requestId: `p${i}` });
    assert.equal(parameter?.model_version, header?.model_version);
    const byId = await r.predictRows(plane, 'titanic@champion', undefined, [], { requestId: `u${i}` });
    assert.equal(byId?.model_version, header?.model_version, 'without a key, the request id is hashed');
  }
  const last = calls[calls.length - 1]!;
  assert.equal(last.name, 'titanic');
  assert.deepEqual(last.context.experiment, { experiment: 'exp-1', arm: last.version === '1' ? 'champion' : 'challenger' });
});

test('a failed routed request is logged with its error code, experiment and arm, and still fails', async () => {
  const { plane } = fakeDataPlane([2]);
  const log: FailedRequest[] = [];
  const r = router([experiment({ challengerShare: 1, mode: 'canary', maxErrorRate: 0.1 })], log);
  await r.refresh();
  await assert.rejects(r.infer(plane, 'titanic', undefined, { id: 'body-id', inputs: [] }, { requestId: 'r1', userKey: 'u' })!, (err: unknown) => err instanceof KilnError && err.code === 'MODEL_NOT_READY');
  assert.equal(log.length, 1);
  assert.deepEqual({ ...log[0], latencyMs: 0 }, {
    requestId: 'body-id',
    model: 'titanic',
    version: 2,
    latencyMs: 0,
    userKey: 'u',
    experiment: { experiment: 'exp-1', arm: 'challenger' },
    error: 'MODEL_NOT_READY',
  });
});

test('shadow: the champion answers; the challenger runs afterwards with the same request, tagged shadow, its failure swallowed', async () => {
  const { plane, calls } = fakeDataPlane([2]);
  const log: FailedRequest[] = [];
  const r = router([experiment({ mode: 'shadow' })], log);
  await r.refresh();
  const answer = await r.infer(plane, 'titanic', undefined, request, { requestId: 'r1' });
  assert.equal(answer?.model_version, '1');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(calls.map((c) => [c.version, c.context.experiment]), [
    ['1', { experiment: 'exp-1', arm: 'champion' }],
    ['2', { experiment: 'exp-1', arm: 'challenger', shadow: true }],
  ]);
  assert.equal(log[0]?.experiment?.shadow, true);
  assert.equal(log[0]?.error, 'MODEL_NOT_READY');
});

test('refresh picks up started and ended experiments; forget stops routing at once; a stale refresh does not win', async () => {
  const { plane } = fakeDataPlane();
  let running: Experiment[] = [];
  let release: () => void = () => undefined;
  let slow = false;
  const r = new ExperimentRouter({
    store: {
      listExperiments: async () => {
        const snapshot = running;
        if (slow) await new Promise<void>((resolve) => (release = resolve));
        return snapshot;
      },
    },
    logger,
  });
  await r.refresh();
  assert.equal(r.infer(plane, 'titanic', undefined, request, { requestId: 'r' }), undefined);
  running = [experiment()];
  await r.refresh();
  assert.equal(r.runningExperiments().length, 1);
  r.forget('exp-1');
  assert.equal(r.infer(plane, 'titanic', undefined, request, { requestId: 'r' }), undefined);
  // a refresh that read "running" before the experiment ended must not bring it back after a newer one
  slow = true;
  const stale = r.refresh();
  slow = false;
  running = [];
  await r.refresh();
  release();
  await stale;
  assert.equal(r.runningExperiments().length, 0);
});

test('arm traffic counts requests, not rows; the canary judges only past its minimum and names the breach', () => {
  const rec = (requestId: string, arm: 'champion' | 'challenger', latencyMs: number, error?: string): PredictionRecord => ({
    requestId, model: 'm', version: arm === 'champion' ? 1 : 2, timestamp: 1, latencyMs, inputs: null, outputs: null, arm, experiment: 'e', ...(error === undefined ? {} : { error }),
  });
  const records = [rec('a#0', 'challenger', 5), rec('a#1', 'challenger', 5), rec('b', 'challenger', 50), rec('c', 'challenger', 1, 'INFERENCE_FAILED'), rec('d', 'champion', 2)];
  const t = armTraffic(records, 'challenger');
  assert.deepEqual({ requests: t.requests, rows: t.rows, errors: t.errors, error_rate: t.error_rate, p50: t.p50_ms }, { requests: 3, rows: 4, errors: 1, error_rate: 1 / 3, p50: 27.5 });
  assert.equal(canaryBreach({ challenger: 2, maxErrorRate: 0.1 }, t, 10), null, 'three requests are no evidence');
  assert.match(canaryBreach({ challenger: 2, maxErrorRate: 0.1 }, t, 3)!, /^canary: challenger version 2 error rate 33\.3% > 10\.0% \(1 of 3 requests failed\)/);
  assert.match(canaryBreach({ challenger: 2, maxP99Ms: 20 }, t, 3)!, /p99 latency 49\.\d ms > 20 ms/);
  assert.equal(canaryBreach({ challenger: 2, maxErrorRate: 0.5, maxP99Ms: 100 }, t, 3), null);
});

test('the canary watcher rolls back a breaking canary once, and leaves a healthy one and split experiments alone', async () => {
  const records: PredictionRecord[] = [];
  for (let i = 0; i < 30; i++) records.push({ requestId: `r${i}`, model: 'titanic', version: 2, timestamp: 1, latencyMs: 1, inputs: null, outputs: null, experiment: 'bad', arm: 'challenger', ...(i % 3 === 0 ? { error: 'INFERENCE_FAILED' } : {}) });
  const ended: [string, string, string][] = [];
  const forgotten: string[] = [];
  const running = [experiment({ id: 'bad', mode: 'canary', maxErrorRate: 0.05 }), experiment({ id: 'good', model: 'fare', mode: 'canary', maxErrorRate: 0.5 }), experiment({ id: 'plain', model: 'x' })];
  const watcher = new CanaryWatcher({
    store: {
      listPredictions: async (q) => records.filter((r) => r.experiment === q?.experiment),
      endExperiment: async (id, status, reason) => {
        ended.push([id, status, reason]);
        return experiment({ id, status });
      },
    },
    router: { runningExperiments: () => running, forget: (id) => void forgotten.push(id), refresh: async () => undefined },
    logger,
    minRequests: 10,
  });
  const checks = await watcher.check();
  assert.deepEqual(checks.map((c) => [c.experiment, c.breach === null]), [['bad', false], ['good', true]]);
  assert.deepEqual(forgotten, ['bad']);
  assert.equal(ended.length, 1);
  assert.equal(ended[0]![1], 'rolled_back');
  assert.match(ended[0]![2], /error rate 33\.3% > 5\.0% \(10 of 30 requests failed\)/);
});
