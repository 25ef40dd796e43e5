/**
 * `kiln report` for modules beyond tables: the plain sentences of their report.json lead the text
 * output and the HTML page, with the held-out metrics and the report's details as tables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kiln, tempHome } from '../helpers/kiln-cli.js';

const SPEC = join(import.meta.dirname, '..', '..', 'examples', 'segments', 'kiln.yaml');

test('a segments module: kiln report prints its sentences and writes a page with its profiles', async () => {
  const home = tempHome();
  const trained = await kiln(['train', SPEC, '--json', '--home', home]);
  assert.equal(trained.code, 0, trained.stderr);
  const model = JSON.parse(trained.stdout).model as string;
  const html = join(home, 'report.html');
  const r = await kiln(['report', model, '--html', html, '--home', home]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /\(cluster\)/);
  assert.match(r.stderr, /Segment \d \(\d+%\)/);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /<h1>[^<]*cluster module/);
  assert.match(page, /Scores on rows the model never saw/);
  assert.match(page, /silhouette/);
  assert.doesNotMatch(page, /at [^ ]+\.ts:\d+/); // no stack trace
});

test('module templates train from flags alone: --task detect-anomalies --label', async () => {
  const home = tempHome();
  const data = join(import.meta.dirname, '..', '..', 'examples', 'anomalies', 'transactions.csv');
  const r = await kiln(['train', '--data', data, '--task', 'detect-anomalies', '--drop', 'transaction_id', '--label', 'is_fraud', '--contamination', '0.01', '--json', '--home', home]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.task, 'detect-anomalies');
  assert.ok(doc.metrics.test.precision_at_k >= 0.8, JSON.stringify(doc.metrics.test));
  const missing = await kiln(['train', '--data', data, '--task', 'recommend', '--home', home]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /user: required for task "recommend"/);
});
