/** The segments and anomalies trainers on small tables: the spec's choices, and bad input as clear coded errors. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KilnError } from '../../../src/core/errors.js';
import { validateSpec } from '../../../src/modules/spec.js';
import { trainModule } from '../../../src/modules/train-module.js';
import { openHome, type KilnHome } from '../../../src/store/open-store.js';
import { tempHome } from '../../helpers/kiln-cli.js';

const isCode = (code: string) => (err: unknown) => err instanceof KilnError && err.code === code;

describe('segments and anomalies specs', () => {
  let home: KilnHome;
  let dir: string;
  before(async () => {
    dir = tempHome('kiln-unsupervised-');
    home = await openHome(join(dir, 'home'));
    // two well-separated groups of 20 rows, a category, and a label
    const rows = ['x,y,colour,group,flag'];
    for (let i = 0; i < 40; i++) {
      const a = i < 20;
      rows.push(`${(a ? 0 : 10) + (i % 5) * 0.1},${(a ? 0 : 10) + (i % 3) * 0.1},${a ? 'red' : 'blue'},${a ? 'A' : 'B'},${i === 7 ? 'maybe' : i % 13 === 0 ? 1 : 0}`);
    }
    writeFileSync(join(dir, 'small.csv'), `${rows.join('\n')}\n`);
  });
  after(async () => home.store.close());

  const spec = (fields: Record<string, unknown>) => validateSpec({ name: 'small', data: 'small.csv', drop: ['flag'], ...fields }, null, dir);

  test('clusters: K with minibatch-kmeans finds the groups; no k search is reported', async () => {
    const r = await trainModule(spec({ task: 'cluster', clusters: 2, learner: 'minibatch-kmeans', label: 'group' }), home);
    assert.equal(r.learner, 'minibatch-kmeans');
    assert.equal(r.details['clusters'], 2);
    assert.equal(r.details['k_choice'], undefined);
    assert.equal(r.metrics.train['adjusted_rand'], 1);
    assert.equal(r.summary[0], '2 segments, as the spec asks');
  });

  test('a separate test table is the held-out part', async () => {
    const r = await trainModule(spec({ task: 'cluster', clusters: 2, testData: 'small.csv' }), home);
    assert.deepEqual(r.rows, { train: 40, test: 40 });
  });

  test('bad specs are coded errors that say what to change', async () => {
    await assert.rejects(trainModule(spec({ task: 'cluster', params: { nClusters: 3 } }), home), (err: unknown) => isCode('INVALID_SPEC')(err) && /clusters: K/.test((err as Error).message));
    await assert.rejects(trainModule(spec({ task: 'cluster', learner: 'isolation-forest' }), home), isCode('UNKNOWN_LEARNER'));
    await assert.rejects(trainModule(spec({ task: 'cluster', label: 'nope' }), home), isCode('COLUMN_NOT_FOUND'));
    await assert.rejects(trainModule(spec({ task: 'cluster', clusters: 50 }), home), isCode('FEWER_ROWS_THAN_PARAM'));
    await assert.rejects(trainModule(spec({ task: 'detect-anomalies', params: { contamination: 0.1 } }), home), isCode('INVALID_SPEC'));
    await assert.rejects(trainModule(validateSpec({ name: 'small', data: 'small.csv', task: 'detect-anomalies', label: 'flag' }, null, dir), home), isCode('ANOMALY_LABEL_INVALID'));
    await assert.rejects(trainModule(spec({ task: 'detect-anomalies', learner: 'kmeans' }), home), isCode('UNKNOWN_LEARNER'));
  });

  test('a failed training leaves its run marked failed', async () => {
    await assert.rejects(trainModule(spec({ task: 'cluster', clusters: 50, name: 'failing' }), home));
    const runs = await home.store.listRuns();
    assert.ok(runs.some((r) => r.name === 'failing' && r.status === 'failed'));
  });

  test('anomalies without a label report the flagged share only, and the threshold flags the contamination share', async () => {
    const r = await trainModule(spec({ task: 'detect-anomalies', contamination: 0.1 }), home);
    assert.deepEqual(Object.keys(r.metrics.train), ['flagged_share']);
    assert.ok(Math.abs(r.metrics.train['flagged_share']! - 0.1) <= 1 / 32 + 1e-9);
    assert.match(r.summary.join('\n'), /no label column/);
  });
});
