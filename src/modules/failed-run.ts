/**
 * What every module trainer does when its training fails: the tracked run is marked failed with the
 * error's coded message, and a store that cannot record that must not hide the training error itself.
 */
import { asKilnError } from '../core/errors.js';
import type { Store } from '../store/store.js';

export async function markRunFailed(store: Pick<Store, 'finishRun'>, runId: string, err: unknown): Promise<void> {
  await store.finishRun(runId, 'failed', asKilnError(err).message).catch(() => {});
}
