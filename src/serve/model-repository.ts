/**
 * The model repository: turns "model name + optional version or alias" into a loaded, runnable model.
 *
 * Two caches with different lifetimes:
 *   - which version a reference points to (`titanic` → 3, `titanic@champion` → 2) is remembered only
 *     briefly (`resolveCacheMs`), because another process (`kiln train`, `kiln models alias`) may register
 *     a version or move an alias at any time, and the server must notice without a restart;
 *   - a loaded version (manifest + onnxruntime session) never changes once registered, so it is kept
 *     until the repository is closed.
 *
 * Each loaded version goes through explicit lifecycle states (Triton's model states). A version that
 * fails to load is remembered as failed, with its reason, so that requests get MODEL_NOT_READY quickly
 * instead of re-reading a broken file each time; after `retryFailedAfterMs` the next request tries again.
 * Other models are unaffected.
 */
import type { Logger } from 'pino';
import { KilnError } from '../core/errors.js';
import { formatModelRef, isValidModelName, parseModelRef, type ModelRef } from '../store/model-ref.js';
import type { ArtifactStore, ModelVersion, Store } from '../store/store.js';
import { loadModel, type LoadedModel } from './loaded-model.js';

export const ModelState = {
  Loading: 'loading',
  Ready: 'ready',
  Failed: 'failed',
  Unloaded: 'unloaded',
} as const;
export type ModelState = (typeof ModelState)[keyof typeof ModelState];

type Slot =
  | { readonly state: typeof ModelState.Loading; readonly loading: Promise<LoadedModel> }
  | { readonly state: typeof ModelState.Ready; readonly model: LoadedModel }
  | { readonly state: typeof ModelState.Failed; readonly reason: string; readonly failedAt: number }
  | { readonly state: typeof ModelState.Unloaded };

export interface ModelStatus {
  readonly name: string;
  readonly version: number;
  readonly state: ModelState;
  readonly reason?: string;
}

export interface ModelRepositoryOptions {
  readonly store: Store;
  readonly artifacts: ArtifactStore;
  readonly logger: Logger;
  /** How long a resolved reference (latest, alias) is trusted before asking the store again. */
  readonly resolveCacheMs?: number;
  /** How long a failed load is remembered before the next request tries to load it again. */
  readonly retryFailedAfterMs?: number;
}

const VERSION_SEGMENT = /^[1-9][0-9]{0,8}$/;
const ALIAS_SEGMENT = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * The reference a request names. `name` may itself be a reference (`titanic@champion`, `titanic:3`);
 * `version`, the URL's version segment, may be a version number or an alias name.
 */
export function modelRefFromPath(name: string, version?: string): ModelRef {
  if (version === undefined || version === '') return parseModelRef(name);
  if (!isValidModelName(name)) throw new KilnError('INVALID_MODEL_REF', { ref: `${name}/versions/${version}` });
  if (VERSION_SEGMENT.test(version)) return { name, kind: 'version', version: Number(version) };
  if (ALIAS_SEGMENT.test(version)) return { name, kind: 'alias', alias: version };
  throw new KilnError('INVALID_MODEL_REF', { ref: `${name}/versions/${version}` });
}

export class ModelRepository {
  private readonly store: Store;
  private readonly artifacts: ArtifactStore;
  private readonly logger: Logger;
  private readonly resolveCacheMs: number;
  private readonly retryFailedAfterMs: number;
  /** formatModelRef(ref) → the pending or settled resolution and when to stop trusting it. */
  private readonly resolved = new Map<string, { readonly expiresAt: number; readonly version: Promise<ModelVersion> }>();
  /** `name:version` → lifecycle slot. */
  private readonly slots = new Map<string, Slot>();
  private closed = false;

  constructor(options: ModelRepositoryOptions) {
    this.store = options.store;
    this.artifacts = options.artifacts;
    this.logger = options.logger;
    this.resolveCacheMs = options.resolveCacheMs ?? 500;
    this.retryFailedAfterMs = options.retryFailedAfterMs ?? 5_000;
  }

  /** The loaded model a reference points to now; waits while it loads. */
  async get(ref: ModelRef): Promise<LoadedModel> {
    return this.load(await this.resolve(ref));
  }

