/**
 * Ground truth, performance drift and alerts end to end over a real store: outcomes attached by feedback
 * reveal a model whose live accuracy dropped; an alert on it fires exactly once per breach check, records
 * an event, logs a warning and posts its webhook to a receiver on loopback; the scheduler holds back a
 * lasting breach and never lets a failing webhook escape.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { checkAlerts } from '../../src/monitor/alert-check.js';
import { measureAlertMetric } from '../../src/monitor/alert-metrics.js';
import { AlertScheduler, LastingBreaches } from '../../src/monitor/alert-scheduler.js';
import type { AlertWebhookBody } from '../../src/monitor/alert-webhook.js';
import { checkModel } from '../../src/monitor/check-model.js';
import { parseModelRef } from '../../src/store/model-ref.js';
import { openHome, type KilnHome } from '../../src/store/open-store.js';
import { tempHome } from '../helpers/kiln-cli.js';
import { countingAlertPasses, eventually, logWithOutcomes, recordingLogger, registerChurnModel, startReceiver, T0, TRAINING_ACCURACY, type Receiver } from './monitored-model.js';

let dir: string;
let home: KilnHome;
let receiver: Receiver;
const END = T0 + 1000 * 1000;

before(async () => {
  dir = tempHome('kiln-alerts-');
  home = await openHome(dir);
  receiver = await startReceiver();
  await registerChurnModel(home);
  // The first 500 predictions are right 90% of the time, as at training; the newest 500 only 65%.
  await logWithOutcomes(home, { start: 0, n: 500, errorRate: 0.1, seed: 1 });
  await logWithOutcomes(home, { start: 500, n: 500, errorRate: 0.35, seed: 2 });
});

after(async () => {
  await receiver.close();
  await home.store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('performance drift', () => {
  test('feedback attaches outcomes; the recent window shows the drop in accuracy, the older one does not', async () => {
    const recent = await checkModel(home, parseModelRef('churn'), { window: { kind: 'count', last: 500 }, now: END });
    const p = recent.performance;
    assert.deepEqual([p.task, p.labelled, p.scored], ['classification', 500, 500]);
    const accuracy = p.metrics.find((m) => m.name === 'accuracy');
    assert.ok(accuracy?.current !== null && accuracy !== undefined && Math.abs(accuracy.current - 0.65) < 0.06, `accuracy ${accuracy?.current}`);
    assert.equal(accuracy.training, TRAINING_ACCURACY);
    assert.equal(accuracy.degraded, true);
    assert.equal(p.degraded, true);
    assert.match(p.verdict, /^Performance degraded/);

    // The 500 older predictions, as a time window ending before the drop.
    const older = await checkModel(home, parseModelRef('churn:1'), { window: { kind: 'time', sinceMs: 500_000 }, now: T0 + 499_999 });
    assert.equal(older.performance.labelled, 500);
    assert.equal(older.performance.degraded, false, older.performance.verdict);
    assert.match(older.performance.verdict, /^Performance in line with training/);

    // Over the whole log the chart shows the accuracy falling from ~0.9 to ~0.65.
    const all = await checkModel(home, parseModelRef('churn'), { window: { kind: 'count', last: 1000 }, now: END });
    const curve = all.performance.over_time.map((pt) => pt.metrics.accuracy ?? NaN);
    assert.ok((curve[0] ?? 0) > 0.8 && (curve.at(-1) ?? 1) < 0.75, `accuracy over time ${curve.map((v) => v.toFixed(2)).join(' ')}`);
  });
});

describe('alerts', () => {
  test('a breach fires exactly once per check: one event, one warning, one webhook POST with the alert as JSON', async () => {
    const breached = await home.store.createAlertRule({ model: 'churn', metric: 'accuracy', op: '<', threshold: 0.8, window: 500, webhookUrl: receiver.url });
    const quiet = await home.store.createAlertRule({ model: 'churn', metric: 'p99_latency_ms', op: '>', threshold: 1000, window: 500, webhookUrl: receiver.url });
    try {
      const { lines, logger } = recordingLogger();
      const results = await checkAlerts(home, { logger, now: END });
      // Rules created in the same millisecond may come back in either order: match them by id.
      const byRule = (id: string) => results.find((r) => r.rule.id === id);
      assert.equal(results.length, 2);
      assert.deepEqual([breached.id, quiet.id].map((id) => byRule(id)).map((r) => [r?.breached, r?.event !== null, r?.webhook]), [
        [true, true, 'delivered'],
        [false, false, null],
      ]);
      const fired = byRule(breached.id)!;
      assert.equal(fired.version, 1);
      assert.ok(fired.value !== null && fired.value < 0.8);
      const events = await home.store.listAlertEvents({ model: 'churn' });
      assert.equal(events.length, 1);
      assert.deepEqual([events[0]?.ruleId, events[0]?.metric, events[0]?.threshold], [breached.id, 'accuracy', 0.8]);
      assert.match(events[0]?.message ?? '', /^churn:1 accuracy is 0\.\d+, below the threshold 0\.8 \(last 500 predictions\)$/);
      assert.equal(lines.filter((l) => l.level === 'warn' && l.msg.startsWith('alert: churn:1 accuracy')).length, 1);

      assert.equal(receiver.bodies.length, 1);
      const body = receiver.bodies[0] as AlertWebhookBody;
      assert.deepEqual([body.event, body.alert.id, body.alert.rule_id, body.rule.metric, body.rule.op, body.version], [
        'alert.fired',
        events[0]?.id,
        breached.id,
        'accuracy',
        '<',
        1,
      ]);
      assert.equal(receiver.headers[0]?.['content-type'], 'application/json');
      assert.equal(receiver.headers[0]?.['x-kiln-event'], 'alert.fired');

      // Without a memory of earlier checks (`kiln alerts check`), the next check fires once more.
      await checkAlerts(home, { now: END });
      assert.equal((await home.store.listAlertEvents({ model: 'churn' })).length, 2);
      assert.equal(receiver.bodies.length, 2);
    } finally {
      await home.store.deleteAlertRule(breached.id);
      await home.store.deleteAlertRule(quiet.id);
      receiver.bodies.length = 0;
    }
  });

  test('the scheduler\'s memory holds back a lasting breach until the repeat interval, and fires again after a recovery', async () => {
    const memory = new LastingBreaches(3_600_000);
    assert.equal(memory.shouldFire('r', 0), true);
    memory.remember('r', true, true, 0);
    assert.equal(memory.shouldFire('r', 60_000), false, 'still breached a minute later: held back');
    memory.remember('r', true, false, 60_000);
    assert.equal(memory.shouldFire('r', 3_600_000), true, 'an hour later: the reminder');
    memory.remember('r', false, false, 3_660_000);
    assert.equal(memory.shouldFire('r', 3_720_000), true, 'recovered, then breached again: fires at once');
  });

  test('a second replica sharing the store does not repeat an alert the first one just fired', async () => {
    const rule = await home.store.createAlertRule({ model: 'churn', metric: 'accuracy', op: '<', threshold: 0.8, window: 500, webhookUrl: receiver.url });
    try {
      const replica = () => ({ memory: new LastingBreaches(), othersFiredWithinMs: 60_000, now: END });
      const [first] = await checkAlerts(home, replica());
      const [second] = await checkAlerts(home, replica());
      assert.equal(first?.event?.ruleId, rule.id);
      assert.deepEqual([second?.breached, second?.event], [true, null]);
      assert.match(second?.note ?? '', /^already fired at /);
      assert.equal(receiver.bodies.length, 1);
    } finally {
      await home.store.deleteAlertRule(rule.id);
      receiver.bodies.length = 0;
    }
  });

  test('a failing webhook is logged and reported, never thrown; an unmeasurable rule does not stop the others', async () => {
    const down = await startReceiver(500);
    const rule = await home.store.createAlertRule({ model: 'churn', metric: 'accuracy', op: '<', threshold: 0.8, window: 500, webhookUrl: down.url });
    await home.store.createModelVersion({ model: 'ghost', runId: null, artifacts: {}, signature: {}, metrics: {} });
    // A rule on a model whose predictions name a version the registry does not have.
    await home.store.logPredictions([{ requestId: 'g1', model: 'ghost', version: 7, timestamp: END, latencyMs: 1, inputs: {}, outputs: {} }]);
    const orphan = await home.store.createAlertRule({ model: 'ghost', metric: 'error_rate', op: '>', threshold: 0.5 });
    try {
      const { lines, logger } = recordingLogger();
      const results = await checkAlerts(home, { logger, now: END });
      const byRule = new Map(results.map((r) => [r.rule.id, r]));
      assert.equal(byRule.get(rule.id)?.webhook, 'the receiver answered HTTP 500');
      assert.ok(byRule.get(rule.id)?.event !== null, 'the event is recorded even when its webhook fails');
      assert.match(byRule.get(orphan.id)?.note ?? '', /version 7/);
      assert.ok(lines.some((l) => l.level === 'warn' && l.msg === 'alert webhook failed'));
      assert.ok(lines.some((l) => l.level === 'error' && /could not be checked/.test(l.msg)));
      assert.equal(down.bodies.length, 1);
    } finally {
      await home.store.deleteAlertRule(rule.id);
      await home.store.deleteAlertRule(orphan.id);
      await down.close();
    }
  });

  test('the scheduler checks at start and then every interval, fires a lasting breach once, and stops cleanly', async () => {
    const rule = await home.store.createAlertRule({ model: 'churn', metric: 'accuracy', op: '<', threshold: 0.8, window: 500, webhookUrl: receiver.url });
    const { logger } = recordingLogger();
    const counted = countingAlertPasses(home.store);
    const scheduler = new AlertScheduler({ store: counted.store, artifacts: home.artifacts, logger, intervalMs: 40 });
    try {
      scheduler.start();
      await eventually(() => receiver.bodies.length > 0);
      assert.equal(receiver.bodies.length, 1, 'the first pass fires');
      // Two more passes (counted, not timed): the breach lasts, so they must not fire again.
      const fired = counted.passes();
      await eventually(() => counted.passes() >= fired + 2);
      assert.ok(counted.passes() >= fired + 2, `${counted.passes() - fired} passes after the first`);
      await scheduler.stop();
      assert.equal(receiver.bodies.length, 1);
      const stopped = counted.passes();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(counted.passes(), stopped, 'nothing runs after stop()');
    } finally {
      await scheduler.stop();
      await home.store.deleteAlertRule(rule.id);
      receiver.bodies.length = 0;
    }
  });

  test('every metric kind can be measured; missing data gives no value rather than a false alarm', async () => {
    const m = (metric: string, window = 500) => measureAlertMetric(home, { model: 'churn', metric, window }, END);
    assert.equal((await m('dataset_drift')).value, 0, 'inputs are drawn like the training data');
    assert.ok(((await m('drift_share')).value ?? -1) >= 0);
    assert.ok([0, 1].includes((await m('prediction_drift')).value ?? -1));
    assert.ok(((await m('roc_auc')).value ?? 0) > 0.5);
    assert.equal((await m('rmse')).value, null, 'a classifier has no RMSE');
    assert.equal((await m('error_rate')).value, 0);
    assert.ok(((await m('p50_latency_ms')).value ?? 0) >= 2);
    await home.store.createModelVersion({ model: 'silent', runId: null, artifacts: {}, signature: {}, metrics: {} });
    const silent = await measureAlertMetric(home, { model: 'silent', metric: 'accuracy', window: 10 }, END);
    assert.deepEqual([silent.value, silent.reason], [null, 'no logged predictions yet']);
  });
});
