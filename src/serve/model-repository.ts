/**
 * The model repository: turns "model name + optional version or alias" into a loaded, runnable model.
 * Models come from two sources, a Triton-layout folder taking precedence over the registry for a name
 * both know:
 *
 *   - **registered modules** (the store), loaded on first use. Which version a reference points to
 *     (`titanic` → 3, `titanic@champion` → 2) is remembered only briefly (`resolveCacheMs`), because another
 *     process (`kiln train`, `kiln models alias`) may register a version or move an alias at any time;
 *     a loaded version never changes once registered, so it is kept until unloaded.
 *   - **a model repository folder** (`kiln serve --model-repository DIR`): every model in it is loaded at
 *     start, with the versions its version policy selects.
 *
 * Triton's repository extension is served from here: `index()` lists every model and version with its
 * state (and the reason of a failed load); `loadModel()` loads or reloads a model without a restart, and
 * `unloadModel()` takes it out of service. A reload builds the new versions first and swaps them in at
 * once; the replaced versions drain (every request they accepted is answered) before their instances
 * stop, so reloading under load loses no request. A version that fails to load is remembered as failed,
 * with its reason, while the other models keep serving.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { KilnError } from '../core/errors.js';
import { formatModelRef, isValidModelName, parseModelRef, type ModelRef } from '../store/model-ref.js';
import type { ArtifactStore, ModelVersion, Store } from '../store/store.js';
import { loadModuleFiles, loadModuleVersion, loadTensorModel, type InstanceOptions, type LoadedModel } from './loaded-model.js';
import { listModelFolders, manifestFile, modelFile, readModelFolder, type ModelFolder } from './triton-directory.js';

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
  | { readonly state: typeof ModelState.Unloaded; readonly reason?: string };

export interface ModelStatus {
  readonly name: string;
  readonly version: number;
  readonly state: ModelState;
  readonly reason?: string;
}

/** One row of Triton's repository index (POST /v2/repository/index). */
export interface IndexEntry {
  readonly name: string;
  readonly version?: string;
  /** Triton's names: READY, LOADING, UNAVAILABLE. */
  readonly state: 'READY' | 'LOADING' | 'UNAVAILABLE';
  readonly reason: string;
}

export interface ModelRepositoryOptions extends InstanceOptions {
  /** The registry; absent when only a folder is served. */
  readonly store?: Store;
  readonly artifacts?: ArtifactStore;
  /** A Triton-layout model repository folder. */
  readonly directory?: string;
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
  private readonly store: Store | undefined;
  private readonly artifacts: ArtifactStore | undefined;
  private readonly directory: string | undefined;
  private readonly logger: Logger;
  private readonly resolveCacheMs: number;
  private readonly retryFailedAfterMs: number;
  private readonly instanceOptions: InstanceOptions;
  /** formatModelRef(ref) → the pending or settled resolution and when to stop trusting it. */
  private readonly resolved = new Map<string, { readonly expiresAt: number; readonly version: Promise<ModelVersion> }>();
  /** `name:version` → lifecycle slot, for both sources. */
  private readonly slots = new Map<string, Slot>();
  /** Folder models: name → the versions served now (ascending), or the reason the model is unavailable. */
  private readonly folderModels = new Map<string, { readonly versions: readonly number[]; readonly reason?: string }>();
  /** Registered models taken out of service by unloadModel(). */
  private readonly unloadedModules = new Set<string>();
  /** One load or unload at a time per model name. */
  private readonly lifecycle = new Map<string, Promise<unknown>>();
  private closed = false;

  constructor(options: ModelRepositoryOptions) {
    if (options.store === undefined && options.directory === undefined) throw new Error('a model repository needs a store or a directory');
    this.store = options.store;
    this.artifacts = options.artifacts;
    this.directory = options.directory;
    this.logger = options.logger;
    this.resolveCacheMs = options.resolveCacheMs ?? 500;
    this.retryFailedAfterMs = options.retryFailedAfterMs ?? 5_000;
    this.instanceOptions = {
      ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
      ...(options.mainThreadRunLimitUs === undefined ? {} : { mainThreadRunLimitUs: options.mainThreadRunLimitUs }),
      logger: options.logger,
    };
  }

  /** The loaded model a reference points to now; waits while it loads. */
  async get(ref: ModelRef): Promise<LoadedModel> {
    if (this.closed) throw new KilnError('SERVER_CLOSING');
    const folder = this.folderModels.get(ref.name);
    if (folder !== undefined) return this.getFromFolder(ref, folder);
    if (this.store === undefined) throw new KilnError('MODEL_NOT_FOUND', { name: ref.name, known: [...this.folderModels.keys()] });
    if (this.unloadedModules.has(ref.name)) throw new KilnError('MODEL_UNAVAILABLE', { model: ref.name, reason: 'it was unloaded' });
    return this.loadRegistered(await this.resolve(ref));
  }

