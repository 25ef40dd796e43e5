/**
 * A served model's configuration, modelled on Triton's `ModelConfig` (model_config.proto), restricted to
 * the fields Kiln acts on: name, platform/backend, max_batch_size, input/output (data_type, dims,
 * label_filename), dynamic_batching (preferred_batch_size, max_queue_delay_microseconds, priority_levels,
 * default_priority_level, default_queue_policy), instance_group count and version_policy.
 *
 * Where it comes from:
 *   - a Triton-layout directory's `config.pbtxt` (read here from the text-format tree), completed from the
 *     ONNX graph the way Triton's auto-complete does (missing inputs/outputs are taken from the graph);
 *   - Kiln's defaults for registered modules and for directories without a config.pbtxt.
 *
 * Shapes: as in Triton, when max_batch_size > 0 the `dims` leave out the batch dimension; the served
 * signature (`signatureShape`) then puts a -1 in front.
 */
import { KilnError } from '../core/errors.js';
import { datatypeOfTritonType, tritonTypeName, type OipDatatype } from './datatypes.js';
import type { PbMessage, PbOutMessage, PbValue } from './config-pbtxt.js';

export interface TensorConfig {
  readonly name: string;
  readonly datatype: OipDatatype;
  /** Without the batch dimension when max_batch_size > 0; -1 = variable. */
  readonly dims: readonly number[];
  /** A file in the model folder with one class label per line (classification extension). */
  readonly labelFilename?: string;
}

export interface QueuePolicy {
  /** Requests waiting at most; 0 = no limit. More are refused with QUEUE_FULL (503). */
  readonly maxQueueSize: number;
  /** How long a request may wait before it is refused with REQUEST_TIMEOUT; 0 = forever. */
  readonly defaultTimeoutMicroseconds: number;
  /** Whether a request's `timeout` parameter may replace the default. */
  readonly allowTimeoutOverride: boolean;
}

export interface DynamicBatching {
  readonly preferredBatchSizes: readonly number[];
  /** How long the oldest request may wait for a fuller batch; 0 = take whatever is queued when an instance frees up. */
  readonly maxQueueDelayMicroseconds: number;
  /** Number of priority levels (1 = highest); 0 = one level. */
  readonly priorityLevels: number;
  readonly defaultPriorityLevel: number;
  readonly defaultQueuePolicy: QueuePolicy;
}

export type VersionPolicy =
  | { readonly kind: 'latest'; readonly numVersions: number }
  | { readonly kind: 'all' }
  | { readonly kind: 'specific'; readonly versions: readonly number[] };

export interface ModelConfig {
  readonly name: string;
  readonly platform: string;
  readonly backend: string;
  /** 0 = the model takes no batch dimension and requests are never merged. */
  readonly maxBatchSize: number;
  readonly inputs: readonly TensorConfig[];
  readonly outputs: readonly TensorConfig[];
  /** Absent = no dynamic batching: each request runs alone. */
  readonly dynamicBatching?: DynamicBatching;
  /** Instances (worker threads, each with its own onnxruntime session). */
  readonly instanceCount: number;
  readonly versionPolicy: VersionPolicy;
}

/** What a config.pbtxt says; fields it leaves out are completed later. */
export type ConfigDeclaration = Partial<ModelConfig>;

/** The platform name of Triton's ONNX Runtime backend, which runs the same files. */
export const PLATFORM = 'onnxruntime_onnx';
export const BACKEND = 'onnxruntime';

/** Kiln's default for models that declare no max_batch_size but have a variable first dimension. */
export const DEFAULT_MAX_BATCH_SIZE = 1024;

export const DEFAULT_QUEUE_POLICY: QueuePolicy = { maxQueueSize: 0, defaultTimeoutMicroseconds: 0, allowTimeoutOverride: true };

/** Batch whatever is waiting when an instance frees up: no added latency, batches grow under load. */
export const DEFAULT_DYNAMIC_BATCHING: DynamicBatching = {
  preferredBatchSizes: [],
  maxQueueDelayMicroseconds: 0,
  priorityLevels: 0,
  defaultPriorityLevel: 0,
  defaultQueuePolicy: DEFAULT_QUEUE_POLICY,
};

/** The served shape of a configured tensor: the batch dimension (-1) first when the model batches. */
export function signatureShape(config: Pick<ModelConfig, 'maxBatchSize'>, dims: readonly number[]): number[] {
  return config.maxBatchSize > 0 ? [-1, ...dims] : [...dims];
}

// ------------------------------------------------------------------------------------------------
// config.pbtxt → declaration

