/**
 * One model instance, seen from the server: a worker thread with its own onnxruntime session
 * (instance-worker.ts). `start()` resolves once the session is open, with the graph's inputs and outputs
 * as onnxruntime describes them; `run()` sends one batch and resolves with its outputs.
 *
 * A worker that dies (an uncaught error, out of memory, killed) is replaced: the batch it was running
 * fails at once with InstanceDiedError (the scheduler answers MODEL_INSTANCE_DIED, 503) instead of
 * hanging, a new worker opens the same model, and batches sent meanwhile wait for it. Should the
 * replacement fail to open the model, those batches fail with the reason and the instance stays broken
 * (the model must be reloaded).
 */
import type { Worker } from 'node:worker_threads';
import type { HostTensor } from '../datatypes.js';
import { siblingModule, startWorker } from '../worker-thread.js';
import type { Feeds } from './batch-tensors.js';
import type { GraphValue, InstanceInit, RunMessage, WorkerReply } from './worker-protocol.js';

export interface InstanceResult {
  readonly outputs: Feeds;
  /** Time inside session.run, measured by the instance. */
  readonly computeNs: number;
}

/** What the scheduler needs of an instance (tests drive the scheduler with stand-ins). */
export interface ModelInstance {
  /**
   * Runs one batch; one at a time per instance. `owned` says the feeds' arrays were made for this batch
   * alone (joined from several requests), so a worker instance may move their memory instead of copying it.
   */
  run(feeds: Feeds, owned?: boolean): Promise<InstanceResult>;
  close(): Promise<void>;
}

/** The batch's instance stopped while running it. */
export class InstanceDiedError extends Error {
  override readonly name = 'InstanceDiedError';
}

/** Told when an instance's worker died and when its replacement is ready (or could not start). */
export interface InstanceEvents {
  died?(reason: string): void;
  replaced?(): void;
  replacementFailed?(reason: string): void;
}

interface Waiting {
  resolve(result: InstanceResult): void;
  reject(err: Error): void;
}

const WORKER_MODULE = siblingModule(import.meta.url, 'instance-worker');

interface Opened {
  readonly worker: Worker;
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];
}

/** Starts a worker and waits until it has opened the model; rejects with onnxruntime's reason when it cannot. */
function open(init: InstanceInit): Promise<Opened> {
  const worker = startWorker(WORKER_MODULE, init);
  return new Promise<Opened>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    const onExit = (code: number): void => reject(new Error(`the model instance stopped while opening the model (exit code ${code})`));
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.once('message', (reply: WorkerReply) => {
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (reply.kind === 'ready') resolve({ worker, inputs: reply.inputs, outputs: reply.outputs });
      else {
        void worker.terminate();
        reject(new Error(reply.kind === 'load-failed' ? reply.message : `unexpected first message ${reply.kind} from the model instance`));
      }
    });
  });
}

export class Instance implements ModelInstance {
  private worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  /** While a dead worker is being replaced: resolves when the new one is ready. */
  private replacing: Promise<void> | undefined;
  /** Set when a replacement could not open the model: every later run fails with it. */
  private broken: Error | undefined;
  private closed = false;
  private deaths = 0;

  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];

  private constructor(
    opened: Opened,
    private readonly init: InstanceInit,
    private readonly events: InstanceEvents,
  ) {
    this.inputs = opened.inputs;
    this.outputs = opened.outputs;
    this.worker = opened.worker;
    this.attach(opened.worker);
  }

  /** Starts a worker and opens the model in it; rejects with onnxruntime's reason when it cannot. */
  static async start(modelBytes: Uint8Array, options: { readonly intraOpNumThreads?: number; readonly events?: InstanceEvents } = {}): Promise<Instance> {
    const init: InstanceInit = { modelBytes, intraOpNumThreads: options.intraOpNumThreads ?? 1 };
    return new Instance(await open(init), init, options.events ?? {});
  }

  /** How many times this instance's worker died (and was replaced). */
  get restarts(): number {
    return this.deaths;
  }

  async run(feeds: Readonly<Record<string, HostTensor>>, owned = false): Promise<InstanceResult> {
    if (this.replacing !== undefined) await this.replacing;
    if (this.broken !== undefined) throw this.broken;
    if (this.closed) throw new Error('the model instance is closed');
    const id = this.nextId++;
    return new Promise<InstanceResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const message: RunMessage = { kind: 'run', id, feeds };
      this.worker.postMessage(message, owned ? wholeBuffers(feeds) : []);
    });
  }

  /** Stops the worker (its session goes with it). Call only when no batch is running. */
  async close(): Promise<void> {
    this.closed = true;
    await this.replacing;
    this.worker.removeAllListeners('exit');
    this.worker.removeAllListeners('error');
    await this.worker.terminate();
  }

  private attach(worker: Worker): void {
    worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    // 'error' (an uncaught exception in the worker) is always followed by 'exit'; the exit does the work.
    let reason: string | undefined;
    worker.on('error', (err) => (reason = err.message));
    worker.once('exit', (code) => this.onExit(worker, reason ?? `exit code ${code}`));
  }

  private onReply(reply: WorkerReply): void {
    if (reply.kind !== 'result' && reply.kind !== 'run-failed') return;
    const waiting = this.waiting.get(reply.id);
    if (waiting === undefined) return;
    this.waiting.delete(reply.id);
    if (reply.kind === 'result') waiting.resolve({ outputs: reply.outputs, computeNs: reply.computeNs });
    else waiting.reject(new Error(reply.message));
  }

  /** The worker died: fail what it was running, and start a replacement unless the instance is closing. */
  private onExit(worker: Worker, reason: string): void {
    if (worker !== this.worker) return;
    const failure = new InstanceDiedError(reason);
    for (const w of this.waiting.values()) w.reject(failure);
    this.waiting.clear();
    if (this.closed) return;
    this.deaths++;
    this.events.died?.(reason);
    this.replacing = open(this.init).then(
      (opened) => {
        this.replacing = undefined;
        if (this.closed) {
          void opened.worker.terminate();
          return;
        }
        this.worker = opened.worker;
        this.attach(opened.worker);
        this.events.replaced?.();
      },
      (err: unknown) => {
        this.replacing = undefined;
        this.broken = new Error(`the model instance stopped and could not be restarted: ${(err as Error).message}`);
        this.events.replacementFailed?.((err as Error).message);
      },
    );
  }
}

/**
 * The memory of the feeds' typed arrays, to move to the worker rather than copy: only arrays that span
 * their whole buffer (a view into a larger buffer, such as a request body's, must never be moved).
 */
function wholeBuffers(feeds: Readonly<Record<string, HostTensor>>): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const tensor of Object.values(feeds)) {
    const data = tensor.data;
    if (!ArrayBuffer.isView(data) || !(data.buffer instanceof ArrayBuffer)) continue;
    if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && !buffers.includes(data.buffer)) buffers.push(data.buffer);
  }
  return buffers;
}
