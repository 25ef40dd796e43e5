/**
 * The app's training jobs with the models' files in an S3-compatible bucket (`kiln serve --artifacts
 * s3://…`): the job's worker thread opens the same bucket, the version's files land there and not in the
 * home, and the routes that read them (report, deploy, predict) work from it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3ArtifactStore } from '../../../src/store/s3-artifact-store.js';
import { S3_TEST_CREDENTIALS, startTestS3, type TestS3 } from '../../helpers/s3-server.js';
import { readEvents, startAppServer, TITANIC_CSV, type AppServer } from './app-server.js';

let s3: TestS3;
let server: AppServer;
// what the first test made, for the outage test after it
let deployedVersion: number | undefined;
let uploaded: string | undefined;
const savedEnv = { ...process.env };
before(async () => {
  Object.assign(process.env, S3_TEST_CREDENTIALS); // worker threads see the process's environment
  s3 = await startTestS3(['kiln-models']);
  server = await startAppServer({ artifactsUrl: s3.urlOf('kiln-models', 'app') });
});
after(async () => {
  await server.close();
  await s3.close();
  process.env = savedEnv;
});

describe('app jobs with an S3 artifact store', () => {
  test('a job trains into the bucket, and the report and predictions read from it', async () => {
    assert.ok(server.artifacts instanceof S3ArtifactStore);
    const upload = await fetch(`${server.url}/api/uploads?filename=titanic.csv`, { method: 'PUT', body: readFileSync(TITANIC_CSV), headers: { 'content-type': 'text/csv' } });
    assert.equal(upload.status, 201);
    const source = ((await upload.json()) as { source: string }).source;

    const spec = { name: 'titanic', data: source, target: 'Survived', learner: 'logistic-regression', drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'] };
    const submitted = await server.call('POST', '/api/jobs', { spec });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.json));
    const events = await readEvents(`${server.url}/api/jobs/${submitted.json['id'] as string}/events`);
    const last = events.at(-1);
    assert.equal(last?.event, 'done', JSON.stringify(last?.data));
    const version = (last?.data['result'] as { version: number }).version;

    const stored = await server.store.getVersion('titanic', version);
    const digests = Object.values(stored.artifacts);
    assert.ok(digests.length > 0);
    for (const digest of digests) assert.equal(await server.artifacts.has(digest), true, `${digest} is in the bucket`);
    const homeArtifacts = join(server.home, 'artifacts');
    assert.ok(!existsSync(homeArtifacts) || readdirSync(homeArtifacts).length === 0, 'nothing in the home folder');

    const report = await server.call('GET', `/api/models/titanic:${version}/report`);
    assert.equal(report.status, 200);
    assert.equal(report.json['task'], 'binary');

    const deployed = await server.call('POST', `/api/models/titanic:${version}/deploy`);
    assert.equal(deployed.status, 200, JSON.stringify(deployed.json));
    const answer = await server.call('POST', '/v1/models/titanic:predict', { instances: [{ Pclass: 1, Sex: 'female', Age: 30, SibSp: 0, Parch: 0, Fare: 80, Embarked: 'C' }] });
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    assert.ok(Array.isArray(answer.json['predictions']));
    deployedVersion = version;
    uploaded = source;
  });

  test('while the bucket is away the loaded model keeps answering, what needs the bucket is STORE_UNAVAILABLE, and a failed job registers nothing; afterwards all is there', async () => {
    assert.ok(deployedVersion !== undefined && uploaded !== undefined, 'the first test trained and deployed a version');
    const row = { instances: [{ Pclass: 3, Sex: 'male', Age: 22, SibSp: 1, Parch: 0, Fare: 7.25, Embarked: 'S' }] };
    const before = await server.call('POST', '/v1/models/titanic:predict', row);
    const versionsBefore = (await server.store.listVersions('titanic')).length;
    await s3.pause();
    try {
      const during = await server.call('POST', '/v1/models/titanic:predict', row);
      assert.equal(during.status, 200, JSON.stringify(during.json));
      assert.deepEqual(during.json, before.json, 'the same answer from the loaded model');

      const report = await server.call('GET', `/api/models/titanic:${deployedVersion}/report`);
      assert.equal(report.status, 503, JSON.stringify(report.json));
      assert.equal(report.json['code'], 'STORE_UNAVAILABLE');
      assert.match(String(report.json['error']), /s3:\/\/kiln-models\/app.*cannot reach the object store/);
      assert.match(String(report.json['hint']), /bucket exists.*reachable/);
      assert.doesNotMatch(JSON.stringify(report.json), /\n\s+at /, 'no stack trace');

      const spec = { name: 'titanic', data: uploaded, target: 'Survived', learner: 'logistic-regression', drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'] };
      const submitted = await server.call('POST', '/api/jobs', { spec });
      const events = await readEvents(`${server.url}/api/jobs/${submitted.json['id'] as string}/events`);
      const last = events.at(-1);
      assert.equal(last?.event, 'failed', JSON.stringify(last?.data));
      assert.equal((last?.data['error'] as { code?: string } | undefined)?.code, 'STORE_UNAVAILABLE', JSON.stringify(last?.data));
      assert.equal((await server.store.listVersions('titanic')).length, versionsBefore, 'no version without its files');
    } finally {
      await s3.resume();
    }
    const after = await server.call('GET', `/api/models/titanic:${deployedVersion}/report`);
    assert.equal(after.status, 200, JSON.stringify(after.json));
    const stored = await server.store.getVersion('titanic', deployedVersion);
    for (const digest of Object.values(stored.artifacts)) assert.ok((await server.artifacts.get(digest)).byteLength >= 0, `${digest} reads back whole`);
  });
});