/** Reads the fields Kiln acts on from a parsed config.pbtxt; unknown fields are ignored, as Triton's backends ignore what they do not use. */
export function declarationFromPbtxt(tree: PbMessage, model: string): ConfigDeclaration {
  const bad = (reason: string): never => {
    throw new KilnError('MODEL_CONFIG_INVALID', { model, reason });
  };
  const declaration: { -readonly [K in keyof ModelConfig]?: ModelConfig[K] } = {};
  const name = optionalString(tree, 'name', bad);
  if (name !== undefined && name !== model) bad(`name "${name}" differs from the folder name "${model}"`);
  const platform = optionalString(tree, 'platform', bad);
  const backend = optionalString(tree, 'backend', bad);
  if (platform !== undefined && platform !== PLATFORM) bad(`platform "${platform}" is not served by Kiln; only "${PLATFORM}" (ONNX models) is`);
  if (backend !== undefined && backend !== BACKEND) bad(`backend "${backend}" is not served by Kiln; only "${BACKEND}" (ONNX models) is`);
  const maxBatchSize = optionalNumber(tree, 'max_batch_size', bad);
  if (maxBatchSize !== undefined) {
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 0) bad(`max_batch_size must be a non-negative integer, got ${maxBatchSize}`);
    declaration.maxBatchSize = maxBatchSize;
  }
  const inputs = messages(tree, 'input', bad).map((m, i) => tensorConfig(m, `input[${i}]`, bad));
  const outputs = messages(tree, 'output', bad).map((m, i) => tensorConfig(m, `output[${i}]`, bad));
  if (inputs.length > 0) declaration.inputs = inputs;
  if (outputs.length > 0) declaration.outputs = outputs;

  const batching = messages(tree, 'dynamic_batching', bad)[0];
  if (batching !== undefined) declaration.dynamicBatching = dynamicBatching(batching, bad);
  const groups = messages(tree, 'instance_group', bad);
  if (groups.length > 0) {
    let count = 0;
    for (const group of groups) {
      const kind = optionalString(group, 'kind', bad);
      if (kind !== undefined && kind !== 'KIND_CPU' && kind !== 'KIND_AUTO') bad(`instance_group kind ${kind} is not available; Kiln runs KIND_CPU instances`);
      const n = optionalNumber(group, 'count', bad) ?? 1;
      if (!Number.isInteger(n) || n < 1 || n > 64) bad(`instance_group count must be an integer from 1 to 64, got ${n}`);
      count += n;
    }
    declaration.instanceCount = count;
  }
  const policy = messages(tree, 'version_policy', bad)[0];
  if (policy !== undefined) declaration.versionPolicy = versionPolicy(policy, bad);
  return { ...declaration, ...(platform === undefined && backend === undefined ? {} : { platform: PLATFORM, backend: BACKEND }) };
}

type Bad = (reason: string) => never;

function tensorConfig(m: PbMessage, where: string, bad: Bad): TensorConfig {
  const name = optionalString(m, 'name', bad) ?? bad(`${where} has no name`);
  const typeName = optionalString(m, 'data_type', bad) ?? bad(`${where} ("${name}") has no data_type`);
  const datatype = datatypeOfTritonType(typeName) ?? bad(`${where} ("${name}") has data_type ${typeName}, which Kiln does not serve`);
  const dims = (m.get('dims') ?? []).map((d) => (typeof d === 'number' && Number.isInteger(d) && d >= -1 && d !== 0 ? d : bad(`${where} ("${name}") has a bad dim ${String(d)}`)));
  const labelFilename = optionalString(m, 'label_filename', bad);
  if (m.has('reshape')) bad(`${where} ("${name}") uses reshape, which Kiln does not support; give the graph's own dims`);
  return { name, datatype, dims, ...(labelFilename === undefined ? {} : { labelFilename }) };
}

function dynamicBatching(m: PbMessage, bad: Bad): DynamicBatching {
  const preferred = (m.get('preferred_batch_size') ?? []).map((v) =>
    typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : bad(`preferred_batch_size must hold positive integers, got ${String(v)}`),
  );
  const delay = optionalNumber(m, 'max_queue_delay_microseconds', bad) ?? 0;
  if (delay < 0) bad('max_queue_delay_microseconds must not be negative');
  const priorityLevels = optionalNumber(m, 'priority_levels', bad) ?? 0;
  const defaultPriorityLevel = optionalNumber(m, 'default_priority_level', bad) ?? 0;
  if (priorityLevels < 0 || !Number.isInteger(priorityLevels)) bad('priority_levels must be a non-negative integer');
  if (priorityLevels > 0 && (defaultPriorityLevel < 1 || defaultPriorityLevel > priorityLevels)) {
    bad(`default_priority_level must be from 1 to priority_levels (${priorityLevels}), got ${defaultPriorityLevel}`);
  }
  const policy = messages(m, 'default_queue_policy', bad)[0];
  return {
    preferredBatchSizes: preferred,
    maxQueueDelayMicroseconds: delay,
    priorityLevels,
    defaultPriorityLevel,
    defaultQueuePolicy: policy === undefined ? DEFAULT_QUEUE_POLICY : queuePolicy(policy, bad),
  };
}

function queuePolicy(m: PbMessage, bad: Bad): QueuePolicy {
  const action = optionalString(m, 'timeout_action', bad);
  if (action !== undefined && action !== 'REJECT') bad(`timeout_action ${action} is not supported; Kiln rejects requests that time out (REJECT)`);
  const maxQueueSize = optionalNumber(m, 'max_queue_size', bad) ?? 0;
  const timeout = optionalNumber(m, 'default_timeout_microseconds', bad) ?? 0;
  if (maxQueueSize < 0 || timeout < 0) bad('max_queue_size and default_timeout_microseconds must not be negative');
  const override = optionalString(m, 'allow_timeout_override', bad);
  return { maxQueueSize, defaultTimeoutMicroseconds: timeout, allowTimeoutOverride: override === undefined ? true : override === 'true' };
}

