/**
 * The body of the prediction log's writer thread (prediction-log-writer.ts): opens its own connection to
 * the store and writes what it is sent, one message at a time (the stored batches made from the column
 * buffers and records, in one transaction), answering each with its outcome.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { toPredictionBatches } from '../store/prediction-batch.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { columnsToBatches } from './prediction-log-encode.js';
import type { WriterInit, WriterReply, WriterRequest } from './prediction-log-writer.js';

if (parentPort === null) throw new Error('prediction-log-worker.ts must run in a worker thread');
const port: MessagePort = parentPort;
const init = workerData as WriterInit;
const send = (reply: WriterReply): void => port.postMessage(reply);

async function main(): Promise<void> {
  let store: Store;
  try {
    store = await openStore(init.storeUrl);
  } catch (err) {
    send({ kind: 'open-failed', message: (err as Error).message });
    return;
  }
  send({ kind: 'ready' });
  // one batch at a time, in order: a slow store sees a steady trickle, as with the in-process writer
  let queue = Promise.resolve();
  port.on('message', (request: WriterRequest) => {
    queue = queue.then(async () => {
      if (request.kind === 'close') {
        await store.close();
        send({ kind: 'closed' });
        port.close();
        return;
      }
      try {
        await store.logPredictionBatches([...request.columns.flatMap((columns) => columnsToBatches(columns)), ...toPredictionBatches(request.records)]);
        send({ kind: 'written', id: request.id });
      } catch (err) {
        send({ kind: 'write-failed', id: request.id, message: (err as Error).message });
      }
    });
  });
}

void main();
