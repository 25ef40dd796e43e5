/**
 * Whether the server refused the app for want of its access token (a 401 from any API call). A page's
 * own call may be one it shows no error for (a list it hides when empty), so the frame shows one banner
 * that says what to do, whichever call was refused first.
 */
import { useSyncExternalStore } from 'react';

let refused = false;
const listeners = new Set<() => void>();

/** Called by the API client on a 401. */
export function noteUnauthorized(): void {
  if (refused) return;
  refused = true;
  for (const listener of listeners) listener();
}

/** True once any API call was refused for want of the token. */
export function useNeedsToken(): boolean {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => refused,
  );
}
