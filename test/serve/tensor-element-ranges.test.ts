/**
 * JSON elements a tensor's datatype cannot hold are refused, never changed: a finite number beyond
 * float32's range (1e308 would become Infinity in the FP32 tensor) or half precision's (65520 and beyond),
 * integers out of their type's range or with a fraction, text or booleans for numbers, and the JSON that
 * does not exist (a bare NaN). Each refusal is a 400 INPUT_DATA naming the input and the element's index,
 * the same on every transport that carries JSON elements: the infer fast path (JSON over HTTP), the
 * Fastify route (app.inject), the JSON header of a binary tensor body, and gRPC's typed contents.
 * Raw (binary) elements are already of the datatype, so they have nothing to refuse.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { inferenceClient } from '../../src/serve/grpc/proto.js';
import { FP16_MAX, FP32_MAX, OIP_DATATYPES, toRawBytes, type OipDatatype } from '../../src/serve/datatypes.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { identities, tritonRepository } from './foreign-models.js';
import { GOOD_ELEMENTS } from './element-examples.js';

const GOOD = GOOD_ELEMENTS;

/** An infer request for every datatype's input, with `datatype`'s elements replaced by `data`. */
function requestWith(datatype: OipDatatype, data: unknown[]): { inputs: { name: string; datatype: OipDatatype; shape: number[]; data: unknown[] }[] } {
  return { inputs: OIP_DATATYPES.map((d) => ({ name: `x_${d}`, datatype: d, shape: [2, 2], data: d === datatype ? data : GOOD[d] })) };
}

/** Refused elements: the datatype, its four elements, and the index and text of the one the error names. */
const REFUSED: readonly [OipDatatype, unknown[], number, string][] = [
  ['FP32', [1.5, 1e308, 0, 0], 1, '1e+308'],
  ['FP32', [0, 0, 0, -3.5e38], 3, '-3.5e+38'],
  // the smallest magnitude float32 rounds to infinity (FP32_MAX + half a step)
  ['FP32', [0, 0, 2 ** 128 - 2 ** 103, 0], 2, '3.4028235677973366e+38'],
  ['FP32', [[0, 0], [0, 1e39]], 3, '1e+39'],
  ['FP32', ['NaN', 0, 0, 0], 0, '"NaN"'],
  ['FP32', [0, 'Infinity', 0, 0], 1, '"Infinity"'],
  ['FP32', [0, 0, '1.5', 0], 2, '"1.5"'],
  ['FP32', [0, 0, 0, true], 3, 'true'],
  ['FP16', [65520, 0, 0, 0], 0, '65520'],
  ['FP16', [0, -1e5, 0, 0], 1, '-100000'],
  ['FP16', [0, 0, 1e308, 0], 2, '1e+308'],
  ['FP16', [0, 0, 0, 'NaN'], 3, '"NaN"'],
  ['INT8', [128, 0, 0, 0], 0, '128'],
  ['INT8', [0, -129, 0, 0], 1, '-129'],
  ['INT8', [0, 0, 1.5, 0], 2, '1.5'],
  ['INT8', [0, 0, 0, '1'], 3, '"1"'],
  ['INT8', [true, 0, 0, 0], 0, 'true'],
  ['INT8', [null, 0, 0, 0], 0, 'null'],
  ['INT16', [0, 32768, 0, 0], 1, '32768'],
  ['INT32', [0, 0, 2147483648, 0], 2, '2147483648'],
  ['INT32', [0, 0, 0, -2147483649], 3, '-2147483649'],
  ['INT64', [2 ** 53, 0, 0, 0], 0, '9007199254740992'],
  ['INT64', [0, '9223372036854775808', 0, 0], 1, '"9223372036854775808"'],
  ['INT64', [0, 0, 0.5, 0], 2, '0.5'],
  ['UINT8', [256, 0, 0, 0], 0, '256'],
  ['UINT8', [0, -1, 0, 0], 1, '-1'],
  ['UINT16', [0, 0, 65536, 0], 2, '65536'],
  ['UINT32', [0, 0, 0, 4294967296], 3, '4294967296'],
  ['UINT32', [0.5, 0, 0, 0], 0, '0.5'],
  ['UINT64', [0, -1, 0, 0], 1, '-1'],
  ['UINT64', [0, 0, '18446744073709551616', 0], 2, '"18446744073709551616"'],
  ['BOOL', [1, false, false, true], 0, '1'],
  ['BOOL', [true, 'false', false, true], 1, '"false"'],
];

