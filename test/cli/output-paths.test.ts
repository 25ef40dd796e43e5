/**
 * Output paths that cannot be written fail fast with OUTPUT_UNWRITABLE (exit 1) on every verb that writes
 * one. /proc is the hard case: it answers ENOENT to a new file or folder in a folder that exists, which
 * sent Node's recursive mkdir into an endless loop (`kiln export --out /proc/x` never returned) and passed
 * the up-front check of --html/--out (so `kiln curves` did all its work before failing).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENTRY, kiln, tempHome, type CliResult } from '../helpers/kiln-cli.js';
import { checkOutputFile, outputFileError } from '../../src/cli/output-file.js';
import { isKilnError } from '../../src/core/errors.js';
import { makeFolder, makeFolderSync } from '../../src/store/make-folder.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
const TITANIC = join(EXAMPLES, 'titanic', 'titanic.csv');
const NO_PROC = existsSync('/proc/self') ? false : 'needs Linux /proc';

/**
 * Like kiln(), but a child still running after `ms` is killed (SIGKILL: a synchronous mkdir loop never
 * lets a JavaScript signal handler run) and reported as exit -1, so a hang fails the test instead of
 * hanging the suite.
 */
function kilnOrKill(args: readonly string[], ms = 90_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
      env: { ...process.env, KILN_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: ms,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The error of a --json run: exactly one JSON document on stdout, no stack trace anywhere. */
function jsonError(r: CliResult, exit: number): { code: string; message: string; hint?: string } {
  assert.equal(r.code, exit, `exit ${r.code} (-1: killed, it did not return): ${r.stdout}${r.stderr}`);
  assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at .+:\d+:\d+/, 'a stack trace reached the user');
  return (JSON.parse(r.stdout) as { error: { code: string; message: string; hint?: string } }).error;
}

describe('every verb that writes a file or folder refuses an unwritable path at once', { skip: NO_PROC }, () => {
  const home = tempHome('kiln-output-paths-');

  before(async () => {
    const trained = await kiln(['train', join(EXAMPLES, 'titanic', 'kiln.yaml'), '--json', '--home', home]);
    assert.equal(trained.code, 0, trained.stderr);
  });

  after(() => rmSync(home, { recursive: true, force: true }));

  test('kiln export --out /proc/x (onnx and triton) is OUTPUT_UNWRITABLE with a hint about folders; it used to spin forever', async () => {
    const [onnx, triton, human] = await Promise.all([
      kilnOrKill(['export', 'titanic', '--format', 'onnx', '--out', '/proc/x', '--json', '--home', home]),
      kilnOrKill(['export', 'titanic', '--format', 'triton', '--out', '/proc/x/repo', '--json', '--home', home]),
      kilnOrKill(['export', 'titanic', '--format', 'onnx', '--out', '/proc/x', '--home', home]),
    ]);
    for (const r of [onnx, triton]) {
      const error = jsonError(r, 1);
      assert.equal(error.code, 'OUTPUT_UNWRITABLE');
      assert.match(error.message, /^cannot write \/proc\/x: the file system there does not let anything be created$/);
      assert.match(error.hint ?? '', /give a folder you may write to/, 'export --out names a folder, not a file');
    }
    assert.equal(human.code, 1);
    assert.equal(human.stdout, '');
    assert.match(human.stderr, /^error \[OUTPUT_UNWRITABLE\]: cannot write \/proc\/x: /);
  });

  test('--html and --out under /proc are refused before the work: report, inspect, monitor, predict, curves', async () => {
    const results = await Promise.all([
      kilnOrKill(['report', 'titanic', '--html', '/proc/r.html', '--json', '--home', home]),
      kilnOrKill(['inspect', TITANIC, '--html', '/proc/i.html', '--json', '--home', home]),
      // monitor checks the path before it looks for logged predictions (there are none in this home)
      kilnOrKill(['monitor', 'titanic', '--html', '/proc/m.html', '--json', '--home', home]),
      kilnOrKill(['predict', 'titanic', TITANIC, '--out', '/proc/p.csv', '--json', '--home', home]),
      // the curves' cross-validated refits would have run to the end before the write failed
      kilnOrKill(['curves', '--model', 'titanic', '--html', '/proc/c.html', '--json', '--home', home]),
    ]);
    for (const r of results) {
      const error = jsonError(r, 1);
      assert.equal(error.code, 'OUTPUT_UNWRITABLE', JSON.stringify(error));
      assert.match(error.message, /^cannot write \/proc\/.\.(html|csv): the file system there does not let anything be created$/);
      assert.match(error.hint ?? '', /give a file path/);
    }
  });

  test('a home, a store or an artifacts folder under /proc is STORE_UNAVAILABLE, not a hang', async () => {
    const [homeUnderProc, store, artifacts] = await Promise.all([
      kilnOrKill(['models', '--json', '--home', '/proc/kiln-home']),
      kilnOrKill(['models', '--json', '--home', home, '--store', '/proc/kiln-store/kiln.db']),
      kilnOrKill(['models', '--json', '--home', home, '--artifacts', '/proc/kiln-artifacts']),
    ]);
    for (const r of [homeUnderProc, store, artifacts]) assert.equal(jsonError(r, 3).code, 'STORE_UNAVAILABLE');
  });
});

describe('makeFolder: mkdir -p that always returns', () => {
  const dir = tempHome('kiln-make-folder-');
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('creates missing parents, accepts a folder that exists, refuses a file in the way', async () => {
    await makeFolder(join(dir, 'a', 'b', 'c'));
    assert.ok(statSync(join(dir, 'a', 'b', 'c')).isDirectory());
    await makeFolder(join(dir, 'a', 'b'));
    makeFolderSync(join(dir, 's', 't'));
    makeFolderSync(join(dir, 's'));
    assert.ok(statSync(join(dir, 's', 't')).isDirectory());
    writeFileSync(join(dir, 'file'), '');
    await assert.rejects(makeFolder(join(dir, 'file')), { code: 'EEXIST' });
    await assert.rejects(makeFolder(join(dir, 'file', 'sub')), { code: 'ENOTDIR' });
    assert.throws(() => makeFolderSync(join(dir, 'file', 'sub')), { code: 'ENOTDIR' });
  });

  test('under /proc it throws ENOENT instead of looping', { skip: NO_PROC }, async () => {
    await assert.rejects(makeFolder('/proc/kiln-x/y'), { code: 'ENOENT' });
    assert.throws(() => makeFolderSync('/proc/kiln-x'), { code: 'ENOENT' });
  });
});

describe('checkOutputFile tries the path, so what a stat cannot see is refused too', () => {
  const dir = tempHome('kiln-check-output-');
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a writable new file passes and is not left behind; an existing file is kept as it was', () => {
    checkOutputFile(join(dir, 'new.html'));
    assert.deepEqual(readdirSync(dir), [], 'the test file was removed');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'old.csv'), 'kept');
    checkOutputFile(join(dir, 'sub', 'old.csv'));
    assert.equal(statSync(join(dir, 'sub', 'old.csv')).size, 4);
  });

  test('a file under /proc is OUTPUT_UNWRITABLE saying the file system refuses it, not that its folder is missing', { skip: NO_PROC }, () => {
    assert.throws(
      () => checkOutputFile('/proc/kiln-report.html'),
      (err: unknown) => isKilnError(err, 'OUTPUT_UNWRITABLE') && /does not let anything be created/.test(err.message),
    );
    const enoent = Object.assign(new Error('ENOENT'), { code: 'ENOENT', path: join(dir, 'missing', 'x.csv') });
    const missingFolder = outputFileError(enoent, join(dir, 'missing', 'x.csv'));
    assert.ok(isKilnError(missingFolder, 'OUTPUT_UNWRITABLE') && /its folder does not exist/.test(missingFolder.message));
  });
});
