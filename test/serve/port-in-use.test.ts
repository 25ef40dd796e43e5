/**
 * `kiln serve` on a port another program holds: a coded ADDRESS_IN_USE that names the port and the flag
 * to change (it was INTERNAL, "a bug in Kiln"), and the process exits (it used to stay up, its models'
 * worker threads running, serving nothing). The same for the gRPC port, where grpc-js's own raw stderr
 * line ("E No address added …") is now a JSON log line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { kiln } from '../helpers/kiln-cli.js';
import { registerFixture, tempHome } from './fixture-module.js';

async function occupiedPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

test('serve on a taken port: ADDRESS_IN_USE with the flag to change, and the process ends', { timeout: 180_000 }, async () => {
  const home = await tempHome();
  const taken = await occupiedPort();
  try {
    await registerFixture(home, { name: 'titanic' });

    const http = await kiln(['--home', home.home, 'serve', '--port', String(taken.port), '--no-grpc']);
    assert.equal(http.code, 1, http.stderr);
    assert.match(http.stderr, /\[ADDRESS_IN_USE\]: the HTTP server cannot listen on 127\.0\.0\.1:\d+: another program/);
    assert.match(http.stderr, /--port 0 picks a free one/);
    assert.doesNotMatch(http.stderr, /INTERNAL|bug in Kiln|at .*\.ts:\d+/);

    const grpc = await kiln(['--home', home.home, 'serve', '--port', '0', '--grpc-port', String(taken.port), '--json']);
    assert.equal(grpc.code, 1, grpc.stderr);
    const answer = JSON.parse(grpc.stdout) as { error: { code: string; message: string; hint: string } };
    assert.equal(answer.error.code, 'ADDRESS_IN_USE');
    assert.match(answer.error.message, new RegExp(`gRPC server cannot listen on 127\\.0\\.0\\.1:${taken.port}`));
    assert.match(answer.error.hint, /--grpc-port N .* or --no-grpc/);
    // every stderr line is a JSON log line or Kiln's own words: nothing raw from grpc-js
    for (const line of grpc.stderr.split('\n').filter((l) => l.trim() !== '')) {
      assert.ok(line.startsWith('{'), `raw stderr line: ${line}`);
    }
  } finally {
    taken.server.close();
    await home.remove();
  }
});
