import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { registryApi } from '../../src/api/registry-api.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { runInput, versionInput } from '../store/store-conformance.js';

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

async function apiWith(store: Store): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(registryApi, { store, webhooks: false });
  return app;
}

function freshStore(): SqliteStore {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-api-'));
  tempDirs.push(dir);
  return SqliteStore.open(join(dir, 'kiln.db'));
}

/** A store with two runs and a model `titanic` with versions 1 and 2. */
async function seeded(): Promise<{ store: SqliteStore; app: FastifyInstance; runs: string[] }> {
  const store = freshStore();
  const a = await store.createRun(runInput({ params: { C: 1 }, tags: { team: 'risk' } }));
  await store.logMetrics(a.id, { 'test.roc_auc': 0.9 });
  await store.logMetricSeries(a.id, [{ key: 'loss', step: 0, value: 0.7 }, { key: 'loss', step: 1, value: 0.5 }]);
  const b = await store.createRun(runInput({ params: { C: 0.1 }, tags: { team: 'growth' } }));
  await store.logMetrics(b.id, { 'test.roc_auc': 0.7 });
  await store.createModelVersion(versionInput('titanic', { runId: a.id }));
  await store.createModelVersion(versionInput('titanic', { runId: b.id }));
  return { store, app: await apiWith(store), runs: [a.id, b.id] };
}

