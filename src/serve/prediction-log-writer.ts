/**
 * Writing the prediction log from a worker thread. With SQLite, a write is synchronous work on the
 * calling thread (serialising the rows' JSON, the inserts, the commit and the WAL checkpoints): done on
 * the server's main thread it cost ~20% of a small model's throughput at concurrency 64. The writer
 * thread opens its own connection to the same store (SQLite's WAL lets it write beside the main
 * connection; PostgreSQL simply gets a second pool). The serving thread's column buffers
 * (prediction-log-columns.ts) are moved to the thread (a transfer of their ArrayBuffers: no copy, no
 * per-record objects on either side), and the thread makes the stored batches from them
 * (prediction-log-encode.ts): the JSON texts are written here, off the thread that answers requests.
 *
 * It stands in for the store in PredictionLogger (it has `writeColumns` and `logPredictions`), so
 * batching, bounds and error reporting stay where they are.
 */
import type { Worker } from 'node:worker_threads';
import type { LoggedRecord } from '../store/prediction-batch.js';
import { transferablesOf, type LoggedColumns } from './prediction-log-columns.js';
import type { PredictionLogTarget } from './prediction-log.js';
import { siblingModule, startWorker } from './worker-thread.js';

export interface WriterInit {
  /** The store to open in the worker: the same URL the server's store was opened with. */
  readonly storeUrl: string;
}

export type WriterRequest =
  | { readonly kind: 'write'; readonly id: number; readonly columns: readonly LoggedColumns[]; readonly records: readonly LoggedRecord[] }
  | { readonly kind: 'close' };

export type WriterReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'open-failed'; readonly message: string }
  | { readonly kind: 'written'; readonly id: number }
  | { readonly kind: 'write-failed'; readonly id: number; readonly message: string }
  | { readonly kind: 'closed' };

const WORKER_MODULE = siblingModule(import.meta.url, 'prediction-log-worker');

interface Pending {
  resolve(): void;
  reject(err: Error): void;
}

export class WorkerPredictionWriter implements PredictionLogTarget {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Set once the worker is gone: every later write fails with it. */
  private stopped: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: WriterReply) => this.onReply(reply));
    const stop = (err: Error): void => {
      this.stopped ??= err;
      for (const p of this.pending.values()) p.reject(this.stopped);
      this.pending.clear();
    };
    worker.on('error', stop);
    worker.on('exit', (code) => stop(new Error(`the prediction log writer thread stopped (exit code ${code})`)));
  }

  /** Starts the thread and opens the store in it; rejects with the reason when the store cannot be opened there. */
  static start(storeUrl: string): Promise<WorkerPredictionWriter> {
    const worker = startWorker(WORKER_MODULE, { storeUrl } satisfies WriterInit);
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      worker.once('error', onError);
      worker.once('message', (reply: WriterReply) => {
        worker.off('error', onError);
        if (reply.kind === 'ready') return resolve(new WorkerPredictionWriter(worker));
        void worker.terminate();
        reject(new Error(reply.kind === 'open-failed' ? reply.message : `unexpected first message ${reply.kind} from the writer thread`));
      });
    });
  }

  logPredictions(records: readonly LoggedRecord[]): Promise<void> {
    return this.writeColumns([], records);
  }

  /** Sends the buffers (moved: unusable here afterwards) and records; resolves once the thread has committed them. */
  writeColumns(columns: readonly LoggedColumns[], records: readonly LoggedRecord[]): Promise<void> {
    if (this.stopped !== undefined) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ kind: 'write', id, columns, records } satisfies WriterRequest, columns.flatMap(transferablesOf));
    });
  }

  /** Closes the worker's store connection once the writes sent before have finished, and stops the thread. */
  async close(): Promise<void> {
    if (this.stopped !== undefined) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ kind: 'close' } satisfies WriterRequest);
    await exited;
  }

  private onReply(reply: WriterReply): void {
    if (reply.kind !== 'written' && reply.kind !== 'write-failed') return;
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.pending.delete(reply.id);
    if (reply.kind === 'written') pending.resolve();
    else pending.reject(new Error(reply.message));
  }
}
