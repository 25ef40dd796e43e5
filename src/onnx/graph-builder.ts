/**
 * A small builder for ONNX graphs. Exporters (feature transforms, learners) add nodes to one shared
 * graph, so that preprocessing and model end up as ONE ONNX file that onnxruntime or Triton can run
 * without any Kiln code.
 *
 * Names are made unique by the builder; callers pass a readable hint and get the real name back.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Tensor element types Kiln's graphs use, by their ONNX names. */
export type ElemType = 'float' | 'double' | 'int64' | 'int32' | 'string' | 'bool';

const ELEM: Record<ElemType, number> = {
  float: onnx.TensorProto.DataType.FLOAT,
  double: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  string: onnx.TensorProto.DataType.STRING,
  bool: onnx.TensorProto.DataType.BOOL,
};

export const ONNX_ELEM_TYPE = ELEM;

/** A dimension: a fixed size, or a symbolic name such as 'N' for the batch. */
export type Dim = number | string;

/** ONNX attribute values carry their type explicitly: 1 and 1.0 are different attributes in ONNX. */
export type Attr =
  | { readonly t: 'int'; readonly v: number }
  | { readonly t: 'float'; readonly v: number }
  | { readonly t: 'string'; readonly v: string }
  | { readonly t: 'ints'; readonly v: readonly number[] }
  | { readonly t: 'floats'; readonly v: readonly number[] }
  | { readonly t: 'strings'; readonly v: readonly string[] }
  | { readonly t: 'tensor'; readonly v: TensorValue };

export const attr = {
  int: (v: number): Attr => ({ t: 'int', v }),
  float: (v: number): Attr => ({ t: 'float', v }),
  string: (v: string): Attr => ({ t: 'string', v }),
  ints: (v: readonly number[]): Attr => ({ t: 'ints', v }),
  floats: (v: readonly number[]): Attr => ({ t: 'floats', v }),
  strings: (v: readonly string[]): Attr => ({ t: 'strings', v }),
  tensor: (v: TensorValue): Attr => ({ t: 'tensor', v }),
};

/** A constant tensor. Numbers for numeric types, strings for 'string'. */
export interface TensorValue {
  readonly type: ElemType;
  readonly dims: readonly number[];
  readonly values: ArrayLike<number> | readonly string[] | readonly boolean[];
}

export const tensor = {
  float: (values: ArrayLike<number>, dims: readonly number[] = [values.length]): TensorValue => ({ type: 'float', dims, values }),
  double: (values: ArrayLike<number>, dims: readonly number[] = [values.length]): TensorValue => ({ type: 'double', dims, values }),
  int64: (values: ArrayLike<number>, dims: readonly number[] = [values.length]): TensorValue => ({ type: 'int64', dims, values }),
  string: (values: readonly string[], dims: readonly number[] = [values.length]): TensorValue => ({ type: 'string', dims, values }),
};

/**
 * The operator sets Kiln targets: widely supported by onnxruntime and Triton's ONNX backend.
 * `com.microsoft` (onnxruntime's contrib operators) is used only for text tokenising.
 */
export const OPSET = { 'ai.onnx': 17, 'ai.onnx.ml': 3, 'com.microsoft': 1 } as const;

export type OpDomain = 'ai.onnx.ml' | 'com.microsoft';

export interface NodeOptions {
  readonly domain?: OpDomain;
  /** How many outputs the node has (default 1). */
  readonly outputs?: number;
  /** A readable hint for the output names. */
  readonly name?: string;
}

interface ValueInfo {
  readonly name: string;
  readonly type: ElemType;
  readonly shape: readonly Dim[];
}

export class GraphBuilder {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly used = new Set<string>();

  constructor(readonly graphName: string) {}

