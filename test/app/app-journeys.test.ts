/**
 * The app in a browser off the main path: the choices of the Build page surviving a reload and Back;
 * bad files (empty, not text, only a header, one column, an id as the thing to predict) explained in
 * the app's words; a training the server lost; what reading a messy table changed, each with its fix,
 * on its training's page; the segments and unusual-rows templates from the Build page to a "try it"
 * answer; the data trained on before, offered again; the experiment form after switching models; and
 * the Copy button on a page without the Clipboard API. Each fixed a defect found by walking the app as
 * a newcomer; screenshots go to test-output/app-journeys/ and every checked page passes axe-core
 * without serious violations.
 *
 * Needs Debian's chromium (/usr/bin/chromium, or KILN_CHROMIUM); skipped, saying so, without it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumMissing, useAppSession } from './app-session.js';
import { horizontalOverflow, ROOT } from './browser.js';
import { MESSY_NOTE_CODES, MESSY_SPEC, messyAccountsCsv } from '../api/app/messy-accounts.js';

const TITANIC = join(ROOT, 'examples', 'titanic', 'titanic.csv');
const CUSTOMERS = join(ROOT, 'examples', 'segments', 'customers.csv');
const TRANSACTIONS = join(ROOT, 'examples', 'anomalies', 'transactions.csv');

describe('the app off the main path', { skip: chromiumMissing }, () => {
  const session = useAppSession({ homePrefix: 'kiln-app-journeys-', output: 'app-journeys' });
  const { checkStep, withPage, upload } = session;

  /** A job started through the public API, followed until it ends. */
  async function train(spec: Record<string, unknown>): Promise<void> {
    const started = await fetch(`${session.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ spec }) });
    assert.equal(started.status, 202);
    const { id } = (await started.json()) as { id: string };
    for (;;) {
      const job = (await (await fetch(`${session.url}/api/jobs/${id}`)).json()) as { status: string; error?: unknown };
      if (job.status === 'succeeded') return;
      assert.ok(job.status === 'running' || job.status === 'queued', `the job ended ${job.status}: ${JSON.stringify(job.error)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  test('the Build page keeps the column to predict through a reload and Back', { timeout: 120_000 }, () =>
    withPage(async (page) => {
      const source = await upload('titanic.csv', readFileSync(TITANIC));
      // on the way: a column whose every value differs (names) gets no chart of equal bars, only the words
      await page.goto(`${session.url}/data?source=${encodeURIComponent(source)}`);
      const name = page.locator('.column-card', { has: page.getByRole('heading', { name: 'Name', exact: true }) });
      await name.getByText('Every value is different.').waitFor({ timeout: 30_000 });
      assert.equal(await name.locator('svg').count(), 0);
      assert.equal(await page.locator('.column-card', { has: page.getByRole('heading', { name: 'Sex', exact: true }) }).locator('svg').count(), 1);
      await page.goto(`${session.url}/build?source=${encodeURIComponent(source)}`);
      await page.getByLabel('The column to predict').selectOption('Survived');
      await page.getByText(/yes\/no prediction/).waitFor({ timeout: 30_000 });
      assert.equal(new URL(page.url()).searchParams.get('target'), 'Survived', 'the choice is in the URL');
      // before: a reload came back to "Choose a column…" and no module
      await page.reload();
      await page.getByText(/yes\/no prediction/).waitFor({ timeout: 30_000 });
      assert.equal(await page.getByLabel('The column to predict').inputValue(), 'Survived');
      // away and Back
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
      await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
      await page.goBack();
      await page.getByText(/yes\/no prediction/).waitFor({ timeout: 30_000 });
      assert.equal(await page.getByLabel('The column to predict').inputValue(), 'Survived');
    }),
  );

  test('bad files and impossible choices are explained in the words of the app', { timeout: 120_000 }, () =>
    withPage(async (page) => {
      const alert = page.getByRole('alert');
      // an empty file: the server's hint spoke HTTP ("PUT /api/uploads?filename=NAME")
      await page.goto(`${session.url}/data`);
      await page.getByLabel('Choose a file').setInputFiles({ name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) });
      await alert.waitFor({ timeout: 15_000 });
      assert.match(await alert.innerText(), /What to do: orders\.csv is empty\./);
      assert.doesNotMatch(await alert.innerText(), /PUT|\/api\//);
      await checkStep(page, 'empty-file');

      // a file that is not a table, named .csv: an explanation, never a blank page or a stack trace
      await page.getByLabel('Choose a file').setInputFiles({ name: 'photo.csv', mimeType: 'text/csv', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x0a, 0xa0, 0xa1]) });
      await alert.getByText(/What to do: /).waitFor({ timeout: 15_000 });
      assert.doesNotMatch(await alert.innerText(), /at .+\.(js|ts):\d+|uploads\//, 'no stack trace, no path on the server');
      await checkStep(page, 'not-a-table');

      // a header and no rows: said about the file by its name, not by where the server stored it
      await page.getByLabel('Choose a file').setInputFiles({ name: 'header-only.csv', mimeType: 'text/csv', buffer: Buffer.from('city,visits\n') });
      await alert.getByText(/^header-only\.csv has no rows/).waitFor({ timeout: 15_000 });
      assert.match(await alert.innerText(), /What to do: Check that header-only\.csv is a table/);

      // one column only: nothing to learn from, said beside the choice, without the spec's `drop:`
      const oneColumn = await upload('visits.csv', 'visits\n1\n2\n3\n4\n5\n6\n');
      await page.goto(`${session.url}/build?source=${encodeURIComponent(oneColumn)}&target=visits`);
      const choice = page.getByRole('region', { name: 'What do you want to predict?' });
      await choice.getByRole('alert').getByText('no feature columns are left to learn from').waitFor({ timeout: 15_000 });
      assert.doesNotMatch(await choice.getByRole('alert').innerText(), /drop:|spec|Try again/);

      // an id as the thing to predict: the suggestion calls it "a choice among several classes"
      const ids = await upload('people.csv', ['person,age,city', ...Array.from({ length: 60 }, (_, i) => `p${i},${20 + (i % 40)},${['Paris', 'Lyon', 'Nice'][i % 3]}`)].join('\n'));
      await page.goto(`${session.url}/build?source=${encodeURIComponent(ids)}`);
      await page.getByLabel('The column to predict').selectOption('person');
      await choice.getByText(/^Every row has its own "person" \(60 different values in 60 rows\)/).waitFor({ timeout: 30_000 });
      await checkStep(page, 'id-as-target');
      // a real category is not flagged
      await page.getByLabel('The column to predict').selectOption('city');
      await page.getByText(/choice among several classes/).waitFor({ timeout: 30_000 });
      assert.equal(await choice.getByText(/its own "city"/).count(), 0);
    }),
  );

  test('a training the server no longer knows says so, instead of "reconnecting" for ever', { timeout: 60_000 }, () =>
    withPage(async (page) => {
      // what a restarted server answers about a job of the one before: the page first got the job
      // (running), then the stream and the job are unknown (404), as after `kiln serve` restarts
      const id = 'lost-job';
      let asked = 0;
      await page.route(`**/api/jobs/${id}`, (route) => {
        asked += 1;
        return asked === 1
          ? route.fulfill({ json: { id, kind: 'train', model: 'titanic', status: 'running', submitted_at: new Date().toISOString() } })
          : route.fulfill({ status: 404, json: { error: `there is no training job "${id}"`, code: 'JOB_NOT_FOUND', hint: 'GET /api/jobs lists the recent jobs' } });
      });
      await page.route(`**/api/jobs/${id}/events`, (route) =>
        route.fulfill({ status: 404, json: { error: `there is no training job "${id}"`, code: 'JOB_NOT_FOUND' } }),
      );
      await page.goto(`${session.url}/jobs/${id}`);
      await page.getByText('Kiln no longer knows this training.').waitFor({ timeout: 15_000 });
      assert.match(await page.locator('.lead').innerText(), /Stopped: the server lost this training/);
      assert.equal(await page.getByRole('button', { name: 'Cancel training' }).count(), 0, 'nothing left to cancel');
      assert.equal(await page.getByText(/reconnecting/).count(), 0);
      await checkStep(page, 'lost-job');
    }),
  );

  test("a messy table's training lists what reading it changed, each with its fix, apart from the training's own notes", { timeout: 120_000 }, () =>
    withPage(async (page) => {
      const source = await upload('accounts.csv', messyAccountsCsv());
      const started = await fetch(`${session.url}/api/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ spec: { name: 'accounts', data: source, ...MESSY_SPEC } }),
      });
      assert.equal(started.status, 202);
      const { id } = (await started.json()) as { id: string };
      await page.goto(`${session.url}/jobs/${id}`);
      await page.getByRole('link', { name: 'See the results' }).waitFor({ timeout: 90_000 });
      const changed = page.getByRole('region', { name: 'What Kiln changed while reading your data' });
      const items = changed.getByRole('listitem');
      assert.equal(await items.count(), MESSY_NOTE_CODES.length);
      // the warning comes first, marked in words (not by colour alone), with its fix
      const warning = await items.first().innerText();
      assert.match(warning, /^Check this/);
      assert.match(warning, /"amount" holds numbers, but 1 of its values are not numbers \("ask Bob"\)/);
      assert.match(warning, /If that is wrong: Correct those cells in the file/);
      const info = await items.nth(1).innerText();
      assert.match(info, /^Good to know/);
      assert.match(info, /"visits" holds numbers stored as text; it is read as a number column \("N\/A" read as missing\)/);
      assert.match(info, /If that is wrong: Nothing to do; store "visits" as plain numbers/);
      // before: the data's notes were listed among the training's notes, without their fix
      const notes = await page.getByRole('region', { name: 'Notes from training' }).innerText();
      assert.match(notes, /left out "customer"/);
      assert.doesNotMatch(notes, /holds numbers/);
      await checkStep(page, 'data-notes');
    }),
  );

  test('segments: columns left out from the Build page, each segment described, a segment as the answer', { timeout: 240_000 }, () =>
    withPage(async (page) => {
      const source = await upload('customers.csv', readFileSync(CUSTOMERS));
      await page.goto(`${session.url}/build?source=${encodeURIComponent(source)}`);
      await page.getByText('Find segments').click();
      // before, the template's "Columns to leave out" was not offered: the known segments were learnt from
      const leaveOut = page.getByRole('group', { name: 'Columns to leave out' });
      await leaveOut.getByRole('checkbox', { name: 'customer_id' }).check();
      await leaveOut.getByRole('checkbox', { name: 'true_segment' }).check();
      await page.getByLabel('Number of segments (or automatic)').fill('4');
      await page.getByText('The module spec (YAML)').click();
      await page.locator('.code-block pre').first().getByText('drop: [customer_id, true_segment]').waitFor({ timeout: 30_000 });
      await checkStep(page, 'segments-build');
      await page.getByRole('button', { name: 'Train' }).click();
      await page.getByRole('link', { name: 'See the results' }).click({ timeout: 120_000 });

      const segments = page.getByRole('region', { name: 'The 4 segments' });
      await segments.waitFor({ timeout: 30_000 });
      assert.equal(await segments.getByRole('heading', { level: 3 }).count(), 4);
      assert.doesNotMatch(await segments.innerText(), /true_segment|customer_id/, 'the columns left out are not learnt from');
      assert.match(await segments.innerText(), /spend|age|visits|channel/);
      await checkStep(page, 'segments-results');

      await page.getByRole('link', { name: 'Next: deploy it' }).click();
      await page.getByRole('button', { name: 'Deploy', exact: true }).click();
      const tryIt = page.getByRole('region', { name: 'Try it' });
      await tryIt.getByRole('button', { name: 'Fill in an example' }).click({ timeout: 30_000 });
      await tryIt.getByRole('button', { name: 'Predict' }).click();
      // before: "Prediction: —"
      await tryIt.getByText(/^Segment: \d — the closest of the 4 segments$/).waitFor({ timeout: 30_000 });
      assert.match(await page.getByTestId('prediction').innerText(), /^\d$/);

      // the Copy button on a page without the Clipboard API (plain http on the office network)
      await page.evaluate('Object.defineProperty(navigator, "clipboard", { value: undefined, configurable: true })');
      const code = page.getByRole('region', { name: 'Call it from your own code' });
      await code.getByRole('button', { name: 'Copy curl, KServe v1 (rows as JSON)' }).click();
      await code.getByRole('status').filter({ hasText: /Copied\.|press Ctrl\+C/ }).waitFor({ timeout: 5_000 });
      await checkStep(page, 'segments-deployed');

      // the new pieces fit a phone
      await page.setViewportSize({ width: 390, height: 844 });
      for (const path of [`/models/${encodeURIComponent('customers:1')}`, `/build?source=${encodeURIComponent(source)}&template=cluster&drop=customer_id`]) {
        await page.goto(session.url + path);
        await page.locator('h1').first().waitFor();
        await page.locator('.loading').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
        const { scrollWidth, clientWidth, culprits } = await horizontalOverflow(page);
        assert.ok(scrollWidth <= clientWidth + 1, `${path} is ${scrollWidth} px wide at ${clientWidth} px (${culprits.join(', ')})`);
      }
      assert.equal(await page.getByRole('checkbox', { name: 'customer_id' }).isChecked(), true, 'the columns left out come back from the URL');
    }),
  );

  test('unusual rows: the results list them with their reasons, and "try it" says whether a row is unusual', { timeout: 240_000 }, () =>
    withPage(async (page) => {
      const source = await upload('transactions.csv', readFileSync(TRANSACTIONS));
      await train({ name: 'transactions', task: 'detect-anomalies', data: source, label: 'is_fraud', drop: ['transaction_id'], seed: 42 });
      await page.goto(`${session.url}/models/${encodeURIComponent('transactions:1')}`);
      const rows = page.getByRole('region', { name: 'The most unusual rows' });
      await rows.getByText(/flags the most unusual 1\s%/).waitFor({ timeout: 30_000 });
      assert.ok((await rows.getByRole('listitem').count()) >= 1);
      await checkStep(page, 'anomalies-results');
      await page.getByRole('link', { name: 'Next: deploy it' }).click();
      await page.getByRole('button', { name: 'Deploy', exact: true }).click();
      const tryIt = page.getByRole('region', { name: 'Try it' });
      await tryIt.getByRole('button', { name: 'Fill in an example' }).click({ timeout: 30_000 });
      await tryIt.getByRole('button', { name: 'Predict' }).click();
      await tryIt.getByText(/^Prediction: (Looks normal|Unusual) — /).waitFor({ timeout: 30_000 });

      // the monitoring window chosen survives a reload
      await page.getByRole('link', { name: 'Next: watch it in service' }).click();
      await page.getByLabel('Show').selectOption('24h');
      await page.reload();
      await page.getByRole('heading', { level: 1, name: /^Watch transactions/ }).waitFor();
      assert.equal(await page.getByLabel('Show').inputValue(), '24h');
    }),
  );

  test('the data trained on before is offered again on the first page', { timeout: 60_000 }, () =>
    withPage(async (page) => {
      await page.goto(session.url);
      // the segments and unusual-rows tests above trained on these uploads: listed once, with the uploads, saying so
      const uploads = page.getByRole('region', { name: 'Files you uploaded' });
      await uploads.getByRole('link', { name: 'transactions.csv' }).waitFor({ timeout: 15_000 });
      assert.match(await uploads.getByRole('listitem').filter({ hasText: 'customers.csv' }).innerText(), /used for training/);
      assert.equal(await page.getByRole('region', { name: 'Or use data you trained on before' }).count(), 0, 'no file listed twice');
      await uploads.getByRole('link', { name: 'customers.csv' }).click();
      await page.getByText(/1,200\s*rows × 6\s*columns/).waitFor({ timeout: 30_000 });
    }),
  );

  test('the experiment form forgets the version chosen for another model', { timeout: 60_000 }, () =>
    withPage(async (page) => {
      // two models as the registry lists them: "a" has a version 2 to try, "b" has only its live version
      const model = (name: string, versions: number[]) => ({
        name,
        latest_version: Math.max(...versions),
        aliases: { champion: 1 },
        versions: versions.map((version) => ({ model: name, version, status: 'ready', aliases: version === 1 ? ['champion'] : [] })),
      });
      await page.route('**/api/models', (route) => route.fulfill({ json: { models: [model('a', [1, 2]), model('b', [1])] } }));
      await page.route('**/api/models/a', (route) => route.fulfill({ json: model('a', [1, 2]) }));
      await page.route('**/api/models/b', (route) => route.fulfill({ json: model('b', [1]) }));
      const started: unknown[] = [];
      await page.route('**/api/experiments', (route) => {
        if (route.request().method() === 'POST') started.push(route.request().postDataJSON());
        return route.fulfill({ json: { experiments: [] } });
      });
      await page.goto(`${session.url}/experiments`);
      await page.getByLabel('Model').selectOption('a');
      await page.getByLabel('New version to try').selectOption('2');
      assert.equal(await page.getByRole('button', { name: 'Start the experiment' }).isEnabled(), true);
      // before: "b" kept version 2, showed "Choose a version…", and started b's version 2
      await page.getByLabel('Model').selectOption('b');
      await page.getByText('b has no other version yet').waitFor({ timeout: 10_000 });
      assert.equal(await page.getByLabel('New version to try').inputValue(), '');
      assert.equal(await page.getByRole('button', { name: 'Start the experiment' }).isDisabled(), true);
      assert.deepEqual(started, []);
    }),
  );
});