function versionPolicy(m: PbMessage, bad: Bad): VersionPolicy {
  const latest = messages(m, 'latest', bad)[0];
  if (latest !== undefined) {
    const n = optionalNumber(latest, 'num_versions', bad) ?? 1;
    if (!Number.isInteger(n) || n < 1) bad(`version_policy latest num_versions must be a positive integer, got ${n}`);
    return { kind: 'latest', numVersions: n };
  }
  if (m.has('all')) return { kind: 'all' };
  const specific = messages(m, 'specific', bad)[0];
  if (specific !== undefined) {
    const versions = (specific.get('versions') ?? []).map((v) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : bad(`version_policy specific versions must be positive integers, got ${String(v)}`)));
    if (versions.length === 0) bad('version_policy specific lists no versions');
    return { kind: 'specific', versions };
  }
  return bad('version_policy must be one of latest { num_versions: N }, all { } or specific { versions: [...] }');
}

function single(m: PbMessage, field: string, bad: Bad): PbValue | undefined {
  const values = m.get(field);
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) bad(`field ${field} is given ${values.length} times`);
  return values[0];
}

function optionalString(m: PbMessage, field: string, bad: Bad): string | undefined {
  const v = single(m, field, bad);
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return bad(`field ${field} must be a value, not a message`);
}

function optionalNumber(m: PbMessage, field: string, bad: Bad): number | undefined {
  const v = single(m, field, bad);
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return bad(`field ${field} must be a number`);
}

function messages(m: PbMessage, field: string, bad: Bad): PbMessage[] {
  return (m.get(field) ?? []).map((v) => (v instanceof Map ? v : bad(`field ${field} must be a message { ... }`)));
}

// ------------------------------------------------------------------------------------------------
// config → Triton's JSON (GET /v2/models/{m}/config) and config.pbtxt (export)

/** The configuration as Triton answers it on the model configuration extension (protobuf JSON names). */
export function configToJson(config: ModelConfig): Record<string, unknown> {
  return {
    name: config.name,
    platform: config.platform,
    backend: config.backend,
    version_policy: versionPolicyJson(config.versionPolicy),
    max_batch_size: config.maxBatchSize,
    input: config.inputs.map((t) => ({ name: t.name, data_type: tritonTypeName(t.datatype), dims: t.dims })),
    output: config.outputs.map((t) => ({
      name: t.name,
      data_type: tritonTypeName(t.datatype),
      dims: t.dims,
      ...(t.labelFilename === undefined ? {} : { label_filename: t.labelFilename }),
    })),
    ...(config.dynamicBatching === undefined
      ? {}
      : {
          dynamic_batching: {
            preferred_batch_size: config.dynamicBatching.preferredBatchSizes,
            max_queue_delay_microseconds: config.dynamicBatching.maxQueueDelayMicroseconds,
            priority_levels: config.dynamicBatching.priorityLevels,
            default_priority_level: config.dynamicBatching.defaultPriorityLevel,
            default_queue_policy: {
              timeout_action: 'REJECT',
              default_timeout_microseconds: config.dynamicBatching.defaultQueuePolicy.defaultTimeoutMicroseconds,
              allow_timeout_override: config.dynamicBatching.defaultQueuePolicy.allowTimeoutOverride,
              max_queue_size: config.dynamicBatching.defaultQueuePolicy.maxQueueSize,
            },
          },
        }),
    instance_group: [{ name: config.name, kind: 'KIND_CPU', count: config.instanceCount }],
  };
}

function versionPolicyJson(policy: VersionPolicy): Record<string, unknown> {
  switch (policy.kind) {
    case 'latest':
      return { latest: { num_versions: policy.numVersions } };
    case 'all':
      return { all: {} };
    case 'specific':
      return { specific: { versions: policy.versions } };
  }
}

/** The configuration as a config.pbtxt message (for `kiln export --format triton`). */
export function configToPbtxt(config: ModelConfig): PbOutMessage {
  const tensor = (t: TensorConfig): PbOutMessage => ({
    name: t.name,
    data_type: { enum: tritonTypeName(t.datatype) },
    dims: t.dims,
    ...(t.labelFilename === undefined ? {} : { label_filename: t.labelFilename }),
  });
  const batching = config.dynamicBatching;
  return {
    name: config.name,
    backend: config.backend,
    max_batch_size: config.maxBatchSize,
    input: config.inputs.map(tensor),
    output: config.outputs.map(tensor),
    ...(batching === undefined
      ? {}
      : {
          dynamic_batching: {
            ...(batching.preferredBatchSizes.length > 0 ? { preferred_batch_size: batching.preferredBatchSizes } : {}),
            max_queue_delay_microseconds: batching.maxQueueDelayMicroseconds,
          },
        }),
    instance_group: [{ count: config.instanceCount, kind: { enum: 'KIND_CPU' } }],
  };
}
