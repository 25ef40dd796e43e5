/**
 * The set-up the app's browser tests share: a real Kiln server on a fresh temporary home (the app built
 * first when its sources changed), one Chromium, and the helpers every test uses — a page that leaves a
 * screenshot when a step fails, a checked step (screenshot, then axe-core without serious or critical
 * violations), and an upload through the public API. `useAppSession` registers its `before` and `after`
 * in the calling `describe`, whose tests then find the session ready.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer, type StartServerOptions } from '../../src/serve/server.js';
import { openHome, type KilnHome } from '../../src/store/open-store.js';
import { CHROMIUM_PATH, ensureWebBuilt, launchChromium, ROOT, Screenshots, seriousViolations } from './browser.js';

/** Why the browser tests are skipped (`describe(…, { skip: chromiumMissing })`), or false when Chromium is there. */
export const chromiumMissing: string | false = existsSync(CHROMIUM_PATH) ? false : `no chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`;

export interface AppSessionOptions {
  /** The temporary home's folder name starts with this. */
  readonly homePrefix: string;
  /** The screenshots' folder under test-output/ (emptied first). */
  readonly output: string;
  /** Server options beside the home and the port (e.g. the prediction log's flush interval). */
  readonly server?: Omit<Partial<StartServerOptions>, 'store' | 'artifacts' | 'home' | 'port'>;
}

export interface AppSession {
  /** The server's base URL (http://127.0.0.1:PORT). */
  readonly url: string;
  readonly browser: Browser;
  readonly shots: Screenshots;
  /** Screenshot, then the accessibility check; a failure names the rules and the elements. */
  checkStep(page: Page, name: string): Promise<void>;
  /** Runs `run` on a new page (1280 × 900 unless told), with a `failed-here` screenshot when it throws; the page is closed after. */
  withPage(run: (page: Page) => Promise<void>, viewport?: { width: number; height: number }): Promise<void>;
  /** Uploads `body` as `name` through PUT /api/uploads, as the app does; the `source` it answered. */
  upload(name: string, body: Buffer | string): Promise<string>;
}

export function useAppSession(options: AppSessionOptions): AppSession {
  const shots = new Screenshots(join(ROOT, 'test-output', options.output));
  let home: string | undefined;
  let kiln: KilnHome | undefined;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;

  before(async () => {
    await ensureWebBuilt();
    home = mkdtempSync(join(tmpdir(), options.homePrefix));
    kiln = await openHome(home);
    server = await startServer({ ...options.server, store: kiln.store, artifacts: kiln.artifacts, home: kiln.home, logger: options.server?.logger ?? pino({ level: 'silent' }), port: 0 });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await kiln?.store.close();
    if (home !== undefined) rmSync(home, { recursive: true, force: true });
  });

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the app session's ${what} is used before its before() hook ran`);
    return value;
  };

  const session: AppSession = {
    get url() {
      return ready(server, 'server').url;
    },
    get browser() {
      return ready(browser, 'browser');
    },
    shots,
    async checkStep(page, name) {
      await shots.take(page, name);
      const violations = await seriousViolations(page);
      assert.deepEqual(violations, [], `axe-core on "${name}" (${page.url()}):\n${JSON.stringify(violations, null, 2)}`);
    },
    async withPage(run, viewport = { width: 1280, height: 900 }) {
      const page = await session.browser.newPage({ viewport });
      try {
        await run(page);
      } catch (err) {
        // what the page showed when a step failed, next to the steps' screenshots
        await shots.take(page, 'failed-here').catch(() => undefined);
        throw err;
      } finally {
        await page.close();
      }
    },
    async upload(name, body) {
      const answer = await fetch(`${session.url}/api/uploads?filename=${encodeURIComponent(name)}`, { method: 'PUT', body });
      assert.ok(answer.ok, await answer.clone().text());
      return ((await answer.json()) as { source: string }).source;
    },
  };
  return session;
}
