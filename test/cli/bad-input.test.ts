/**
 * What the CLI says when it is used wrongly (a QA pass over the verbs): each mistake gets a coded error
 * naming what is wrong, the right exit code (1 bad input, 2 usage), no stack trace, and with --json the
 * error as the one JSON document on stdout.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kiln, tempHome, type CliResult } from '../helpers/kiln-cli.js';
import { numberOption, wholeNumberOption } from '../../src/cli/option-values.js';
import { checkOutputFile, outputFileError } from '../../src/cli/output-file.js';
import { isKilnError } from '../../src/core/errors.js';
import { reportSentences } from '../../src/modules/report-html.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
const TITANIC = join(EXAMPLES, 'titanic', 'titanic.csv');

/** The error of a --json run: exactly one JSON document on stdout, no stack trace anywhere. */
function jsonError(r: CliResult, exit: number): { code: string; message: string; hint?: string } {
  assert.equal(r.code, exit, `exit ${r.code}: ${r.stdout}${r.stderr}`);
  assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at .+:\d+:\d+/, 'a stack trace reached the user');
  return (JSON.parse(r.stdout) as { error: { code: string; message: string; hint?: string } }).error;
}

describe('kiln verbs refuse bad input with coded errors', () => {
  const home = tempHome('kiln-bad-input-');
  const files = join(home, 'files');

  before(async () => {
    mkdirSync(join(files, 'a-folder'), { recursive: true });
    writeFileSync(join(files, 'empty.csv'), '');
    writeFileSync(join(files, 'three.csv'), 'PassengerId,Pclass\n1,3\n');
    // a yes/no model and a cluster model, trained in parallel
    const trained = await Promise.all([
      kiln(['train', join(EXAMPLES, 'titanic', 'kiln.yaml'), '--json', '--home', home]),
      kiln(['train', join(EXAMPLES, 'segments', 'kiln.yaml'), '--json', '--home', home]),
    ]);
    for (const t of trained) assert.equal(t.code, 0, t.stderr);
  });

  after(() => rmSync(home, { recursive: true, force: true }));

  test('kiln explain on a cluster model says it has nothing to explain (not an internal error)', async () => {
    const error = jsonError(await kiln(['explain', 'segments', join(EXAMPLES, 'segments', 'customers.csv'), '--rows', '0', '--json', '--home', home]), 1);
    assert.equal(error.code, 'NOT_EXPLAINABLE');
    assert.match(error.message, /segments cannot explain its predictions: it is a cluster module/);
  });

  test('kiln explain checks --top and --rows, and names rows by their number in the file', async () => {
    const [top, emptyRows, letters, picked] = await Promise.all([
      kiln(['explain', 'titanic', TITANIC, '--top', 'abc', '--json', '--home', home]),
      kiln(['explain', 'titanic', TITANIC, '--rows', '', '--json', '--home', home]),
      kiln(['explain', 'titanic', TITANIC, '--rows', 'a,b', '--home', home]),
      kiln(['explain', 'titanic', TITANIC, '--rows', '5,7', '--top', '2', '--json', '--home', home]),
    ]);
    assert.match(jsonError(top, 2).message, /invalid --top: expected a whole number of at least 1, got "abc"/);
    assert.match(jsonError(emptyRows, 2).message, /invalid --rows: expected a whole number/, 'an empty list is not row 0');
    assert.equal(letters.code, 2);
    assert.match(letters.stderr, /invalid --rows: .*got "a"/);
    assert.equal(picked.code, 0, picked.stderr);
    const explained = JSON.parse(picked.stdout) as { explanations: { row: number; reasons: unknown[] }[] };
    assert.deepEqual(explained.explanations.map((e) => e.row), [5, 7]);
    assert.ok(explained.explanations.every((e) => e.reasons.length <= 2));
  });

  test('an --html or --out path that cannot be written is OUTPUT_UNWRITABLE, exit 1', async () => {
    const [report, predictFolder, exportOverFile] = await Promise.all([
      kiln(['report', 'titanic', '--html', join(files, 'no-such-folder', 'r.html'), '--json', '--home', home]),
      kiln(['predict', 'titanic', TITANIC, '--out', join(files, 'a-folder'), '--json', '--home', home]),
      kiln(['export', 'titanic', '--format', 'onnx', '--out', join(files, 'three.csv'), '--json', '--home', home]),
    ]);
    const reportError = jsonError(report, 1);
    assert.equal(reportError.code, 'OUTPUT_UNWRITABLE');
    assert.match(reportError.message, /no-such-folder does not exist/);
    // a folder has no .csv/.json extension: refused as a usage error before anything is read
    assert.equal(jsonError(predictFolder, 2).code, 'INVALID_PARAMS');
    assert.equal(jsonError(exportOverFile, 1).code, 'OUTPUT_UNWRITABLE');
  });

  test('kiln predict writes only CSV or JSON, and names the missing inputs', async () => {
    const [parquet, folderCsv, missing] = await Promise.all([
      kiln(['predict', 'titanic', TITANIC, '--out', join(files, 'scored.parquet'), '--json', '--home', home]),
      kiln(['predict', 'titanic', TITANIC, '--out', join(files, 'a-folder', 'x', 'scored.csv'), '--json', '--home', home]),
      kiln(['predict', 'titanic', join(files, 'three.csv'), '--json', '--home', home]),
    ]);
    assert.match(jsonError(parquet, 2).message, /does not end in \.csv or \.json/);
    assert.equal(jsonError(folderCsv, 1).code, 'OUTPUT_UNWRITABLE');
    const error = jsonError(missing, 1);
    assert.equal(error.code, 'COLUMN_NOT_FOUND');
    assert.match(error.message, /there is no column "Sex" in the data \(an input of titanic:1; 5 more of its inputs are missing too: Age, /);
  });

  test('a folder or a missing file given as data or spec says so', async () => {
    const [spec, source, noExtension, feedbackEmpty] = await Promise.all([
      kiln(['train', join(files, 'a-folder'), '--json', '--home', home]),
      kiln(['predict', 'titanic', join(files, 'a-folder'), '--json', '--home', home]),
      kiln(['inspect', join(files, 'nothing-here'), '--json', '--home', home]),
      kiln(['feedback', '--file', join(files, 'empty.csv'), '--json', '--home', home]),
    ]);
    for (const r of [spec, source]) {
      const error = jsonError(r, 1);
      assert.equal(error.code, 'DATA_UNREADABLE');
      assert.match(error.message, /it is a folder/);
      assert.match(error.hint ?? '', /not of the folder/);
    }
    assert.equal(jsonError(noExtension, 1).code, 'DATA_NOT_FOUND', 'not "cannot tell what kind of source"');
    assert.equal(jsonError(feedbackEmpty, 1).code, 'DATA_EMPTY');
  });

  test('kiln train: a number flag that is not a number is a usage error naming the flag', async () => {
    const [seed, contamination] = await Promise.all([
      kiln(['train', '--data', TITANIC, '--target', 'Survived', '--seed', 'abc', '--json', '--home', home]),
      kiln(['train', '--data', TITANIC, '--task', 'detect-anomalies', '--contamination', 'x', '--json', '--home', home]),
    ]);
    assert.match(jsonError(seed, 2).message, /invalid --seed: expected a whole number, got "abc"/);
    assert.match(jsonError(contamination, 2).message, /invalid --contamination: expected a number, got "x"/);
  });

  test('kiln train: a metric that does not exist is refused, also without a search (it was ignored)', async () => {
    const r = await kiln(['train', '--data', TITANIC, '--target', 'Survived', '--drop', 'PassengerId,Name,Ticket,Cabin', '--metric', 'auc_roc', '--json', '--home', home]);
    const error = jsonError(r, 2);
    assert.equal(error.code, 'INVALID_PARAMS');
    assert.match(error.message, /"auc_roc" is not a binary metric; use one of .*roc_auc/);
  });

  test('kiln models alias names which of its arguments is wrong (it said "titanic:2@champion is not a model reference")', async () => {
    const [versionedName, spacedAlias] = await Promise.all([
      kiln(['models', 'alias', 'titanic:1', 'champion', '1', '--json', '--home', home]),
      kiln(['models', 'alias', 'titanic', 'my alias', '1', '--json', '--home', home]),
    ]);
    assert.match(jsonError(versionedName, 2).message, /^invalid <name>: "titanic:1" is not a model name: give the name alone/);
    assert.match(jsonError(spacedAlias, 2).message, /^invalid <alias>: "my alias" is not an alias: it starts with a letter/);
  });

  test('kiln models alias refuses a reserved name (latest would contradict the latest version), saying what to use', async () => {
    const r = await kiln(['models', 'alias', 'titanic', 'latest', '1', '--json', '--home', home]);
    const error = jsonError(r, 1);
    assert.equal(error.code, 'ALIAS_RESERVED');
    assert.match(error.message, /"latest" cannot be an alias: "latest" is reserved for the newest live version/);
    assert.match(error.hint ?? '', /champion/, 'the hint names aliases to use instead');
  });

  test('usage errors found by the parser are JSON on stdout with --json, exit 2', async () => {
    const [unknownOption, missingArgument, typo, noCurves] = await Promise.all([
      kiln(['train', '--bogus', '--json', '--home', home]),
      kiln(['predict', 'titanic', '--json', '--home', home]),
      kiln(['models', 'shwo', '--json', '--home', home]),
      kiln(['curves', '--json', '--home', home]),
    ]);
    assert.match(jsonError(unknownOption, 2).message, /unknown option '--bogus'/);
    assert.match(unknownOption.stderr, /unknown option '--bogus'/, 'and in words on stderr');
    assert.match(jsonError(missingArgument, 2).message, /missing required argument 'source'/);
    assert.match(jsonError(typo, 2).message, /"shwo" is not one of its commands: list, show, alias, unalias, archive, unarchive/);
    assert.match(jsonError(noCurves, 2).message, /^invalid curves arguments: .*--model REF/);
  });
});

describe('a bad setting is named the way it was given: the flag, the environment variable or the config file key', () => {
  const home = tempHome('kiln-bad-settings-');
  after(() => rmSync(home, { recursive: true, force: true }));

  test('kiln serve --port abc says --port, KILN_PORT=abc says KILN_PORT, a config file says its key', async () => {
    const config = join(home, 'settings.yaml');
    writeFileSync(config, 'port: abc\npredictionLogSampleRate: 2\n');
    const [flag, env, file, humanFlag] = await Promise.all([
      kiln(['serve', '--port', 'abc', '--json', '--home', home]),
      kiln(['serve', '--json', '--home', home], { KILN_PORT: 'abc' }),
      kiln(['serve', '--config', config, '--json', '--home', home]),
      kiln(['serve', '--port', 'abc', '--home', home]),
    ]);
    assert.equal(jsonError(flag, 2).message, 'invalid --port: expected a whole number from 0 to 65535, got "abc"');
    assert.equal(jsonError(env, 2).message, 'invalid KILN_PORT: expected a whole number from 0 to 65535, got "abc"');
    assert.equal(
      jsonError(file, 2).message,
      `invalid settings: port in ${config}: expected a whole number from 0 to 65535, got "abc"; predictionLogSampleRate in ${config}: expected a number from 0 to 1, got 2`,
    );
    // in words: one line that names the flag, not the configuration key
    assert.equal(humanFlag.code, 2);
    assert.match(humanFlag.stderr, /^error \[INVALID_PARAMS\]: invalid --port: expected a whole number from 0 to 65535, got "abc"\n  hint: /);
    assert.doesNotMatch(humanFlag.stderr, /invalid configuration|(^|\s)port:/);
  });

  test('the other flags that go through the configuration are named too', async () => {
    const [sampleRate, retention, maxRows, host, emptyHome, logLevel, store, grpcPort, queue] = await Promise.all([
      kiln(['serve', '--log-sample-rate', '2', '--json', '--home', home]),
      kiln(['serve', '--log-retention-days', '0', '--json', '--home', home]),
      kiln(['serve', '--log-max-rows', 'many', '--json', '--home', home]),
      kiln(['serve', '--host', '', '--json', '--home', home]),
      kiln(['models', '--home', '', '--json']),
      kiln(['models', '--log-level', 'loud', '--json', '--home', home]),
      kiln(['runs', '--store', '', '--json', '--home', home]),
      kiln(['serve', '--grpc-port', 'x', '--json', '--home', home]),
      kiln(['serve', '--queue', '', '--json', '--home', home]),
    ]);
    assert.equal(jsonError(sampleRate, 2).message, 'invalid --log-sample-rate: expected a number from 0 to 1, got "2"');
    assert.equal(jsonError(retention, 2).message, 'invalid --log-retention-days: expected a number of days above 0, got "0"');
    assert.equal(jsonError(maxRows, 2).message, 'invalid --log-max-rows: expected a whole number of at least 0, got "many"');
    assert.match(jsonError(host, 2).message, /^invalid --host: expected an address to listen on, .*, got ""$/);
    assert.equal(jsonError(emptyHome, 2).message, 'invalid --home: expected a folder, got ""');
    assert.match(jsonError(logLevel, 2).message, /^invalid --log-level: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"$/);
    assert.match(jsonError(store, 2).message, /^invalid --store: expected a SQLite file .*, got ""$/);
    assert.equal(jsonError(grpcPort, 2).message, 'invalid --grpc-port: expected a whole number from 0 to 65535, got "x"');
    assert.match(jsonError(queue, 2).message, /^invalid --queue: expected a Redis URL, redis:\/\/HOST:PORT, got ""$/);
    for (const r of [sampleRate, retention, maxRows, host, emptyHome, logLevel, store, queue]) {
      const { problems } = JSON.parse(r.stdout).error as { problems: { path: string }[] };
      assert.equal(problems.length, 1, 'one bad value, one problem, with the flag as its path');
      assert.match(problems[0]?.path ?? '', /^--/);
    }
  });
});

describe('option values and output files', () => {
  test('numberOption and wholeNumberOption refuse what Number() would misread', () => {
    assert.equal(numberOption('--x', '0.25', { min: 0, max: 1 }), 0.25);
    assert.equal(wholeNumberOption('--n', '12', { min: 1 }), 12);
    for (const [text, parse] of [['', numberOption], [' ', numberOption], ['abc', numberOption], ['1.5', wholeNumberOption], ['1e3', wholeNumberOption], ['-1', wholeNumberOption]] as const) {
      assert.throws(() => parse('--flag', text, { min: 0 }), (err: unknown) => isKilnError(err, 'INVALID_PARAMS') && err.exitCode === 2, JSON.stringify(text));
    }
  });

  test('checkOutputFile refuses a folder and a missing folder; outputFileError codes fs errors only', () => {
    const dir = tempHome('kiln-out-');
    try {
      assert.throws(() => checkOutputFile(dir), (err: unknown) => isKilnError(err, 'OUTPUT_UNWRITABLE'));
      assert.throws(() => checkOutputFile(join(dir, 'missing', 'r.html')), (err: unknown) => isKilnError(err, 'OUTPUT_UNWRITABLE'));
      checkOutputFile(join(dir, 'r.html'));
      const eacces = Object.assign(new Error('EACCES'), { code: 'EACCES' });
      assert.ok(isKilnError(outputFileError(eacces, '/x'), 'OUTPUT_UNWRITABLE'));
      const other = new Error('something else');
      assert.equal(outputFileError(other, '/x'), other);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a report says a sentence once, even when its summary repeats it behind a lead-in', () => {
    const sentence = '74% fewer errors than always answering "0".';
    const lines = reportSentences({ baseline: { sentence }, summary: [`On the held-out texts: ${sentence}`, 'Another sentence.'] });
    assert.deepEqual(lines, [sentence, 'Another sentence.']);
  });
});
