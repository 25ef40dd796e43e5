/**
 * `kiln models unalias NAME ALIAS` as a user runs it: it removes one alias (also an old `latest` stored
 * before the name was reserved), says which version it named, with --json as one document; an alias the
 * model does not have is a coded error naming the aliases it has, and `champion` is refused while an
 * experiment runs on the model.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { openHome } from '../../src/store/open-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { kiln, tempHome } from '../helpers/kiln-cli.js';
import { registerFixture } from '../serve/fixture-module.js';

let home: string;

before(async () => {
  home = tempHome('kiln-unalias-');
  const opened = await openHome(home);
  try {
    await registerFixture(opened, { name: 'titanic', weight: 0.05 });
    await registerFixture(opened, { name: 'titanic', weight: 0.1 });
    await opened.store.setAlias('titanic', 'champion', 1);
    await opened.store.setAlias('titanic', 'staging', 2);
    // an alias stored before `latest` was reserved: setAlias refuses the name now, so write the row itself
    assert.ok(opened.store instanceof SqliteStore, 'a local home is SQLite');
    opened.store.database.prepare("INSERT INTO model_aliases VALUES ('titanic', 'latest', 1)").run();
  } finally {
    await opened.store.close();
  }
});

after(async () => rm(home, { recursive: true, force: true }));

async function aliases(): Promise<Readonly<Record<string, number>>> {
  const opened = await openHome(home);
  try {
    return (await opened.store.getModel('titanic')).aliases;
  } finally {
    await opened.store.close();
  }
}

// Each `kiln` run is a fresh Node process: the runs that do not depend on each other go in parallel.
test('kiln models unalias removes an alias, a stored `latest` too; --json is one document', async () => {
  const [json, human] = await Promise.all([
    kiln(['models', 'unalias', 'titanic', 'staging', '--home', home, '--json']),
    kiln(['models', 'unalias', 'titanic', 'latest', '--home', home]),
  ]);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), { model: 'titanic', alias: 'staging', removed: true, version: 2 });
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stderr, /titanic@latest removed \(it named version 1\)/);
  assert.deepEqual(await aliases(), { champion: 1 });
});

test('kiln models unalias of a missing alias names the aliases the model has; bad arguments are named', async () => {
  const [missing, badName, badAlias] = await Promise.all([
    kiln(['models', 'unalias', 'titanic', 'nobody', '--home', home, '--json']),
    kiln(['models', 'unalias', 'titanic:1', 'champion', '--home', home, '--json']),
    kiln(['models', 'unalias', 'titanic', 'my alias', '--home', home, '--json']),
  ]);
  assert.equal(missing.code, 1, missing.stderr);
  const error = (JSON.parse(missing.stdout) as { error: { code: string; message: string; hint: string } }).error;
  assert.deepEqual([error.code, error.message], ['ALIAS_NOT_FOUND', 'model "titanic" has no alias "nobody"']);
  assert.match(error.hint, /its aliases are: champion/);
  assert.equal(badName.code, 2);
  assert.match((JSON.parse(badName.stdout) as { error: { message: string } }).error.message, /^invalid <name>: "titanic:1" is not a model name/);
  assert.equal(badAlias.code, 2);
  assert.match((JSON.parse(badAlias.stdout) as { error: { message: string } }).error.message, /^invalid <alias>: "my alias" is not an alias/);
  assert.deepEqual(await aliases(), { champion: 1 }, 'nothing removed');
});

test('kiln models unalias refuses champion while an experiment runs, saying how to end it', async () => {
  const started = await kiln(['ab', 'start', 'titanic', '--challenger', '2', '--home', home, '--json']);
  assert.equal(started.code, 0, started.stderr);
  const { id } = JSON.parse(started.stdout) as { id: string };
  const refused = await kiln(['models', 'unalias', 'titanic', 'champion', '--home', home, '--json']);
  assert.equal(refused.code, 1, refused.stderr);
  const error = (JSON.parse(refused.stdout) as { error: { code: string; message: string; hint: string } }).error;
  assert.equal(error.code, 'ALIAS_IN_USE');
  assert.match(error.message, new RegExp(`experiment ${id} is running on titanic`));
  assert.match(error.hint, new RegExp(`kiln ab stop ${id}`));
  assert.deepEqual(await aliases(), { champion: 1 });

  assert.equal((await kiln(['ab', 'stop', id, '--home', home])).code, 0);
  const removed = await kiln(['models', 'unalias', 'titanic', 'champion', '--home', home, '--json']);
  assert.equal(removed.code, 0, removed.stderr);
  assert.deepEqual(await aliases(), {});
});
