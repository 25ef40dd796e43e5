/**
 * The app's frame — skip link, header with the main sections, the page for the current URL — and the
 * table of routes. Each step of the newcomer's path (data → build → train → results → deploy → watch)
 * is a page with its state in the URL.
 */
import type { ReactNode } from 'react';
import { Page } from './components/bits.js';
import { Empty } from './components/states.js';
import { BuildPage } from './pages/BuildPage.js';
import { DataPage } from './pages/DataPage.js';
import { DeployPage } from './pages/DeployPage.js';
import { ExperimentPage, ExperimentsPage } from './pages/ExperimentsPage.js';
import { ComparePage, HistoryPage, ModelsCard } from './pages/HistoryPage.js';
import { ResultsPage } from './pages/ResultsPage.js';
import { TrainPage } from './pages/TrainPage.js';
import { WatchPage } from './pages/WatchPage.js';
import { Link, matchPath, useLocation } from './router.js';
import { useNeedsToken } from './api/access.js';

const SECTIONS = [
  ['/data', 'Data', (p: string) => p === '/' || p.startsWith('/data') || p.startsWith('/build') || p.startsWith('/jobs')],
  ['/models', 'Models', (p: string) => p.startsWith('/models')],
  ['/experiments', 'Experiments', (p: string) => p.startsWith('/experiments')],
  ['/history', 'History', (p: string) => p.startsWith('/history')],
] as const;

type Route = readonly [string, (params: Record<string, string>, query: URLSearchParams) => ReactNode];

const ROUTES: readonly Route[] = [
  ['/', () => <DataPage />],
  ['/data', () => <DataPage />],
  ['/build', () => <BuildPage />],
  ['/jobs/:id', (p) => <TrainPage jobId={p['id'] ?? ''} />],
  [
    '/models',
    () => (
      <Page title="Models" lead="Everything you have built. Open one to see how good it is, deploy it or watch it in service.">
        <ModelsCard title="Your models" />
      </Page>
    ),
  ],
  ['/models/:ref', (p) => <ResultsPage modelRef={p['ref'] ?? ''} />],
  ['/models/:ref/deploy', (p) => <DeployPage modelRef={p['ref'] ?? ''} />],
  ['/models/:ref/watch', (p) => <WatchPage modelRef={p['ref'] ?? ''} />],
  ['/experiments', () => <ExperimentsPage />],
  ['/experiments/:id', (p) => <ExperimentPage id={p['id'] ?? ''} />],
  ['/history', () => <HistoryPage />],
  ['/history/compare', (_p, q) => <ComparePage a={q.get('a') ?? ''} b={q.get('b') ?? ''} />],
];

function CurrentPage() {
  const { path, query } = useLocation();
  const normalised = path.length > 1 ? path.replace(/\/+$/, '') : path;
  for (const [pattern, render] of ROUTES) {
    const params = matchPath(pattern, normalised);
    // keyed by the URL, so moving to another model or job starts the page afresh
    if (params !== undefined) return <div key={`${normalised}?${query.toString()}`}>{render(params, query)}</div>;
  }
  return (
    <Page title="Page not found">
      <Empty title={`There is nothing at ${path}.`}>
        <p>
          <Link to="/">Start from your data</Link> or open <Link to="/models">your models</Link>.
        </p>
      </Empty>
    </Page>
  );
}

export function App() {
  const { path } = useLocation();
  const needsToken = useNeedsToken();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to the content
      </a>
      <header className="app-header">
        <Link to="/" className="brand" aria-label="Kiln, home">
          <span aria-hidden="true">▲</span> Kiln
        </Link>
        <nav aria-label="Main">
          <ul>
            {SECTIONS.map(([to, label, active]) => (
              <li key={to}>
                <Link to={to} aria-current={active(path) ? 'page' : undefined}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main">
        {needsToken && (
          <div className="warning-box" role="alert">
            <strong>This Kiln server is protected by an access token.</strong> Open the link that <code>kiln serve</code> printed when it started (it ends in <code>?token=…</code>), or ask whoever runs the server for it; this browser then keeps it until it is closed.
          </div>
        )}
        <CurrentPage />
      </main>
      <footer className="app-footer">
        <p className="muted small">
          Everything here uses Kiln's public HTTP API, so it can also be automated: see <code>kiln --help</code>.
        </p>
      </footer>
    </>
  );
}
