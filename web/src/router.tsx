/**
 * A very small router: the page follows `location.pathname` (the server falls back to the app for any
 * path that is not an API route), links push history entries, and Back/Forward work. Pages keep their
 * state in the URL (`/data?source=…`), so a reload or a shared link shows the same thing.
 */
import { createContext, useContext, useEffect, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

interface Location {
  readonly path: string;
  readonly query: URLSearchParams;
}

const RouterContext = createContext<Location>({ path: '/', query: new URLSearchParams() });

const current = (): Location => ({ path: window.location.pathname, query: new URLSearchParams(window.location.search) });

let navigated = false;

/** Whether the app has moved from its first page (pages then move focus to their heading; the first page leaves it alone). */
export const hasNavigated = (): boolean => navigated;

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  navigated = true;
  if (options.replace === true) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
  window.scrollTo(0, 0);
}

/**
 * Records a page's own state in its URL (a choice made on the page) without a navigation: the page is
 * not drawn again, but a reload, Back from the next page or a shared link comes back to the choice.
 */
export function rememberInUrl(to: string): void {
  if (to !== window.location.pathname + window.location.search) window.history.replaceState(window.history.state, '', to);
}

export function RouterProvider({ children }: { children: ReactNode }) {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const onPop = () => {
      navigated = true;
      setLocation(current());
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  return <RouterContext.Provider value={location}>{children}</RouterContext.Provider>;
}

export const useLocation = (): Location => useContext(RouterContext);

/** An ordinary link (so open-in-new-tab works) that navigates without reloading the page. */
export function Link({ to, children, ...rest }: { to: string; children: ReactNode } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}

/** `/models/titanic@champion/deploy` against `/models/:ref/deploy` → {ref: 'titanic@champion'}. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const h = have[i] as string;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(h);
    else if (w !== h) return undefined;
  }
  return params;
}

/** Builds `/path?k=v` from defined values only. */
export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s === '' ? path : `${path}?${s}`;
}
