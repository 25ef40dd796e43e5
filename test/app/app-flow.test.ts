/**
 * The no-code app in a real browser, the way a newcomer uses it: open the app, upload the Titanic
 * spreadsheet, apply a one-click fix, choose "Survived", train with a short budget (and noisy copies of
 * the rows) while the progress streams in, read the results (and the reasons behind one prediction),
 * deploy, ask the try-it form for a prediction, and find that request on the monitoring page. Every step leaves a screenshot in
 * test-output/app-flow/ and must pass axe-core without serious or critical violations. A second test
 * checks at a phone's width (390 px) that no main page scrolls sideways.
 *
 * Needs Debian's chromium (/usr/bin/chromium, or KILN_CHROMIUM); the test is skipped, saying so, when
 * it is missing.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { chromiumMissing, useAppSession } from './app-session.js';
import { horizontalOverflow, ROOT } from './browser.js';

const TITANIC = join(ROOT, 'examples', 'titanic', 'titanic.csv');

describe('the no-code app in a browser', { skip: chromiumMissing }, () => {
  const session = useAppSession({
    homePrefix: 'kiln-app-',
    output: 'app-flow',
    // the monitoring page should see a prediction within a second of it being made
    server: { predictionLog: { flushIntervalMs: 100 } },
  });
  const { shots } = session;
  /** What the flow test leaves for the narrow-screen test to visit. */
  const visited: string[] = [];

  /** The session's checked step (screenshot, axe-core), remembering the page for the narrow-screen test. */
  async function checkStep(page: Page, name: string): Promise<void> {
    await session.checkStep(page, name);
    visited.push(new URL(page.url()).pathname + new URL(page.url()).search);
  }

  // The tests' timeouts only catch a hang: generous, because CI's 2-core machine runs two test files at
  // once beside Chromium, and a training in the flow has its own 10 s budget.
  test('a newcomer goes from a spreadsheet to a monitored prediction', { timeout: 300_000 }, () => session.withPage(newcomerFlow));

  async function newcomerFlow(page: Page): Promise<void> {
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      // answers with an error status are expected (the app shows them); anything else is a bug
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console error: ${msg.text()}`);
    });

    // 1. open the app: it asks for data
    await page.goto(session.url);
    await page.getByRole('heading', { level: 1, name: 'Your data' }).waitFor();
    await checkStep(page, 'open');
    // keyboard: the first Tab reaches the skip link, the next ones the main sections
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to the content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Data');

    // a connection that does not work says why and what to do, in the server's words
    await page.getByLabel('Connection').fill('sqlite:/nonexistent/kiln-app-test.db?table=orders');
    await page.getByRole('button', { name: 'Preview' }).click();
    const error = page.getByRole('alert');
    await error.waitFor({ timeout: 15_000 });
    assert.match(await error.innerText(), /What to do: .+/);
    assert.doesNotMatch(await error.innerText(), /at .+\.(js|ts):\d+/, 'no stack trace');
    await checkStep(page, 'connection-error');

    // 2. upload the spreadsheet (the file picker; the drop zone calls the same upload)
    await page.getByLabel('Choose a file').setInputFiles(TITANIC);
    await page.waitForURL(/\/data\?source=/);
    await page.getByText(/891\s*rows × 12\s*columns/).waitFor({ timeout: 30_000 });
    assert.ok(await page.locator('.column-card svg').count() >= 5, 'each column shows a chart');
    await checkStep(page, 'profile');

    // 3. one-click fix: leave out the identifier column the profile flags
    const fix = page.getByRole('button', { name: /^Leave out .*PassengerId/ });
    await fix.click();
    await page.getByText(/891\s*rows × 11\s*columns/).waitFor({ timeout: 30_000 });
    await checkStep(page, 'fixed');

    // 4. what to predict: Survived, explained as a yes/no prediction; a short search budget
    await page.getByRole('link', { name: 'Next: what to predict' }).click();
    await page.getByLabel('The column to predict').selectOption('Survived');
    await page.getByText(/yes\/no prediction/).waitFor({ timeout: 30_000 });
    await page.getByText('Advanced options').click();
    await page.getByLabel('Time to search for the best model').fill('10s');
    // and train on noisy copies of the rows too (augmentation): the search's folds and the refit get them
    await page.getByLabel('Also learn from noisy copies of the rows').check();
    await page.getByText('The module spec (YAML)').click();
    const yaml = await page.locator('.code-block pre').first().innerText();
    assert.match(yaml, /budget: 10s/);
    assert.match(yaml, /^augment: true$/m);
    await checkStep(page, 'build');

    // 5. train: stages, leaderboard and curves stream in; then the result
    await page.getByRole('button', { name: 'Train' }).click();
    await page.waitForURL(/\/jobs\//);
    await page.locator('.leaderboard tbody tr').first().waitFor({ timeout: 60_000 });
    await checkStep(page, 'training');
    const results = page.getByRole('link', { name: 'See the results' });
    await results.waitFor({ timeout: 90_000 });
    assert.ok(await page.locator('.leaderboard tbody tr').count() >= 2, 'the leaderboard lists the models tried');
    // each model's settings in words ("defaults", "early stopping true"), not as JSON
    assert.doesNotMatch(await page.locator('.leaderboard tbody').innerText(), /[{}]/);
    await checkStep(page, 'trained');

    // 6. understand: metrics in words, the threshold slider, the reasons behind one prediction
    await results.click();
    await page.getByRole('heading', { name: 'How good is it?' }).waitFor({ timeout: 30_000 });
    await page.getByText(/out of 100/).first().waitFor();
    // how it holds up on messier rows, and that it was trained for them (augmentation, step 4)
    const messier = page.locator('section', { has: page.getByRole('heading', { name: 'When the data gets messier' }) });
    await messier.getByText('This model was also trained on noisy copies of its rows').waitFor();
    assert.equal(await messier.getByRole('list', { name: /Change in roc_auc/ }).getByRole('listitem').count(), 3);
    await page.getByRole('slider').waitFor();
    // would more rows help? the model is refitted at growing sizes (a job) while the person reads on
    const curve = page.locator('section', { has: page.getByRole('heading', { name: 'Would more rows help?' }) });
    await curve.getByRole('button', { name: 'Find out' }).click();
    await curve.getByText(/sizes done/).waitFor({ timeout: 30_000 });
    const why = page.locator('section', { has: page.getByRole('heading', { name: 'Why this prediction?' }) });
    await why.getByLabel('Sex').fill('female');
    await why.getByLabel('Pclass').fill('1');
    await why.getByRole('button', { name: 'Explain' }).click();
    await why.getByText(/The model answers/).waitFor({ timeout: 30_000 });
    await curve.locator('.explanation').getByText(/roc_auc/).waitFor({ timeout: 180_000 });
    await curve.getByRole('img', { name: 'roc_auc against the number of training rows' }).waitFor();
    assert.equal(await curve.locator('.explanation li').count() >= 1, true, 'the reading says what to do next');
    // small importances and changes read as decimals, never as "5.0e-4"
    for (const list of ['Column importance', /^Change in roc_auc/]) {
      assert.doesNotMatch(await page.getByRole('list', { name: list }).innerText(), /\de[-+]\d/, `no exponent notation in ${String(list)}`);
    }
    await checkStep(page, 'results');

    // 7. deploy, then the try-it form generated from the model's signature
    await page.getByRole('link', { name: 'Next: deploy it' }).click();
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByText(/is live/).waitFor({ timeout: 30_000 });
    const tryIt = page.locator('section', { has: page.getByRole('heading', { name: 'Try it' }) });
    // start from a complete example row of the training data, then describe another passenger
    await tryIt.getByRole('button', { name: 'Fill in an example' }).click();
    assert.notEqual(await tryIt.getByLabel('Embarked').inputValue(), '', 'the example fills the form');
    await tryIt.getByLabel('Pclass').fill('3');
    await tryIt.getByLabel('Sex').fill('male');
    await tryIt.getByLabel('Age').fill('22');
    await tryIt.getByLabel('Fare').fill('7.25');
    await tryIt.getByRole('button', { name: 'Predict' }).click();
    const prediction = page.getByTestId('prediction');
    await prediction.waitFor({ timeout: 30_000 });
    assert.match(await prediction.innerText(), /^[01]$/, 'a Survived answer, 0 or 1');
    await checkStep(page, 'deployed');

    // 8. watch: the request just made is counted on the monitoring page
    await page.getByRole('link', { name: 'Next: watch it in service' }).click();
    const count = page.getByTestId('prediction-count');
    for (let attempt = 0; attempt < 20 && !(await count.isVisible()); attempt++) {
      await page.waitForTimeout(250);
      if (!(await count.isVisible()) && (await page.getByRole('button', { name: 'Refresh' }).isVisible())) await page.getByRole('button', { name: 'Refresh' }).click();
    }
    assert.ok(Number((await count.innerText()).replace(/\D/g, '')) >= 1, 'the try-it request is counted');
    await page.locator('.column-card svg').first().waitFor(); // drift: training data against live requests
    await page.getByRole('button', { name: 'Add the alert' }).click();
    await page.getByText(/Share of failed requests goes above/).waitFor({ timeout: 10_000 });
    await checkStep(page, 'watch');

    // a model that does not exist: the error, and nothing to deploy or to set alerts on
    for (const tab of ['deploy', 'watch']) {
      await page.goto(`${session.url}/models/no-such-model/${tab}`);
      await page.getByRole('alert').getByText(/no model "no-such-model"/).waitFor({ timeout: 10_000 });
      assert.equal(await page.getByRole('button', { name: /^Deploy/ }).count(), 0, `no Deploy button on ${tab}`);
      assert.equal(await page.getByRole('button', { name: 'Add the alert' }).count(), 0, `no alert form on ${tab}`);
    }

    // 9. the rest of the app passes the same checks
    for (const [path, heading] of [
      ['/models', 'Models'],
      ['/experiments', 'A/B experiments'],
      ['/history', 'History'],
    ] as const) {
      await page.goto(session.url + path);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.locator('.loading').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
      if (path === '/experiments') {
        // with one version only, the form says why there is nothing to try yet
        await page.getByLabel('Model').selectOption('titanic');
        await page.getByText('titanic has no other version yet').waitFor({ timeout: 10_000 });
      }
      await checkStep(page, path.slice(1));
    }

    // the jobs of this server: the training and the learning curve, both done, each linked
    const jobs = page.getByRole('region', { name: 'Jobs, newest first' });
    await jobs.getByRole('link', { name: 'learning curve' }).waitFor();
    assert.equal(await jobs.getByRole('row', { name: /^training titanic done/ }).count(), 1);
    assert.equal(await jobs.getByRole('row', { name: /^learning curve titanic:1 done/ }).count(), 1);

    // 10. history: two runs side by side
    const runs = page.getByRole('checkbox', { name: /^Compare run/ });
    await runs.nth(0).check();
    await runs.nth(1).check();
    await page.getByRole('button', { name: 'Compare the two runs' }).click();
    await page.getByRole('heading', { level: 1, name: 'Compare two runs' }).waitFor();
    await page.locator('table.compare tbody tr').first().waitFor({ timeout: 10_000 });
    // the data each run trained on, in words (source and size), not as raw JSON
    const dataRow = await page.locator('table.compare tbody tr', { has: page.locator('th', { hasText: /^data$/ }) }).innerText();
    assert.match(dataRow, /\ttitanic\.(csv|parquet) \([\d,]+ rows × \d+ columns, [0-9a-f]{8}\)/);
    assert.doesNotMatch(dataRow, /[{}]/);
    await checkStep(page, 'compare');

    assert.deepEqual(problems, [], 'no script errors in the page');
  }

  test("a text module's results say how it copes with messier texts, and whether more texts would help", { timeout: 240_000 }, async () => {
    // trained as the app trains it: an uploaded file, a job of the server, followed on its page
    const csv = readFileSync(join(ROOT, 'examples', 'sentiment', 'sentiment.csv'));
    const source = await session.upload('sentiment.csv', csv);
    const started = await fetch(`${session.url}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        spec: { name: 'reviews', task: 'text-classify', data: source, target: 'label', learner: 'logistic-regression', params: { C: 10, wordNgrams: [1, 2], charNgrams: null } },
      }),
    });
    assert.equal(started.status, 202);
    const job = (await started.json()) as { id: string };
    await session.withPage(async (page) => {
      await page.goto(`${session.url}/jobs/${job.id}`);
      const results = page.getByRole('link', { name: 'See the results' });
      await results.waitFor({ timeout: 120_000 });
      // the link names the module, whatever the result calls its text configuration
      assert.equal(await results.getAttribute('href'), `/models/${encodeURIComponent('reviews:1')}`);
      await results.click();
      const messier = page.locator('section', { has: page.getByRole('heading', { name: 'When the data gets messier' }) });
      await messier.waitFor({ timeout: 30_000 });
      const bars = messier.getByRole('list', { name: 'Change in roc_auc on the test texts' }).getByRole('listitem');
      assert.equal(await bars.count(), 3);
      assert.match(await bars.first().innerText(), /typing slip/);
      await messier.getByText(/Each case changes the texts kept aside for the test|Also learn from messier copies of the texts/).waitFor();
      // would more texts help? the model is refitted on growing shares of its training texts (a job)
      const curve = page.locator('section', { has: page.getByRole('heading', { name: 'Would more texts help?' }) });
      await curve.getByText(/all of its training texts/).waitFor();
      await curve.getByRole('button', { name: 'Find out' }).click();
      await curve.locator('.explanation').getByText(/roc_auc/).waitFor({ timeout: 180_000 });
      assert.match(await curve.locator('.explanation').innerText(), /texts/);
      await curve.getByRole('img', { name: 'roc_auc against the number of training texts' }).waitFor();
      assert.ok((await curve.locator('.explanation li').count()) >= 1, 'the reading says what to do next');
      // why this prediction? the words of a text written here, each a bar
      const why = page.locator('section', { has: page.getByRole('heading', { name: 'Why this prediction?' }) });
      await why.getByRole('textbox').fill('The food was wonderful and the staff were friendly');
      await why.getByRole('button', { name: 'Explain' }).click();
      await why.getByText(/The model answers/).waitFor({ timeout: 30_000 });
      const words = await why.getByRole('list', { name: 'Reasons behind the prediction' }).getByRole('listitem').allInnerTexts();
      assert.ok(words.length > 0 && words.some((w) => /wonderful|friendly|food|staff/.test(w)), `the reasons are words of the text: ${words.join(' | ')}`);
      await checkStep(page, 'text-results');
    });
  });

  test('a training can be cancelled from its page, and says so', { timeout: 180_000 }, async () => {
    // a job with a long search, started through the same public API the app uses
    const source = await session.upload('titanic.csv', readFileSync(TITANIC));
    const suggestion = (await (
      await fetch(`${session.url}/api/specs/suggest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source, target: 'Survived' }) })
    ).json()) as { spec: Record<string, unknown> };
    const started = await fetch(`${session.url}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ spec: { ...suggestion.spec, name: 'cancelled-titanic', budget: '5m' } }),
    });
    assert.equal(started.status, 202);
    const job = (await started.json()) as { id: string };

    await session.withPage(async (page) => {
      await page.goto(`${session.url}/jobs/${job.id}`);
      await page.getByRole('button', { name: 'Cancel training' }).click();
      await page.getByText('Training was cancelled.').waitFor({ timeout: 30_000 });
      assert.equal(await page.getByRole('button', { name: 'Cancel training' }).count(), 0, 'nothing left to cancel');
      await checkStep(page, 'cancelled');
    });
    const models = (await (await fetch(`${session.url}/api/models`)).json()) as { models: { name: string }[] };
    assert.ok(!models.models.some((m) => m.name === 'cancelled-titanic'), 'nothing was registered');
  });

  test('at 390 px wide no main page scrolls sideways', { timeout: 180_000 }, async () => {
    assert.ok(visited.length >= 10, 'the flow test ran first and left its pages');
    await session.withPage(async (page) => {
      for (const path of new Set(visited)) {
        await page.goto(session.url + path);
        await page.locator('h1').first().waitFor();
        await page.locator('.loading').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
        const { scrollWidth, clientWidth, culprits } = await horizontalOverflow(page);
        // line charts are drawn at their real width, so their labels keep the stylesheet's size on a phone
        const unscaled = `[...document.querySelectorAll('.line-chart svg')].every((svg) => Math.abs(svg.viewBox.baseVal.width - svg.getBoundingClientRect().width) < 2)`;
        await page.waitForFunction(unscaled, undefined, { timeout: 5_000 }).catch(() => undefined);
        const scaled = (await page.evaluate(`[...document.querySelectorAll('.line-chart svg')].map((svg) => svg.viewBox.baseVal.width / svg.getBoundingClientRect().width)`)) as number[];
        for (const ratio of scaled) assert.ok(Math.abs(ratio - 1) < 0.02, `${path}: a line chart is drawn scaled by ${(1 / ratio).toFixed(2)}`);
        await shots.take(page, `narrow-${path.split('?')[0]?.split('/')[1] || 'home'}`);
        assert.ok(scrollWidth <= clientWidth + 1, `${path} is ${scrollWidth} px wide at ${clientWidth} px (wider elements: ${culprits.join(', ')})`);
      }

      // drag and drop: a small file dropped on the upload zone is uploaded and profiled like a picked one
      await page.goto(`${session.url}/data`);
      const csv = 'city,visits,bought\nParis,3,yes\nLyon,1,no\nNice,4,yes\n';
      const dataTransfer = await page.evaluateHandle(([text, name]) => {
        // runs in the page; typed loosely because this file is compiled without the DOM's types
        const g = globalThis as unknown as { DataTransfer: new () => { items: { add(file: unknown): void } }; File: new (parts: string[], name: string, options: object) => unknown };
        const transfer = new g.DataTransfer();
        transfer.items.add(new g.File([text], name, { type: 'text/csv' }));
        return transfer;
      }, [csv, 'shop-visits.csv'] as const);
      await page.locator('.drop-zone').dispatchEvent('drop', { dataTransfer });
      await page.getByText(/3\s*rows × 3\s*columns/).waitFor({ timeout: 20_000 });
      await shots.take(page, 'narrow-dropped');
    }, { width: 390, height: 844 });
  });
});
