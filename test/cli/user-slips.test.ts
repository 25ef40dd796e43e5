/**
 * Slips a person makes on the command line, each told what is actually wrong: a name over the length
 * limit, an empty spec file, a home that is a file, a version reference where `ab start` takes a name;
 * and `--version --json` answers in JSON like every other verb.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openHome } from '../../src/store/open-store.js';
import { kiln, tempHome, type CliResult } from '../helpers/kiln-cli.js';
import { registerFixture } from '../serve/fixture-module.js';

const TITANIC = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'titanic.csv');

/** The error of a --json run: exactly one JSON document on stdout, no stack trace anywhere. */
function jsonError(r: CliResult, exit: number): { code: string; message: string; hint?: string } {
  assert.equal(r.code, exit, `exit ${r.code}: ${r.stdout}${r.stderr}`);
  assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at .+:\d+:\d+/, 'a stack trace reached the user');
  return (JSON.parse(r.stdout) as { error: { code: string; message: string; hint?: string } }).error;
}

describe('the CLI names the real mistake', () => {
  const home = tempHome('kiln-slips-');
  const files = join(home, 'files');

  before(async () => {
    mkdirSync(files);
    writeFileSync(join(files, 'empty.yaml'), '');
    writeFileSync(join(files, 'comments.yaml'), '# to do: write the spec\n');
    writeFileSync(join(files, 'list.yaml'), '- name: titanic\n- data: titanic.csv\n');
    writeFileSync(join(files, 'a-file'), 'not a folder');
    const opened = await openHome(join(home, 'store'));
    try {
      await registerFixture(opened, { name: 'titanic', weight: 0.05 });
      await registerFixture(opened, { name: 'titanic', weight: 0.1 });
    } finally {
      await opened.store.close();
    }
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  test('a model name over 128 characters is told the limit, not which characters are allowed', async () => {
    const long = 'a'.repeat(300);
    const [tooLong, badAndLong, longest] = await Promise.all([
      kiln(['train', '--data', TITANIC, '--target', 'Survived', '--name', long, '--json', '--home', join(home, 'store')]),
      kiln(['train', '--data', TITANIC, '--target', 'Survived', '--name', `my model ${long}`, '--json', '--home', join(home, 'store')]),
      // 128 characters is allowed: refused only for a missing learner, after the name was accepted
      kiln(['train', '--data', TITANIC, '--target', 'Survived', '--name', 'b'.repeat(128), '--learner', 'no-such-learner', '--json', '--home', join(home, 'store')]),
    ]);
    const error = jsonError(tooLong, 1);
    assert.equal(error.code, 'INVALID_SPEC');
    assert.match(error.message, /name: a module name is at most 128 characters long; this one has 300/);
    assert.doesNotMatch(error.message, /letters, digits/);
    // both problems when there are both
    const both = jsonError(badAndLong, 1);
    assert.match(both.message, /at most 128 characters/);
    assert.match(both.message, /letters, digits/);
    assert.doesNotMatch(jsonError(longest, 1).message, /module name/);
  });

  test('an empty spec file is called empty, with what a minimal spec holds', async () => {
    const [empty, comments, list] = await Promise.all(
      ['empty.yaml', 'comments.yaml', 'list.yaml'].map((f) => kiln(['train', join(files, f), '--json', '--home', join(home, 'store')])),
    );
    for (const r of [empty, comments]) {
      const error = jsonError(r as CliResult, 1);
      assert.equal(error.code, 'INVALID_SPEC');
      assert.match(error.message, /is not valid: the file is empty; a minimal spec is three lines: "name: titanic", "data: titanic.csv" .* and "target: Survived"/);
      assert.doesNotMatch(error.message, /expected object/);
    }
    const listError = jsonError(list as CliResult, 1);
    assert.match(listError.message, /it holds a list, not fields; a minimal spec is/);
  });

  test('a home that is a file (or lies inside one) is the user\'s mistake: exit 1, saying it must be a folder', async () => {
    const file = join(files, 'a-file');
    const [isFile, insideFile, artifactsFile, human] = await Promise.all([
      kiln(['models', '--json', '--home', file]),
      kiln(['models', '--json', '--home', join(file, 'home')]),
      kiln(['models', '--json', '--home', join(home, 'store'), '--artifacts', file]),
      kiln(['models', '--home', file]),
    ]);
    const error = jsonError(isFile, 1);
    assert.equal(error.code, 'HOME_NOT_A_FOLDER');
    assert.equal(error.message, `the Kiln home ${file} is not a folder: it is a file`);
    assert.match(error.hint ?? '', /point --home \(or KILN_HOME\) at a folder/);
    assert.doesNotMatch(error.message, /EEXIST|mkdir/);

    const inside = jsonError(insideFile, 1);
    assert.equal(inside.code, 'HOME_NOT_A_FOLDER');
    assert.match(inside.message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a file, so no folder can be made inside it`));

    const artifacts = jsonError(artifactsFile, 1);
    assert.equal(artifacts.code, 'HOME_NOT_A_FOLDER');
    assert.match(artifacts.message, /^the artifact folder .* is not a folder: it is a file$/);
    assert.match(artifacts.hint ?? '', /--artifacts/);

    assert.equal(human.code, 1);
    assert.match(human.stderr, /^error \[HOME_NOT_A_FOLDER\]: the Kiln home .* is not a folder: it is a file$/m);
  });

  test('ab start given NAME:VERSION says which versions exist, as other verbs do', async () => {
    const store = join(home, 'store');
    const [missing, existing, noAlias, plain] = await Promise.all([
      kiln(['ab', 'start', 'titanic:99', '--challenger', '2', '--json', '--home', store]),
      kiln(['ab', 'start', 'titanic:1', '--challenger', '2', '--json', '--home', store]),
      kiln(['ab', 'start', 'titanic@beta', '--challenger', '2', '--json', '--home', store]),
      kiln(['ab', 'start', 'nobody', '--challenger', '2', '--json', '--home', store]),
    ]);
    const error = jsonError(missing, 1);
    assert.equal(error.code, 'VERSION_NOT_FOUND');
    assert.equal(error.message, 'model "titanic" has no version 99');
    assert.equal(error.hint, 'its versions are: 1, 2');

    // a version that exists is still not what `ab start` takes: a usage error showing the right form
    const usage = jsonError(existing, 2);
    assert.equal(usage.code, 'INVALID_PARAMS');
    assert.match(usage.message, /give the model's name, "titanic", not the reference "titanic:1" .*kiln ab start titanic --challenger 2/);

    assert.equal(jsonError(noAlias, 1).code, 'ALIAS_NOT_FOUND');
    // a plain name that does not exist is still MODEL_NOT_FOUND
    assert.equal(jsonError(plain, 1).code, 'MODEL_NOT_FOUND');
  });

  test('--version --json prints one JSON document; --json --help exits 0', async () => {
    const [versionFirst, jsonFirst, plain, help] = await Promise.all([
      kiln(['--version', '--json']),
      kiln(['--json', '-v']),
      kiln(['--version']),
      kiln(['--json', '--help']),
    ]);
    for (const r of [versionFirst, jsonFirst]) {
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { version: unknown };
      assert.deepEqual(Object.keys(doc), ['version']);
      assert.match(String(doc.version), /^\d+\.\d+\.\d+/);
    }
    assert.equal(plain.code, 0);
    assert.match(plain.stdout, /^\d+\.\d+\.\d+\S*\n$/);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage: kiln/);
  });
});
