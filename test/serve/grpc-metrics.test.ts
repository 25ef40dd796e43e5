/**
 * Over real sockets: the OIP gRPC service (every RPC, typed contents and raw contents, error codes) and
 * Prometheus /metrics (checked by a strict parser of the text format here, and by `promtool check
 * metrics` when Debian's prometheus package is installed).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { inferenceClient } from '../../src/serve/grpc/proto.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { irisExpected, irisLike, tritonRepository } from './foreign-models.js';

const ROW = [5.1, 3.5, 1.4, 0.2];

describe('gRPC and metrics', () => {
  let server: RunningServer;
  let repo: Awaited<ReturnType<typeof tritonRepository>>;
  let client: ReturnType<typeof inferenceClient>;

  before(async () => {
    repo = await tritonRepository([{ name: 'iris', versions: { 1: irisLike() } }]);
    server = await startServer({ modelRepository: repo.dir, logger: pino({ level: 'silent' }), port: 0, grpcPort: 0 });
    client = inferenceClient(server.grpc?.address ?? '');
  });
  after(async () => {
    client.close();
    await server.close();
    await repo.remove();
  });

  const call = <T>(method: string, request: unknown): Promise<T> =>
    new Promise((resolve, reject) =>
      (client[method] as (r: unknown, cb: (err: grpc.ServiceError | null, res: T) => void) => void).call(client, request, (err, res) => (err === null ? resolve(res) : reject(err))),
    );

  test('health and metadata RPCs', async () => {
    assert.deepEqual(await call('ServerLive', {}), { live: true });
    assert.deepEqual(await call('ServerReady', {}), { ready: true });
    assert.deepEqual(await call('ModelReady', { name: 'iris', version: '' }), { ready: true });
    const meta = await call<{ name: string; extensions: string[] }>('ServerMetadata', {});
    assert.equal(meta.name, 'kiln');
    assert.ok(meta.extensions.includes('binary_tensor_data'));
    const model = await call<{ name: string; versions: string[]; platform: string; inputs: { name: string; datatype: string; shape: number[] }[] }>('ModelMetadata', { name: 'iris', version: '1' });
    assert.equal(model.platform, 'onnxruntime_onnx');
    assert.deepEqual(model.versions, ['1']);
    assert.deepEqual(model.inputs.map((i) => ({ name: i.name, datatype: i.datatype, shape: i.shape })), [{ name: 'float_input', datatype: 'FP32', shape: [-1, 4] }]);
  });

  test('ModelInfer with typed contents answers typed contents', async () => {
    const res = await call<{ model_name: string; id: string; outputs: { name: string; shape: number[]; contents: { int64_contents: number[]; fp32_contents: number[] } }[]; raw_output_contents: Buffer[] }>('ModelInfer', {
      model_name: 'iris',
      id: 'grpc-1',
      inputs: [{ name: 'float_input', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: ROW } }],
    });
    assert.equal(res.model_name, 'iris');
    assert.equal(res.id, 'grpc-1');
    assert.equal(res.raw_output_contents.length, 0);
    const expected = irisExpected(ROW);
    assert.deepEqual(res.outputs.find((o) => o.name === 'label')?.contents.int64_contents, [expected.label]);
    const p = res.outputs.find((o) => o.name === 'probabilities');
    assert.deepEqual(p?.shape, [1, 3]);
    expected.probabilities.forEach((v, i) => assert.ok(Math.abs((p?.contents.fp32_contents[i] ?? NaN) - v) < 1e-5));
  });

  test('ModelInfer with raw_input_contents answers raw_output_contents', async () => {
    const raw = Buffer.from(Float32Array.from([...ROW, ...ROW]).buffer);
    const res = await call<{ outputs: { name: string; datatype: string }[]; raw_output_contents: Buffer[] }>('ModelInfer', {
      model_name: 'iris',
      inputs: [{ name: 'float_input', datatype: 'FP32', shape: [2, 4] }],
      outputs: [{ name: 'probabilities' }],
      raw_input_contents: [raw],
    });
    assert.deepEqual(res.outputs.map((o) => o.name), ['probabilities']);
    const bytes = res.raw_output_contents[0] as Buffer;
    const probabilities = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    assert.equal(probabilities.length, 6);
    assert.ok(Math.abs((probabilities[3] as number) - (irisExpected(ROW).probabilities[0] as number)) < 1e-5);
  });

  test('errors keep their meaning as gRPC status codes, and the service keeps answering', async () => {
    await assert.rejects(call('ModelInfer', { model_name: 'nope', inputs: [] }), (err: grpc.ServiceError) => err.code === grpc.status.NOT_FOUND && /no model "nope"/.test(err.details));
    await assert.rejects(
      call('ModelInfer', { model_name: 'iris', inputs: [{ name: 'float_input', datatype: 'FP64', shape: [1, 4], contents: { fp64_contents: ROW } }] }),
      (err: grpc.ServiceError) => err.code === grpc.status.INVALID_ARGUMENT && /FP64, expected FP32/.test(err.details),
    );
    await assert.rejects(
      call('ModelInfer', { model_name: 'iris', inputs: [{ name: 'float_input', datatype: 'FP32', shape: [1, 4] }], raw_input_contents: [Buffer.alloc(3)] }),
      (err: grpc.ServiceError) => err.code === grpc.status.INVALID_ARGUMENT && /3 byte\(s\) of binary data/.test(err.details),
    );
    assert.deepEqual(await call('ServerLive', {}), { live: true });
  });

  test('/metrics is valid Prometheus text: counters by outcome, histograms of queue, compute and batch size', async (t) => {
    // one failed request, so that a non-success outcome is counted too
    const failed = await fetch(`${server.url}/v2/models/iris/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] }) });
    assert.equal(failed.status, 400, await failed.text());
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const samples = parseExposition(text);
    const value = (name: string, labels: Record<string, string>) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    // earlier tests: 2 gRPC inferences answered, 2 gRPC ones refused (FP64, bad raw length); plus the one above
    assert.equal(value('kiln_inference_requests_total', { model: 'iris', version: '1', outcome: 'success' }), 2);
    assert.equal(value('kiln_inference_requests_total', { model: 'iris', version: '1', outcome: 'client_error' }), 3);
    assert.equal(value('kiln_inference_requests_total', { model: 'iris', version: '1', outcome: 'server_error' }), 0);
    for (const h of ['kiln_inference_queue_duration_seconds', 'kiln_inference_compute_duration_seconds', 'kiln_inference_batch_size']) {
      assert.equal(value(`${h}_count`, { model: 'iris' }), 2, h);
      assert.equal(value(`${h}_bucket`, { model: 'iris', le: '+Inf' }), value(`${h}_count`, { model: 'iris' }), h);
    }
    assert.equal(value('kiln_model_ready', { model: 'iris', version: '1' }), 1);

    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (promtool.error !== undefined) {
      t.skip('promtool is not installed (Debian package prometheus); the strict parser above checked the format');
      return;
    }
    assert.equal(promtool.status, 0, `${promtool.stdout}${promtool.stderr}`);
  });
});

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/**
 * A strict reader of the Prometheus text format 0.0.4: every line is a HELP, a TYPE or a sample; every
 * sample belongs to the family declared just before it; label values are quoted with escapes; histogram
 * buckets are cumulative and end with +Inf equal to _count.
 */