  private getFromFolder(ref: ModelRef, folder: { readonly versions: readonly number[]; readonly reason?: string }): LoadedModel {
    if (ref.kind === 'alias') throw new KilnError('ALIAS_NOT_FOUND', { name: ref.name, alias: ref.alias });
    const versions = folder.versions;
    if (versions.length === 0) throw new KilnError('MODEL_UNAVAILABLE', { model: ref.name, reason: folder.reason ?? 'no version is loaded' });
    const version = ref.kind === 'version' ? ref.version : (versions[versions.length - 1] as number);
    const slot = this.slots.get(slotKey(ref.name, version));
    if (slot?.state === ModelState.Ready && versions.includes(version)) return slot.model;
    if (slot?.state === ModelState.Failed) throw notReady(slotKey(ref.name, version), slot.reason);
    throw new KilnError('VERSION_NOT_FOUND', { name: ref.name, version, versions: versions.join(', ') || '(none)' });
  }

  /**
   * The registered version a reference points to. Concurrent requests share one store query; a failed
   * query is not cached, so a model registered a moment later is found by the next request.
   */
  resolve(ref: ModelRef): Promise<ModelVersion> {
    const store = this.requireStore();
    const key = formatModelRef(ref);
    const now = Date.now();
    const cached = this.resolved.get(key);
    if (cached !== undefined && cached.expiresAt > now) return cached.version;
    const version = store.resolve(ref);
    const entry = { expiresAt: now + this.resolveCacheMs, version };
    this.resolved.set(key, entry);
    version.catch(() => {
      if (this.resolved.get(key) === entry) this.resolved.delete(key);
    });
    return version;
  }

  /** The loaded form of a registered version, loading it on first use. */
  private loadRegistered(version: ModelVersion): Promise<LoadedModel> {
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
    return this.track(key, () => loadModuleVersion(version, this.requireArtifacts(), this.instanceOptions));
  }

  /**
   * Loads one version into its slot. While it loads, the slot says Loading unless a ready model already
   * serves it (a reload): that one keeps answering until the new one is swapped in.
   */
  private track(key: string, load: () => Promise<LoadedModel>): Promise<LoadedModel> {
    const started = performance.now();
    const previous = this.slots.get(key);
    const loading = load().then(
      async (model) => {
        if (this.closed) {
          // close() ran while this version loaded: do not leak its instances.
          await model.scheduler.close().catch(() => undefined);
          throw new KilnError('SERVER_CLOSING');
        }
        this.slots.set(key, { state: ModelState.Ready, model });
        this.logger.info({ model: key, ms: Math.round(performance.now() - started), placement: model.placement }, 'model loaded');
        if (previous?.state === ModelState.Ready && previous.model !== model) this.retire(previous.model);
        return model;
      },
      (err: unknown) => {
        const reason = err instanceof Error ? err.message : String(err);
        if (previous?.state === ModelState.Ready && !this.closed) {
          this.logger.error({ model: key, err }, 'reload failed; the loaded version keeps serving');
        } else {
          this.slots.set(key, { state: ModelState.Failed, reason, failedAt: Date.now() });
          this.logger.error({ model: key, err }, 'model failed to load');
        }
        throw notReady(key, reason);
      },
    );
    if (previous?.state !== ModelState.Ready) this.slots.set(key, { state: ModelState.Loading, loading });
    return loading;
  }

  /** Takes a replaced or unloaded model out of service once every request it accepted is answered. */
  private retire(model: LoadedModel): void {
    model.scheduler.close().then(
      () => this.logger.info({ model: `${model.name}:${model.version}` }, 'model instance retired'),
      (err: unknown) => this.logger.error({ err }, 'error while retiring a model'),
    );
  }

  /** Served version numbers of a model, oldest first: a folder model's loaded versions, or the registry's non-archived ones. */
  async versions(name: string): Promise<number[]> {
    const folder = this.folderModels.get(name);
    if (folder !== undefined) return [...folder.versions];
    const versions = await this.requireStore().listVersions(name);
    return versions.filter((v) => v.status !== 'archived').map((v) => v.version).sort((a, b) => a - b);
  }

  /** The lifecycle state of every version this repository has seen. */
  status(): ModelStatus[] {
    return [...this.slots.entries()].map(([key, slot]) => {
      const [name, version] = splitSlotKey(key);
      return slot.state === ModelState.Failed ? { name, version, state: slot.state, reason: slot.reason } : { name, version, state: slot.state };
    });
  }

