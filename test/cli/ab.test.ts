/**
 * `kiln ab` as a user runs it: start (defaults, a refused start with its exit code), status as a list and
 * as one experiment's report with its verdict, stop, and promote moving the champion alias.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { openHome } from '../../src/store/open-store.js';
import { kiln, tempHome } from '../helpers/kiln-cli.js';
import { registerFixture } from '../serve/fixture-module.js';

let home: string;

before(async () => {
  home = tempHome('kiln-ab-');
  const opened = await openHome(home);
  try {
    await registerFixture(opened, { name: 'titanic', weight: 0.05 });
    await registerFixture(opened, { name: 'titanic', weight: 0.1 });
    await opened.store.setAlias('titanic', 'champion', 1);
  } finally {
    await opened.store.close();
  }
});

after(async () => rm(home, { recursive: true, force: true }));

// Each `kiln` run is a fresh Node process (a second or more): runs that do not depend on each other go in parallel.
test('kiln ab start, status, stop and promote', async () => {
  const [refused, usage] = await Promise.all([
    kiln(['ab', 'start', 'titanic', '--challenger', '2', '--mode', 'canary', '--home', home, '--json']),
    kiln(['ab', 'start', 'titanic', '--challenger', 'two', '--home', home]),
  ]);
  assert.equal(refused.code, 1, refused.stderr);
  assert.equal(JSON.parse(refused.stdout).error.code, 'EXPERIMENT_INVALID');
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--challenger: "two" is not a number/);

  const started = await kiln(['ab', 'start', 'titanic', '--challenger', '2', '--share', '0.25', '--home', home, '--json']);
  assert.equal(started.code, 0, started.stderr);
  const experiment = JSON.parse(started.stdout);
  assert.deepEqual([experiment.champion, experiment.challenger, experiment.mode, experiment.challenger_share], [1, 2, 'split', 0.25]);

  const [list, human] = await Promise.all([kiln(['ab', 'status', '--home', home, '--json']), kiln(['ab', 'status', 'titanic', '--home', home])]);
  assert.deepEqual(JSON.parse(list.stdout).experiments.map((e: { id: string }) => e.id), [experiment.id]);
  assert.match(human.stderr, new RegExp(`experiment ${experiment.id} \\(running\\)`));
  assert.match(human.stderr, /champion v1 vs challenger v2, split, 25% of users to the challenger/);
  assert.match(human.stderr, /verdict: not enough outcomes yet/);

  const stopped = await kiln(['ab', 'stop', experiment.id, '--reason', 'wrong share', '--home', home, '--json']);
  assert.equal(JSON.parse(stopped.stdout).end_reason, 'wrong share');

  const second = JSON.parse((await kiln(['ab', 'start', 'titanic', '--challenger', '2', '--home', home, '--json'])).stdout);
  const promoted = await kiln(['ab', 'promote', second.id, '--home', home]);
  assert.equal(promoted.code, 0, promoted.stderr);
  assert.match(promoted.stderr, /titanic@champion → version 2/);
  const opened = await openHome(home);
  try {
    assert.equal((await opened.store.getModel('titanic')).aliases['champion'], 2);
    assert.deepEqual((await opened.store.listExperiments()).map((e) => e.status), ['promoted', 'stopped']);
  } finally {
    await opened.store.close();
  }
});
