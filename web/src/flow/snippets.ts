/**
 * Copy-paste snippets for calling a deployed model from elsewhere: curl against KServe v1 and the
 * Open Inference Protocol (v2), Python with Triton's client, and JavaScript's fetch. They are built
 * from the model's signature and an example row, so they run as shown.
 */
import type { Row, TensorMetadata } from '../api/types.js';

export interface SnippetInput {
  /** Where the server is, e.g. `http://127.0.0.1:8080`. */
  readonly origin: string;
  /** The model reference the snippets call, e.g. `titanic@champion`. */
  readonly modelRef: string;
  readonly inputs: readonly TensorMetadata[];
  readonly example: Row;
}

const isText = (t: TensorMetadata) => t.datatype === 'BYTES';

function exampleValue(t: TensorMetadata, row: Row): string | number | null {
  const v = row[t.name];
  if (v === undefined || v === null || v === '') return isText(t) ? '' : null;
  return isText(t) ? String(v) : Number(v);
}

function v2Body(s: SnippetInput): unknown {
  return {
    inputs: s.inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: [1, 1], data: [exampleValue(t, s.example)] })),
  };
}

function v1Body(s: SnippetInput): unknown {
  return { instances: [Object.fromEntries(s.inputs.map((t) => [t.name, exampleValue(t, s.example)]))] };
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function curlV1(s: SnippetInput): string {
  return `curl -s -X POST ${s.origin}/v1/models/${s.modelRef}:predict \\\n  -H 'content-type: application/json' \\\n  -d ${shellQuote(JSON.stringify(v1Body(s)))}`;
}

export function curlV2(s: SnippetInput): string {
  return `curl -s -X POST ${s.origin}/v2/models/${s.modelRef}/infer \\\n  -H 'content-type: application/json' \\\n  -d ${shellQuote(JSON.stringify(v2Body(s)))}`;
}

/** numpy's dtype for each Open Inference Protocol datatype. */
const NUMPY: Record<string, string> = { FP32: 'np.float32', FP64: 'np.float64', INT64: 'np.int64', INT32: 'np.int32', BOOL: 'np.bool_', BYTES: 'np.object_' };

export function pythonTriton(s: SnippetInput): string {
  const host = s.origin.replace(/^https?:\/\//, '');
  const [name, version] = tritonNameAndVersion(s.modelRef);
  const lines = [
    '# pip install "tritonclient[http]" numpy',
    'import numpy as np',
    'import tritonclient.http as httpclient',
    '',
    `client = httpclient.InferenceServerClient(url=${JSON.stringify(host)})`,
    'inputs = []',
  ];
  for (const t of s.inputs) {
    const v = exampleValue(t, s.example);
    const literal = isText(t) ? JSON.stringify(v ?? '') : v === null ? 'np.nan' : String(v);
    lines.push(
      `x = httpclient.InferInput(${JSON.stringify(t.name)}, [1, 1], ${JSON.stringify(t.datatype)})`,
      `x.set_data_from_numpy(np.array([[${literal}]], dtype=${NUMPY[t.datatype] ?? 'np.float32'}))`,
      'inputs.append(x)',
    );
  }
  lines.push(
    `result = client.infer(${JSON.stringify(name)}, inputs${version === undefined ? '' : `, model_version=${JSON.stringify(version)}`})`,
    'print(result.get_response())',
  );
  return lines.join('\n');
}

/** Triton's client takes a name and a version number; an alias is resolved by the server from the name. */
function tritonNameAndVersion(ref: string): [string, string | undefined] {
  const colon = ref.indexOf(':');
  if (colon >= 0) return [ref.slice(0, colon), ref.slice(colon + 1)];
  return [ref, undefined];
}

export function javascriptFetch(s: SnippetInput): string {
  return [
    `const response = await fetch(${JSON.stringify(`${s.origin}/v1/models/${s.modelRef}:predict`)}, {`,
    "  method: 'POST',",
    "  headers: { 'content-type': 'application/json' },",
    `  body: JSON.stringify(${JSON.stringify(v1Body(s))}),`,
    '});',
    'const { predictions } = await response.json();',
    'console.log(predictions[0]);',
  ].join('\n');
}
