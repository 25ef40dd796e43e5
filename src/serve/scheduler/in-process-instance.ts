/**
 * A model instance on the server's own thread: one onnxruntime session opened in the main thread.
 *
 * onnxruntime-node runs a session synchronously (its `run` only defers the call with setImmediate), so
 * a batch blocks the event loop while it runs. For a small model that is a few microseconds, far less
 * than the hop to a worker thread and back (post, structured clone, wake-up, reply), which measured
 * ~35% of the main thread's time per request for a one-row iris-sized model (docs/benchmarks.md,
 * `## serving`). A heavy model would stall every other request, so the loader keeps those in worker
 * threads (see `choosePlacement` in loaded-model.ts).
 */
import { openSession, type ort } from '../../onnx/session.js';
import type { HostTensor } from '../datatypes.js';
import type { Feeds } from './batch-tensors.js';
import type { InstanceResult, ModelInstance } from './instance.js';
import { describeGraphValues, fromOrt, openFailure, toOrtFeeds } from './ort-tensors.js';
import type { GraphValue } from './worker-protocol.js';

export class InProcessInstance implements ModelInstance {
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];

  private constructor(private readonly session: ort.InferenceSession) {
    this.inputs = describeGraphValues(session.inputMetadata);
    this.outputs = describeGraphValues(session.outputMetadata);
  }

  /** Opens the model; rejects with onnxruntime's reason when it cannot (the same message as a worker's). */
  static async open(modelBytes: Uint8Array, options: { readonly intraOpNumThreads?: number } = {}): Promise<InProcessInstance> {
    try {
      return new InProcessInstance(await openSession(modelBytes, { intraOpNumThreads: options.intraOpNumThreads ?? 1 }));
    } catch (err) {
      throw new Error(openFailure(err));
    }
  }

  async run(feeds: Feeds): Promise<InstanceResult> {
    // session.run() checks the feeds, then queues the native run with setImmediate. Taking the start time in
    // an immediate queued just before it (immediates run in order) times the run itself, not the wait for
    // the event loop's check phase, which under load is the rest of the I/O poll.
    let started = process.hrtime.bigint();
    setImmediate(() => (started = process.hrtime.bigint()));
    const results = await this.session.run(toOrtFeeds(feeds));
    const computeNs = Number(process.hrtime.bigint() - started);
    const outputs: Record<string, HostTensor> = {};
    for (const name in results) outputs[name] = fromOrt(name, results[name] as ort.Tensor);
    return { outputs, computeNs };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