function parseExposition(text: string): Sample[] {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a newline');
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  let family = '';
  const lastBucket = new Map<string, number>();
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta !== null) {
      family = meta[2] as string;
      if (meta[1] === 'TYPE') {
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(meta[3] as string), line);
        assert.ok(!types.has(family), `TYPE given twice for ${family}`);
        types.set(family, meta[3] as string);
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$/.exec(line);
    assert.ok(sample !== null, `not a sample line: ${line}`);
    const name = sample[1] as string;
    const type = types.get(family);
    const base = type === 'histogram' ? name.replace(/_(bucket|sum|count)$/, '') : name;
    assert.equal(base, family, `sample ${name} outside its family ${family}`);
    const labels: Record<string, string> = {};
    const labelText = sample[3] ?? '';
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/y;
    while (labelPattern.lastIndex < labelText.length) {
      const m = labelPattern.exec(labelText);
      assert.ok(m !== null, `bad labels: ${labelText}`);
      labels[m[1] as string] = (m[2] as string).replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    }
    const value = sample[4] === '+Inf' ? Infinity : Number(sample[4]);
    if (name.endsWith('_bucket')) {
      const series = name + JSON.stringify({ ...labels, le: undefined });
      assert.ok(value >= (lastBucket.get(series) ?? 0), `buckets must be cumulative: ${line}`);
      lastBucket.set(series, value);
    }
    samples.push({ name, labels, value });
  }
  return samples;
}