  /**
   * The registered version a reference points to. Concurrent requests share one store query; a failed
   * query is not cached, so a model registered a moment later is found by the next request.
   */
  resolve(ref: ModelRef): Promise<ModelVersion> {
    const key = formatModelRef(ref);
    const now = Date.now();
    const cached = this.resolved.get(key);
    if (cached !== undefined && cached.expiresAt > now) return cached.version;
    const version = this.store.resolve(ref);
    const entry = { expiresAt: now + this.resolveCacheMs, version };
    this.resolved.set(key, entry);
    version.catch(() => {
      if (this.resolved.get(key) === entry) this.resolved.delete(key);
    });
    return version;
  }

  /** The loaded form of a registered version, loading it on first use. */
  load(version: ModelVersion): Promise<LoadedModel> {
    const key = slotKey(version.model, version.version);
    const slot = this.slots.get(key);
    switch (slot?.state) {
      case ModelState.Ready:
        return Promise.resolve(slot.model);
      case ModelState.Loading:
        return slot.loading;
      case ModelState.Failed:
        if (Date.now() - slot.failedAt < this.retryFailedAfterMs) return Promise.reject(notReady(key, slot.reason));
        break;
      case ModelState.Unloaded:
      case undefined:
        break;
    }
    if (this.closed) return Promise.reject(new KilnError('SERVER_CLOSING'));
    return this.startLoading(key, version);
  }

  private startLoading(key: string, version: ModelVersion): Promise<LoadedModel> {
    const started = performance.now();
    const loading = loadModel(version, this.artifacts).then(
      async (model) => {
        if (this.closed) {
          // close() ran while this version loaded: do not leak the session.
          await model.session.release().catch(() => undefined);
          throw new KilnError('SERVER_CLOSING');
        }
        this.slots.set(key, { state: ModelState.Ready, model });
        this.logger.info({ model: key, ms: Math.round(performance.now() - started) }, 'model loaded');
        return model;
      },
      (err: unknown) => {
        const reason = err instanceof Error ? err.message : String(err);
        this.slots.set(key, { state: ModelState.Failed, reason, failedAt: Date.now() });
        this.logger.error({ model: key, err }, 'model failed to load');
        throw notReady(key, reason);
      },
    );
    this.slots.set(key, { state: ModelState.Loading, loading });
    return loading;
  }

  /** Registered, non-archived version numbers of a model, oldest first. */
  async versions(name: string): Promise<number[]> {
    const versions = await this.store.listVersions(name);
    return versions.filter((v) => v.status !== 'archived').map((v) => v.version).sort((a, b) => a - b);
  }

  /** The lifecycle state of every version this repository has seen. */
  status(): ModelStatus[] {
    return [...this.slots.entries()].map(([key, slot]) => {
      const [name, version] = splitSlotKey(key);
      return slot.state === ModelState.Failed ? { name, version, state: slot.state, reason: slot.reason } : { name, version, state: slot.state };
    });
  }

  /** Whether the store answers (the server's readiness). */
  async storeReachable(): Promise<boolean> {
    try {
      await this.store.listModels();
      return true;
    } catch (err) {
      this.logger.warn({ err }, 'store is not reachable');
      return false;
    }
  }

  /**
   * Loads the latest version of every registered model, so that first requests do not pay for loading.
   * Failures are logged (and remembered as failed); they do not stop the others.
   */
  async warmUp(): Promise<ModelStatus[]> {
    const models = await this.store.listModels();
    await Promise.all(models.map((m) => this.get({ name: m.name, kind: 'latest' }).catch(() => undefined)));
    return this.status();
  }

  /**
   * Releases every session. Call it only once no inference is running (the server calls it after
   * draining in-flight requests): onnxruntime must not release a session in the middle of a run.
   */
  async close(): Promise<void> {
    this.closed = true;
    const releases: Promise<void>[] = [];
    for (const [key, slot] of this.slots) {
      if (slot.state === ModelState.Ready) releases.push(slot.model.session.release().catch(() => undefined));
      if (slot.state === ModelState.Loading) releases.push(slot.loading.then(() => undefined, () => undefined));
      this.slots.set(key, { state: ModelState.Unloaded });
    }
    await Promise.all(releases);
    this.resolved.clear();
  }
}

const slotKey = (name: string, version: number): string => `${name}:${version}`;

function splitSlotKey(key: string): [string, number] {
  const colon = key.lastIndexOf(':');
  return [key.slice(0, colon), Number(key.slice(colon + 1))];
}

const notReady = (model: string, reason: string): KilnError => new KilnError('MODEL_NOT_READY', { model, reason });
