/**
 * A removed alias stops being served. The model repository remembers what `NAME@alias` resolved to for
 * `resolveCacheMs` (another process may move or remove an alias at any time, and the server learns it
 * from the store alone), so after DELETE /api/models/NAME/aliases/ALIAS the alias answers 404
 * ALIAS_NOT_FOUND on every protocol once that time has passed — as a moved alias follows its move —
 * while the version it named keeps answering by number.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHarness, titanicRequest, type Harness } from './harness.js';

const RESOLVE_CACHE_MS = 100;
let h: Harness;
before(async () => {
  h = await startHarness({ resolveCacheMs: RESOLVE_CACHE_MS });
});
after(() => h.close());

const infer = (url: string) => h.app.inject({ method: 'POST', url, payload: titanicRequest() });

test('NAME@alias answers 404 ALIAS_NOT_FOUND after the alias is removed; the version still answers by number', async () => {
  // served through the alias first, so that a resolution is cached when the alias goes
  assert.equal((await infer('/v2/models/titanic@champion/infer')).statusCode, 200);
  assert.equal((await infer('/v2/models/titanic/versions/champion/infer')).statusCode, 200);

  const removed = await h.app.inject({ method: 'DELETE', url: '/api/models/titanic/aliases/champion' });
  assert.equal(removed.statusCode, 204, removed.body);
  await sleep(RESOLVE_CACHE_MS + 50);

  for (const url of ['/v2/models/titanic@champion/infer', '/v2/models/titanic/versions/champion/infer']) {
    const res = await infer(url);
    assert.equal(res.statusCode, 404, `${url}: ${res.body}`);
    const body = res.json() as { code: string; error: string; hint: string };
    assert.equal(body.code, 'ALIAS_NOT_FOUND', url);
    assert.match(body.error, /model "titanic" has no alias "champion"/);
    assert.match(body.hint, /it has no aliases; set one with `kiln models alias/);
  }
  const v1 = await h.app.inject({ method: 'POST', url: '/v1/models/titanic@champion:predict', payload: { instances: [{ Age: 22, Sex: 'male' }] } });
  assert.equal(v1.statusCode, 404, v1.body);
  assert.equal((v1.json() as { code: string }).code, 'ALIAS_NOT_FOUND');
  const metadata = await h.app.inject({ method: 'GET', url: '/v2/models/titanic/versions/champion' });
  assert.equal(metadata.statusCode, 404);

  assert.equal((await infer('/v2/models/titanic/versions/1/infer')).statusCode, 200, 'the version itself is untouched');
});