  /** Every loaded version, for statistics and metrics. */
  loadedModels(): LoadedModel[] {
    const out: LoadedModel[] = [];
    for (const slot of this.slots.values()) if (slot.state === ModelState.Ready) out.push(slot.model);
    return out;
  }

  /** Triton's repository index: every model (folder models and registered ones) with its state. */
  async index(): Promise<IndexEntry[]> {
    const entries: IndexEntry[] = [];
    const seen = new Set<string>();
    for (const [key, slot] of this.slots) {
      const [name, version] = splitSlotKey(key);
      seen.add(name);
      const state = slot.state === ModelState.Ready ? 'READY' : slot.state === ModelState.Loading ? 'LOADING' : 'UNAVAILABLE';
      const reason = slot.state === ModelState.Failed ? slot.reason : slot.state === ModelState.Unloaded ? (slot.reason ?? 'unloaded') : '';
      entries.push({ name, version: String(version), state, reason });
    }
    for (const [name, folder] of this.folderModels) {
      if (seen.has(name)) continue;
      seen.add(name);
      entries.push({ name, state: 'UNAVAILABLE', reason: folder.reason ?? 'no version is loaded' });
    }
    if (this.directory !== undefined) {
      for (const name of await listModelFolders(this.directory).catch(() => [])) {
        if (!seen.has(name)) entries.push({ name, state: 'UNAVAILABLE', reason: 'not loaded' });
        seen.add(name);
      }
    }
    if (this.store !== undefined) {
      for (const model of await this.store.listModels()) {
        if (seen.has(model.name)) continue;
        entries.push({ name: model.name, state: 'UNAVAILABLE', reason: this.unloadedModules.has(model.name) ? 'unloaded' : 'not loaded yet (loads on first request)' });
      }
    }
    return entries.sort((a, b) => (a.name === b.name ? Number(a.version ?? 0) - Number(b.version ?? 0) : a.name < b.name ? -1 : 1));
  }

  /**
   * Loads a model, or reloads it when loaded (Triton's repository load): a folder model is read again
   * (config and versions); a registered model loads its latest version. Resolves when the model serves;
   * rejects with the reason when it cannot load, in which case a model already loaded keeps serving.
   */
  loadModel(name: string): Promise<void> {
    return this.serialise(name, async () => {
      if (this.closed) throw new KilnError('SERVER_CLOSING');
      if (this.directory !== undefined && (await listModelFolders(this.directory)).includes(name)) {
        await this.loadFolderModel(name);
        return;
      }
      if (this.store === undefined) throw new KilnError('MODEL_NOT_FOUND', { name, known: this.directory === undefined ? [] : await listModelFolders(this.directory) });
      this.unloadedModules.delete(name);
      this.resolved.clear();
      const version = await this.resolve({ name, kind: 'latest' });
      await this.track(slotKey(name, version.version), () => loadModuleVersion(version, this.requireArtifacts(), this.instanceOptions));
    });
  }

  /** Takes every version of a model out of service; requests already accepted are answered first. */
  unloadModel(name: string): Promise<void> {
    return this.serialise(name, async () => {
      const folder = this.folderModels.get(name);
      const known = folder !== undefined || [...this.slots.keys()].some((k) => splitSlotKey(k)[0] === name) || (await this.isRegistered(name));
      if (!known) throw new KilnError('MODEL_NOT_FOUND', { name, known: (await this.index()).map((e) => e.name) });
      if (folder !== undefined) this.folderModels.set(name, { versions: [], reason: 'unloaded' });
      else this.unloadedModules.add(name);
      const draining: Promise<void>[] = [];
      for (const [key, slot] of this.slots) {
        if (splitSlotKey(key)[0] !== name) continue;
        if (slot.state === ModelState.Ready) draining.push(slot.model.scheduler.close());
        this.slots.set(key, { state: ModelState.Unloaded, reason: 'unloaded' });
      }
      await Promise.all(draining);
      this.logger.info({ model: name }, 'model unloaded');
    });
  }

  /** Reads a folder model and loads the versions its policy selects; replaced versions drain, then stop. */
  private async loadFolderModel(name: string): Promise<void> {
    const root = this.directory as string;
    let folder;
    try {
      folder = await readModelFolder(root, name);
      if (folder.selected.length === 0) throw new Error(`no version folder with a ${'model.onnx'} matches the version policy (available: ${folder.available.join(', ') || 'none'})`);
    } catch (err) {
      const reason = (err as Error).message;
      if (!this.folderModels.has(name) || (this.folderModels.get(name)?.versions.length ?? 0) === 0) this.folderModels.set(name, { versions: [], reason });
      this.logger.error({ model: name, err }, 'model failed to load');
      throw err instanceof KilnError ? err : notReady(name, reason);
    }
    const loaded = await Promise.allSettled(
      folder.selected.map((version) =>
        this.track(slotKey(name, version), async () =>
          loadFolderVersion(folder, version, this.instanceOptions),
        ),
      ),
    );
    const ready = folder.selected.filter((_, i) => loaded[i]?.status === 'fulfilled');
    const previous = this.folderModels.get(name)?.versions ?? [];
    const firstFailure = loaded.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    // Versions the policy no longer selects leave service (after draining).
    for (const version of previous) {
      if (folder.selected.includes(version)) continue;
      const key = slotKey(name, version);
      const slot = this.slots.get(key);
      if (slot?.state === ModelState.Ready) this.retire(slot.model);
      this.slots.delete(key);
    }
    this.folderModels.set(name, ready.length > 0 ? { versions: ready } : { versions: [], reason: (firstFailure?.reason as Error | undefined)?.message ?? 'no version loaded' });
    if (firstFailure !== undefined) throw firstFailure.reason;
  }

