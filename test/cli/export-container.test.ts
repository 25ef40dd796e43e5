/**
 * `kiln export --format container`: a Docker build context — the module as a Triton-layout repository
 * under models/ (manifest beside the graph), a Dockerfile FROM Kiln's server image and a README. Docker
 * cannot build here (no daemon, no registry), so what is tested is what the image runs: the Dockerfile's
 * own CMD, run with the CLI on loopback and free ports, answers the module's rows as the registry does.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openHome } from '../../src/store/open-store.js';
import { registerFixture } from '../serve/fixture-module.js';
import { kiln, spawnKiln, tempHome } from '../helpers/kiln-cli.js';

let home: string;
let out: string;

before(async () => {
  home = tempHome();
  out = join(tempHome('kiln-container-'), 'titanic-image');
  const opened = await openHome(home);
  await registerFixture(opened, { name: 'titanic', classes: ['died', 'survived'] });
  await opened.store.close();
});
after(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(join(out, '..'), { recursive: true, force: true });
});

test('the build context, and the command its image runs answering rows as the registry does', { timeout: 240_000 }, async () => {
  const exported = await kiln(['--home', home, 'export', 'titanic', '--format', 'container', '--out', out, '--json']);
  assert.equal(exported.code, 0, exported.stderr);
  const files = (JSON.parse(exported.stdout) as { files: string[] }).files.map((f) => f.slice(out.length + 1)).sort();
  assert.deepEqual(files, ['Dockerfile', 'README.md', 'models/titanic/1/manifest.json', 'models/titanic/1/model.onnx', 'models/titanic/config.pbtxt', 'models/titanic/labels.txt']);

  const dockerfile = readFileSync(join(out, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^ARG KILN_IMAGE=kiln:\d+\.\d+\.\d+$/m);
  assert.match(dockerfile, /^FROM \$\{KILN_IMAGE\}$/m);
  assert.match(dockerfile, /^COPY --chown=node:node models \/models$/m);
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
  const command = JSON.parse(cmd ?? '[]') as string[];
  assert.deepEqual(command.slice(0, 3), ['serve', '--model-repository', '/models']);
  assert.ok(command.includes('--open-inference'));
  assert.ok(existsSync(join(import.meta.dirname, '..', '..', 'Dockerfile')), "Kiln's own image is built by the Dockerfile at the repository's root");
  assert.match(readFileSync(join(out, 'README.md'), 'utf8'), /docker build -t titanic:1 \./);

  // the image's command, with the folder where the image has /models, on loopback and free ports
  const local = command.map((arg) => (arg === '/models' ? join(out, 'models') : arg));
  local.splice(local.indexOf('--host'), 2, '--host', '127.0.0.1');
  local.splice(local.indexOf('--port'), 2, '--port', '0');
  local.splice(local.indexOf('--grpc-port'), 2, '--grpc-port', '0');
  const child = spawnKiln(['--home', join(out, '..', 'container-home'), ...local, '--json']);
  try {
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not serving within 180 s: ${stderr}`)), 180_000);
      child.stdout?.on('data', (d: Buffer) => {
        stdout += d.toString();
        try {
          resolve((JSON.parse(stdout) as { url: string }).url);
          clearTimeout(timer);
        } catch {
          // more to come
        }
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const answer = await fetch(`${url}/v1/models/titanic:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [{ Age: 30, Sex: 'female' }, { Sex: 'male' }] }) });
    assert.equal(answer.status, 200, await answer.clone().text());
    const predictions = ((await answer.json()) as { predictions: { label: string; probabilities: Record<string, number> }[] }).predictions;
    assert.equal(predictions.length, 2);
    assert.deepEqual(Object.keys(predictions[0]?.probabilities ?? {}), ['died', 'survived'], "the module's class labels");
  } finally {
    child.kill('SIGTERM');
  }
});
