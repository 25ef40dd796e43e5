/**
 * Every OIP datatype that ONNX has, through JSON and through Triton's binary tensor data extension (inputs
 * and outputs), on one identity model per datatype; and binary bodies whose lengths do not add up.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { fromHalf, fromRawBytes, OIP_DATATYPES, toHalf, toRawBytes, type OipDatatype } from '../../src/serve/datatypes.js';
import { buildServer, type KilnServer } from '../../src/serve/server.js';
import { identities, tritonRepository } from './foreign-models.js';
import { GOOD_ELEMENTS } from './element-examples.js';

const JSON_VALUES = GOOD_ELEMENTS;

/** Raw typed data per datatype for the binary path: 64-bit extremes beyond 2^53 included. */
const BINARY_VALUES: Record<OipDatatype, ArrayBufferView | string[]> = {
  BOOL: Uint8Array.from([1, 0, 0, 1]),
  UINT8: Uint8Array.from([0, 1, 200, 255]),
  UINT16: Uint16Array.from([0, 1, 60000, 65535]),
  UINT32: Uint32Array.from([0, 1, 4000000000, 4294967295]),
  UINT64: BigUint64Array.from([0n, 1n, 2n ** 64n - 1n, 2n ** 60n + 7n]),
  INT8: Int8Array.from([-128, -1, 0, 127]),
  INT16: Int16Array.from([-32768, -1, 0, 32767]),
  INT32: Int32Array.from([-2147483648, -1, 0, 2147483647]),
  INT64: BigInt64Array.from([-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n]),
  FP16: Uint16Array.from([0.5, -2, 1024, 65504].map(toHalf)),
  FP32: Float32Array.from([1.5, -2.25, 0, 1e10]),
  FP64: Float64Array.from([0.1, -1e300, 3.14159, 0]),
  BYTES: ['a', 'héllo', '', 'x y'],
};

const rawOf = (datatype: OipDatatype): Uint8Array => {
  const data = BINARY_VALUES[datatype];
  return toRawBytes({ datatype, shape: [2, 2], data: (Array.isArray(data) ? data : data) as never });
};

function binaryBody(header: unknown, chunks: readonly Uint8Array[]): { payload: Buffer; headers: Record<string, string> } {
  const json = Buffer.from(JSON.stringify(header));
  return {
    payload: Buffer.concat([json, ...chunks]),
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(json.byteLength) },
  };
}

