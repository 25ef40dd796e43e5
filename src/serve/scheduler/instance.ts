/**
 * One model instance, seen from the server: a worker thread with its own onnxruntime session
 * (instance-worker.ts). `start()` resolves once the session is open, with the graph's inputs and outputs
 * as onnxruntime describes them; `run()` sends one batch and resolves with its outputs.
 *
 * Under the TypeScript sources (tests, `node --import tsx`), a worker does not inherit the tsx loader,
 * so it is started through a two-line bootstrap that registers tsx first.
 */
import { Worker } from 'node:worker_threads';
import type { HostTensor } from '../datatypes.js';
import type { Feeds } from './batch-tensors.js';
import type { GraphValue, InstanceInit, RunMessage, WorkerReply } from './worker-protocol.js';

export interface InstanceResult {
  readonly outputs: Feeds;
  /** Time inside session.run, measured by the worker. */
  readonly computeNs: number;
}

/** What the scheduler needs of an instance (tests drive the scheduler with stand-ins). */
export interface ModelInstance {
  /** Runs one batch; one at a time per instance. */
  run(feeds: Feeds): Promise<InstanceResult>;
  close(): Promise<void>;
}

interface Waiting {
  resolve(result: InstanceResult): void;
  reject(err: Error): void;
}

const WORKER_URL = new URL(`./instance-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);

function spawn(init: InstanceInit): Worker {
  if (WORKER_URL.pathname.endsWith('.ts')) {
    const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
    return new Worker(bootstrap, { eval: true, workerData: init });
  }
  return new Worker(WORKER_URL, { workerData: init });
}

export class Instance implements ModelInstance {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private exited: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly inputs: readonly GraphValue[],
    readonly outputs: readonly GraphValue[],
  ) {
    worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    const fail = (err: Error): void => {
      this.exited = err;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the model instance stopped (exit code ${code})`)));
  }

  /** Starts a worker and opens the model in it; rejects with onnxruntime's reason when it cannot. */
  static start(modelBytes: Uint8Array, options: { readonly intraOpNumThreads?: number } = {}): Promise<Instance> {
    const worker = spawn({ modelBytes, intraOpNumThreads: options.intraOpNumThreads ?? 1 });
    return new Promise<Instance>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      worker.once('error', onError);
      worker.once('message', (reply: WorkerReply) => {
        worker.off('error', onError);
        if (reply.kind === 'ready') resolve(new Instance(worker, reply.inputs, reply.outputs));
        else {
          void worker.terminate();
          reject(new Error(reply.kind === 'load-failed' ? reply.message : `unexpected first message ${reply.kind} from the model instance`));
        }
      });
    });
  }

  run(feeds: Readonly<Record<string, HostTensor>>): Promise<InstanceResult> {
    if (this.exited !== undefined) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<InstanceResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const message: RunMessage = { kind: 'run', id, feeds };
      this.worker.postMessage(message);
    });
  }

  private onReply(reply: WorkerReply): void {
    if (reply.kind !== 'result' && reply.kind !== 'run-failed') return;
    const waiting = this.waiting.get(reply.id);
    if (waiting === undefined) return;
    this.waiting.delete(reply.id);
    if (reply.kind === 'result') waiting.resolve({ outputs: reply.outputs, computeNs: reply.computeNs });
    else waiting.reject(new Error(reply.message));
  }

  /** Stops the worker (its session goes with it). Call only when no batch is running. */
  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
