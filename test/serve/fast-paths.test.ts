/**
 * The per-request fast paths agree with the slow, obvious versions they stand in for:
 *   - parseInferRequest's hand-written check accepts only what the zod schema accepts, and answers the same;
 *   - tensorJsonText writes what JSON.stringify(tensorToJson(t)) writes, for every datatype;
 *   - encodeInferResult's hand-written JSON parses to the response object the OIP describes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKilnError } from '../../src/core/errors.js';
import { OIP_DATATYPES, allocate, tensorJsonText, tensorToJson, toHalf, type HostTensor } from '../../src/serve/datatypes.js';
import { parseInferRequest } from '../../src/serve/protocol.js';
import { encodeInferResult } from '../../src/serve/rest/binary-body.js';

const input = (overrides: Record<string, unknown> = {}) => ({ name: 'x', shape: [1, 2], datatype: 'FP32', data: [1, 2], ...overrides });

test('parseInferRequest: well-formed bodies pass as they are; every other body gets the schema\'s answer', () => {
  const good = [
    { inputs: [input()] },
    { id: 'r1', parameters: { priority: 1 }, inputs: [input({ parameters: { binary_data_size: 8 } })], outputs: [{ name: 'y', parameters: { binary_data: true } }] },
    { inputs: [], outputs: [] },
    { inputs: [input({ data: [[1, 2]] }), input({ name: 'z', data: undefined })], unknown_field: true },
  ];
  for (const body of good) assert.equal(parseInferRequest(body), body, 'the fast path returns the body itself');

  const bad: [unknown, RegExp][] = [
    [null, /expected object/i],
    [[], /expected object/i],
    [{}, /inputs/],
    [{ inputs: {} }, /inputs/],
    [{ id: 7, inputs: [] }, /id/],
    [{ parameters: [], inputs: [] }, /parameters/],
    [{ inputs: [input({ name: '' })] }, /inputs\[0\]\.name/],
    [{ inputs: [input({ shape: [1.5] })] }, /inputs\[0\]\.shape\[0\]/],
    [{ inputs: [input({ shape: [2 ** 60] })] }, /inputs\[0\]\.shape\[0\]/],
    [{ inputs: [input({ datatype: 3 })] }, /inputs\[0\]\.datatype/],
    [{ inputs: [input({ parameters: null })] }, /inputs\[0\]\.parameters/],
    [{ inputs: [input()], outputs: [{ name: '' }] }, /outputs\[0\]\.name/],
    [{ inputs: [input()], outputs: {} }, /outputs/],
  ];
  for (const [body, path] of bad) {
    assert.throws(
      () => parseInferRequest(body),
      (err: unknown) => isKilnError(err, 'MALFORMED_REQUEST') && path.test(err.message),
      JSON.stringify(body),
    );
  }
});

test('parseInferRequest: a JSON body cannot smuggle raw tensor bytes in; the schema strips "raw"', () => {
  const parsed = parseInferRequest({ inputs: [input({ raw: [1, 2, 3] })] });
  assert.equal(parsed.inputs[0]?.raw, undefined);
});

test('tensorJsonText writes what JSON.stringify(tensorToJson(t)) writes, for every datatype', () => {
  const values = [0, 1, -3, 2.5, 1e-7, 65504, NaN, Infinity, -Infinity, -0];
  for (const datatype of OIP_DATATYPES) {
    const data = allocate(datatype, values.length);
    values.forEach((v, i) => {
      if (Array.isArray(data)) data[i] = `s${v}"\n`;
      else if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(Number.isFinite(v) ? Math.abs(Math.trunc(v)) : 7);
      else if (datatype === 'FP16') (data as Uint16Array)[i] = toHalf(v);
      else (data as Float64Array)[i] = v;
    });
    const tensor: HostTensor = { datatype, shape: [values.length], data };
    assert.equal(tensorJsonText(tensor), JSON.stringify(tensorToJson(tensor)), datatype);
  }
});

test('encodeInferResult: the JSON text is the OIP response, and binary outputs follow it', () => {
  const probabilities: HostTensor = { datatype: 'FP32', shape: [1, 2], data: Float32Array.from([0.25, 0.75]) };
  const label: HostTensor = { datatype: 'BYTES', shape: [1], data: ['sur"vived'] };
  const result = {
    model_name: 'titanic',
    model_version: '2',
    id: 'req-1',
    requestParameters: {},
    outputs: [
      { name: 'probabilities', tensor: probabilities, requested: {} },
      { name: 'label', tensor: label, requested: {} },
    ],
  };
  const json = encodeInferResult(result);
  assert.equal(json.kind, 'json');
  assert.deepEqual(JSON.parse(json.kind === 'json' ? json.text : ''), {
    model_name: 'titanic',
    model_version: '2',
    id: 'req-1',
    outputs: [
      { name: 'probabilities', datatype: 'FP32', shape: [1, 2], data: [0.25, 0.75] },
      { name: 'label', datatype: 'BYTES', shape: [1], data: ['sur"vived'] },
    ],
  });

  const binary = encodeInferResult({ ...result, outputs: [{ name: 'probabilities', tensor: probabilities, requested: { binary_data: true } }] });
  assert.equal(binary.kind, 'binary');
  if (binary.kind !== 'binary') return;
  const header = JSON.parse(binary.body.subarray(0, binary.headerLength).toString('utf8'));
  assert.deepEqual(header.outputs, [{ name: 'probabilities', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } }]);
  const raw = Uint8Array.from(binary.body.subarray(binary.headerLength)); // a copy, aligned for the Float32Array view
  assert.deepEqual(Array.from(new Float32Array(raw.buffer)), [0.25, 0.75]);
});
