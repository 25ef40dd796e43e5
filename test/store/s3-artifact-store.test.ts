import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PutObjectCommand, S3Client, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KilnError } from '../../src/core/errors.js';
import { LocalArtifactStore } from '../../src/store/local-artifact-store.js';
import { openArtifacts } from '../../src/store/open-store.js';
import { parseS3Url, S3ArtifactStore } from '../../src/store/s3-artifact-store.js';
import { S3_TEST_CREDENTIALS, startTestS3, type TestS3 } from '../helpers/s3-server.js';
import { artifactStoreConformance } from './artifact-store-conformance.js';
import { assertKilnError } from './store-conformance.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

let s3: TestS3;
let raw: S3Client;
const opened: S3ArtifactStore[] = [];
const savedEnv = { ...process.env };

before(async () => {
  Object.assign(process.env, S3_TEST_CREDENTIALS);
  s3 = await startTestS3(['kiln-models', 'other-bucket']);
  raw = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
});
after(async () => {
  for (const store of opened) store.close();
  raw.destroy();
  await s3.close();
  process.env = savedEnv;
});

async function openAt(prefix: string): Promise<S3ArtifactStore> {
  const store = await S3ArtifactStore.open(s3.urlOf('kiln-models', prefix));
  opened.push(store);
  return store;
}

async function keysUnder(bucket: string): Promise<string[]> {
  const listed = await raw.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
}