describe('datatypes and binary tensor data', () => {
  let app: KilnServer;
  let repo: Awaited<ReturnType<typeof tritonRepository>>;

  before(async () => {
    repo = await tritonRepository([{ name: 'all_types', versions: { 1: identities(OIP_DATATYPES) } }]);
    app = await buildServer({ modelRepository: repo.dir, logger: pino({ level: 'silent' }), maxTensorElements: 64 });
    await app.kiln.repository.warmUp();
  });
  after(async () => {
    await app.close();
    await repo.remove();
  });

  const infer = (payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/v2/models/all_types/infer', payload: payload as Buffer, headers });

  test('the metadata lists every datatype with its OIP name', async () => {
    const meta = (await app.inject({ method: 'GET', url: '/v2/models/all_types' })).json();
    assert.deepEqual(meta.inputs.map((i: { datatype: string }) => i.datatype), [...OIP_DATATYPES]);
  });

  test('JSON: every datatype comes back as it was sent', async () => {
    const res = await infer({ inputs: OIP_DATATYPES.map((d) => ({ name: `x_${d}`, datatype: d, shape: [2, 2], data: JSON_VALUES[d] })) });
    assert.equal(res.statusCode, 200, res.body);
    for (const output of res.json().outputs as { name: string; datatype: string; shape: number[]; data: unknown[] }[]) {
      const d = output.name.slice(2) as OipDatatype;
      assert.equal(output.datatype, d);
      assert.deepEqual(output.shape, [2, 2]);
      assert.deepEqual(output.data, JSON_VALUES[d], d);
    }
  });

  test('binary in, binary out: exact bytes for every datatype, 64-bit extremes included', async () => {
    const header = {
      inputs: OIP_DATATYPES.map((d) => ({ name: `x_${d}`, datatype: d, shape: [2, 2], parameters: { binary_data_size: rawOf(d).byteLength } })),
      parameters: { binary_data_output: true },
    };
    const { payload, headers } = binaryBody(header, OIP_DATATYPES.map(rawOf));
    const res = await infer(payload, headers);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'application/octet-stream');
    const headerLength = Number(res.headers['inference-header-content-length']);
    const body = res.rawPayload;
    const json = JSON.parse(body.subarray(0, headerLength).toString('utf8')) as { outputs: { name: string; datatype: OipDatatype; parameters: { binary_data_size: number }; data?: unknown }[] };
    let offset = headerLength;
    for (const output of json.outputs) {
      const size = output.parameters.binary_data_size;
      const bytes = body.subarray(offset, offset + size);
      offset += size;
      assert.equal(output.data, undefined);
      assert.deepEqual(Buffer.from(bytes), Buffer.from(rawOf(output.datatype)), output.datatype);
    }
    assert.equal(offset, body.byteLength);
  });

  test('binary in, JSON out, and a single output asked for as binary', async () => {
    const header = {
      inputs: OIP_DATATYPES.map((d) => ({ name: `x_${d}`, datatype: d, shape: [2, 2], parameters: { binary_data_size: rawOf(d).byteLength } })),
      outputs: [{ name: 'y_FP32' }, { name: 'y_BYTES', parameters: { binary_data: true } }],
    };
    const { payload, headers } = binaryBody(header, OIP_DATATYPES.map(rawOf));
    const res = await infer(payload, headers);
    assert.equal(res.statusCode, 200, res.body);
    const headerLength = Number(res.headers['inference-header-content-length']);
    const json = JSON.parse(res.rawPayload.subarray(0, headerLength).toString('utf8'));
    assert.deepEqual(json.outputs[0].data, [1.5, -2.25, 0, 1e10]);
    assert.deepEqual(fromRawBytes('BYTES', res.rawPayload.subarray(headerLength), 4), ['a', 'héllo', '', 'x y']);
  });

  test('bad binary bodies are 400s naming what does not add up, and the server keeps serving', async () => {
    const fp32 = rawOf('FP32');
    const only = (size: number, extra: Uint8Array[] = []) => {
      const inputs = OIP_DATATYPES.map((d) =>
        d === 'FP32' ? { name: 'x_FP32', datatype: 'FP32', shape: [2, 2], parameters: { binary_data_size: size } } : { name: `x_${d}`, datatype: d, shape: [2, 2], data: JSON_VALUES[d] },
      );
      return binaryBody({ inputs }, [fp32, ...extra]);
    };
    const cases: [ReturnType<typeof only>, RegExp][] = [
      [only(64), /declares 64 bytes from offset 0, but only 16 bytes/],
      [only(16, [Uint8Array.from([1, 2])]), /2 bytes of binary data follow the header that no input's binary_data_size accounts for/],
      [only(12, []), /3 element|bytes of binary data/],
    ];
    for (const [{ payload, headers }, mentions] of cases) {
      const res = await infer(payload, headers);
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.json().error, mentions);
    }
    const badHeader = await infer(Buffer.from('{}'), { 'inference-header-content-length': 'abc' });
    assert.equal(badHeader.statusCode, 400);
    assert.equal(badHeader.json().code, 'BINARY_DATA_INVALID');
    const noHeader = await infer({ inputs: [{ name: 'x_FP32', datatype: 'FP32', shape: [2, 2], parameters: { binary_data_size: 16 } }] });
    assert.equal(noHeader.statusCode, 400);
    assert.match(noHeader.json().error, /no Inference-Header-Content-Length header/);
    const ok = await infer({ inputs: OIP_DATATYPES.map((d) => ({ name: `x_${d}`, datatype: d, shape: [2, 2], data: JSON_VALUES[d] })) });
    assert.equal(ok.statusCode, 200);
  });

  test('values out of a datatype\'s range, and tensors over the element limit, are refused', async () => {
    const withValue = (d: OipDatatype, data: unknown[], shape = [2, 2]) =>
      infer({ inputs: OIP_DATATYPES.map((t) => ({ name: `x_${t}`, datatype: t, shape: t === d ? shape : [2, 2], data: t === d ? data : JSON_VALUES[t] })) });
    const uint8 = await withValue('UINT8', [0, 1, 2, 256]);
    assert.equal(uint8.statusCode, 400);
    assert.match(uint8.json().error, /element 3 is 256, expected an integer from 0 to 255/);
    const int8 = await withValue('INT8', [0, 1, 2, 1.5]);
    assert.equal(int8.statusCode, 400);
    const huge = await withValue('FP32', new Array(66).fill(0), [33, 2]);
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().code, 'TENSOR_TOO_LARGE');
  });
});

test('half precision: conversion matches the IEEE 754 reference on exact and rounded values', () => {
  for (const v of [0, 0.5, -2, 1024, 65504, 6.103515625e-5, 5.960464477539063e-8]) assert.equal(fromHalf(toHalf(v)), v);
  assert.equal(fromHalf(toHalf(1 / 3)), 0.333251953125);
  assert.equal(fromHalf(toHalf(70000)), Infinity);
  assert.ok(Number.isNaN(fromHalf(toHalf(NaN))));
  assert.equal(toHalf(-0) , 0x8000);
});