/** Accepted edge elements and what the identity model answers for them. */
const ACCEPTED: readonly [OipDatatype, unknown[], unknown[]][] = [
  // 3.4028235e38 is FP32_MAX's shortest float32 text (numpy's): it rounds to FP32_MAX, as 0.1 rounds
  ['FP32', [FP32_MAX, -FP32_MAX, 3.4028235e38, null], [FP32_MAX, -FP32_MAX, FP32_MAX, null]],
  ['FP32', [2 ** 128 - 2 ** 103 - 2 ** 75, 1e-50, -0, 0.1], [FP32_MAX, 0, -0, Math.fround(0.1)]],
  ['FP16', [FP16_MAX, -FP16_MAX, 65519, null], [FP16_MAX, -FP16_MAX, FP16_MAX, null]],
  ['FP64', [1e308, -1.7976931348623157e308, 5e-324, null], [1e308, -1.7976931348623157e308, 5e-324, null]],
];

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

describe('tensor elements out of their datatype\'s range', () => {
  let server: RunningServer;
  let repo: Awaited<ReturnType<typeof tritonRepository>>;
  let client: ReturnType<typeof inferenceClient>;

  before(async () => {
    repo = await tritonRepository([
      { name: 'all_types', versions: { 1: identities(OIP_DATATYPES) } },
      // gRPC has no typed contents for FP16 (it travels raw, and then every input must): a model without it
      { name: 'typed_contents', versions: { 1: identities(['INT8', 'UINT8', 'INT32', 'FP32']) } },
    ]);
    server = await startServer({ modelRepository: repo.dir, logger: pino({ level: 'silent' }), port: 0, grpcPort: 0 });
    await server.app.kiln.repository.warmUp();
    client = inferenceClient(server.grpc?.address ?? '');
  });
  after(async () => {
    client.close();
    await server.close();
    await repo.remove();
  });

  const url = () => `${server.url}/v2/models/all_types/infer`;

  /** JSON over HTTP: the request the infer fast path answers. */
  const fastPath = async (text: string): Promise<Answer> => {
    const answered = server.app.kiln.fastPath.answered;
    const res = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
    assert.equal(server.app.kiln.fastPath.answered, answered + 1, 'the fast path answered');
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** The same body through Fastify's route. */
  const fastify = async (text: string): Promise<Answer> => {
    const res = await server.app.inject({ method: 'POST', url: '/v2/models/all_types/infer', headers: { 'content-type': 'application/json' }, payload: text });
    return { status: res.statusCode, body: res.json() };
  };
  /**
   * A binary tensor body: BYTES travels raw after the JSON header, every other input (the bad one
   * included) as JSON elements inside the header.
   */
  const binary = async (request: ReturnType<typeof requestWith>): Promise<Answer> => {
    const raw = toRawBytes({ datatype: 'BYTES', shape: [2, 2], data: GOOD.BYTES as string[] });
    const inputs = request.inputs.map((input) => (input.datatype === 'BYTES' ? { name: input.name, datatype: input.datatype, shape: input.shape, parameters: { binary_data_size: raw.byteLength } } : input));
    const header = Buffer.from(JSON.stringify({ inputs }));
    const res = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.byteLength) },
      body: Buffer.concat([header, raw]),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  test('each refused element is a 400 INPUT_DATA naming the input and the element, the same on the fast path, Fastify\'s route and in a binary body', async () => {
    for (const [datatype, data, index, text] of REFUSED) {
      const request = requestWith(datatype, data);
      const json = JSON.stringify(request);
      const what = `${datatype} ${JSON.stringify(data)}`;
      const answers = { fastPath: await fastPath(json), fastify: await fastify(json), binary: await binary(request) };
      for (const [transport, { status, body }] of Object.entries(answers)) {
        assert.equal(status, 400, `${what} (${transport}): ${JSON.stringify(body)}`);
        assert.equal(body['code'], 'INPUT_DATA', `${what} (${transport})`);
        assert.ok(String(body['error']).startsWith(`input "x_${datatype}" has bad data: element ${index} is ${text}, expected `), `${what} (${transport}): ${String(body['error'])}`);
        assert.equal(typeof body['hint'], 'string');
      }
      assert.deepEqual(answers.fastify.body, answers.fastPath.body, what);
    }
  });

  test('the message says what the datatype holds', async () => {
    const fp32 = await fastPath(JSON.stringify(requestWith('FP32', [1e308, 0, 0, 0])));
    assert.equal(fp32.body['error'], `input "x_FP32" has bad data: element 0 is 1e+308, expected a number within FP32's range (±3.4028234663852886e+38) or null (missing) (datatype FP32)`);
    const fp16 = await fastPath(JSON.stringify(requestWith('FP16', [1e5, 0, 0, 0])));
    assert.equal(fp16.body['error'], `input "x_FP16" has bad data: element 0 is 100000, expected a number within FP16's range (±65504) or null (missing) (datatype FP16)`);
    const int8 = await fastPath(JSON.stringify(requestWith('INT8', [300, 0, 0, 0])));
    assert.equal(int8.body['error'], `input "x_INT8" has bad data: element 0 is 300, expected an integer from -128 to 127 (datatype INT8)`);
  });

  test('edge values each datatype holds are accepted, and come back as the tensor holds them', async () => {
    for (const [datatype, data, expected] of ACCEPTED) {
      const json = JSON.stringify(requestWith(datatype, data));
      for (const answer of [await fastPath(json), await fastify(json)]) {
        assert.equal(answer.status, 200, `${datatype} ${JSON.stringify(data)}: ${JSON.stringify(answer.body)}`);
        const output = (answer.body['outputs'] as { name: string; data: unknown[] }[]).find((o) => o.name === `y_${datatype}`);
        // a missing value (NaN) is answered as null; -0 as 0 (JSON text)
        assert.deepEqual(output?.data, expected.map((v) => (Object.is(v, -0) ? 0 : v)), datatype);
      }
    }
  });

  test('NaN and Infinity are not JSON: a body holding them is MALFORMED_REQUEST on both paths', async () => {
    for (const literal of ['NaN', 'Infinity', '-Infinity']) {
      const text = JSON.stringify(requestWith('FP32', [1.5, 0, 0, 0])).replace('"data":[1.5,0,0,0]', `"data":[1.5,${literal},0,0]`);
      assert.ok(text.includes(literal));
      for (const answer of [await fastPath(text), await fastify(text)]) {
        assert.equal(answer.status, 400, literal);
        assert.equal(answer.body['code'], 'MALFORMED_REQUEST', literal);
        assert.match(String(answer.body['error']), /not valid JSON/, literal);
      }
    }
  });

  test('gRPC typed contents: integers out of their datatype\'s range are INVALID_ARGUMENT with code INPUT_DATA', async () => {
    const infer = (contents: Record<string, Record<string, number[]>>) =>
      new Promise<grpc.ServiceError | null>((resolve) => {
        const inputs = ['INT8', 'UINT8', 'INT32', 'FP32'].map((d) => {
          const field = d === 'FP32' ? 'fp32_contents' : d.startsWith('U') ? 'uint_contents' : 'int_contents';
          return { name: `x_${d}`, datatype: d, shape: [2, 2], contents: contents[d] ?? { [field]: [0, 1, 2, 3] } };
        });
        (client['ModelInfer'] as (r: unknown, cb: (err: grpc.ServiceError | null) => void) => void).call(client, { model_name: 'typed_contents', inputs }, (err) => resolve(err));
      });
    assert.equal(await infer({}), null, 'good contents are answered');
    const cases: [string, Record<string, number[]>, string][] = [
      ['INT8', { int_contents: [0, 200, 0, 0] }, 'input "x_INT8" has bad data: element 1 is 200, expected an integer from -128 to 127'],
      ['UINT8', { uint_contents: [0, 0, 256, 0] }, 'input "x_UINT8" has bad data: element 2 is 256, expected an integer from 0 to 255'],
    ];
    for (const [datatype, contents, message] of cases) {
      const err = await infer({ [datatype]: contents });
      assert.ok(err !== null, datatype);
      assert.equal(err.code, grpc.status.INVALID_ARGUMENT, datatype);
      assert.equal(err.metadata.get('kiln-error-code')[0], 'INPUT_DATA', datatype);
      assert.ok(err.details.startsWith(message), `${datatype}: ${err.details}`);
    }
  });

  test('afterwards the server still answers good requests on both paths', async () => {
    const json = JSON.stringify(requestWith('FP32', GOOD.FP32));
    assert.equal((await fastPath(json)).status, 200);
    assert.equal((await fastify(json)).status, 200);
  });
});
