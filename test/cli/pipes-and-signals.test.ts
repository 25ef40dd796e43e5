/**
 * What the CLI does around its output rather than in it: a reader that stops early (`| head -1`) is no
 * error and prints no stack trace; Ctrl-C during any verb ends it with the CANCELLED error and exit 130
 * (with --json, as the one JSON document on stdout); Ctrl-C while `kiln train` or `kiln demo` fits one
 * learner marks the run failed and says "training was cancelled".
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENTRY, kiln, spawnKiln, tempHome } from '../helpers/kiln-cli.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
const TITANIC = join(EXAMPLES, 'titanic', 'titanic.csv');
const noStackTrace = (text: string) => assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/, 'a stack trace reached the user');

/** Exit code (or the signal that killed it) and stderr of a child, once it is over. */
function ended(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** Resolves when the child's stderr matches `pattern` (its work is under way). */
function stderrMatches(child: ChildProcess, pattern: RegExp): Promise<void> {
  let text = '';
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      text += d.toString();
      if (pattern.test(text)) resolve();
    });
    child.on('close', () => reject(new Error(`it ended before printing ${pattern}:\n${text}`)));
  });
}

describe('kiln and the pipe it writes to', () => {
  const home = tempHome('kiln-pipes-');
  const big = join(home, 'passengers.csv');

  before(async () => {
    const trained = await kiln(['train', join(EXAMPLES, 'titanic', 'kiln.yaml'), '--json', '--home', home]);
    assert.equal(trained.code, 0, trained.stderr);
    // ~450 KB of predictions: several times what a pipe holds, so the writes go on after the reader left
    const [header, ...rows] = readFileSync(TITANIC, 'utf8').trimEnd().split('\n');
    writeFileSync(big, [header, ...Array.from({ length: 5 }, () => rows).flat()].join('\n') + '\n');
  });

  after(() => rmSync(home, { recursive: true, force: true }));

  for (const json of [false, true]) {
    test(`kiln predict${json ? ' --json' : ''} | head -1: the reader leaving is no error (it was an EPIPE stack trace)`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'predict', 'titanic', big, ...(json ? ['--json'] : []), '--home', home], {
        env: { ...process.env, KILN_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // like `head -1`: read the first chunk, then close the pipe
      let first = '';
      child.stdout.once('data', (d: Buffer) => {
        first = d.toString();
        child.stdout.destroy();
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      assert.ok(first.length > 0, 'the reader got its first line');
      assert.equal(code, 0, stderr);
      assert.doesNotMatch(stderr, /EPIPE|Unhandled 'error' event/);
      noStackTrace(stderr);
    });
  }
});

describe('Ctrl-C', () => {
  const home = tempHome('kiln-ctrl-c-');
  after(() => rmSync(home, { recursive: true, force: true }));

  test('while kiln train fits one learner: exit 130, "training was cancelled", the run failed', async () => {
    const child = spawnKiln(['train', '--data', TITANIC, '--target', 'Survived', '--drop', 'PassengerId,Name,Ticket,Cabin', '--learner', 'random-forest', '--param', 'nEstimators=400', '--home', home]);
    const result = ended(child);
    await stderrMatches(child, /training random-forest/);
    child.kill('SIGINT');
    const { code, stderr } = await result;
    assert.equal(code, 130, stderr);
    assert.match(stderr, /error \[CANCELLED\]: training was cancelled/, 'in the words of the verb, not "the task was cancelled"');
    noStackTrace(stderr);
    const runs = JSON.parse((await kiln(['runs', 'list', '--json', '--home', home])).stdout) as { runs: { status: string }[] };
    assert.deepEqual(runs.runs.map((r) => r.status), ['failed']);
  });

  test('while kiln demo trains: the run is marked failed, not left "running" forever', async () => {
    const demoHome = tempHome('kiln-ctrl-c-demo-');
    try {
      const child = spawnKiln(['demo', '--port', '0', '--home', demoHome]);
      const result = ended(child);
      await stderrMatches(child, /training logistic-regression/);
      child.kill('SIGINT');
      const { code, stderr } = await result;
      assert.equal(code, 130, stderr);
      assert.match(stderr, /error \[CANCELLED\]: training was cancelled/);
      noStackTrace(stderr);
      const runs = JSON.parse((await kiln(['runs', 'list', '--json', '--home', demoHome])).stdout) as { runs: { status: string }[] };
      assert.deepEqual(runs.runs.map((r) => r.status), ['failed']);
    } finally {
      rmSync(demoHome, { recursive: true, force: true });
    }
  });

  test('during a verb with nothing to unwind: the CANCELLED error (with --json the one document), exit 130', async () => {
    // the handler main() sets before every verb, in a process that waits as a verb reading its data does
    const script = join(home, 'wait.mts');
    writeFileSync(
      script,
      [
        `import { reportInterrupts } from ${JSON.stringify(join(import.meta.dirname, '..', '..', 'src', 'cli', 'interrupt.ts'))};`,
        `reportInterrupts('kiln predict', process.argv.includes('--json'));`,
        `process.stderr.write('waiting\\n');`,
        `setInterval(() => {}, 1000);`,
      ].join('\n'),
    );
    for (const json of [true, false]) {
      const child = spawn(process.execPath, ['--import', 'tsx', script, ...(json ? ['--json'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
      const result = ended(child);
      await stderrMatches(child, /waiting/);
      child.kill('SIGINT');
      const { code, signal, stdout, stderr } = await result;
      assert.equal(signal, null, 'it exits, rather than being killed by the signal');
      assert.equal(code, 130, stderr);
      if (json) assert.deepEqual(JSON.parse(stdout), { error: { code: 'CANCELLED', message: 'kiln predict was cancelled' } });
      else assert.match(stderr, /error \[CANCELLED\]: kiln predict was cancelled/);
    }
  });

  test('a verb with its own handler keeps the signal to itself', async () => {
    const script = join(home, 'own-handler.mts');
    writeFileSync(
      script,
      [
        `import { reportInterrupts } from ${JSON.stringify(join(import.meta.dirname, '..', '..', 'src', 'cli', 'interrupt.ts'))};`,
        `reportInterrupts('kiln serve', true);`,
        `process.on('SIGINT', () => { process.stderr.write('own handler\\n'); process.exit(0); });`,
        `process.stderr.write('waiting\\n');`,
        `setInterval(() => {}, 1000);`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const result = ended(child);
    await stderrMatches(child, /waiting/);
    child.kill('SIGINT');
    const { code, stdout, stderr } = await result;
    assert.equal(code, 0, stderr);
    assert.equal(stdout, '', 'no CANCELLED document besides what the verb prints');
    assert.match(stderr, /own handler/);
  });
});
