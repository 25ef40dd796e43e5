/**
 * ONNX models "trained elsewhere", made in the test (no Python at test time), and Triton-layout folders
 * holding them:
 *
 *   irisLike()      the shape skl2onnx gives a scikit-learn classifier with zipmap=False: one input
 *                   `float_input` [N, 4] FP32; outputs `label` [N] INT64 and `probabilities` [N, 3] FP32
 *                   (a fixed linear model + softmax, so the answers are computable here);
 *   identities(types) `x_T` [N, 2] → `y_T` [N, 2] for each element type T (every OIP datatype);
 *   wideMlp()       a heavy model for the benchmark: 256 → 1024 → 1024 → 2 (ReLU), fixed seeded weights.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { GraphBuilder, attr, tensor } from '../../src/onnx/graph-builder.js';

const { onnx } = onnxProto;

/** Weights of the iris-like classifier: class c's score = W[c]·x + B[c]. */
export const IRIS_W = [
  [1, 0, -1, 0],
  [0, 1, 0, -1],
  [-1, -1, 1, 1],
];
export const IRIS_B = [0.5, 0, -0.5];

export function irisLike(): Uint8Array {
  const g = new GraphBuilder('sklearn_like');
  const x = g.input('float_input', 'float', ['N', 4]);
  // W transposed: [4, 3]
  const wt = Array.from({ length: 4 }, (_, f) => IRIS_W.map((row) => row[f] as number)).flat();
  const scores = g.op('Add', [g.op('MatMul', [x, g.constant('coef', tensor.float(wt, [4, 3]))]), g.constant('intercept', tensor.float(IRIS_B, [3]))]);
  const probabilities = g.op('Softmax', [scores], { axis: attr.int(1) });
  const label = g.op('ArgMax', [probabilities], { axis: attr.int(1), keepdims: attr.int(0) });
  g.output(label, 'label', 'int64', ['N']);
  g.output(probabilities, 'probabilities', 'float', ['N', 3]);
  return g.toBytes({ producerVersion: 'test' });
}

/** What irisLike answers for one row. */
export function irisExpected(row: readonly number[]): { label: number; probabilities: number[] } {
  const scores = IRIS_W.map((w, c) => w.reduce((s, wi, i) => s + wi * (row[i] as number), IRIS_B[c] as number));
  const max = Math.max(...scores);
  const exp = scores.map((s) => Math.exp(s - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  const probabilities = exp.map((e) => e / sum);
  return { label: probabilities.indexOf(Math.max(...probabilities)), probabilities };
}

/** ONNX element type numbers (TensorProto.DataType) by OIP datatype. */
export const ONNX_TYPES = {
  BOOL: onnx.TensorProto.DataType.BOOL,
  UINT8: onnx.TensorProto.DataType.UINT8,
  UINT16: onnx.TensorProto.DataType.UINT16,
  UINT32: onnx.TensorProto.DataType.UINT32,
  UINT64: onnx.TensorProto.DataType.UINT64,
  INT8: onnx.TensorProto.DataType.INT8,
  INT16: onnx.TensorProto.DataType.INT16,
  INT32: onnx.TensorProto.DataType.INT32,
  INT64: onnx.TensorProto.DataType.INT64,
  FP16: onnx.TensorProto.DataType.FLOAT16,
  FP32: onnx.TensorProto.DataType.FLOAT,
  FP64: onnx.TensorProto.DataType.DOUBLE,
  BYTES: onnx.TensorProto.DataType.STRING,
} as const;

/**
 * For each datatype D: input `x_D` [N, 2] → Identity → output `y_D` [N, 2] of that element type (built
 * with onnx-proto: the GraphBuilder knows fewer types). One model covers every datatype.
 */
export function identities(datatypes: readonly (keyof typeof ONNX_TYPES)[]): Uint8Array {
  const value = (name: string, datatype: keyof typeof ONNX_TYPES) =>
    onnx.ValueInfoProto.create({
      name,
      type: onnx.TypeProto.create({
        tensorType: onnx.TypeProto.Tensor.create({
          elemType: ONNX_TYPES[datatype],
          shape: onnx.TensorShapeProto.create({ dim: [onnx.TensorShapeProto.Dimension.create({ dimParam: 'N' }), onnx.TensorShapeProto.Dimension.create({ dimValue: 2 })] }),
        }),
      }),
    });
  const graph = onnx.GraphProto.create({
    name: 'identities',
    node: datatypes.map((d) => onnx.NodeProto.create({ opType: 'Identity', input: [`x_${d}`], output: [`y_${d}`], name: `id_${d}` })),
    input: datatypes.map((d) => value(`x_${d}`, d)),
    output: datatypes.map((d) => value(`y_${d}`, d)),
  });
  const model = onnx.ModelProto.create({ irVersion: 8, producerName: 'test', graph, opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 17 })] });
  return onnx.ModelProto.encode(model).finish();
}

/** A wide multilayer perceptron: `x` [N, 256] FP32 → 1024 → 1024 → `y` [N, 2]; weights from a fixed LCG. */
export function wideMlp(widths: readonly number[] = [256, 1024, 1024, 2]): Uint8Array {
  let state = 12345;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  const g = new GraphBuilder('wide_mlp');
  let h = g.input('x', 'float', ['N', widths[0] as number]);
  for (let layer = 0; layer + 1 < widths.length; layer++) {
    const fanIn = widths[layer] as number;
    const fanOut = widths[layer + 1] as number;
    const scale = 2 / Math.sqrt(fanIn);
    const w = Float32Array.from({ length: fanIn * fanOut }, () => next() * scale);
    const b = Float32Array.from({ length: fanOut }, () => next() * 0.1);
    h = g.op('Add', [g.op('MatMul', [h, g.constant(`w${layer}`, tensor.float(w, [fanIn, fanOut]))]), g.constant(`b${layer}`, tensor.float(b, [fanOut]))]);
    if (layer + 2 < widths.length) h = g.op('Relu', [h]);
  }
  g.output(h, 'y', 'float', ['N', widths[widths.length - 1] as number]);
  return g.toBytes({ producerVersion: 'test' });
}

export interface RepositoryModel {
  readonly name: string;
  readonly versions: Readonly<Record<number, Uint8Array>>;
  readonly config?: string;
  readonly files?: Readonly<Record<string, string>>;
}

/** Writes a Triton-layout folder; `remove()` deletes it. */
export async function tritonRepository(models: readonly RepositoryModel[]): Promise<{ readonly dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-triton-'));
  for (const model of models) await writeModel(dir, model);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeModel(dir: string, model: RepositoryModel): Promise<void> {
  const folder = join(dir, model.name);
  await mkdir(folder, { recursive: true });
  if (model.config !== undefined) await writeFile(join(folder, 'config.pbtxt'), model.config);
  for (const [file, text] of Object.entries(model.files ?? {})) await writeFile(join(folder, file), text);
  for (const [version, bytes] of Object.entries(model.versions)) {
    await mkdir(join(folder, version), { recursive: true });
    await writeFile(join(folder, version, 'model.onnx'), bytes);
  }
}
