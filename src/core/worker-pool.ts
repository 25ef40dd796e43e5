/**
 * A small pool of worker threads: N workers, a queue of tasks, typed arrays moved (transferred) rather
 * than copied, errors coming back as KilnErrors, cancellation through an AbortSignal.
 *
 * A worker entry module calls `serveTasks(handler)`; the main thread creates
 * `new WorkerPool(workerEntry(import.meta.url, './my-worker'), n)` and `run(payload)`s tasks on it.
 * Large read-only inputs shared by every task (a training matrix) are best put in a SharedArrayBuffer
 * once: structured cloning shares such memory instead of copying it.
 *
 * The same code runs under tsx (tests run `node --import tsx`) and from the compiled dist/: the entry
 * file keeps the extension of the module that names it (.ts or .js), and a .ts entry is started through
 * tsx's loader (see `startWorker`).
 */
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, type TransferListItem } from 'node:worker_threads';
import { ERROR_CODES, KilnError, type ErrorCode } from './errors.js';
import { setMaxListeners } from 'node:events';

/** A task's answer, with the buffers to move (not copy) back to the caller. */
export interface TaskResult<R> {
  readonly result: R;
  readonly transfer?: readonly TransferListItem[];
}

export interface RunOptions {
  /** Buffers to move to the worker (they become unusable in the caller). */
  readonly transfer?: readonly TransferListItem[];
  /** Aborting rejects the task with CANCELLED; a task already running has its worker stopped. */
  readonly signal?: AbortSignal;
}

interface Request {
  readonly id: number;
  readonly payload: unknown;
  /** Answered by serveTasks itself once the entry module has loaded (see WorkerPool.start). */
  readonly ping?: true;
}

type Reply = { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: SerializedError };

interface SerializedError {
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly message: string;
}

interface Task {
  readonly id: number;
  readonly payload: unknown;
  readonly ping: boolean;
  readonly transfer: readonly TransferListItem[];
  readonly signal: AbortSignal | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  readonly onAbort: () => void;
}

interface Slot {
  worker: Worker;
  task: Task | undefined;
}

/** The number of workers to use by default: the machine's cores. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/**
 * The URL of a worker entry module next to `callerUrl` (pass `import.meta.url`), given its path without
 * extension: `.ts` when the caller runs from source under tsx, `.js` from dist/.
 */
export function workerEntry(callerUrl: string, relativePathWithoutExtension: string): URL {
  const extension = new URL(callerUrl).pathname.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`${relativePathWithoutExtension}${extension}`, callerUrl);
}

/**
 * Starts a worker on `entry`. A `.ts` entry (tests and benches running under tsx) gets a tiny bootstrap
 * that registers tsx's loader first: on Node 20 the main thread's `--import tsx` does not reach worker
 * threads, even through `execArgv`. A `.js` entry (dist/) starts directly and needs nothing else.
 */
