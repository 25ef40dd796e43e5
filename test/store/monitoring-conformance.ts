/**
 * The part of the store conformance suite about monitoring and A/B testing: the prediction log's routing
 * fields and time filters, retention, feedback, alert rules and events, experiments. Called from
 * `storeConformance` (store-conformance.ts) inside its describe, so every store implementation runs it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExperimentInput, Store } from '../../src/store/store.js';
import { timeOrderedId } from '../../src/core/time-ordered-id.js';
import { assertKilnError, prediction, versionInput } from './store-conformance.js';

function experimentInput(overrides: Partial<ExperimentInput> = {}): ExperimentInput {
  return { model: 'titanic', champion: 1, challenger: 2, mode: 'split', challengerShare: 0.1, outcome: 'binary', ...overrides };
}

/** `store()` returns the fresh store of the running test. */
export function monitoringConformance(store: () => Store): void {
  describe('prediction log: routing, errors and time windows', () => {
    test('experiment, arm, shadow and error round-trip; absent ones stay absent', async () => {
      const routed = prediction(1, { experiment: 'exp-1', arm: 'challenger', shadow: true });
      const failed = prediction(2, { error: 'INFERENCE_FAILED', outputs: null, experiment: 'exp-1', arm: 'champion' });
      const plain = prediction(3);
      await store().logPredictions([routed, failed, plain]);
      const listed = await store().listPredictions();
      assert.deepEqual(listed, [plain, failed, routed]);
      for (const key of ['experiment', 'arm', 'shadow', 'error']) assert.ok(!(key in (listed[0] ?? {})), `${key} stays absent`);
    });

    test('since (inclusive), until (exclusive), experiment and shadow filter lists and counts', async () => {
      const records = Array.from({ length: 10 }, (_, i) =>
        prediction(i, i < 4 ? { experiment: 'exp-1', arm: i % 2 === 0 ? 'champion' : 'challenger', shadow: i === 3 } : {}),
      );
      await store().logPredictions(records);
      const t0 = 1_700_000_000_000;
      const ids = async (q: Parameters<Store['listPredictions']>[0]) => (await store().listPredictions(q)).map((p) => p.requestId);
      assert.deepEqual(await ids({ since: t0 + 7 }), ['req-9', 'req-8', 'req-7']);
      assert.deepEqual(await ids({ since: t0 + 2, until: t0 + 4 }), ['req-3', 'req-2']);
      assert.deepEqual(await ids({ experiment: 'exp-1' }), ['req-3', 'req-2', 'req-1', 'req-0']);
      assert.deepEqual(await ids({ experiment: 'exp-1', shadow: true }), ['req-3']);
      assert.deepEqual(await ids({ experiment: 'exp-1', shadow: false }), ['req-2', 'req-1', 'req-0']);
      assert.equal(await store().countPredictions({ since: t0 + 5 }), 5);
      assert.equal(await store().countPredictions({ shadow: false }), 9);
      await assertKilnError(store().listPredictions({ since: Number.NaN }), 'INVALID_PARAMS', { what: 'since' });
    });

    test('deletePredictions removes old rows (of one model or all) and the feedback left without a prediction', async () => {
      await store().logPredictions([
        prediction(0, { requestId: 'old' }),
        prediction(1, { requestId: 'old-housing', model: 'housing' }),
        prediction(5, { requestId: 'shared' }),
        prediction(50, { requestId: 'shared' }), // a shadow pair: one request id, two rows
        prediction(100, { requestId: 'new' }),
      ]);
      await store().recordFeedback([
        { requestId: 'old', outcome: 1 },
        { requestId: 'shared', outcome: 0 },
        { requestId: 'new', outcome: 1 },
      ]);
      const t0 = 1_700_000_000_000;
      assert.equal(await store().deletePredictions({ model: 'titanic', before: t0 + 10 }), 2);
      assert.equal(await store().countPredictions({ model: 'housing' }), 1, 'other models are kept');
      const labelled = await store().listLabelledPredictions();
      assert.deepEqual(labelled.map((p) => p.requestId), ['new', 'shared'], 'feedback of a request id that still has a row stays');
      assert.equal(await store().deletePredictions({ before: t0 + 1000 }), 3);
      assert.deepEqual(await store().listLabelledPredictions(), []);
      // Feedback rows of deleted predictions are gone: logging the request id again does not revive an outcome.
      await store().logPredictions([prediction(2000, { requestId: 'old' })]);
      assert.deepEqual(await store().listLabelledPredictions(), []);
      assert.equal(await store().deletePredictions({ before: t0 }), 0);
      await assertKilnError(store().deletePredictions({ before: Number.NaN }), 'INVALID_PARAMS');
    });
  });

  describe('feedback', () => {
    test('attaches outcomes by request id, reports unknown ids, and a later outcome replaces an earlier one', async () => {
      await store().logPredictions([prediction(1), prediction(2, { version: 2 }), prediction(3)]);
      const result = await store().recordFeedback([
        { requestId: 'req-1', outcome: 1, timestamp: 1_700_000_100_000 },
        { requestId: 'req-2', outcome: 'yes' },
        { requestId: 'ghost', outcome: true },
        { requestId: 'ghost', outcome: false },
      ]);
      assert.deepEqual(result, { accepted: 2, unknownRequestIds: ['ghost'] });

      const labelled = await store().listLabelledPredictions();
      assert.deepEqual(labelled.map((p) => [p.requestId, p.outcome]), [['req-2', 'yes'], ['req-1', 1]]);
      assert.equal(labelled[1]?.feedbackAt, 1_700_000_100_000);
      assert.ok(Math.abs((labelled[0]?.feedbackAt ?? 0) - Date.now()) < 60_000, 'feedbackAt defaults to now');
      assert.deepEqual(labelled[1]?.inputs, { age: [1] }, 'the prediction comes with its outcome');

      await store().recordFeedback([{ requestId: 'req-1', outcome: 0 }, { requestId: 'req-3', outcome: false }, { requestId: 'req-3', outcome: true }]);
      const again = await store().listLabelledPredictions({ model: 'titanic', version: 1 });
      assert.deepEqual(again.map((p) => [p.requestId, p.outcome]), [['req-3', true], ['req-1', 0]]);
      assert.deepEqual((await store().listLabelledPredictions({ limit: 1 })).map((p) => p.requestId), ['req-3']);
    });

    test('one outcome labels every row of its request id (shadow pairs)', async () => {
      await store().logPredictions([
        prediction(1, { requestId: 'r', experiment: 'e', arm: 'champion' }),
        prediction(1, { requestId: 'r', experiment: 'e', arm: 'challenger', shadow: true, version: 2 }),
      ]);
      await store().recordFeedback([{ requestId: 'r', outcome: 1 }]);
      const labelled = await store().listLabelledPredictions({ experiment: 'e' });
      assert.deepEqual(labelled.map((p) => [p.arm, p.outcome]).sort(), [['challenger', 1], ['champion', 1]]);
      assert.deepEqual((await store().listLabelledPredictions({ experiment: 'e', shadow: true })).map((p) => p.version), [2]);
    });

    test('bulk feedback over many request ids', async () => {
      const n = 1200;
      await store().logPredictions(Array.from({ length: n }, (_, i) => prediction(i)));
      const items = Array.from({ length: n + 10 }, (_, i) => ({ requestId: `req-${i}`, outcome: i % 2 }));
      const result = await store().recordFeedback(items);
      assert.equal(result.accepted, n);
      assert.equal(result.unknownRequestIds.length, 10);
      assert.equal((await store().listLabelledPredictions({ limit: 5000 })).length, n);
    });

    test('time-ordered request ids are found by their time: feedback, shadow pairs, labelled lists and retention', async () => {
      const t0 = 1_800_000_000_000;
      const ids = Array.from({ length: 30 }, (_, i) => timeOrderedId(t0 + i * 1000));
      // logged 5 ms after each id was made; request 7 is answered by the champion and mirrored to the challenger
      await store().logPredictions([
        ...ids.map((requestId, i) => prediction(i, { requestId, timestamp: t0 + i * 1000 + 5 })),
        prediction(7, { requestId: ids[7] as string, version: 2, timestamp: t0 + 7000 + 6, experiment: 'e', arm: 'challenger', shadow: true }),
        prediction(99, { requestId: 'client-chosen-id', timestamp: t0 + 3000 }),
      ]);
      const unknownButTimeOrdered = timeOrderedId(t0 + 2000);
      const result = await store().recordFeedback([
        { requestId: ids[7] as string, outcome: 1, timestamp: t0 + 50_000 },
        { requestId: ids[20] as string, outcome: 0, timestamp: t0 + 50_000 },
        { requestId: 'client-chosen-id', outcome: 1, timestamp: t0 + 50_000 },
        { requestId: unknownButTimeOrdered, outcome: 1 },
      ]);
      assert.deepEqual(result, { accepted: 3, unknownRequestIds: [unknownButTimeOrdered] });
      const labelled = await store().listLabelledPredictions();
      assert.deepEqual(
        labelled.map((p) => [p.requestId === ids[7] ? 'id7' : p.requestId === ids[20] ? 'id20' : p.requestId, p.version, p.outcome]),
        [['id20', 1, 0], ['id7', 2, 1], ['id7', 1, 1], ['client-chosen-id', 1, 1]],
      );
      // retention cuts through the batches: ids 0..9, the shadow answer and the client's go, with their outcomes; the rest stay findable
      assert.equal(await store().deletePredictions({ before: t0 + 10_000 }), 12);
      assert.deepEqual((await store().listLabelledPredictions()).map((p) => p.outcome), [0]);
      assert.deepEqual(await store().recordFeedback([{ requestId: ids[25] as string, outcome: 1 }, { requestId: ids[3] as string, outcome: 1 }]), {
        accepted: 1,
        unknownRequestIds: [ids[3]],
      });
      assert.equal(await store().countPredictions(), 20);
    });

    test('bad items are FEEDBACK_INVALID naming each problem, and nothing is written', async () => {
      await store().logPredictions([prediction(1)]);
      await assertKilnError(
        store().recordFeedback([
          { requestId: 'req-1', outcome: 1 },
          { requestId: '', outcome: 1 },
          { requestId: 'req-1', outcome: Number.NaN },
          { requestId: 'req-1', outcome: { nested: true } as never },
          { requestId: 'req-1', outcome: 1, timestamp: -1 },
        ]),
        'FEEDBACK_INVALID',
      );
      await store()
        .recordFeedback([{ requestId: 7 as never, outcome: 1 }])
        .then(
          () => assert.fail('expected FEEDBACK_INVALID'),
          (err: { problems?: { path: string }[] }) => assert.deepEqual(err.problems?.map((p) => p.path), ['0.requestId']),
        );
      assert.deepEqual(await store().listLabelledPredictions(), []);
      assert.deepEqual(await store().recordFeedback([]), { accepted: 0, unknownRequestIds: [] });
    });

    test('timestamps a library caller passes are bounded as the API and CLI bound them: whole ms a Date can hold', async () => {
      await store().logPredictions([prediction(1)]);
      // 1.5 failed as an internal error in PostgreSQL's BIGINT; 1e300 was stored as a time no report can show
      for (const timestamp of [1.5, 1e300, 8.64e15 + 1]) {
        await store()
          .recordFeedback([{ requestId: 'req-1', outcome: 1, timestamp }])
          .then(
            () => assert.fail(`expected FEEDBACK_INVALID for ${timestamp}`),
            (err: { code?: string; problems?: { path: string; message: string }[] }) => {
              assert.equal(err.code, 'FEEDBACK_INVALID');
              assert.deepEqual(err.problems?.map((p) => p.path), ['0.timestamp']);
              assert.match(err.problems?.[0]?.message ?? '', /whole epoch milliseconds from 0 \(1970\) to 8640000000000000/);
            },
          );
      }
      assert.deepEqual(await store().listLabelledPredictions(), []);
      assert.equal((await store().recordFeedback([{ requestId: 'req-1', outcome: 1, timestamp: 8.64e15 }])).accepted, 1, 'the bound itself is a time');
    });
  });

  describe('alert rules and events', () => {
    test('rules are created with defaults, listed per model, deleted, and audited', async () => {
      await store().createModelVersion(versionInput('titanic'));
      await store().createModelVersion(versionInput('housing'));
      const rule = await store().createAlertRule({ model: 'titanic', metric: 'accuracy', op: '<', threshold: 0.7 }, { actor: 'alice' });
      assert.deepEqual(
        { ...rule, id: '', createdAt: '' },
        { id: '', model: 'titanic', metric: 'accuracy', op: '<', threshold: 0.7, window: 1000, webhookUrl: null, description: '', createdAt: '' },
      );
      const hooked = await store().createAlertRule({
        model: 'housing',
        metric: 'p99_latency_ms',
        op: '>',
        threshold: 250,
        window: 200,
        webhookUrl: 'http://127.0.0.1:9/alert',
        description: 'slow',
      });
      assert.deepEqual([hooked.window, hooked.webhookUrl, hooked.description], [200, 'http://127.0.0.1:9/alert', 'slow']);
      assert.deepEqual((await store().listAlertRules()).map((r) => r.id).sort(), [rule.id, hooked.id].sort());
      assert.deepEqual(await store().listAlertRules('titanic'), [rule]);
      assert.deepEqual(await store().getAlertRule(hooked.id), hooked);

      await store().deleteAlertRule(rule.id, { actor: 'bob' });
      assert.deepEqual(await store().listAlertRules('titanic'), []);
      await assertKilnError(store().deleteAlertRule(rule.id), 'ALERT_RULE_NOT_FOUND', { id: rule.id });
      await assertKilnError(store().getAlertRule('nope'), 'ALERT_RULE_NOT_FOUND');
      const audit = await store().listAudit({ entity: 'titanic' });
      assert.deepEqual(audit.map((e) => [e.action, e.entity, e.actor]).slice(0, 2), [
        ['alert.deleted', `alert:${rule.id}`, 'bob'],
        ['alert.created', `alert:${rule.id}`, 'alice'],
      ]);
    });

    test('bad rules are refused with the field named', async () => {
      await store().createModelVersion(versionInput('titanic'));
      const base = { model: 'titanic', metric: 'accuracy', op: '<', threshold: 0.7 } as const;
      await assertKilnError(store().createAlertRule({ ...base, model: 'iris' }), 'MODEL_NOT_FOUND');
      await assertKilnError(store().createAlertRule({ ...base, metric: 'happiness' }), 'INVALID_PARAMS', { what: 'alert rule' });
      await assertKilnError(store().createAlertRule({ ...base, op: '>=' as never }), 'INVALID_PARAMS');
      await assertKilnError(store().createAlertRule({ ...base, threshold: Number.POSITIVE_INFINITY }), 'INVALID_PARAMS');
      await assertKilnError(store().createAlertRule({ ...base, window: 0 }), 'INVALID_PARAMS');
      // beyond MAX_ALERT_WINDOW: each check would decode the whole window, and PostgreSQL's INTEGER fails past 2^31
      await assertKilnError(store().createAlertRule({ ...base, window: 1_000_001 }), 'INVALID_PARAMS', { what: 'alert rule' });
      await assertKilnError(store().createAlertRule({ ...base, window: 3e9 }), 'INVALID_PARAMS');
      await assertKilnError(store().createAlertRule({ ...base, webhookUrl: 'ftp://x' }), 'INVALID_PARAMS');
      assert.deepEqual(await store().listAlertRules(), []);
    });

    test('events are recorded and listed newest first, per model, and outlive their rule', async () => {
      await store().createModelVersion(versionInput('titanic'));
      const rule = await store().createAlertRule({ model: 'titanic', metric: 'error_rate', op: '>', threshold: 0.05 });
      const first = await store().recordAlertEvent({ ruleId: rule.id, model: 'titanic', metric: 'error_rate', value: 0.1, threshold: 0.05, message: 'a' });
      const second = await store().recordAlertEvent({ ruleId: rule.id, model: 'titanic', metric: 'error_rate', value: 0.2, threshold: 0.05, message: 'b' });
      await store().recordAlertEvent({ ruleId: 'other', model: 'housing', metric: 'rmse', value: Number.NaN, threshold: 3, message: 'c' });
      assert.ok(second.id > first.id);
      assert.ok(!Number.isNaN(Date.parse(first.at)));
      await store().deleteAlertRule(rule.id);
      assert.deepEqual(await store().listAlertEvents({ model: 'titanic' }), [second, first]);
      assert.equal((await store().listAlertEvents()).length, 3);
      assert.deepEqual(await store().listAlertEvents({ ruleId: rule.id, limit: 1 }), [second]);
      assert.deepEqual(await store().listAlertEvents({ ruleId: 'other', model: 'titanic' }), []);
      assert.equal((await store().listAlertEvents({ limit: 1 }))[0]?.model, 'housing');
      assert.ok(Number.isNaN((await store().listAlertEvents({ model: 'housing' }))[0]?.value));
    });
  });

  describe('experiments', () => {
    test('create, get, list, end; promote moves the champion alias in the same transaction, audited', async () => {
      await store().createModelVersion(versionInput('titanic'));
      await store().createModelVersion(versionInput('titanic'));
      await store().setAlias('titanic', 'champion', 1);
      const started = await store().createExperiment(experimentInput({ maxErrorRate: 0.05, maxP99Ms: 200, mode: 'canary' }), { actor: 'alice' });
      assert.deepEqual(
        { ...started, id: '', startedAt: '' },
        {
          id: '',
          model: 'titanic',
          champion: 1,
          challenger: 2,
          mode: 'canary',
          challengerShare: 0.1,
          outcome: 'binary',
          maxErrorRate: 0.05,
          maxP99Ms: 200,
          description: '',
          status: 'running',
          startedAt: '',
          endedAt: null,
          endReason: null,
        },
      );
      assert.deepEqual(await store().getExperiment(started.id), started);
      assert.deepEqual(await store().listExperiments({ model: 'titanic', status: 'running' }), [started]);
      await assertKilnError(store().createExperiment(experimentInput()), 'EXPERIMENT_ALREADY_RUNNING', { model: 'titanic', id: started.id });

      const promoted = await store().endExperiment(started.id, 'promoted', 'challenger better by 3 points', { actor: 'bob' });
      assert.deepEqual([promoted.status, promoted.endReason], ['promoted', 'challenger better by 3 points']);
      assert.notEqual(promoted.endedAt, null);
      assert.equal((await store().resolve({ kind: 'alias', name: 'titanic', alias: 'champion' })).version, 2);
      const audit = await store().listAudit({ entity: 'titanic' });
      assert.deepEqual(audit.slice(0, 3).map((e) => [e.action, e.actor]), [
        ['experiment.promoted', 'bob'],
        ['alias.moved', 'bob'],
        ['experiment.created', 'alice'],
      ]);
      assert.deepEqual([audit[1]?.before, audit[1]?.after], [{ alias: 'champion', version: 1 }, { alias: 'champion', version: 2 }]);
      await assertKilnError(store().endExperiment(started.id, 'stopped', 'again'), 'EXPERIMENT_NOT_RUNNING', { status: 'promoted' });

      // After one ends, the model can run another; lists are newest first and filter by status.
      const next = await store().createExperiment(experimentInput({ champion: 2, challenger: 1, mode: 'shadow', outcome: 'continuous' }));
      const stopped = await store().endExperiment(next.id, 'rolled_back', 'p99 latency 350 ms > 200 ms');
      assert.equal((await store().resolve({ kind: 'alias', name: 'titanic', alias: 'champion' })).version, 2, 'only promote moves the alias');
      assert.deepEqual((await store().listExperiments({ status: 'rolled_back' })).map((e) => e.id), [stopped.id]);
      assert.equal((await store().listExperiments()).length, 2);
      assert.deepEqual(await store().listExperiments({ model: 'housing' }), []);
    });

    test('unknown models, versions and ids, and bad inputs, are coded errors', async () => {
      await store().createModelVersion(versionInput('titanic'));
      await store().createModelVersion(versionInput('titanic'));
      await assertKilnError(store().createExperiment(experimentInput({ model: 'iris' })), 'MODEL_NOT_FOUND');
      await assertKilnError(store().createExperiment(experimentInput({ challenger: 9 })), 'VERSION_NOT_FOUND');
      await assertKilnError(store().createExperiment(experimentInput({ challenger: 1 })), 'INVALID_PARAMS', { what: 'experiment' });
      await assertKilnError(store().createExperiment(experimentInput({ challengerShare: 1.5 })), 'INVALID_PARAMS');
      await assertKilnError(store().createExperiment(experimentInput({ mode: 'bandit' as never })), 'INVALID_PARAMS');
      await assertKilnError(store().createExperiment(experimentInput({ maxP99Ms: 0 })), 'INVALID_PARAMS');
      await assertKilnError(store().getExperiment('nope'), 'EXPERIMENT_NOT_FOUND', { id: 'nope' });
      await assertKilnError(store().endExperiment('nope', 'stopped', 'x'), 'EXPERIMENT_NOT_FOUND');
      const started = await store().createExperiment(experimentInput());
      await assertKilnError(store().endExperiment(started.id, 'running' as never, 'x'), 'INVALID_PARAMS');
      assert.equal((await store().getExperiment(started.id)).status, 'running');
      assert.deepEqual((await store().listExperiments()).map((e) => e.id), [started.id], 'refused experiments leave nothing');
    });
  });
}
