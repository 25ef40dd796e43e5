/**
 * The tracking and registry store: runs, registered models, their versions and aliases, and the
 * prediction log. Stores convert database rows into these entities; nothing above this file sees a row.
 *
 * The interface is asynchronous even though the embedded SQLite store is synchronous underneath, so that
 * a PostgreSQL store can implement the same contract and pass the same conformance suite.
 */
import type { ModelRef } from './model-ref.js';

export type RunStatus = 'running' | 'finished' | 'failed';

/** Where a run's training data came from (lineage). */
export interface DatasetRef {
  readonly source: string;
  /** sha256 of the bytes read. */
  readonly digest: string;
  readonly rows: number;
  readonly columns: number;
}

export interface RunInput {
  readonly name: string;
  readonly task: string;
  readonly learner: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly tags?: Readonly<Record<string, string>>;
  readonly dataset?: DatasetRef;
  /** Kiln version, Node version, platform: what is needed to reproduce the run. */
  readonly environment?: Readonly<Record<string, string>>;
}

export interface Run {
  readonly id: string;
  readonly name: string;
  readonly task: string;
  readonly learner: string;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly params: Readonly<Record<string, unknown>>;
  /** Final metrics by name, e.g. `test.accuracy`. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly dataset: DatasetRef | null;
  readonly environment: Readonly<Record<string, string>>;
  readonly error: string | null;
}

export interface ModelVersionInput {
  readonly model: string;
  readonly runId: string | null;
  /** Logical artifact name (e.g. `model.onnx`, `manifest.json`) → content digest in the artifact store. */
  readonly artifacts: Readonly<Record<string, string>>;
  /** Inputs and outputs with their datatypes and shapes, as served. */
  readonly signature: unknown;
  readonly metrics: Readonly<Record<string, number>>;
  readonly description?: string;
}

export type VersionStatus = 'ready' | 'archived';

export interface ModelVersion {
  readonly model: string;
  readonly version: number;
  readonly runId: string | null;
  readonly createdAt: string;
  readonly status: VersionStatus;
  readonly artifacts: Readonly<Record<string, string>>;
  readonly signature: unknown;
  readonly metrics: Readonly<Record<string, number>>;
  readonly description: string;
  /** Aliases currently pointing at this version. */
  readonly aliases: readonly string[];
}

export interface RegisteredModel {
  readonly name: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly latestVersion: number;
  readonly versionCount: number;
  readonly aliases: Readonly<Record<string, number>>;
}

/** One served prediction, as logged for monitoring. */
export interface PredictionRecord {
  readonly requestId: string;
  readonly model: string;
  readonly version: number;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly latencyMs: number;
  readonly inputs: unknown;
  readonly outputs: unknown;
  readonly userKey?: string;
}

export interface PredictionQuery {
  readonly model?: string;
  readonly version?: number;
  readonly limit?: number;
}

export interface Store {
  /** Where this store lives, for messages (a file path or a URL without password). */
  readonly location: string;

  createRun(input: RunInput): Promise<Run>;
  logMetrics(runId: string, metrics: Readonly<Record<string, number>>): Promise<void>;
  finishRun(runId: string, status: Exclude<RunStatus, 'running'>, error?: string): Promise<Run>;
  getRun(id: string): Promise<Run>;
  listRuns(options?: { readonly limit?: number }): Promise<Run[]>;

  /** Registers the next version of `input.model` (creating the model if new); numbering is atomic. */
  createModelVersion(input: ModelVersionInput): Promise<ModelVersion>;
  listModels(): Promise<RegisteredModel[]>;
  getModel(name: string): Promise<RegisteredModel>;
  listVersions(name: string): Promise<ModelVersion[]>;
  getVersion(name: string, version: number): Promise<ModelVersion>;
  /** The version a reference points to; `latest` skips archived versions. */
  resolve(ref: ModelRef): Promise<ModelVersion>;
  setAlias(name: string, alias: string, version: number): Promise<void>;
  /** Archives a version (or brings it back); versions are never deleted. */
  setVersionStatus(name: string, version: number, status: VersionStatus): Promise<ModelVersion>;

  logPredictions(records: readonly PredictionRecord[]): Promise<void>;
  listPredictions(query?: PredictionQuery): Promise<PredictionRecord[]>;
  countPredictions(query?: PredictionQuery): Promise<number>;

  close(): Promise<void>;
}

/** Content-addressed blobs (model files, manifests, reports). */
export interface ArtifactStore {
  /** Stores the bytes (idempotently) and returns their sha256 digest as hex. */
  put(bytes: Uint8Array): Promise<string>;
  /** The bytes of a digest, verified against it. */
  get(digest: string): Promise<Buffer>;
  has(digest: string): Promise<boolean>;
}
