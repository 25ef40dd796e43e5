/**
 * The whole path through the real processes a user runs: `kiln train` → `kiln serve` → HTTP
 * (Open Inference Protocol v2 and KServe v1) → a new version trained while serving → graceful stop
 * with every prediction in the store.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { openHome } from '../../src/store/open-store.js';
import { kiln, spawnKiln, tempHome } from '../helpers/kiln-cli.js';

const SPEC = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'kiln.yaml');

/** Starts a long-running kiln verb and resolves with the URL it reports on stdout (--json). */
async function startServing(args: readonly string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawnKiln([...args, '--json', '--port', '0']);
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    // a hang guard only: starting under tsx on a loaded 2-core machine can take tens of seconds
    const timer = setTimeout(() => reject(new Error(`no URL within 180 s; stderr: ${stderr}`)), 180_000);
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      try {
        const doc = JSON.parse(stdout) as { url: string };
        clearTimeout(timer);
        resolve(doc.url);
      } catch {
        // the JSON document is not complete yet
      }
    });
    child.on('exit', (code) => reject(new Error(`kiln exited with ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

const passenger = (n: number) => ({
  id: `req-${n}`,
  inputs: [
    { name: 'Pclass', datatype: 'FP32', shape: [2, 1], data: [3, 1] },
    { name: 'Sex', datatype: 'BYTES', shape: [2, 1], data: ['male', 'female'] },
    { name: 'Age', datatype: 'FP32', shape: [2, 1], data: [22, null] },
    { name: 'SibSp', datatype: 'FP32', shape: [2, 1], data: [1, 0] },
    { name: 'Parch', datatype: 'FP32', shape: [2, 1], data: [0, 0] },
    { name: 'Fare', datatype: 'FP32', shape: [2, 1], data: [7.25, 80] },
    { name: 'Embarked', datatype: 'BYTES', shape: [2, 1], data: ['S', ''] },
  ],
});

describe('kiln serve, end to end over HTTP', () => {
  const home = tempHome();
  let server: Awaited<ReturnType<typeof startServing>>;

  before(async () => {
    const trained = await kiln(['train', SPEC, '--home', home, '--json']);
    assert.equal(trained.code, 0, trained.stderr);
    server = await startServing(['serve', '--home', home]);
  });
  after(() => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  });

  test('health, metadata and readiness', async () => {
    assert.equal((await fetch(`${server.url}/v2/health/live`)).status, 200);
    assert.equal((await fetch(`${server.url}/v2/health/ready`)).status, 200);
    const meta = (await (await fetch(`${server.url}/v2/models/titanic`)).json()) as Record<string, any>;
    assert.equal(meta['name'], 'titanic');
    assert.deepEqual(meta['versions'], ['1']);
    assert.deepEqual(meta['inputs'].map((i: { name: string }) => i.name), ['Pclass', 'Sex', 'Age', 'SibSp', 'Parch', 'Fare', 'Embarked']);
    assert.deepEqual(meta['outputs'].map((o: { name: string }) => o.name), ['label', 'probabilities']);
    assert.equal((await fetch(`${server.url}/v2/models/titanic/ready`)).status, 200);
  });

  test('v2 infer answers with labels and probabilities, missing values included', async () => {
    const res = await post(`${server.url}/v2/models/titanic/infer`, passenger(1));
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, any>;
    assert.equal(body['model_name'], 'titanic');
    assert.equal(body['model_version'], '1');
    assert.equal(body['id'], 'req-1');
    const label = body['outputs'].find((o: { name: string }) => o.name === 'label');
    const proba = body['outputs'].find((o: { name: string }) => o.name === 'probabilities');
    assert.deepEqual(label.shape, [2, 1]);
    assert.deepEqual(label.data, [0, 1], 'a third-class man is predicted lost, a first-class woman saved');
    assert.deepEqual(proba.shape, [2, 2]);
    assert.ok(Math.abs(proba.data[0] + proba.data[1] - 1) < 1e-6);
  });

  test('v1 predict takes rows, partial rows too', async () => {
    const res = await post(`${server.url}/v1/models/titanic:predict`, {
      instances: [{ Pclass: 3, Sex: 'male', Age: 22, SibSp: 1, Parch: 0, Fare: 7.25, Embarked: 'S' }, { Pclass: 1, Sex: 'female', Age: 38 }],
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { predictions: { label: number; probabilities: Record<string, number> }[] };
    assert.equal(body.predictions.length, 2);
    assert.equal(body.predictions[0]?.label, 0);
    assert.equal(body.predictions[1]?.label, 1);
    assert.ok(body.predictions[1]!.probabilities['1']! > 0.5);
  });

  test('bad requests get a 4xx naming the problem, and the server keeps serving', async () => {
    const cases: [string, Response, number, RegExp][] = [
      ['malformed JSON', await post(`${server.url}/v2/models/titanic/infer`, '{"inputs": ['), 400, /JSON|body/i],
      ['unknown model', await post(`${server.url}/v2/models/nobody/infer`, passenger(2)), 404, /nobody/],
      ['unknown version', await post(`${server.url}/v2/models/titanic/versions/7/infer`, passenger(2)), 404, /version 7/],
      ['wrong shape', await post(`${server.url}/v2/models/titanic/infer`, { inputs: passenger(2).inputs.map((i) => (i.name === 'Age' ? { ...i, shape: [2, 2] } : i)) }), 400, /Age/],
      ['wrong datatype', await post(`${server.url}/v2/models/titanic/infer`, { inputs: passenger(2).inputs.map((i) => (i.name === 'Sex' ? { ...i, datatype: 'FP32', data: [1, 2] } : i)) }), 400, /Sex/],
      ['missing input', await post(`${server.url}/v2/models/titanic/infer`, { inputs: passenger(2).inputs.filter((i) => i.name !== 'Fare') }), 400, /Fare/],
    ];
    for (const [what, res, status, pattern] of cases) {
      assert.equal(res.status, status, what);
      const body = (await res.json()) as { error: string };
      assert.equal(typeof body.error, 'string', what);
      assert.match(body.error, pattern, what);
      assert.doesNotMatch(JSON.stringify(body), /\s+at .+:\d+:\d+/, `${what}: a stack trace leaked`);
    }
    const ok = await post(`${server.url}/v2/models/titanic/infer`, passenger(3));
    assert.equal(ok.status, 200);
  });

  test('a version trained while the server runs is served as the latest; named versions and aliases stay reachable', async () => {
    const trained = await kiln(['train', SPEC, '--home', home, '--json']);
    assert.equal(trained.code, 0, trained.stderr);
    assert.equal(JSON.parse(trained.stdout).version, 2);
    const alias = await kiln(['models', 'alias', 'titanic', 'champion', '1', '--home', home]);
    assert.equal(alias.code, 0, alias.stderr);
    await new Promise((r) => setTimeout(r, 1200));
    const latest = (await (await post(`${server.url}/v2/models/titanic/infer`, passenger(4))).json()) as Record<string, unknown>;
    assert.equal(latest['model_version'], '2');
    const pinned = (await (await post(`${server.url}/v2/models/titanic/versions/1/infer`, passenger(5))).json()) as Record<string, unknown>;
    assert.equal(pinned['model_version'], '1');
    const champion = (await (await post(`${server.url}/v2/models/titanic@champion/infer`, passenger(6))).json()) as Record<string, unknown>;
    assert.equal(champion['model_version'], '1');
  });

  test('SIGTERM drains and exits cleanly, and every answered row is in the prediction log', async () => {
    server.child.kill('SIGTERM');
    const [code] = (await once(server.child, 'exit')) as [number | null];
    assert.equal(code, 0, server.stderr());
    const { store } = await openHome(home);
    try {
      const all = await store.listPredictions({ model: 'titanic', limit: 1000 });
      // failed requests are logged too, with their error code, so the error rate can be monitored
      const failed = all.filter((r) => r.error !== undefined);
      assert.ok(failed.length > 0 && failed.every((r) => /^[A-Z_]+$/.test(r.error as string)), JSON.stringify(failed.map((r) => r.error)));
      const logged = all.filter((r) => r.error === undefined);
      // passenger(1), (3), (4), (5), (6) are two rows each; the v1 request two rows
      assert.equal(logged.length, 12);
      const first = logged.find((r) => r.requestId === 'req-1#0');
      assert.ok(first, 'rows of a batch are logged as id#row');
      assert.equal((first.inputs as Record<string, unknown>)['Sex'], 'male');
    } finally {
      await store.close();
    }
    // the served traffic against the training-time reference stored with the version
    const monitor = await kiln(['monitor', 'titanic:2', '--json', '--home', home]);
    const logged1 = await kiln(['monitor', 'titanic:1', '--json', '--home', home]);
    assert.equal(logged1.code, 0, logged1.stderr);
    const report = JSON.parse(logged1.stdout) as { rows: number; failed: number; drift: { columns: { column: string; drift: boolean }[] }; prediction_drift: unknown };
    assert.equal(report.rows - report.failed, 10, 'every row answered by version 1 (all but the request to the latest, version 2)');
    assert.deepEqual(report.drift.columns.map((f) => f.column).sort(), ['Age', 'Embarked', 'Fare', 'Parch', 'Pclass', 'Sex', 'SibSp']);
    assert.notEqual(report.prediction_drift, null, 'the training-time outputs are in the reference');
    assert.ok([0, 1].includes(monitor.code), monitor.stderr);
  });
});

describe('kiln demo (what npm start runs)', () => {
  test('trains the Titanic example, serves it, and the printed request works', async () => {
    const home = tempHome();
    const child = spawnKiln(['demo', '--home', home, '--port', '0']);
    let stderr = '';
    const curl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo did not print a curl line in 180 s: ${stderr}`)), 180_000);
      child.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /curl -s (\S+:predict) -H 'content-type: application\/json' \\\n\s+-d '(.+)'/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(JSON.stringify({ url: m[1], body: m[2] }));
        }
      });
      child.on('exit', (code) => reject(new Error(`demo exited with ${code}: ${stderr}`)));
    });
    try {
      assert.match(stderr, /Trained titanic:1 — test accuracy 0\.\d+, ROC-AUC 0\.\d+/);
      const { url, body } = JSON.parse(curl) as { url: string; body: string };
      const res = await post(url, body);
      assert.equal(res.status, 200);
      const answer = (await res.json()) as { predictions: unknown[] };
      assert.equal(answer.predictions.length, 2);
      // and the line that points engineers at the API's description
      const openapi = /curl -s (\S+\/openapi\.json)/.exec(stderr)?.[1];
      assert.ok(openapi !== undefined, stderr);
      const described = (await (await fetch(openapi)).json()) as { openapi: string; paths: Record<string, unknown> };
      assert.equal(described.openapi, '3.1.0');
      assert.ok(described.paths['/v1/models/{nameAndVerb}'] !== undefined);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
