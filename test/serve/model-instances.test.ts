/**
 * Where a model runs and what happens when its worker dies:
 *   - a small model (one-row run within the limit) runs on the main thread, a heavy one in a worker thread,
 *     and `mainThreadRunLimitUs: 0` puts every model in worker threads; both answer the same;
 *   - a worker thread that dies fails its running batch with MODEL_INSTANCE_DIED (503) instead of hanging,
 *     is replaced, and the next request is answered, at the instance level and through the server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import pino from 'pino';
import { isKilnError } from '../../src/core/errors.js';
import type { HostTensor } from '../../src/serve/datatypes.js';
import { InstanceDiedError, Instance } from '../../src/serve/scheduler/instance.js';
import { buildServer, type KilnServer } from '../../src/serve/server.js';
import { irisExpected, irisLike, tritonRepository, wideMlp } from './foreign-models.js';

const quiet = pino({ level: 'silent' });
const IRIS_ROW = [5.1, 3.5, 1.4, 0.2];

/** The worker thread behind an instance. */
const workerOf = (instance: Instance): Worker => (instance as unknown as { worker: Worker }).worker;

/**
 * Makes the instance's next run lose its worker: the worker is told to stop just before the batch is
 * posted to it, so the batch is in flight when the worker dies, as in a crash. (Stopping it while
 * onnxruntime is inside a run would abort the whole process from native code, which no replacement can
 * help, so the test does not do that.)
 */
function dieOnNextRun(instance: Instance): void {
  const run = instance.run.bind(instance);
  instance.run = (feeds) => {
    instance.run = run;
    void workerOf(instance).terminate();
    return run(feeds);
  };
}

function mlpFeeds(rows: number): Record<string, HostTensor> {
  return { x: { datatype: 'FP32', shape: [rows, 256], data: Float32Array.from({ length: rows * 256 }, (_, i) => Math.sin(i)) } };
}

const mlpRequest = (rows: number) => ({ inputs: [{ name: 'x', shape: [rows, 256], datatype: 'FP32', data: Array.from({ length: rows * 256 }, (_, i) => Math.sin(i)) }] });

describe('placement', () => {
  let repo: Awaited<ReturnType<typeof tritonRepository>>;
  let app: KilnServer;
  let workersOnly: KilnServer;

  before(async () => {
    repo = await tritonRepository([
      { name: 'iris', versions: { 1: irisLike() } },
      { name: 'mlp', versions: { 1: wideMlp() } },
      { name: 'iris_two', versions: { 1: irisLike() }, config: 'instance_group [ { count: 2, kind: KIND_CPU } ]\n' },
    ]);
    // a limit well above the small model's 32-row batch (~25 µs here) and well below the MLP's (~0.8 ms), so
    // a busy machine (tests run two files at a time) cannot flip the placement as it could at the default 100
    app = await buildServer({ modelRepository: repo.dir, logger: quiet, mainThreadRunLimitUs: 300 });
    workersOnly = await buildServer({ modelRepository: repo.dir, logger: quiet, mainThreadRunLimitUs: 0 });
    await app.kiln.repository.warmUp();
    await workersOnly.kiln.repository.warmUp();
  });
  after(async () => {
    await app.close();
    await workersOnly.close();
    await repo.remove();
  });

  const placement = async (server: KilnServer, name: string) => (await server.kiln.repository.get({ kind: 'latest', name })).placement;

  test('a small model runs on the main thread; a heavy one, or one with several instances, in worker threads', async () => {
    assert.equal(await placement(app, 'iris'), 'main-thread');
    assert.equal(await placement(app, 'mlp'), 'worker-threads', 'a 32-row batch of 256→1024→1024→2 takes longer than the limit');
    assert.equal(await placement(app, 'iris_two'), 'worker-threads', 'instance_group count 2 asks for parallelism');
    assert.equal(await placement(workersOnly, 'iris'), 'worker-threads', 'mainThreadRunLimitUs: 0');
  });

  test('the main-thread and the worker-thread instance answer alike, also for a batch', async () => {
    const rows = [IRIS_ROW, [6.7, 3.0, 5.2, 2.3], [0, 0, 0, 0]];
    const payload = { inputs: [{ name: 'float_input', shape: [3, 4], datatype: 'FP32', data: rows.flat() }] };
    const answers = await Promise.all(
      [app, workersOnly].map(async (server) => {
        const res = await server.inject({ method: 'POST', url: '/v2/models/iris/infer', payload });
        assert.equal(res.statusCode, 200, res.body);
        return res.json() as { outputs: { name: string; data: number[] }[] };
      }),
    );
    assert.deepEqual(answers[0]?.outputs, answers[1]?.outputs);
    const probabilities = answers[0]?.outputs.find((o) => o.name === 'probabilities')?.data ?? [];
    rows.forEach((row, i) => {
      const expected = irisExpected(row).probabilities;
      expected.forEach((p, c) => assert.ok(Math.abs((probabilities[i * 3 + c] as number) - p) < 1e-5));
    });
  });
});

describe('a worker thread that dies', () => {
  test('fails its running batch with InstanceDiedError, is replaced, and the next batch runs', async () => {
    const deaths: string[] = [];
    let replaced = 0;
    const instance = await Instance.start(wideMlp(), { events: { died: (reason) => deaths.push(reason), replaced: () => replaced++ } });
    try {
      dieOnNextRun(instance);
      await assert.rejects(instance.run(mlpFeeds(1)), (err: unknown) => err instanceof InstanceDiedError);
      assert.equal(deaths.length, 1);
      assert.equal(instance.restarts, 1);
      // sent while the replacement opens the model: waits for it, then runs
      const next = await instance.run(mlpFeeds(2));
      assert.deepEqual(next.outputs['y']?.shape, [2, 2]);
      assert.equal(replaced, 1);
    } finally {
      await instance.close();
    }
  });

  test('through the server: the request in flight gets a coded 503, the model keeps serving', async () => {
    const repo = await tritonRepository([{ name: 'mlp', versions: { 1: wideMlp() }, config: 'max_batch_size: 8\n' }]);
    const app = await buildServer({ modelRepository: repo.dir, logger: quiet });
    try {
      await app.kiln.repository.warmUp();
      const model = await app.kiln.repository.get({ kind: 'latest', name: 'mlp' });
      assert.equal(model.placement, 'worker-threads');
      dieOnNextRun(model.scheduler.instances[0] as Instance);
      const failed = await app.inject({ method: 'POST', url: '/v2/models/mlp/infer', payload: mlpRequest(1) });
      assert.equal(failed.statusCode, 503, failed.body);
      assert.equal(failed.json().code, 'MODEL_INSTANCE_DIED');
      assert.match(failed.json().error, /stopped/);

      const next = await app.inject({ method: 'POST', url: '/v2/models/mlp/infer', payload: mlpRequest(2) });
      assert.equal(next.statusCode, 200, next.body);
      const stats = model.statistics.outcomes;
      assert.equal(stats.get('server_error'), 1);
    } finally {
      await app.close();
      await repo.remove();
    }
  });

  test('a closed instance refuses runs instead of restarting', async () => {
    const instance = await Instance.start(irisLike());
    await instance.close();
    await assert.rejects(instance.run({ float_input: { datatype: 'FP32', shape: [1, 4], data: Float32Array.from(IRIS_ROW) } }), (err: unknown) => !isKilnError(err) && /closed/.test((err as Error).message));
    assert.equal(instance.restarts, 0);
  });
});
