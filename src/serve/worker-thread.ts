/**
 * Starting one of the server's worker threads (model instances, the prediction log writer) from a module
 * beside it: the compiled `.js` in dist/, or the `.ts` source under tsx (tests, benchmarks). A worker
 * does not inherit the tsx loader, so a `.ts` module is started through a two-line bootstrap that
 * registers tsx first.
 */
import { Worker } from 'node:worker_threads';

/** The URL of `name` (without extension) next to `importMetaUrl`, with the extension this process runs. */
export function siblingModule(importMetaUrl: string, name: string): URL {
  return new URL(`./${name}.${importMetaUrl.endsWith('.ts') ? 'ts' : 'js'}`, importMetaUrl);
}

export function startWorker(moduleUrl: URL, workerData: unknown): Worker {
  if (moduleUrl.pathname.endsWith('.ts')) {
    const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl.href)}); })`;
    return new Worker(bootstrap, { eval: true, workerData });
  }
  return new Worker(moduleUrl, { workerData });
}
