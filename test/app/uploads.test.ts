/**
 * Someone who uploaded, left and came back finds the file again: files picked on the Data page are
 * listed there after a reload (newest first, with size, rows × columns and when), each opening its
 * profile; one is deleted after a confirmation that can be declined (Escape, or "Keep it", with the
 * focus going back where it was), and a file another tab deleted meanwhile is said to be gone rather
 * than failing. Screenshots go to test-output/app-uploads/; every checked step passes axe-core.
 *
 * Needs Debian's chromium (/usr/bin/chromium, or KILN_CHROMIUM); skipped, saying so, without it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { chromiumMissing, useAppSession } from './app-session.js';
import { horizontalOverflow, ROOT } from './browser.js';

const TITANIC = join(ROOT, 'examples', 'titanic', 'titanic.csv');
const VISITS = 'city,visits,bought\nParis,3,yes\nLyon,1,no\nNice,4,yes\n';

describe('uploads on the Data page', { skip: chromiumMissing }, () => {
  const session = useAppSession({ homePrefix: 'kiln-app-uploads-', output: 'app-uploads' });

  const listedNames = (page: Page) => page.getByRole('region', { name: 'Files you uploaded' }).getByRole('link').allInnerTexts();
  const focused = (page: Page) => page.evaluate('document.activeElement?.textContent ?? ""') as Promise<string>;

  test('uploaded files are listed after a reload, open their profile, and one is deleted after asking', { timeout: 120_000 }, () =>
    session.withPage(async (page) => {
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));

      // a fresh server: nothing to list, so no card
      await page.goto(`${session.url}/data`);
      await page.getByRole('heading', { level: 1, name: 'Your data' }).waitFor();
      await page.getByLabel('Choose a file').waitFor();
      assert.equal(await page.getByRole('region', { name: 'Files you uploaded' }).count(), 0);

      // two files picked as a person picks them, each opening its profile
      await page.getByLabel('Choose a file').setInputFiles({ name: 'visits.csv', mimeType: 'text/csv', buffer: Buffer.from(VISITS) });
      await page.getByText(/3\s*rows × 3\s*columns/).waitFor({ timeout: 30_000 });
      await page.getByRole('link', { name: 'Use other data' }).click();
      await page.getByLabel('Choose a file').setInputFiles(TITANIC);
      await page.getByText(/891\s*rows × 12\s*columns/).waitFor({ timeout: 30_000 });

      // come back later: the Data page, reloaded, lists them, newest first
      await page.goto(`${session.url}/data`);
      await page.reload();
      const uploads = page.getByRole('region', { name: 'Files you uploaded' });
      await uploads.waitFor({ timeout: 15_000 });
      assert.deepEqual(await listedNames(page), ['titanic.csv', 'visits.csv']);
      const titanic = uploads.getByRole('listitem').filter({ hasText: 'titanic.csv' });
      assert.match(await titanic.innerText(), /\d+\.\d KB · 891 rows × 12 columns · uploaded just now/);
      assert.match(await uploads.getByRole('listitem').filter({ hasText: 'visits.csv' }).innerText(), /\d+ bytes · 3 rows × 3 columns · uploaded just now/);
      assert.equal(await page.getByRole('region', { name: 'Or use data you trained on before' }).count(), 0, 'nothing trained yet, and no file listed twice');
      await session.checkStep(page, 'listed');

      // each opens its profile
      await uploads.getByRole('link', { name: 'visits.csv' }).click();
      await page.waitForURL(/\/data\?source=.*visits\.csv/);
      await page.getByText(/3\s*rows × 3\s*columns/).waitFor({ timeout: 30_000 });
      await page.getByRole('link', { name: 'Use other data' }).click();

      // Delete asks first, with "Keep it" focused; Escape declines and gives the focus back
      await uploads.getByRole('button', { name: 'Delete titanic.csv' }).click();
      const asking = uploads.getByRole('group', { name: 'Delete titanic.csv?' });
      await asking.waitFor();
      assert.equal(await focused(page), 'Keep it');
      await session.checkStep(page, 'asking');
      await page.keyboard.press('Escape');
      await asking.waitFor({ state: 'detached' });
      assert.equal(await focused(page), 'Delete', 'back on the Delete button');
      assert.deepEqual(await listedNames(page), ['titanic.csv', 'visits.csv'], 'nothing deleted');
      // "Keep it" declines too
      await uploads.getByRole('button', { name: 'Delete titanic.csv' }).click();
      await asking.getByRole('button', { name: 'Keep it' }).click();
      await asking.waitFor({ state: 'detached' });
      assert.deepEqual(await listedNames(page), ['titanic.csv', 'visits.csv']);

      // confirmed: gone from the page, said so, and gone from the server
      await uploads.getByRole('button', { name: 'Delete titanic.csv' }).click();
      await asking.getByRole('button', { name: 'Delete it' }).click();
      await uploads.getByRole('status').getByText('titanic.csv was deleted.').waitFor({ timeout: 15_000 });
      await page.waitForFunction(`![...document.querySelectorAll('section[aria-label="Files you uploaded"] a')].some((a) => a.textContent === 'titanic.csv')`, undefined, { timeout: 10_000 });
      assert.deepEqual(await listedNames(page), ['visits.csv']);
      await session.checkStep(page, 'deleted');
      const listed = (await (await fetch(`${session.url}/api/uploads`)).json()) as { uploads: { name: string }[] };
      assert.deepEqual(listed.uploads.map((u) => u.name), ['visits.csv']);
      await page.reload();
      await uploads.waitFor({ timeout: 15_000 });
      assert.deepEqual(await listedNames(page), ['visits.csv'], 'still gone after a reload');

      // deleted meanwhile in another tab: said to be gone, not an error, and the card stays to say so
      await uploads.getByRole('button', { name: 'Delete visits.csv' }).click();
      const [visits] = ((await (await fetch(`${session.url}/api/uploads`)).json()) as { uploads: { id: string }[] }).uploads;
      assert.equal((await fetch(`${session.url}/api/uploads/${encodeURIComponent(visits?.id ?? '')}`, { method: 'DELETE' })).status, 200);
      await uploads.getByRole('button', { name: 'Delete it' }).click();
      await uploads.getByRole('status').getByText('visits.csv was already deleted.').waitFor({ timeout: 15_000 });
      await uploads.getByText('No files left on this server.').waitFor({ timeout: 10_000 });
      assert.equal(await page.getByRole('alert').count(), 0);
      await session.checkStep(page, 'all-deleted');

      assert.deepEqual(problems, [], 'no script errors in the page');
    }),
  );

  test('at 390 px wide the list fits, long file names included', { timeout: 60_000 }, () =>
    session.withPage(
      async (page) => {
        await session.upload('quarterly_sales_export_for_the_northern_region_2024_final_version_2.csv', VISITS.replace('Paris', 'Lille'));
        await page.goto(`${session.url}/data`);
        const uploads = page.getByRole('region', { name: 'Files you uploaded' });
        await uploads.getByRole('link', { name: /^quarterly_sales/ }).waitFor({ timeout: 15_000 });
        await uploads.getByRole('button', { name: /^Delete quarterly_sales/ }).click();
        const { scrollWidth, clientWidth, culprits } = await horizontalOverflow(page);
        assert.ok(scrollWidth <= clientWidth + 1, `the Data page is ${scrollWidth} px wide at ${clientWidth} px (wider elements: ${culprits.join(', ')})`);
        await session.checkStep(page, 'narrow');
      },
      { width: 390, height: 844 },
    ),
  );
});
