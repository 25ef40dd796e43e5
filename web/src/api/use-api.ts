/**
 * `useApi(path, body?)`: load one API document for a page (a GET, or a POST when a body is given, for
 * read-only questions such as /api/inspect), with the three states every page shows — loading, failed
 * (with the server's explanation), loaded — and a `reload()` for after a change.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, asApiError, type ApiError } from './client.js';

export type Loadable<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'failed'; readonly error: ApiError }
  | { readonly state: 'loaded'; readonly data: T };

export type Loaded<T> = Loadable<T> & { reload(): void };

export function useApi<T>(path: string | undefined, body?: unknown): Loaded<T> {
  const [value, setValue] = useState<Loadable<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  // the body is compared by value: pages pass a fresh object literal on every render
  const bodyText = body === undefined ? undefined : JSON.stringify(body);
  const key = `${path ?? ''}\n${bodyText ?? ''}`;
  const shownKey = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (path === undefined) return;
    const controller = new AbortController();
    // another document starts from "loading"; a reload of the same one keeps showing the old data
    if (shownKey.current !== key) setValue({ state: 'loading' });
    shownKey.current = key;
    api<T>(path, { signal: controller.signal, ...(bodyText === undefined ? {} : { body: JSON.parse(bodyText) as unknown }) }).then(
      (data) => setValue({ state: 'loaded', data }),
      (err: unknown) => {
        if (!controller.signal.aborted) setValue({ state: 'failed', error: asApiError(err) });
      },
    );
    return () => controller.abort();
  }, [key, path, bodyText, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...value, reload };
}

/** Runs an action (a POST) and tracks whether it is running and how it failed. */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<T>): {
  run: (...args: A) => Promise<T | undefined>;
  busy: boolean;
  error: ApiError | undefined;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const latest = useRef(action);
  latest.current = action;
  const run = useCallback(async (...args: A): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await latest.current(...args);
    } catch (err) {
      setError(asApiError(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, error };
}
