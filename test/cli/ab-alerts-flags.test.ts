/**
 * The CLI side of the same checks as the HTTP API, in the CLI's names:
 *   - `kiln ab status` takes --alpha and --min-per-arm as GET /api/experiments/ID takes ?alpha= and
 *     ?min_per_arm=; a bad --mde is a usage error naming the flag (it was "cannot analyse the
 *     experiment", exit 1, with a hint about arms and counts);
 *   - `kiln alerts add --webhook ftp://…` names --webhook (it said `webhookUrl`), and --window beyond
 *     a million is refused before the store (PostgreSQL answered it with an internal error);
 *   - a version number beyond what a reference can name (`kiln models alias … 99999999999`,
 *     `kiln ab start --challenger 99999999999`) is refused in words, not by the database.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { openHome } from '../../src/store/open-store.js';
import type { PredictionRecord } from '../../src/store/store.js';
import { kiln, tempHome } from '../helpers/kiln-cli.js';
import { registerFixture } from '../serve/fixture-module.js';

let home: string;
let experimentId: string;

before(async () => {
  home = tempHome('kiln-ab-flags-');
  const opened = await openHome(home);
  try {
    await registerFixture(opened, { name: 'titanic', weight: 0.05 });
    await registerFixture(opened, { name: 'titanic', weight: 0.1 });
    const experiment = await opened.store.createExperiment({ model: 'titanic', champion: 1, challenger: 2, mode: 'split', challengerShare: 0.5, outcome: 'binary' });
    experimentId = experiment.id;
    // 40 users per arm with outcomes: 20% of the champion's converted, 50% of the challenger's
    const records: PredictionRecord[] = [];
    const outcomes: { requestId: string; outcome: number }[] = [];
    for (let i = 0; i < 80; i++) {
      const arm = i % 2 === 0 ? 'champion' : 'challenger';
      const requestId = `ab-${i}`;
      records.push({ requestId, model: 'titanic', version: arm === 'champion' ? 1 : 2, timestamp: Date.now() - 1000 + i, latencyMs: 1, inputs: {}, outputs: { label: '1' }, experiment: experiment.id, arm });
      const k = Math.floor(i / 2);
      outcomes.push({ requestId, outcome: arm === 'champion' ? (k % 5 === 0 ? 1 : 0) : k % 2 });
    }
    await opened.store.logPredictions(records);
    await opened.store.recordFeedback(outcomes);
  } finally {
    await opened.store.close();
  }
});

after(async () => rm(home, { recursive: true, force: true }));

test('kiln ab status: --alpha and --min-per-arm reach the analysis; bad values are usage errors naming the flag', async () => {
  const [tuned, withAlpha, badMde, badAlpha, badMin] = await Promise.all([
    kiln(['ab', 'status', experimentId, '--alpha', '0.2', '--min-per-arm', '50', '--home', home, '--json']),
    kiln(['ab', 'status', experimentId, '--alpha', '0.2', '--home', home, '--json']),
    kiln(['ab', 'status', experimentId, '--mde', '-3', '--home', home]),
    kiln(['ab', 'status', experimentId, '--alpha', '1.5', '--home', home]),
    kiln(['ab', 'status', experimentId, '--min-per-arm', '1', '--home', home]),
  ]);
  assert.equal(tuned.code, 0, tuned.stderr);
  const report = JSON.parse(tuned.stdout);
  // 40 outcomes per arm are fewer than the 50 asked for: no test yet, and the verdict says 50
  assert.equal(report.analysis.conclusion, 'not_enough_data');
  assert.match(report.analysis.verdict, /\(40 champion, 40 challenger; the analysis starts at 50 per arm\)/);

  // at the default 30 per arm the tests run, at the level asked for
  assert.equal(withAlpha.code, 0, withAlpha.stderr);
  assert.equal(JSON.parse(withAlpha.stdout).analysis.fixed_horizon.confidence, 0.8);

  assert.equal(badMde.code, 2, badMde.stderr);
  assert.match(badMde.stderr, /invalid --mde: expected a positive effect/);
  assert.doesNotMatch(badMde.stderr, /cannot analyse the experiment/);
  assert.equal(badAlpha.code, 2, badAlpha.stderr);
  assert.match(badAlpha.stderr, /invalid --alpha: expected a level between 0 and 1/);
  assert.equal(badMin.code, 2, badMin.stderr);
  assert.match(badMin.stderr, /--min-per-arm/);
});

test('kiln alerts add names --webhook and bounds --window; huge version numbers are refused in words', async () => {
  const [webhook, window, alias, start] = await Promise.all([
    kiln(['alerts', 'add', 'titanic', '--metric', 'accuracy', '--op', 'below', '--threshold', '0.7', '--webhook', 'ftp://example', '--home', home]),
    kiln(['alerts', 'add', 'titanic', '--metric', 'accuracy', '--op', 'below', '--threshold', '0.7', '--window', '1000000000000', '--home', home]),
    kiln(['models', 'alias', 'titanic', 'champion', '99999999999', '--home', home]),
    kiln(['ab', 'start', 'titanic', '--challenger', '99999999999', '--home', home, '--json']),
  ]);
  assert.equal(webhook.code, 2, webhook.stderr);
  assert.match(webhook.stderr, /--webhook: "ftp:\/\/example" is not an http:\/\/ or https:\/\/ URL/);
  assert.doesNotMatch(webhook.stderr, /webhookUrl/);
  assert.equal(window.code, 2, window.stderr);
  assert.match(window.stderr, /invalid --window: expected a whole number from 1 to 1000000/);
  assert.equal(alias.code, 2, alias.stderr);
  assert.match(alias.stderr, /invalid <version>: expected a whole number from 1 to 999999999/);
  assert.equal(start.code, 1, start.stderr);
  const refused = JSON.parse(start.stdout).error;
  assert.equal(refused.code, 'EXPERIMENT_INVALID');
  assert.match(refused.message, /the challenger must be a version number \(1, 2, … up to 999999999\), got 99999999999/);
  // none of them changed the store
  const opened = await openHome(home);
  try {
    assert.deepEqual(await opened.store.listAlertRules(), []);
    assert.deepEqual((await opened.store.getModel('titanic')).aliases, {});
    assert.equal((await opened.store.listExperiments()).length, 1);
  } finally {
    await opened.store.close();
  }
});
