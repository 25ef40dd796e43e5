/**
 * The body of one model instance: a worker thread that owns one onnxruntime session and runs the
 * batches the scheduler sends it, one at a time. Results go back with their buffers transferred, not
 * copied.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { HostTensor } from '../datatypes.js';
import { openSession, type ort } from '../../onnx/session.js';
import { describeGraphValues, fromOrt, openFailure, toOrtFeeds } from './ort-tensors.js';
import type { InstanceInit, RunMessage, WorkerReply } from './worker-protocol.js';

if (parentPort === null) throw new Error('instance-worker.ts must run in a worker thread');
const port: MessagePort = parentPort;
const init = workerData as InstanceInit;
const send = (reply: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(reply, transfer);

async function main(): Promise<void> {
  let session: ort.InferenceSession;
  try {
    session = await openSession(init.modelBytes, { intraOpNumThreads: init.intraOpNumThreads });
  } catch (err) {
    send({ kind: 'load-failed', message: openFailure(err) });
    return;
  }
  send({ kind: 'ready', inputs: describeGraphValues(session.inputMetadata), outputs: describeGraphValues(session.outputMetadata) });

  port.on('message', (message: RunMessage) => {
    void run(session, message);
  });
}

async function run(session: ort.InferenceSession, message: RunMessage): Promise<void> {
  const started = process.hrtime.bigint();
  try {
    const results = await session.run(toOrtFeeds(message.feeds));
    const outputs: Record<string, HostTensor> = {};
    const transfer = new Set<ArrayBuffer>();
    for (const [name, tensor] of Object.entries(results)) {
      const host = fromOrt(name, tensor);
      outputs[name] = host;
      if (!Array.isArray(host.data) && host.data.buffer instanceof ArrayBuffer) transfer.add(host.data.buffer);
    }
    const computeNs = Number(process.hrtime.bigint() - started);
    try {
      send({ kind: 'result', id: message.id, outputs, computeNs }, [...transfer]);
    } catch {
      // a buffer that cannot be transferred (shared with the runtime): copy instead
      send({ kind: 'result', id: message.id, outputs, computeNs });
    }
  } catch (err) {
    send({ kind: 'run-failed', id: message.id, message: (err as Error).message });
  }
}

void main();