  /** A name not used yet, derived from `hint`. */
  uniqueName(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_.:-]/g, '_') || 'v';
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Declares a graph input. Input names are kept exactly (they are the public signature). */
  input(name: string, type: ElemType, shape: readonly Dim[]): string {
    if (this.used.has(name)) throw new Error(`ONNX graph input name "${name}" is already used`);
    this.used.add(name);
    this.inputs.push({ name, type, shape });
    return name;
  }

  /** Exposes `value` as a graph output named exactly `name` (through an Identity node if needed). */
  output(value: string, name: string, type: ElemType, shape: readonly Dim[]): string {
    if (value !== name) {
      if (this.used.has(name)) throw new Error(`ONNX graph output name "${name}" is already used`);
      this.used.add(name);
      this.nodes.push(onnx.NodeProto.create({ opType: 'Identity', input: [value], output: [name], name: `${name}_identity` }));
    }
    this.outputs.push({ name, type, shape });
    return name;
  }

  /** Adds a constant tensor as an initializer and returns its name. */
  constant(hint: string, value: TensorValue): string {
    const name = this.uniqueName(hint);
    this.initializers.push(toTensorProto(name, value));
    return name;
  }

  /** Adds a node and returns its output names. */
  node(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, Attr>> = {}, options: NodeOptions = {}): string[] {
    const count = options.outputs ?? 1;
    const hint = options.name ?? opType.toLowerCase();
    const outputs = Array.from({ length: count }, (_, i) => this.uniqueName(count === 1 ? hint : `${hint}_${i}`));
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        input: [...inputs],
        output: outputs,
        name: this.uniqueName(`${hint}_node`),
        domain: options.domain ?? '',
        attribute: Object.entries(attrs).map(([name, a]) => toAttributeProto(name, a)),
      }),
    );
    return outputs;
  }

  /** Adds a single-output node and returns its output name. */
  op(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, Attr>> = {}, options: Omit<NodeOptions, 'outputs'> = {}): string {
    const [out] = this.node(opType, inputs, attrs, options);
    return out as string;
  }

  /** Serialises the graph as an ONNX model file. */
  toBytes(meta: { readonly producerVersion: string; readonly docString?: string; readonly metadata?: Readonly<Record<string, string>> }): Uint8Array {
    const graph = onnx.GraphProto.create({
      name: this.graphName,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs.map(toValueInfo),
      output: this.outputs.map(toValueInfo),
    });
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'kiln',
      producerVersion: meta.producerVersion,
      docString: meta.docString ?? '',
      graph,
      opsetImport: Object.entries(OPSET).map(([domain, version]) =>
        onnx.OperatorSetIdProto.create({ domain: domain === 'ai.onnx' ? '' : domain, version }),
      ),
      metadataProps: Object.entries(meta.metadata ?? {}).map(([key, value]) => onnx.StringStringEntryProto.create({ key, value })),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function toValueInfo(v: ValueInfo): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name: v.name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: ELEM[v.type],
        shape: onnx.TensorShapeProto.create({
          dim: v.shape.map((d) =>
            typeof d === 'number'
              ? onnx.TensorShapeProto.Dimension.create({ dimValue: d })
              : onnx.TensorShapeProto.Dimension.create({ dimParam: d }),
          ),
        }),
      }),
    }),
  });
}

const encoder = new TextEncoder();

function toTensorProto(name: string, t: TensorValue): InstanceType<typeof onnx.TensorProto> {
  const base = { name, dims: [...t.dims], dataType: ELEM[t.type] };
  const values = Array.from(t.values as ArrayLike<number | string | boolean>);
  switch (t.type) {
    case 'float':
      return onnx.TensorProto.create({ ...base, floatData: values as number[] });
    case 'double':
      return onnx.TensorProto.create({ ...base, doubleData: values as number[] });
    case 'int64':
      return onnx.TensorProto.create({ ...base, int64Data: values as number[] });
    case 'int32':
      return onnx.TensorProto.create({ ...base, int32Data: values as number[] });
    case 'bool':
      return onnx.TensorProto.create({ ...base, int32Data: values.map((v) => (v ? 1 : 0)) });
    case 'string':
      return onnx.TensorProto.create({ ...base, stringData: (values as string[]).map((v) => encoder.encode(v)) });
  }
}

function toAttributeProto(name: string, a: Attr): InstanceType<typeof onnx.AttributeProto> {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.t) {
    case 'int':
      return onnx.AttributeProto.create({ name, type: T.INT, i: a.v });
    case 'float':
      return onnx.AttributeProto.create({ name, type: T.FLOAT, f: a.v });
    case 'string':
      return onnx.AttributeProto.create({ name, type: T.STRING, s: encoder.encode(a.v) });
    case 'ints':
      return onnx.AttributeProto.create({ name, type: T.INTS, ints: [...a.v] });
    case 'floats':
      return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: [...a.v] });
    case 'strings':
      return onnx.AttributeProto.create({ name, type: T.STRINGS, strings: a.v.map((v) => encoder.encode(v)) });
    case 'tensor':
      return onnx.AttributeProto.create({ name, type: T.TENSOR, t: toTensorProto(name, a.v) });
  }
}
