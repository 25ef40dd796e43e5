/**
 * The body of one model instance: a worker thread that owns one onnxruntime session and runs the
 * batches the scheduler sends it, one at a time. Results go back with their buffers transferred, not
 * copied.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { datatypeOfOrtType, ORT_TYPE, type HostTensor, type TensorData } from '../datatypes.js';
import { openSession, ort } from '../../onnx/session.js';
import type { GraphValue, InstanceInit, RunMessage, WorkerReply } from './worker-protocol.js';

if (parentPort === null) throw new Error('instance-worker.ts must run in a worker thread');
const port: MessagePort = parentPort;
const init = workerData as InstanceInit;
const send = (reply: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(reply, transfer);

function describe(metadata: readonly ort.InferenceSession.ValueMetadata[]): GraphValue[] {
  return metadata.map((m) =>
    m.isTensor
      ? { name: m.name, type: m.type, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) }
      : { name: m.name, type: 'non-tensor', shape: undefined },
  );
}

function toOrt(tensor: HostTensor): ort.Tensor {
  return new ort.Tensor(ORT_TYPE[tensor.datatype], tensor.data as never, [...tensor.shape]);
}

function fromOrt(name: string, tensor: ort.Tensor): HostTensor {
  const datatype = datatypeOfOrtType(tensor.type);
  if (datatype === undefined) throw new Error(`output "${name}" has type ${tensor.type}, which the Open Inference Protocol cannot carry`);
  return { datatype, shape: [...tensor.dims], data: tensor.data as TensorData };
}

async function main(): Promise<void> {
  let session: ort.InferenceSession;
  try {
    session = await openSession(init.modelBytes, { intraOpNumThreads: init.intraOpNumThreads });
  } catch (err) {
    send({ kind: 'load-failed', message: `onnxruntime cannot open model.onnx: ${(err as Error).message}` });
    return;
  }
  send({ kind: 'ready', inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) });

  port.on('message', (message: RunMessage) => {
    void run(session, message);
  });
}

async function run(session: ort.InferenceSession, message: RunMessage): Promise<void> {
  const started = process.hrtime.bigint();
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(message.feeds)) feeds[name] = toOrt(tensor);
    const results = await session.run(feeds);
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
