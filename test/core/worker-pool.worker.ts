/** A worker entry for test/core/worker-pool.test.ts: small tasks that exercise every path of the pool. */
import { KilnError } from '../../src/core/errors.js';
import { threadId } from 'node:worker_threads';
import { serveTasks } from '../../src/core/worker-pool.js';

export type TestTask =
  | { readonly op: 'double'; readonly values: Float64Array }
  | { readonly op: 'sum-shared'; readonly shared: Float64Array; readonly from: number; readonly to: number }
  | { readonly op: 'kiln-error' }
  | { readonly op: 'crash' }
  | { readonly op: 'spin'; readonly ms: number }
  | { readonly op: 'thread-id' };

serveTasks<TestTask, unknown>((task) => {
  switch (task.op) {
    case 'double': {
      const out = task.values.map((v) => 2 * v);
      return { result: out, transfer: [out.buffer] };
    }
    case 'sum-shared': {
      let sum = 0;
      for (let i = task.from; i < task.to; i++) sum += task.shared[i] as number;
      return { result: sum };
    }
    case 'kiln-error':
      throw new KilnError('TRAINING_FAILED', { reason: 'asked to fail' });
    case 'crash':
      throw new TypeError('plain failure');
    case 'spin': {
      const end = Date.now() + task.ms;
      while (Date.now() < end) {
        // busy: only terminating the worker stops this
      }
      return { result: 'finished' };
    }
    case 'thread-id':
      return { result: threadId };
  }
});
