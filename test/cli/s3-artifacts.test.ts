/**
 * `--artifacts s3://…` end to end through the CLI: a model trained with its files in an S3-compatible
 * bucket (s3rver on loopback) is registered, predicted with and exported from any machine that reaches
 * the bucket and the store — nothing of it is written to the home's artifacts folder.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kiln, tempHome } from '../helpers/kiln-cli.js';
import { S3_TEST_CREDENTIALS, startTestS3, type TestS3 } from '../helpers/s3-server.js';

const TITANIC = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'titanic.csv');

let s3: TestS3;
before(async () => {
  s3 = await startTestS3(['kiln-models']);
});
after(async () => {
  await s3.close();
});

function filesUnder(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];
}

describe('kiln with --artifacts s3://BUCKET/PREFIX', () => {
  test('train, predict and export keep the model in the bucket; a home without the bucket says where the files are missing', async () => {
    const home = tempHome();
    const bucket = s3.urlOf('kiln-models', 'team-a');
    const env = { ...S3_TEST_CREDENTIALS };

    const trained = await kiln(['--home', home, '--artifacts', bucket, '--json', 'train', '--data', TITANIC, '--target', 'Survived', '--name', 'titanic', '--learner', 'logistic-regression', '--drop', 'PassengerId,Name,Ticket,Cabin'], env);
    assert.equal(trained.code, 0, trained.stderr);
    assert.deepEqual(filesUnder(join(home, 'artifacts')), [], 'nothing in the home folder');

    // the setting can come from the environment as well
    const out = join(home, 'scored.csv');
    const predicted = await kiln(['--home', home, 'predict', 'titanic', TITANIC, '--out', out], { ...env, KILN_ARTIFACTS_URL: bucket });
    assert.equal(predicted.code, 0, predicted.stderr);
    assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 892);

    const shown = await kiln(['--home', home, '--artifacts', bucket, 'models', 'show', 'titanic'], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout + shown.stderr, /model\.onnx\s+s3:\/\/kiln-models\/team-a\/sha256\/[0-9a-f]{2}\/[0-9a-f]{64}/);

    const exported = await kiln(['--home', home, '--artifacts', bucket, 'export', 'titanic', '--format', 'onnx', '--out', join(home, 'exported')], env);
    assert.equal(exported.code, 0, exported.stderr);
    assert.ok(filesUnder(join(home, 'exported')).some((name) => name.endsWith('.onnx')));

    // the same store read with the home's own (empty) folder: a coded error naming the missing artifact
    const local = await kiln(['--home', home, '--json', 'predict', 'titanic', TITANIC, '--out', join(home, 'again.csv')], env);
    assert.equal(local.code, 3, local.stderr);
    // with --json the error is the JSON document on stdout
    const error = JSON.parse(local.stdout) as { error: { code: string; message: string } };
    assert.equal(error.error.code, 'ARTIFACT_NOT_FOUND');
    assert.doesNotMatch(local.stdout + local.stderr, /\n\s+at /, 'no stack trace');
  });

  test('a bucket that does not exist stops the command before any work, with what to check', async () => {
    const home = tempHome();
    const result = await kiln(['--home', home, '--artifacts', s3.urlOf('no-such-bucket'), 'train', '--data', TITANIC, '--target', 'Survived', '--learner', 'logistic-regression'], { ...S3_TEST_CREDENTIALS });
    assert.equal(result.code, 3);
    assert.match(result.stderr, /STORE_UNAVAILABLE/);
    assert.match(result.stderr, /the bucket does not exist/);
    assert.match(result.stderr, /AWS_ENDPOINT_URL/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  test('a malformed artifacts URL is a usage error naming the flag', async () => {
    const result = await kiln(['--home', tempHome(), '--artifacts', 's3://Bad_Bucket', 'models'], { ...S3_TEST_CREDENTIALS });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /not a valid bucket name/);
  });
});
