/**
 * ±Infinity in a Kiln module's numeric column is refused with INPUT_DATA naming the input and element, on
 * the transports that can carry it: raw bytes (binary tensor bodies, gRPC raw contents) and gRPC's float
 * contents (a client's 1e308 in fp32_contents arrives as Infinity). The graph would otherwise answer a
 * certain 0 or 1. JSON has no Infinity literal, but 1e999 parses as Infinity, so JSON bodies are scanned
 * too; training refuses it. NaN stays "missing", and a plain
 * tensor model (a Triton folder) is fed what it is sent, as Triton does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { inferenceClient } from '../../src/serve/grpc/proto.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { registerFixture, tempHome, expectedProbability } from './fixture-module.js';
import { identities, tritonRepository } from './foreign-models.js';

const floats = (values: readonly number[]): Buffer => Buffer.from(Float32Array.from(values).buffer);
const strings = (values: readonly string[]): Buffer =>
  Buffer.concat(values.flatMap((v) => {
    const bytes = Buffer.from(v, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(bytes.byteLength);
    return [length, bytes];
  }));

describe('infinite values in a module column', () => {
  let server: RunningServer;
  let home: Awaited<ReturnType<typeof tempHome>>;
  let repo: Awaited<ReturnType<typeof tritonRepository>>;
  let client: ReturnType<typeof inferenceClient>;

  before(async () => {
    home = await tempHome();
    await registerFixture(home, { name: 'titanic', classes: [0, 1] });
    repo = await tritonRepository([{ name: 'plain', versions: { 1: identities(['FP32']) } }]);
    server = await startServer({ store: home.store, artifacts: home.artifacts, modelRepository: repo.dir, logger: pino({ level: 'silent' }), port: 0, grpcPort: 0 });
    client = inferenceClient(server.grpc?.address ?? '');
  });
  after(async () => {
    client.close();
    await server.close();
    await home.remove();
    await repo.remove();
  });

  const infer = <T>(request: unknown): Promise<T> =>
    new Promise((resolve, reject) =>
      (client['ModelInfer'] as (r: unknown, cb: (err: grpc.ServiceError | null, res: T) => void) => void).call(client, request, (err, res) => (err === null ? resolve(res) : reject(err))),
    );

  test('gRPC float contents: Infinity (what 1e308 becomes in float32) is INVALID_ARGUMENT naming Age and the element', async () => {
    await assert.rejects(
      infer({ model_name: 'titanic', inputs: [{ name: 'Age', datatype: 'FP32', shape: [2, 1], contents: { fp32_contents: [30, 1e308] } }, { name: 'Sex', datatype: 'BYTES', shape: [2, 1], contents: { bytes_contents: [Buffer.from('male'), Buffer.from('female')] } }] }),
      (err: grpc.ServiceError) => err.code === grpc.status.INVALID_ARGUMENT && /Age/.test(err.details) && /element 1 is Infinity/.test(err.details) && /finite number/.test(err.details),
    );
  });

  test('gRPC raw contents: -Infinity is refused; NaN is a missing age and answered', async () => {
    const request = (age: number) => ({ model_name: 'titanic', inputs: [{ name: 'Age', datatype: 'FP32', shape: [1, 1] }, { name: 'Sex', datatype: 'BYTES', shape: [1, 1] }], raw_input_contents: [floats([age]), strings(['female'])] });
    await assert.rejects(infer(request(-Infinity)), (err: grpc.ServiceError) => err.code === grpc.status.INVALID_ARGUMENT && /element 0 is -Infinity/.test(err.details));
    const answer = await infer<{ outputs: { name: string }[]; raw_output_contents: Buffer[] }>(request(NaN));
    const at = answer.outputs.findIndex((o) => o.name === 'probabilities');
    const bytes = answer.raw_output_contents[at] as Buffer;
    const probabilities = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    assert.ok(Math.abs((probabilities[1] as number) - expectedProbability(null, 'female')) < 1e-5);
  });

  test('binary tensor body over HTTP: Infinity is a 400 INPUT_DATA; a plain tensor model still takes it', async () => {
    const send = async (model: string, header: unknown, chunks: Buffer[]) => {
      const json = Buffer.from(JSON.stringify(header));
      return fetch(`${server.url}/v2/models/${model}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(json.byteLength) },
        body: Buffer.concat([json, ...chunks]),
      });
    };
    const ages = floats([22, Infinity]);
    const sexes = strings(['male', 'female']);
    const refused = await send('titanic', { inputs: [{ name: 'Age', datatype: 'FP32', shape: [2, 1], parameters: { binary_data_size: ages.byteLength } }, { name: 'Sex', datatype: 'BYTES', shape: [2, 1], parameters: { binary_data_size: sexes.byteLength } }] }, [ages, sexes]);
    assert.equal(refused.status, 400);
    const error = (await refused.json()) as { code: string; error: string };
    assert.equal(error.code, 'INPUT_DATA');
    assert.match(error.error, /"Age".*element 1 is Infinity/);

    const plain = floats([1, Infinity, 3, 4]);
    const taken = await send('plain', { inputs: [{ name: 'x_FP32', datatype: 'FP32', shape: [2, 2], parameters: { binary_data_size: plain.byteLength } }] }, [plain]);
    assert.equal(taken.status, 200, await taken.clone().text());
    const answer = (await taken.json()) as { outputs: { data: (number | null)[] }[] };
    assert.equal(answer.outputs[0]?.data[0], 1);
  });

  test('JSON body: 1e999 overflows to Infinity in JSON.parse and is refused like a binary Infinity', async () => {
    // JSON has no Infinity literal, but a number too large for a double parses as Infinity
    const body = '{"inputs":[{"name":"Age","datatype":"FP32","shape":[2,1],"data":[22,1e999]},{"name":"Sex","datatype":"BYTES","shape":[2,1],"data":["male","female"]}]}';
    const response = await fetch(`${server.url}/v2/models/titanic/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(response.status, 400);
    const error = (await response.json()) as { code: string; error: string };
    assert.equal(error.code, 'INPUT_DATA');
    assert.match(error.error, /"Age".*element 1 is Infinity/);
  });
});
