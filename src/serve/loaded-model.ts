/**
 * Loading one registered module version into memory: its manifest (the signature it is served with) and
 * an onnxruntime session for its ONNX graph.
 *
 * The manifest and the graph are checked against each other here, once, so that a module whose files
 * disagree fails to load with a clear reason instead of failing on every request.
 */
import { z } from 'zod';
import { MANIFEST_FORMAT, MODULE_ARTIFACTS, type InputSpec, type ModuleManifest, type TensorSpec } from '../modules/manifest.js';
import { openSession, type ort } from '../onnx/session.js';
import type { ArtifactStore, ModelVersion } from '../store/store.js';

export interface LoadedModel {
  readonly name: string;
  readonly version: number;
  readonly manifest: ModuleManifest;
  readonly session: ort.InferenceSession;
  /** The signature's inputs by name, in signature order (a Map keeps insertion order). */
  readonly inputs: ReadonlyMap<string, InputSpec>;
  /** The signature's outputs by name, in signature order. */
  readonly outputs: ReadonlyMap<string, TensorSpec>;
}

const DATATYPE = z.enum(['FP32', 'FP64', 'INT64', 'INT32', 'BOOL', 'BYTES']);
const TENSOR = { name: z.string().min(1), datatype: DATATYPE, shape: z.array(z.number().int()) };

/** The parts of a manifest that serving relies on; the rest (lineage, metrics) is kept as it is. */
const SERVED_MANIFEST = z.looseObject({
  format: z.literal(MANIFEST_FORMAT),
  name: z.string(),
  task: z.enum(['binary', 'multiclass', 'regression']),
  classes: z.array(z.union([z.string(), z.number()])).optional(),
  signature: z.object({
    inputs: z.array(z.object({ ...TENSOR, kind: z.enum(['numeric', 'categorical']) })).min(1),
    outputs: z.array(z.object(TENSOR)).min(1),
  }),
});

/** Reads and checks the manifest bytes; throws an Error whose message says what is wrong. */
export function parseManifest(bytes: Uint8Array): ModuleManifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    throw new Error(`${MODULE_ARTIFACTS.manifest} is not valid JSON (${(err as Error).message})`);
  }
  const parsed = SERVED_MANIFEST.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : issue.path.join('.');
    throw new Error(`${MODULE_ARTIFACTS.manifest} is not a valid manifest: ${where ? `${where}: ` : ''}${issue?.message ?? 'unknown problem'}`);
  }
  // The schema checked every field serving reads; the others travel through untouched.
  return parsed.data as unknown as ModuleManifest;
}

/** Loads a version's artifacts and opens its session. Throws an Error (or a KilnError from the artifact store). */
export async function loadModel(version: ModelVersion, artifacts: ArtifactStore): Promise<LoadedModel> {
  const manifestDigest = version.artifacts[MODULE_ARTIFACTS.manifest];
  const modelDigest = version.artifacts[MODULE_ARTIFACTS.model];
  if (manifestDigest === undefined || modelDigest === undefined) {
    throw new Error(`the version has no ${manifestDigest === undefined ? MODULE_ARTIFACTS.manifest : MODULE_ARTIFACTS.model} artifact`);
  }
  const [manifestBytes, modelBytes] = await Promise.all([artifacts.get(manifestDigest), artifacts.get(modelDigest)]);
  const manifest = parseManifest(manifestBytes);

  let session: ort.InferenceSession;
  try {
    session = await openSession(modelBytes);
  } catch (err) {
    throw new Error(`onnxruntime cannot open ${MODULE_ARTIFACTS.model}: ${(err as Error).message}`);
  }
  try {
    checkGraphMatchesSignature(session, manifest);
  } catch (err) {
    await session.release().catch(() => undefined);
    throw err;
  }

  return {
    name: version.model,
    version: version.version,
    manifest,
    session,
    inputs: new Map(manifest.signature.inputs.map((spec) => [spec.name, spec])),
    outputs: new Map(manifest.signature.outputs.map((spec) => [spec.name, spec])),
  };
}

/** Every graph input must be fed from the signature, and every signature output must exist in the graph. */
function checkGraphMatchesSignature(session: ort.InferenceSession, manifest: ModuleManifest): void {
  const signatureInputs = new Set(manifest.signature.inputs.map((s) => s.name));
  const graphInputs = new Set(session.inputNames);
  const unfed = session.inputNames.filter((n) => !signatureInputs.has(n));
  const absentInputs = [...signatureInputs].filter((n) => !graphInputs.has(n));
  const graphOutputs = new Set(session.outputNames);
  const absentOutputs = manifest.signature.outputs.map((s) => s.name).filter((n) => !graphOutputs.has(n));
  const problems = [
    ...unfed.map((n) => `graph input "${n}" is not in the signature`),
    ...absentInputs.map((n) => `signature input "${n}" is not in the graph`),
    ...absentOutputs.map((n) => `signature output "${n}" is not in the graph`),
  ];
  if (problems.length > 0) throw new Error(`the manifest and ${MODULE_ARTIFACTS.model} disagree: ${problems.join('; ')}`);
}