function startWorker(entry: URL): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(entry.href)});`;
  return new Worker(bootstrap, { eval: true });
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  /**
   * @param entry the worker module (see `workerEntry`); it must call `serveTasks`.
   * @param size how many workers to run (at least 1).
   */
  constructor(
    private readonly entry: URL,
    readonly size: number,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a worker pool needs at least 1 worker, got ${size}`);
  }

  /** Queues `payload` for the next free worker; resolves with what the worker's handler returned. */
  run<R>(payload: unknown, options: RunOptions = {}): Promise<R> {
    return this.enqueue<R>(payload, false, options);
  }

  /**
   * Starts every worker and resolves once each has loaded its entry module (a worker answers a ping only
   * then). Workers otherwise start with the first tasks; a caller with a time budget starts them first,
   * so that loading the code (over a second under tsx on a busy machine) is not charged to the budget.
   */
  async start(options: Pick<RunOptions, 'signal'> = {}): Promise<void> {
    await Promise.all(Array.from({ length: this.size }, () => this.enqueue(undefined, true, options)));
  }

  private enqueue<R>(payload: unknown, ping: boolean, options: RunOptions): Promise<R> {
    if (this.closed) return Promise.reject(new KilnError('INTERNAL', { reason: 'the worker pool is closed' }));
    const signal = options.signal;
    if (signal?.aborted === true) return Promise.reject(new KilnError('CANCELLED', { what: 'the task' }));
    return new Promise<R>((resolve, reject) => {
      const task: Task = {
        id: this.nextId++,
        payload,
        ping,
        transfer: options.transfer ?? [],
        signal,
        resolve: resolve as (value: unknown) => void,
        reject,
        onAbort: () => this.cancel(task),
      };
      if (signal !== undefined) {
        // A forest queues one task per tree on the same signal: many listeners at once is expected
        // here (each is removed when its task settles), not a leak.
        setMaxListeners(0, signal);
        signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.queue.push(task);
      this.dispatch();
    });
  }

  /** Stops every worker; queued and running tasks are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closing = new KilnError('CANCELLED', { what: 'the task (the worker pool was closed)' });
    for (const task of this.queue.splice(0)) this.settle(task, closing);
    const slots = this.slots.splice(0);
    for (const slot of slots) if (slot.task !== undefined) this.settle(slot.task, closing);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0] as Task;
      // Its signal has aborted, but its own abort listener has not run yet (one abort cancels many
      // tasks, one listener after the other): starting it would only spawn a worker to stop.
      if (next.signal?.aborted === true) {
        this.queue.shift();
        this.settle(next, new KilnError('CANCELLED', { what: 'the task' }));
        continue;
      }
      let slot = this.slots.find((s) => s.task === undefined);
      if (slot === undefined) {
        if (this.slots.length >= this.size) return;
        slot = this.spawn();
      }
      const task = this.queue.shift() as Task;
      slot.task = task;
      slot.worker.ref();
      const request: Request = task.ping ? { id: task.id, payload: undefined, ping: true } : { id: task.id, payload: task.payload };
      slot.worker.postMessage(request, task.transfer as TransferListItem[]);
    }
  }

  private spawn(): Slot {
    const worker = startWorker(this.entry);
    const slot: Slot = { worker, task: undefined };
    worker.on('message', (reply: Reply) => {
      const task = slot.task;
      if (task === undefined || task.id !== reply.id) return;
      slot.task = undefined;
      slot.worker.unref();
      if (reply.ok) this.settle(task, undefined, reply.result);
      else this.settle(task, deserializeError(reply.error));
      this.dispatch();
    });
    worker.on('error', (err: Error) => this.retire(slot, new KilnError('INTERNAL', { reason: `a worker thread failed: ${err.message}` }, { cause: err })));
    worker.on('exit', (code) => this.retire(slot, new KilnError('INTERNAL', { reason: `a worker thread exited with code ${code}` })));
    // Idle workers must not keep the process alive; a busy one is ref'ed while it works (see settle).
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  /** Drops a worker that died, failing its task; the next dispatch starts a fresh one. */
  private retire(slot: Slot, error: KilnError): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    if (slot.task !== undefined) this.settle(slot.task, error);
    slot.task = undefined;
    if (!this.closed) this.dispatch();
  }

  private cancel(task: Task): void {
    const queued = this.queue.indexOf(task);
    if (queued >= 0) this.queue.splice(queued, 1);
    const slot = this.slots.find((s) => s.task === task);
    if (slot !== undefined) {
      // A running task cannot be interrupted from outside: stop its worker (a new one replaces it).
      this.slots.splice(this.slots.indexOf(slot), 1);
      slot.task = undefined;
      void slot.worker.terminate();
    }
    this.settle(task, new KilnError('CANCELLED', { what: 'the task' }));
    this.dispatch();
  }

  private settle(task: Task, error: unknown, result?: unknown): void {
    task.signal?.removeEventListener('abort', task.onAbort);
    if (error === undefined) task.resolve(result);
    else task.reject(error);
  }
}

function deserializeError(e: SerializedError): KilnError {
  if (Object.hasOwn(ERROR_CODES, e.code)) return new KilnError(e.code as ErrorCode, e.details);
  return new KilnError('INTERNAL', { reason: e.message });
}

function serializeError(err: unknown): SerializedError {
  if (err instanceof KilnError) return { code: err.code, details: structuredCloneable(err.details), message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', details: { reason: message }, message };
}

/** Details that survive postMessage: anything else is reduced to its JSON form. */
function structuredCloneable(details: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(details);
  } catch {
    return JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
  }
}

/**
 * Called once by a worker entry module: answers each task with `handler(payload)`. Thrown errors go
 * back to the caller (KilnErrors keep their code; others become INTERNAL).
 */
export function serveTasks<P, R>(handler: (payload: P) => TaskResult<R> | Promise<TaskResult<R>>): void {
  if (isMainThread || parentPort === null) throw new Error('serveTasks() must be called from a worker thread');
  const port = parentPort;
  port.on('message', (request: Request) => {
    if (request.ping === true) {
      // this listener exists, so the entry module has loaded: the worker is ready for tasks
      const reply: Reply = { id: request.id, ok: true, result: null };
      port.postMessage(reply);
      return;
    }
    void (async () => {
      try {
        const { result, transfer } = await handler(request.payload as P);
        const reply: Reply = { id: request.id, ok: true, result };
        port.postMessage(reply, (transfer ?? []) as TransferListItem[]);
      } catch (err) {
        const reply: Reply = { id: request.id, ok: false, error: serializeError(err) };
        port.postMessage(reply);
      }
    })();
  });
}
