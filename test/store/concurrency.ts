/**
 * Tests across processes, shared by the SQLite and PostgreSQL store tests: two processes registering at
 * once, and a process killed in the middle of a registration.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalArtifactStore } from '../../src/store/local-artifact-store.js';
import { openStore } from '../../src/store/open-store.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');

// At 10 per process the race window is small: a regression to a read-before-lock transaction is caught
// only now and then. Raise this (100 catches it most runs, in about a second) when touching numbering.
const VERSIONS_PER_PROCESS = 10;

interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout holds `line`; rejects when the child exits first. */
  waitFor(line: string): Promise<void>;
  readonly exited: Promise<number | null>;
}

function startChild(fixture: string, args: readonly string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', fixture), ...args], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor: (line) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (stdout.includes(`${line}\n`)) resolve();
        };
        child.stdout.on('data', check);
        check();
        void exited.then((code) => reject(new Error(`child exited (${code}) before "${line}": ${stderr}`)));
      }),
  };
}

/** Two child processes register versions of one model at the same moment; all numbers must be distinct. */
export async function registerConcurrently(url: string): Promise<void> {
  const children = [0, 1].map(() => startChild('register-versions.ts', [url, 'titanic', String(VERSIONS_PER_PROCESS)]));
  // Both have opened the (fresh) store; release them together so that their writes contend.
  await Promise.all(children.map((c) => c.waitFor('ready')));
  for (const child of children) child.process.stdin.end('go\n');
  const codes = await Promise.all(children.map((c) => c.exited));

  const got = children.map((child, i) => {
    assert.equal(codes[i], 0, child.stderr());
    return JSON.parse(child.stdout().trim().split('\n').at(-1) ?? '') as number[];
  });
  for (const versions of got) assert.equal(versions.length, VERSIONS_PER_PROCESS);
  const all = got.flat().sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 2 * VERSIONS_PER_PROCESS }, (_, i) => i + 1));

  const store = await openStore(url);
  try {
    const listed = await store.listVersions('titanic');
    assert.deepEqual(listed.map((v) => v.version), all);
    assert.equal(new Set(listed.map((v) => v.description.split(' #')[0])).size, 2, 'both processes registered');
  } finally {
    await store.close();
  }
}

/**
 * A child writes a model's artifact, pauses inside the registration transaction and is SIGKILLed there.
 * Afterwards no trace of the version is visible (no model, no version, no audit entry) and the store works
 * normally: the next registration is version 1 and succeeds at once.
 */
export async function killMidRegistration(url: string, artifactsDir: string): Promise<void> {
  const child = startChild('register-and-pause.ts', [url, artifactsDir, 'titanic']);
  await child.waitFor('paused');
  child.process.kill('SIGKILL');
  assert.equal(await child.exited, null, 'the child was killed, it did not exit on its own');
  assert.doesNotMatch(child.stdout(), /registered/);
  const digest = /artifact ([0-9a-f]{64})/.exec(child.stdout())?.[1];
  assert.ok(digest !== undefined, child.stdout());

  const store = await openStore(url);
  try {
    assert.deepEqual(await store.listModels(), [], 'no half-registered model is visible');
    assert.deepEqual(await store.listAudit(), [], 'nothing was recorded as changed');
    // The artifact was written whole before the registration (content-addressed, atomic), so it is a
    // harmless orphan that a later registration of the same bytes reuses.
    assert.equal(await new LocalArtifactStore(artifactsDir).has(digest), true);
    const version = await store.createModelVersion({ model: 'titanic', runId: null, artifacts: { 'model.onnx': digest }, signature: null, metrics: {} });
    assert.equal(version.version, 1);
    assert.deepEqual((await store.listVersions('titanic')).map((v) => v.version), [1]);
  } finally {
    await store.close();
  }
}
