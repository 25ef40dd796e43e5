import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
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


/** A file of `bytes` bytes (more than two 8 MiB parts), different for each `seed`. */
function bigBytes(bytes: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 7 + seed + (i >>> 16)) % 253;
  return out;
}

type Sent = { readonly input: Record<string, unknown> };
type Send = (command: Sent) => Promise<unknown>;

/**
 * Puts `around` between the store and its S3 client: it sees every command (and may fail it or act
 * before passing it on by calling `pass`). Returns the commands' class names in the order they were
 * sent, and settled, so that tests can tell what the store did and in which order.
 */
function interceptSends(store: S3ArtifactStore, around: (command: Sent, pass: () => Promise<unknown>) => Promise<unknown>): { sent: string[]; settled: string[] } {
  // the client is private: reaching it is the narrowest fake that keeps the real SDK and server
  const client = (store as unknown as { client: { send: Send } }).client;
  const send = client.send.bind(client);
  const log = { sent: [] as string[], settled: [] as string[] };
  client.send = async (command) => {
    const name = (command as object).constructor.name;
    log.sent.push(name);
    try {
      return await around(command, () => send(command));
    } finally {
      log.settled.push(name);
    }
  };
  return log;
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

  describe('multipart failures leave nothing under the digest', () => {
    const PARTS = 17 * 1024 * 1024; // two whole 8 MiB parts and a short third
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'kiln-multipart-fail-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    test('a file that changes between the hashing pass and the upload is aborted with DATA_UNREADABLE', async () => {
      const store = await openAt('changed');
      const path = join(dir, 'changing.csv');
      const original = bigBytes(PARTS, 1);
      const changed = bigBytes(PARTS, 2);
      writeFileSync(path, original);
      const log = interceptSends(store, async (command, pass) => {
        // the hashing pass is over once the upload starts: change the file (same size) before its parts are read
        if (command instanceof CreateMultipartUploadCommand) writeFileSync(path, changed);
        return pass();
      });
      await assertKilnError(store.putFile(path), 'DATA_UNREADABLE', { path, reason: 'the file changed while it was being stored' });
      assert.ok(log.sent.includes('AbortMultipartUploadCommand'), 'the upload is aborted');
      assert.ok(!log.sent.includes('CompleteMultipartUploadCommand'), 'never completed');
      assert.equal(await store.has(sha256(original)), false, 'nothing under the digest that was hashed');
      assert.equal(await store.has(sha256(changed)), false, 'nor under the new bytes\' digest');
      assert.deepEqual(await keysUnder('kiln-models').then((keys) => keys.filter((k) => k.startsWith('changed/'))), []);
      // once nothing writes to it, the file stores under its own digest
      assert.equal(await store.putFile(path), sha256(changed));
    });

    test('a part that fails aborts the upload after the parts in flight settle, as STORE_UNAVAILABLE', async () => {
      const store = await openAt('part-fails');
      const path = join(dir, 'part-fails.csv');
      const bytes = bigBytes(PARTS, 3);
      writeFileSync(path, bytes);
      const log = interceptSends(store, async (command, pass) => {
        if (command instanceof UploadPartCommand && command.input['PartNumber'] === 2) throw Object.assign(new Error('connection reset by peer'), { code: 'ECONNRESET' });
        return pass();
      });
      await assertKilnError(store.putFile(path), 'STORE_UNAVAILABLE', { location: 's3://kiln-models/part-fails', reason: 'connection reset by peer' });
      assert.ok(!log.sent.includes('CompleteMultipartUploadCommand'), 'never completed');
      // no part may land after the abort: every part sent settled before it was
      const aborted = log.sent.indexOf('AbortMultipartUploadCommand');
      assert.notEqual(aborted, -1, 'the upload is aborted');
      const partsSent = log.sent.filter((name) => name === 'UploadPartCommand').length;
      assert.equal(log.settled.slice(0, log.settled.indexOf('AbortMultipartUploadCommand')).filter((name) => name === 'UploadPartCommand').length, partsSent);
      assert.equal(log.sent.slice(aborted + 1).length, 0, 'nothing is sent after the abort');
      assert.equal(await store.has(sha256(bytes)), false);
    });

    test('when the abort fails too, the part\'s error is the one reported', async () => {
      const store = await openAt('abort-fails');
      const path = join(dir, 'abort-fails.csv');
      const bytes = bigBytes(PARTS, 4);
      writeFileSync(path, bytes);
      let aborts = 0;
      interceptSends(store, async (command, pass) => {
        if (command instanceof UploadPartCommand && command.input['PartNumber'] === 1) throw new Error('part 1 was refused');
        if (command instanceof AbortMultipartUploadCommand) {
          aborts++;
          throw new Error('the abort was refused');
        }
        return pass();
      });
      await assertKilnError(store.putFile(path), 'STORE_UNAVAILABLE', { reason: 'part 1 was refused' });
      assert.equal(aborts, 1, 'the abort was tried once');
      assert.equal(await store.has(sha256(bytes)), false);
    });

    test('the server going away mid-upload is STORE_UNAVAILABLE, and the bytes can be stored once it is back', async () => {
      const store = await openAt('outage');
      const path = join(dir, 'outage.csv');
      const bytes = bigBytes(PARTS, 5);
      writeFileSync(path, bytes);
      let paused = false;
      const log = interceptSends(store, async (command, pass) => {
        // the server stops while the parts are sent; the abort then cannot reach it either
        if (command instanceof UploadPartCommand && !paused) {
          paused = true;
          await s3.pause();
        }
        return pass();
      });
      try {
        await assert.rejects(store.putFile(path), (err: unknown) => {
          assert.ok(err instanceof KilnError);
          assert.equal(err.code, 'STORE_UNAVAILABLE');
          assert.match(err.message, /cannot reach the object store \(ECONNREFUSED\)/);
          return true;
        });
      } finally {
        await s3.resume();
      }
      assert.ok(log.sent.includes('AbortMultipartUploadCommand'), 'an abort was attempted');
      assert.ok(!log.sent.includes('CompleteMultipartUploadCommand'));
      assert.equal(await store.has(sha256(bytes)), false);
      assert.equal(await store.putFile(path), sha256(bytes));
      assert.equal(await store.has(sha256(bytes)), true);
    });
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