  private async isRegistered(name: string): Promise<boolean> {
    if (this.store === undefined) return false;
    return (await this.store.listModels()).some((m) => m.name === name);
  }

  private serialise<T>(name: string, work: () => Promise<T>): Promise<T> {
    const before = this.lifecycle.get(name) ?? Promise.resolve();
    const next = before.then(work, work);
    const settled = next.catch(() => undefined);
    this.lifecycle.set(name, settled);
    void settled.then(() => {
      if (this.lifecycle.get(name) === settled) this.lifecycle.delete(name);
    });
    return next;
  }

  /** Whether the registry answers (the server's readiness); true when only a folder is served. */
  async storeReachable(): Promise<boolean> {
    if (this.store === undefined) return true;
    try {
      await this.store.listModels();
      return true;
    } catch (err) {
      this.logger.warn({ err }, 'store is not reachable');
      return false;
    }
  }

  /**
   * Loads every folder model and the latest version of every registered model, so that first requests do
   * not pay for loading. Failures are logged (and remembered with their reason); they do not stop the others.
   */
  async warmUp(): Promise<ModelStatus[]> {
    const work: Promise<unknown>[] = [];
    if (this.directory !== undefined) {
      for (const name of await listModelFolders(this.directory)) work.push(this.loadModel(name).catch(() => undefined));
    }
    if (this.store !== undefined) {
      const models = await this.store.listModels();
      await Promise.all(work);
      for (const m of models) {
        if (!this.folderModels.has(m.name)) work.push(this.get({ name: m.name, kind: 'latest' }).catch(() => undefined));
      }
    }
    await Promise.all(work);
    return this.status();
  }

  /**
   * Stops every model: each drains the requests it accepted, then its instances stop. The server calls it
   * after draining in-flight requests.
   */
  async close(): Promise<void> {
    this.closed = true;
    const closing: Promise<unknown>[] = [];
    for (const [key, slot] of this.slots) {
      if (slot.state === ModelState.Ready) closing.push(slot.model.scheduler.close().catch(() => undefined));
      if (slot.state === ModelState.Loading) closing.push(slot.loading.then(() => undefined, () => undefined));
      this.slots.set(key, { state: ModelState.Unloaded });
    }
    await Promise.all(closing);
    this.resolved.clear();
  }

  private requireStore(): Store {
    if (this.store === undefined) throw new KilnError('MODEL_NOT_FOUND', { name: '(registry)', known: [...this.folderModels.keys()] });
    return this.store;
  }

  private requireArtifacts(): ArtifactStore {
    if (this.artifacts === undefined) throw new Error('the registry has no artifact store');
    return this.artifacts;
  }
}

const slotKey = (name: string, version: number): string => `${name}:${version}`;

function splitSlotKey(key: string): [string, number] {
  const colon = key.lastIndexOf(':');
  return [key.slice(0, colon), Number(key.slice(colon + 1))];
}

const notReady = (model: string, reason: string): KilnError => new KilnError('MODEL_NOT_READY', { model, reason });

/**
 * One version of a folder model: a Kiln module when `kiln export` left its manifest.json beside model.onnx
 * (rows are then read as the module's columns, as from the registry), otherwise a plain tensor model.
 * config.pbtxt's batching, instances and version policy apply to either.
 */
async function loadFolderVersion(folder: ModelFolder, version: number, options: InstanceOptions): Promise<LoadedModel> {
  const modelBytes = await readFile(modelFile(folder, version));
  const manifestBytes = await readFile(manifestFile(folder, version)).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (manifestBytes !== undefined) {
    return loadModuleFiles({ name: folder.name, version, manifestBytes, modelBytes }, { ...options, ...(folder.declaration === undefined ? {} : { config: folder.declaration }) });
  }
  return loadTensorModel({ name: folder.name, version, modelBytes, declaration: folder.declaration, labels: folder.labels }, options);
}