describe('S3ArtifactStore', () => {
  test('put returns the sha256 and stores the object as PREFIX/sha256/ab/abcdef…, as the local folder does', async () => {
    const store = await openAt('team/models');
    const bytes = bytesOf('{"format":"onnx"}');
    const digest = await store.put(bytes);
    assert.equal(digest, sha256(bytes));
    assert.ok((await keysUnder('kiln-models')).includes(`team/models/sha256/${digest.slice(0, 2)}/${digest}`));
    assert.deepEqual(new Uint8Array(await store.get(digest)), bytes);
    assert.equal(await store.has(digest), true);
    assert.equal(store.location, 's3://kiln-models/team/models');
  });

  test('put is idempotent, also when processes race', async () => {
    const store = await openAt('idempotent');
    const bytes = bytesOf('model bytes');
    const digests = await Promise.all([store.put(bytes), store.put(bytes), store.put(bytes)]);
    assert.deepEqual(new Set(digests), new Set([sha256(bytes)]));
    const keys = (await keysUnder('kiln-models')).filter((k) => k.startsWith('idempotent/'));
    assert.deepEqual(keys, [`idempotent/sha256/${digests[0]!.slice(0, 2)}/${digests[0]!}`]);
  });

  test('stores empty, binary and large content', async () => {
    const store = await openAt('kinds');
    const binary = new Uint8Array(256).map((_, i) => i);
    const large = new Uint8Array(6 * 1024 * 1024).map((_, i) => (i * 31) % 251);
    for (const bytes of [new Uint8Array(0), binary, large]) {
      assert.deepEqual(new Uint8Array(await store.get(await store.put(bytes))), bytes);
    }
  });

  test('an unknown digest is ARTIFACT_NOT_FOUND naming the bucket, and a malformed one never becomes a key', async () => {
    const store = await openAt('missing');
    const missing = sha256(bytesOf('never stored'));
    assert.equal(await store.has(missing), false);
    await assertKilnError(store.get(missing), 'ARTIFACT_NOT_FOUND', { digest: missing, location: 's3://kiln-models/missing' });
    for (const bad of ['../../../etc/passwd', 'abc', missing.toUpperCase(), `${'a'.repeat(64)}/..`]) {
      assert.equal(await store.has(bad), false, bad);
      await assertKilnError(store.get(bad), 'ARTIFACT_NOT_FOUND', { digest: bad });
    }
  });

  test('an object changed in the bucket is ARTIFACT_CORRUPT, with a hint about the bucket; putting the bytes again repairs a truncated one', async () => {
    const store = await openAt('corrupt');
    const bytes = bytesOf('original content of a model');
    const digest = await store.put(bytes);
    await raw.send(new PutObjectCommand({ Bucket: 'kiln-models', Key: store.keyOf(digest), Body: Buffer.from('tampered content of a model') }));
    await assert.rejects(store.get(digest), (err: unknown) => {
      assert.ok(err instanceof KilnError);
      assert.equal(err.code, 'ARTIFACT_CORRUPT');
      assert.match(err.hint ?? '', /the bucket s3:\/\/kiln-models\/corrupt was changed outside Kiln/);
      return true;
    });
    await raw.send(new PutObjectCommand({ Bucket: 'kiln-models', Key: store.keyOf(digest), Body: Buffer.from('original') }));
    await store.put(bytes);
    assert.deepEqual(new Uint8Array(await store.get(digest)), bytes);
  });

  test('putFile sends a file larger than a part in parts, and the object appears whole', async () => {
    const store = await openAt('multipart');
    const dir = mkdtempSync(join(tmpdir(), 'kiln-multipart-'));
    try {
      // 8 MiB parts: two whole parts and a short last one
      const bytes = new Uint8Array(17 * 1024 * 1024 + 3).map((_, i) => (i * 7 + (i >>> 16)) % 253);
      writeFileSync(join(dir, 'big.csv'), bytes);
      const digest = await store.putFile(join(dir, 'big.csv'));
      assert.equal(digest, sha256(bytes));
      assert.deepEqual(await keysUnder('kiln-models').then((keys) => keys.filter((k) => k.startsWith('multipart/'))), [store.keyOf(digest)], 'one object, no parts left behind');
      await store.getToFile(digest, join(dir, 'back.csv'));
      assert.ok(readFileSync(join(dir, 'back.csv')).equals(bytes));
      assert.equal(await store.putFile(join(dir, 'big.csv')), digest, 'a second put finds the object');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('two stores with different prefixes in one bucket do not see each other', async () => {
    const a = await openAt('a');
    const b = await openAt('b');
    const digest = await a.put(bytesOf('only in a'));
    assert.equal(await a.has(digest), true);
    assert.equal(await b.has(digest), false);
  });

  test('a bucket that does not exist, a wrong key or an unreachable endpoint fails at open with STORE_UNAVAILABLE and what to check', async () => {
    await assert.rejects(S3ArtifactStore.open(s3.urlOf('no-such-bucket')), (err: unknown) => {
      assert.ok(err instanceof KilnError);
      assert.equal(err.code, 'STORE_UNAVAILABLE');
      assert.match(err.message, /s3:\/\/no-such-bucket.*the bucket does not exist/);
      assert.match(err.hint ?? '', /bucket exists.*AWS_ENDPOINT_URL.*AWS_ACCESS_KEY_ID/);
      return true;
    });
    process.env['AWS_ACCESS_KEY_ID'] = 'NOT-A-KEY';
    try {
      await assert.rejects(S3ArtifactStore.open(s3.urlOf('kiln-models')), (err: unknown) => {
        assert.ok(err instanceof KilnError);
        assert.equal(err.code, 'STORE_UNAVAILABLE');
        assert.match(err.message, /access denied/);
        return true;
      });
    } finally {
      process.env['AWS_ACCESS_KEY_ID'] = S3_TEST_CREDENTIALS.AWS_ACCESS_KEY_ID;
    }
    await assert.rejects(S3ArtifactStore.open('s3://kiln-models?endpoint=http%3A%2F%2F127.0.0.1%3A1'), (err: unknown) => {
      assert.ok(err instanceof KilnError);
      assert.equal(err.code, 'STORE_UNAVAILABLE');
      assert.match(err.message, /cannot reach the object store \(ECONNREFUSED\)/);
      return true;
    });
  });

  test('the endpoint can come from AWS_ENDPOINT_URL instead of the URL', async () => {
    process.env['AWS_ENDPOINT_URL'] = s3.endpoint;
    try {
      const store = await S3ArtifactStore.open('s3://other-bucket/x');
      opened.push(store);
      const digest = await store.put(bytesOf('through the environment'));
      assert.deepEqual(await keysUnder('other-bucket'), [`x/sha256/${digest.slice(0, 2)}/${digest}`]);
    } finally {
      delete process.env['AWS_ENDPOINT_URL'];
    }
  });

  test('openArtifacts picks a bucket for s3:// and a folder otherwise', async () => {
    const bucket = await openArtifacts(s3.urlOf('kiln-models', 'via-open'));
    assert.ok(bucket instanceof S3ArtifactStore);
    opened.push(bucket);
    const dir = mkdtempSync(join(tmpdir(), 'kiln-artifacts-'));
    try {
      const folder = await openArtifacts(join(dir, 'models'));
      assert.ok(folder instanceof LocalArtifactStore);
      assert.equal(folder.whereIs('a'.repeat(64)), join(dir, 'models', 'sha256', 'aa', 'a'.repeat(64)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseS3Url', () => {
  test('reads the bucket, the prefix and the settings', () => {
    assert.deepEqual(parseS3Url('s3://kiln-models'), { bucket: 'kiln-models', prefix: '' });
    assert.deepEqual(parseS3Url('s3://kiln-models/a/b/'), { bucket: 'kiln-models', prefix: 'a/b' });
    assert.deepEqual(parseS3Url('s3://kiln.models/p?endpoint=http://minio:9000&region=eu-west-1'), { bucket: 'kiln.models', prefix: 'p', endpoint: 'http://minio:9000', region: 'eu-west-1' });
  });

  test('refuses what is not a bucket URL, saying why', () => {
    const cases: Array<[string, RegExp]> = [
      ['kiln-models/x', /not a URL/],
      ['https://kiln-models/x', /does not start with s3:\/\//],
      ['s3://Kiln_Models', /not a valid bucket name/],
      ['s3://ab', /not a valid bucket name/],
      ['s3://key:secret@kiln-models', /credentials do not belong in the URL/],
      ['s3://kiln-models?endpiont=http://x', /unknown setting "endpiont"/],
      ['s3://kiln-models?endpoint=minio:9000', /not an http\(s\) URL/],
    ];
    for (const [url, why] of cases) {
      assert.throws(() => parseS3Url(url), (err: unknown) => err instanceof KilnError && err.code === 'INVALID_PARAMS' && why.test(err.message), url);
    }
  });
});

let conformancePrefixes = 0;
artifactStoreConformance('S3ArtifactStore', async () => {
  const prefix = `conformance-${++conformancePrefixes}`;
  const store = await openAt(prefix);
  return {
    store,
    details: { location: `s3://kiln-models/${prefix}` },
    overwrite: async (digest, bytes) => {
      await raw.send(new PutObjectCommand({ Bucket: 'kiln-models', Key: store.keyOf(digest), Body: bytes }));
    },
  };
});
