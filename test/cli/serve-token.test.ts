/**
 * `kiln serve` and its access token, as a user starts it: KILN_API_TOKEN or --api-token-file, a token made
 * (and printed with the app's link) when it listens beyond loopback without one, --open-inference, and a
 * token that is too short or unreadable refused before anything starts.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { openHome } from '../../src/store/open-store.js';
import { registerFixture } from '../serve/fixture-module.js';
import { kiln, spawnKiln, tempHome } from '../helpers/kiln-cli.js';

const TOKEN = 'a-token-of-24-characters';

/** Starts `kiln serve … --json` and resolves with its one JSON document once it listens. */
async function serving(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; doc: Record<string, string> }> {
  const child = spawnKiln([...args, '--json', '--port', '0', '--no-grpc'], env);
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const doc = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not serving within 180 s; stderr: ${stderr}`)), 180_000);
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      try {
        const parsed = JSON.parse(stdout) as Record<string, string>;
        clearTimeout(timer);
        resolve(parsed);
      } catch {
        // not the whole document yet
      }
    });
    child.on('exit', (code) => reject(new Error(`kiln exited with ${code}: ${stderr}`)));
  });
  return { child, doc };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('kiln serve with an access token', () => {
  let home: string;

  before(async () => {
    home = tempHome();
    const opened = await openHome(home);
    await registerFixture(opened, { name: 'titanic' });
    await opened.store.close();
  });

  test('KILN_API_TOKEN: the API needs it, health does not', { timeout: 240_000 }, async () => {
    const { child, doc } = await serving(['--home', home, 'serve'], { KILN_API_TOKEN: TOKEN });
    try {
      assert.equal(doc['token'], undefined, 'a token given is not printed');
      assert.equal((await fetch(`${doc['url']}/v2/health/ready`)).status, 200);
      assert.equal((await fetch(`${doc['url']}/api/models`)).status, 401);
      assert.equal((await fetch(`${doc['url']}/api/models`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    } finally {
      await stop(child);
    }
  });

  test('beyond loopback without a token: one is made, printed with the app\'s link, and required', { timeout: 240_000 }, async () => {
    const { child, doc } = await serving(['--home', home, 'serve', '--host', '0.0.0.0']);
    try {
      const made = doc['token'] ?? '';
      assert.match(made, /^[A-Za-z0-9_-]{32}$/);
      assert.equal(doc['app'], `${doc['url']}/?token=${made}`);
      const port = new URL(doc['url'] ?? '').port;
      assert.equal((await fetch(`http://127.0.0.1:${port}/api/models`)).status, 401);
      assert.equal((await fetch(`http://127.0.0.1:${port}/api/models`, { headers: { authorization: `Bearer ${made}` } })).status, 200);
    } finally {
      await stop(child);
    }
  });

  test('--api-token-file with --open-inference: predictions open, the registry not', { timeout: 240_000 }, async () => {
    const file = join(home, 'token.txt');
    writeFileSync(file, `${TOKEN}\n`);
    const { child, doc } = await serving(['--home', home, 'serve', '--api-token-file', file, '--open-inference']);
    try {
      const predict = await fetch(`${doc['url']}/v1/models/titanic:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [{ Age: 30, Sex: 'male' }] }) });
      assert.equal(predict.status, 200);
      assert.equal((await fetch(`${doc['url']}/api/models`)).status, 401);
    } finally {
      await stop(child);
    }
  });

  test('a token too short, or a file that cannot be read, is refused before anything starts', { timeout: 120_000 }, async () => {
    const short = await kiln(['--home', home, 'serve', '--port', '0', '--no-grpc'], { KILN_API_TOKEN: 'abc' });
    assert.equal(short.code, 2, short.stderr);
    assert.match(short.stderr, /KILN_API_TOKEN.*at least 16 printable characters/);
    const missing = await kiln(['--home', home, 'serve', '--port', '0', '--no-grpc', '--api-token-file', join(home, 'nope.txt')]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /--api-token-file.*nope\.txt cannot be read \(ENOENT\)/);
  });

  after(() => rmSync(home, { recursive: true, force: true }));
});