describe('registry API', () => {
  test('GET /api/runs filters with where and tag; a bad filter is a coded 400', async () => {
    const { store, app, runs } = await seeded();
    try {
      const where = await app.inject({ method: 'GET', url: '/api/runs', query: { where: 'metrics.test.roc_auc > 0.8' } });
      assert.equal(where.statusCode, 200);
      assert.deepEqual((where.json() as { runs: { id: string }[] }).runs.map((r) => r.id), [runs[0]]);
      const tagged = await app.inject({ method: 'GET', url: '/api/runs?tag=team=growth' });
      assert.deepEqual((tagged.json() as { runs: { id: string }[] }).runs.map((r) => r.id), [runs[1]]);
      const ordered = await app.inject({ method: 'GET', url: '/api/runs?order_by=metrics.test.roc_auc%20asc&limit=1' });
      assert.deepEqual((ordered.json() as { runs: { id: string }[] }).runs.map((r) => r.id), [runs[1]]);

      const bad = await app.inject({ method: 'GET', url: '/api/runs', query: { where: 'metrics.auc >> 1' } });
      assert.equal(bad.statusCode, 400);
      const body = bad.json() as { code: string; error: string; problems: unknown[] };
      assert.equal(body.code, 'INVALID_PARAMS');
      assert.match(body.error, /invalid run filter/);
      assert.equal(body.problems.length, 1);
      const unknownKey = await app.inject({ method: 'GET', url: '/api/runs?colour=red' });
      assert.equal(unknownKey.statusCode, 400);
    } finally {
      await app.close();
      await store.close();
    }
  });

  test('GET /api/runs/:id includes metric series; an unknown id is RUN_NOT_FOUND', async () => {
    const { store, app, runs } = await seeded();
    try {
      const res = await app.inject({ method: 'GET', url: `/api/runs/${runs[0]}` });
      assert.equal(res.statusCode, 200);
      const run = res.json() as { id: string; params: unknown; metric_series: Record<string, { step: number; value: number }[]> };
      assert.equal(run.id, runs[0]);
      assert.deepEqual(run.params, { C: 1 });
      assert.deepEqual(run.metric_series['loss']?.map((p) => [p.step, p.value]), [[0, 0.7], [1, 0.5]]);
      const missing = await app.inject({ method: 'GET', url: '/api/runs/nope' });
      assert.equal(missing.statusCode, 404);
      assert.equal((missing.json() as { code: string }).code, 'RUN_NOT_FOUND');
    } finally {
      await app.close();
      await store.close();
    }
  });

  test('models, versions and references: titanic, titanic:1, titanic@champion', async () => {
    const { store, app } = await seeded();
    try {
      const list = await app.inject({ method: 'GET', url: '/api/models' });
      assert.deepEqual((list.json() as { models: { name: string; latest_version: number }[] }).models.map((m) => [m.name, m.latest_version]), [['titanic', 2]]);
      const model = (await app.inject({ method: 'GET', url: '/api/models/titanic' })).json() as { versions: { version: number }[] };
      assert.deepEqual(model.versions.map((v) => v.version), [1, 2]);

      const put = await app.inject({ method: 'PUT', url: '/api/models/titanic/aliases/champion', payload: { version: 1 }, headers: { 'x-kiln-actor': 'alice' } });
      assert.equal(put.statusCode, 200);
      assert.deepEqual((put.json() as { aliases: string[] }).aliases, ['champion']);
      const byAlias = (await app.inject({ method: 'GET', url: '/api/models/titanic@champion' })).json() as { version: number };
      assert.equal(byAlias.version, 1);
      const byNumber = (await app.inject({ method: 'GET', url: '/api/models/titanic:2' })).json() as { version: number };
      assert.equal(byNumber.version, 2);
      const versionByAlias = (await app.inject({ method: 'GET', url: '/api/models/titanic/versions/champion' })).json() as { version: number };
      assert.equal(versionByAlias.version, 1);

      const archived = await app.inject({ method: 'POST', url: '/api/models/titanic/versions/2/archive' });
      assert.equal((archived.json() as { status: string }).status, 'archived');
      const latest = (await app.inject({ method: 'GET', url: '/api/models/titanic/versions/1' })).json() as { status: string };
      assert.equal(latest.status, 'ready');
      const back = await app.inject({ method: 'POST', url: '/api/models/titanic/versions/2/unarchive' });
      assert.equal((back.json() as { status: string }).status, 'ready');

      const patched = await app.inject({ method: 'PATCH', url: '/api/models/titanic', payload: { description: 'who survived', tags: { owner: 'risk' } } });
      assert.deepEqual([(patched.json() as { description: string }).description, (patched.json() as { tags: unknown }).tags], ['who survived', { owner: 'risk' }]);
      const vpatch = await app.inject({ method: 'PATCH', url: '/api/models/titanic/versions/1', payload: { tags: { reviewed: 'yes' } } });
      assert.deepEqual((vpatch.json() as { tags: unknown }).tags, { reviewed: 'yes' });

      const audit = (await app.inject({ method: 'GET', url: '/api/audit?entity=titanic&limit=10' })).json() as { entries: { action: string; actor: string }[] };
      assert.deepEqual(audit.entries.map((e) => e.action), [
        'version.updated',
        'model.updated',
        'version.unarchived',
        'version.archived',
        'alias.moved',
        'version.created',
        'version.created',
      ]);
      assert.equal(audit.entries[4]?.actor, 'alice');
      assert.equal(audit.entries[0]?.actor, 'api');
    } finally {
      await app.close();
      await store.close();
    }
  });

  test('DELETE /api/models/:name/aliases/:alias removes the alias (204, audited with the caller), also a stored `latest`', async () => {
    const { store, app } = await seeded();
    try {
      await store.setAlias('titanic', 'champion', 1);
      await store.setAlias('titanic', 'staging', 2);
      // an alias stored before `latest` was reserved (PUT refuses the name now)
      store.database.prepare("INSERT INTO model_aliases VALUES ('titanic', 'latest', 1)").run();
      const removed = await app.inject({ method: 'DELETE', url: '/api/models/titanic/aliases/staging', headers: { 'x-kiln-actor': 'alice' } });
      assert.equal(removed.statusCode, 204, removed.body);
      assert.equal(removed.body, '');
      const gone = await app.inject({ method: 'GET', url: '/api/models/titanic@staging' });
      assert.equal(gone.statusCode, 404);
      assert.deepEqual([(gone.json() as { code: string }).code, (gone.json() as { hint: string }).hint], ['ALIAS_NOT_FOUND', 'its aliases are: champion, latest']);
      const latest = await app.inject({ method: 'DELETE', url: '/api/models/titanic/aliases/latest' });
      assert.equal(latest.statusCode, 204, latest.body);
      const model = (await app.inject({ method: 'GET', url: '/api/models/titanic' })).json() as { aliases: Record<string, number>; latest_version: number };
      assert.deepEqual([model.aliases, model.latest_version], [{ champion: 1 }, 2]);
      const audit = (await app.inject({ method: 'GET', url: '/api/audit?entity=titanic@staging' })).json() as { entries: { action: string; actor: string; before: unknown; after: unknown }[] };
      assert.deepEqual(audit.entries[0], { ...audit.entries[0], action: 'alias.removed', actor: 'alice', before: { alias: 'staging', version: 2 }, after: null });
    } finally {
      await app.close();
      await store.close();
    }
  });

  test('DELETE of an alias: missing, malformed, or champion under a running experiment are coded refusals that remove nothing', async () => {
    const { store, app } = await seeded();
    try {
      await store.setAlias('titanic', 'champion', 1);
      const experiment = await store.createExperiment({ model: 'titanic', champion: 1, challenger: 2, mode: 'split', challengerShare: 0.1, outcome: 'binary' });
      const cases: [string, number, string, RegExp][] = [
        ['/api/models/titanic/aliases/nobody', 404, 'ALIAS_NOT_FOUND', /has no alias "nobody"/],
        ['/api/models/iris/aliases/champion', 404, 'MODEL_NOT_FOUND', /iris/],
        ['/api/models/titanic:1/aliases/champion', 400, 'INVALID_PARAMS', /model name in the path/],
        ['/api/models/titanic/aliases/1st', 400, 'INVALID_PARAMS', /alias in the path/],
        ['/api/models/titanic/aliases/champion', 409, 'ALIAS_IN_USE', new RegExp(`experiment ${experiment.id} is running on titanic`)],
      ];
      for (const [url, status, code, error] of cases) {
        const res = await app.inject({ method: 'DELETE', url });
        assert.equal(res.statusCode, status, `${url}: ${res.body}`);
        const body = res.json() as { code: string; error: string; hint?: string };
        assert.equal(body.code, code, url);
        assert.match(body.error, error, url);
      }
      const inUse = (await app.inject({ method: 'DELETE', url: '/api/models/titanic/aliases/champion' })).json() as { hint: string };
      assert.match(inUse.hint, new RegExp(`POST /api/experiments/${experiment.id}/stop`));
      assert.deepEqual((await store.getModel('titanic')).aliases, { champion: 1 }, 'nothing removed');
    } finally {
      await app.close();
      await store.close();
    }
  });

  test('registry errors keep their codes and statuses', async () => {
    const { store, app } = await seeded();
    try {
      const cases: [string, string, unknown, number, string][] = [
        ['GET', '/api/models/iris', undefined, 404, 'MODEL_NOT_FOUND'],
        ['GET', '/api/models/titanic:9', undefined, 404, 'VERSION_NOT_FOUND'],
        ['GET', '/api/models/titanic@prod', undefined, 404, 'ALIAS_NOT_FOUND'],
        ['GET', '/api/models/titanic:0', undefined, 400, 'INVALID_MODEL_REF'],
        ['PUT', '/api/models/titanic/aliases/champion', { version: 'one' }, 400, 'INVALID_PARAMS'],
        ['PUT', '/api/models/titanic/aliases/champion', { version: 1, extra: true }, 400, 'INVALID_PARAMS'],
        ['PUT', '/api/models/titanic/aliases/1st', { version: 1 }, 400, 'INVALID_PARAMS'],
        // reserved: it would contradict latest_version / read as a version (the hint says what to name it)
        ['PUT', '/api/models/titanic/aliases/latest', { version: 1 }, 400, 'ALIAS_RESERVED'],
        ['PUT', '/api/models/titanic/aliases/v2', { version: 1 }, 400, 'ALIAS_RESERVED'],
        ['POST', '/api/models/titanic/versions/7/archive', undefined, 404, 'VERSION_NOT_FOUND'],
        ['POST', '/api/webhooks', { url: 'file:///etc/passwd' }, 400, 'INVALID_PARAMS'],
        ['POST', '/api/webhooks', { url: 'http://127.0.0.1:9/', events: ['nope'] }, 400, 'INVALID_PARAMS'],
        ['DELETE', '/api/webhooks/unknown', undefined, 404, 'WEBHOOK_NOT_FOUND'],
        ['GET', '/api/datasets/none@0', undefined, 404, 'DATASET_VERSION_NOT_FOUND'],
      ];
      for (const [method, url, payload, status, code] of cases) {
        const res = await app.inject({ method: method as 'GET', url, ...(payload === undefined ? {} : { payload: payload as object }) });
        assert.equal(res.statusCode, status, `${method} ${url}: ${res.body}`);
        const body = res.json() as { code: string; error: string };
        assert.equal(body.code, code, `${method} ${url}`);
        assert.equal(typeof body.error, 'string');
      }
    } finally {
      await app.close();
      await store.close();
    }
  });

  test('webhooks CRUD, with deliveries recorded for registry changes', async () => {
    const { store, app } = await seeded();
    try {
      const created = await app.inject({ method: 'POST', url: '/api/webhooks', payload: { url: 'http://127.0.0.1:9/hook', events: ['alias.moved'], secret: 'k' } });
      assert.equal(created.statusCode, 201);
      const hook = created.json() as { id: string; signed: boolean; secret?: string };
      assert.equal(hook.signed, true);
      assert.equal(hook.secret, undefined, 'the secret is never shown');
      await app.inject({ method: 'PUT', url: '/api/models/titanic/aliases/champion', payload: { version: 2 } });
      const one = (await app.inject({ method: 'GET', url: `/api/webhooks/${hook.id}` })).json() as { deliveries: { event: string; status: string }[] };
      assert.deepEqual(one.deliveries.map((d) => [d.event, d.status]), [['alias.moved', 'pending']]);
      const pending = (await app.inject({ method: 'GET', url: `/api/webhooks/${hook.id}/deliveries?status=pending` })).json() as { deliveries: unknown[] };
      assert.equal(pending.deliveries.length, 1);
      const listed = (await app.inject({ method: 'GET', url: '/api/webhooks' })).json() as { webhooks: { id: string }[] };
      assert.deepEqual(listed.webhooks.map((w) => w.id), [hook.id]);
      const deleted = await app.inject({ method: 'DELETE', url: `/api/webhooks/${hook.id}` });
      assert.equal(deleted.statusCode, 204);
      assert.deepEqual(((await app.inject({ method: 'GET', url: '/api/webhooks' })).json() as { webhooks: unknown[] }).webhooks, []);
    } finally {
      await app.close();
      await store.close();
    }
  });

  test('the plugin runs the webhook dispatcher while the server is up', async () => {
    const store = freshStore();
    const received: string[] = [];
    const receiver = Fastify();
    receiver.post('/hook', async (request) => {
      received.push((request.body as { event: string }).event);
      return { ok: true };
    });
    const url = await receiver.listen({ host: '127.0.0.1', port: 0 });
    const app = Fastify();
    await app.register(registryApi, { store, webhooks: { pollMs: 10 } });
    try {
      await store.createWebhook({ url: `${url}/hook` });
      await app.ready();
      await store.createModelVersion(versionInput('titanic'));
      // the receiver sees the request before the dispatcher records the answer: wait for both
      const deadline = Date.now() + 10_000;
      let status: string | undefined;
      while (Date.now() < deadline) {
        status = (await store.listDeliveries())[0]?.status;
        if (received.length > 0 && status === 'delivered') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.deepEqual(received, ['version.created']);
      assert.equal(status, 'delivered');
    } finally {
      await app.close();
      await receiver.close();
      await store.close();
    }
  });
});
