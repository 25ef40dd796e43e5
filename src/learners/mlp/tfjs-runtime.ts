/**
 * Loading TensorFlow.js with its WebAssembly backend, once per process and only when an MLP is fitted:
 * importing tfjs takes over a second, and the CLI, the server and predictors never need it (an MLP
 * predictor runs its own float64 forward pass, see ./dense-network.ts).
 *
 * The .wasm binaries are read from the installed package folder (an absolute file path, never a URL),
 * so training works offline. Threads: the backend takes its thread count once, when it starts; later
 * fits in the same process keep it. In Node, though, tfjs-backend-wasm 4.x reports no multithreading
 * support by design (its WASM_HAS_MULTITHREAD_SUPPORT flag returns false when IS_NODE; tfjs issue 3830),
 * and forcing the flag makes the backend fail to start, so it runs its single-threaded SIMD binary
 * whatever is asked; `TfjsRuntime.threads` reports what it really uses.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type Tfjs = typeof import('@tensorflow/tfjs');

export interface TfjsRuntime {
  readonly tf: Tfjs;
  /** Threads the wasm backend really runs on. */
  readonly threads: number;
}

let loading: Promise<TfjsRuntime> | undefined;

/** tfjs on the wasm backend, loaded on first use; `threads` applies only to that first load. */
export function loadTfjs(threads: 1 | 2): Promise<TfjsRuntime> {
  loading ??= start(threads).catch((err: unknown) => {
    loading = undefined; // let a later fit try again rather than caching the failure
    throw err;
  });
  return loading;
}

async function start(threads: number): Promise<TfjsRuntime> {
  const [tf, wasm] = await Promise.all([import('@tensorflow/tfjs'), import('@tensorflow/tfjs-backend-wasm')]);
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  // setWasmPaths takes a prefix: the trailing separator matters.
  wasm.setWasmPaths(join(packageDir, 'dist') + '/');
  wasm.setThreadsCount(threads);
  // Production mode skips tfjs's debug-time argument checks on every op; Kiln checks its inputs itself.
  tf.enableProdMode();
  if (!(await tf.setBackend('wasm'))) throw new Error('the TensorFlow.js wasm backend failed to start');
  await tf.ready();
  const multithreaded = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  return { tf, threads: multithreaded ? wasm.getThreadsCount() : 1 };
}
