/**
 * The browser side of the app's tests: a fresh build of web/ when the sources changed, Debian's
 * chromium driven by playwright-core, axe-core's accessibility check, and a screenshot per step.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = join(import.meta.dirname, '..', '..');
const WEB = join(ROOT, 'web');
const DIST_INDEX = join(WEB, 'dist', 'index.html');
const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

/** Chromium as DEVELOPERS.md launches it in CI (headless, no sandbox inside containers, nothing phoning home). */
export const CHROMIUM_PATH = process.env['KILN_CHROMIUM'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Newest modification time of the files the app is built from. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds web/ into web/dist with vite's JS API when the build is missing or older than its sources. */
export async function ensureWebBuilt(): Promise<void> {
  const sources = Math.max(newestSource(join(WEB, 'src')), statSync(join(WEB, 'index.html')).mtimeMs, statSync(join(WEB, 'vite.config.ts')).mtimeMs);
  let built = 0;
  try {
    built = statSync(DIST_INDEX).mtimeMs;
  } catch {
    built = 0;
  }
  if (built >= sources) return;
  const { build } = await import('vite');
  await build({ configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn' });
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly string[];
}

const axeSource = (() => {
  let text: string | undefined;
  return () => (text ??= readFileSync(AXE, 'utf8'));
})();

/** axe-core's serious and critical violations on the page as it is now (the page's script context, as a string: no DOM types here). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  const hasAxe = await page.evaluate('typeof window.axe !== "undefined"');
  if (hasAxe !== true) await page.addScriptTag({ content: axeSource() });
  const violations = (await page.evaluate(`(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  })()`)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Saves `NN-name.png` into the output folder (emptied first), numbered in the order the steps happen. */
export class Screenshots {
  private step = 0;
  constructor(readonly dir: string) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }

  async take(page: Page, name: string): Promise<string> {
    this.step += 1;
    const path = join(this.dir, `${String(this.step).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  }
}

/** Whether the page is wider than the window (something forces sideways scrolling of the whole page). */
export async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number; culprits: string[] }> {
  return (await page.evaluate(`(() => {
    const doc = document.documentElement;
    const width = doc.clientWidth;
    const culprits = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && culprits.length < 5) culprits.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''));
    }
    return { scrollWidth: doc.scrollWidth, clientWidth: width, culprits };
  })()`)) as { scrollWidth: number; clientWidth: number; culprits: string[] };
}
