/** Messages between the server and an instance worker (instance.ts ↔ instance-worker.ts). */
import type { HostTensor } from '../datatypes.js';

/** Sent once, as the worker's `workerData`. */
export interface InstanceInit {
  readonly modelBytes: Uint8Array;
  readonly intraOpNumThreads: number;
}

/** A graph input or output as onnxruntime describes it; `shape` has -1 for symbolic or unknown dimensions. */
export interface GraphValue {
  readonly name: string;
  /** onnxruntime's element type name ('float32', 'string', …), or 'non-tensor' for maps and sequences. */
  readonly type: string;
  readonly shape: readonly number[] | undefined;
}

export type WorkerReply =
  | { readonly kind: 'ready'; readonly inputs: readonly GraphValue[]; readonly outputs: readonly GraphValue[] }
  | { readonly kind: 'load-failed'; readonly message: string }
  | { readonly kind: 'result'; readonly id: number; readonly outputs: Readonly<Record<string, HostTensor>>; readonly computeNs: number }
  | { readonly kind: 'run-failed'; readonly id: number; readonly message: string };

export interface RunMessage {
  readonly kind: 'run';
  readonly id: number;
  readonly feeds: Readonly<Record<string, HostTensor>>;
}
