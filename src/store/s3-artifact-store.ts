/**
 * Artifacts in an S3-compatible object store (AWS S3, MinIO, Ceph, R2, …), named by a URL
 * `s3://BUCKET/PREFIX`. The layout is the local folder's: the bytes with sha256 `abcdef…` are the object
 * `PREFIX/sha256/ab/abcdef…`, so a folder can be copied to a bucket (`aws s3 sync artifacts/ s3://…`) and
 * back without renaming anything.
 *
 * This is what lets `kiln worker` run on machines that share no folder with the server: models go to
 * the bucket, runs and versions to PostgreSQL, jobs through Redis.
 *
 * A PUT in S3 is atomic (an object appears whole or not at all), so there is no temporary-name dance as
 * in the local store; content addressing makes two processes putting the same bytes harmless. `get`
 * checks the bytes against their name, as the local store does.
 *
 * Large files (uploads) go by `putFile` without being read into memory whole. The key is the digest, so
 * the file is hashed first (a pass over the disk), then sent as a multipart upload, a few parts in flight
 * at a time. The parts are hashed again as they are read, and the upload is completed — the object
 * appears — only when that second hash is the digest again: a file changed between the passes is
 * aborted, never stored under a name its bytes do not have. Parts travel as buffers, so the SDK can
 * retry one that failed (a stream body cannot be sent twice). `getToFile` streams the object into a file,
 * checked as `get` checks.
 *
 * Where and as whom: the AWS SDK's usual chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile,
 * an instance role; AWS_REGION; AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL for another S3 service). The URL
 * may carry `?endpoint=http://host:9000&region=…` instead, for a MinIO next to Kiln; with an endpoint of
 * its own the store addresses buckets by path (`host/BUCKET/key`), which MinIO and most self-hosted
 * services need.
 */
import { createHash } from 'node:crypto';
import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';
import { KilnError } from '../core/errors.js';
import { chunksOf, hashFile, openSource, sourceError, writeVerified } from './artifact-streams.js';
import type { ArtifactStore } from './store.js';

/** Lower-case hex sha256, the only form `put` returns. Checking it also keeps keys under the prefix. */
const DIGEST = /^[0-9a-f]{64}$/;

/**
 * A multipart upload's part: S3 wants at least 5 MiB (but the last) and at most 10,000 parts, so larger
 * files get larger parts. Files up to one part go in one PUT. Memory held is about PART_BYTES × PARTS_IN_FLIGHT.
 */
const PART_BYTES = 8 * 1024 * 1024;
const MAX_PARTS = 10_000;
const PARTS_IN_FLIGHT = 4;

export interface S3Location {
  readonly bucket: string;
  /** Key prefix without leading or trailing slashes; '' for the bucket's root. */
  readonly prefix: string;
  readonly endpoint?: string;
  readonly region?: string;
}

/** Reads `s3://BUCKET[/PREFIX][?endpoint=URL&region=R]`; INVALID_PARAMS naming what is wrong. */
export function parseS3Url(url: string): S3Location {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badUrl(url, 'it is not a URL');
  }
  if (parsed.protocol !== 's3:') throw badUrl(url, 'it does not start with s3://');
  const bucket = parsed.hostname;
  // S3's rules for bucket names: 3–63 characters, lower-case letters, digits, dots and hyphens
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw badUrl(url, `"${bucket}" is not a valid bucket name (3–63 lower-case letters, digits, dots or hyphens)`);
  if (parsed.username !== '' || parsed.password !== '') throw badUrl(url, 'credentials do not belong in the URL; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  const known = new Set(['endpoint', 'region']);
  for (const key of parsed.searchParams.keys()) {
    if (!known.has(key)) throw badUrl(url, `unknown setting "${key}" (known: endpoint, region)`);
  }
  const endpoint = parsed.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) throw badUrl(url, `endpoint "${endpoint}" is not an http(s) URL`);
  const region = parsed.searchParams.get('region') ?? undefined;
  const prefix = decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, '');
  return { bucket, prefix, ...(endpoint === undefined ? {} : { endpoint }), ...(region === undefined ? {} : { region }) };
}

export class S3ArtifactStore implements ArtifactStore {
  /** The URL as the user gave it, without query settings: what messages name. */
  readonly location: string;

  private constructor(
    private readonly client: S3Client,
    private readonly where: S3Location,
    private readonly sdk: typeof import('@aws-sdk/client-s3'),
  ) {
    this.location = `s3://${where.bucket}${where.prefix === '' ? '' : `/${where.prefix}`}`;
  }

  /**
   * Connects to the bucket at `url` and checks it can be reached (STORE_UNAVAILABLE otherwise), so a
   * wrong endpoint, bucket or key fails when Kiln starts, not after an hour of training.
   */
  static async open(url: string): Promise<S3ArtifactStore> {
    const where = parseS3Url(url);
    // The SDK warns on every start that its 2027 releases will need Node 22; Kiln pins a release that
    // runs on Node 20, so the warning would only alarm users.
    process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
    // Loaded only when a bucket is used: the SDK is large and most homes keep artifacts in a folder.
    const sdk = await import('@aws-sdk/client-s3');
    const endpoint = where.endpoint ?? process.env['AWS_ENDPOINT_URL_S3'] ?? process.env['AWS_ENDPOINT_URL'];
    const client = new sdk.S3Client({
      // S3 wants a region even where it does not matter (MinIO); us-east-1 is what MinIO assumes
      region: where.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
      ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }),
      // Checksums only where S3 requires them: the bytes are already checked against their sha256 name,
      // and older S3-compatible services refuse the newer checksum headers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
    const store = new S3ArtifactStore(client, where, sdk);
    try {
      await client.send(new sdk.HeadBucketCommand({ Bucket: where.bucket }));
    } catch (err) {
      client.destroy();
      throw store.unavailable(err);
    }
    return store;
  }

  async put(bytes: Uint8Array): Promise<string> {
    const digest = sha256(bytes);
    // Objects only ever appear whole, so one of the right size is this content (as in the local store).
    if ((await this.sizeOf(digest)) === bytes.byteLength) return digest;
    try {
      await this.client.send(new this.sdk.PutObjectCommand({ Bucket: this.where.bucket, Key: this.keyOf(digest), Body: bytes, ContentType: 'application/octet-stream' }));
    } catch (err) {
      throw this.unavailable(err);
    }
    return digest;
  }

  async get(digest: string): Promise<Buffer> {
    if (!DIGEST.test(digest)) throw new KilnError('ARTIFACT_NOT_FOUND', { digest, location: this.location });
    let bytes: Buffer;
    try {
      const answer = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.where.bucket, Key: this.keyOf(digest) }));
      if (answer.Body === undefined) throw new Error('the object store answered without a body');
      bytes = Buffer.from(await answer.Body.transformToByteArray());
    } catch (err) {
      if (isMissing(err)) throw new KilnError('ARTIFACT_NOT_FOUND', { digest, location: this.location }, { cause: err });
      throw this.unavailable(err);
    }
    if (sha256(bytes) !== digest) throw new KilnError('ARTIFACT_CORRUPT', { digest, location: this.location });
    return bytes;
  }

  async putFile(path: string): Promise<string> {
    const { handle, size } = await openSource(path);
    try {
      // a file of one part is small: read it and put it as bytes
      if (size <= PART_BYTES) {
        const parts: Buffer[] = [];
        for await (const chunk of chunksOf(handle, (err) => sourceError(path, err))) parts.push(chunk);
        return await this.put(Buffer.concat(parts));
      }
    } finally {
      await handle.close();
    }
    const hashed = await hashFile(path);
    if ((await this.sizeOf(hashed.digest)) === hashed.size) return hashed.digest;
    await this.putMultipart(path, hashed.digest, hashed.size);
    return hashed.digest;
  }

  async getToFile(digest: string, path: string): Promise<void> {
    if (!DIGEST.test(digest)) throw new KilnError('ARTIFACT_NOT_FOUND', { digest, location: this.location });
    let body: AsyncIterable<Uint8Array>;
    try {
      const answer = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.where.bucket, Key: this.keyOf(digest) }));
      // in Node the body is a Readable, which iterates in chunks as they arrive
      if (answer.Body === undefined || !(Symbol.asyncIterator in answer.Body)) throw new Error('the object store answered without a readable body');
      body = answer.Body as AsyncIterable<Uint8Array>;
    } catch (err) {
      if (isMissing(err)) throw new KilnError('ARTIFACT_NOT_FOUND', { digest, location: this.location }, { cause: err });
      throw this.unavailable(err);
    }
    const corrupt = (): KilnError => new KilnError('ARTIFACT_CORRUPT', { digest, location: this.location });
    try {
      await writeVerified(this.received(body), digest, path, corrupt);
    } finally {
      // a body left unread (the target could not be made) would hold its connection open
      (body as { destroy?: () => void }).destroy?.();
    }
  }

  async has(digest: string): Promise<boolean> {
    return DIGEST.test(digest) && (await this.sizeOf(digest)) !== undefined;
  }

  /** The object's key for `digest` (whether or not it is there). */
  keyOf(digest: string): string {
    const key = `sha256/${digest.slice(0, 2)}/${digest}`;
    return this.where.prefix === '' ? key : `${this.where.prefix}/${key}`;
  }

  whereIs(digest: string): string {
    return `s3://${this.where.bucket}/${this.keyOf(digest)}`;
  }

  /** Lets go of the SDK's sockets (a process that opened a store exits promptly). */
  close(): void {
    this.client.destroy();
  }

  private async sizeOf(digest: string): Promise<number | undefined> {
    try {
      const head = await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.where.bucket, Key: this.keyOf(digest) }));
      return head.ContentLength ?? 0;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw this.unavailable(err);
    }
  }

  /**
   * Sends the file at `path` as the object of `digest`, in parts; completes the upload only when the
   * parts' bytes hash to `digest`, and aborts it on any failure (S3 keeps no half object either way).
   */
  private async putMultipart(path: string, digest: string, size: number): Promise<void> {
    const { bucket } = this.where;
    const key = this.keyOf(digest);
    // ceil(size / MAX_PARTS) rounded up to a whole MiB, so a very large file still fits in 10,000 parts
    const partBytes = Math.max(PART_BYTES, Math.ceil(size / MAX_PARTS / 1048576) * 1048576);
    let uploadId: string;
    try {
      const created = await this.client.send(new this.sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: 'application/octet-stream' }));
      if (created.UploadId === undefined) throw new Error('the object store started a multipart upload without an id');
      uploadId = created.UploadId;
    } catch (err) {
      throw this.unavailable(err);
    }
    const source = await openSource(path).catch(async (err: unknown) => {
      await this.abort(key, uploadId);
      throw err;
    });
    const parts: CompletedPart[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    try {
      const hash = createHash('sha256');
      let partNumber = 0;
      for await (const part of chunksOf(source.handle, (err) => sourceError(path, err), partBytes)) {
        hash.update(part);
        const number = ++partNumber;
        const sending: Promise<void> = this.client
          .send(new this.sdk.UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: number, Body: part, ContentLength: part.byteLength }))
          .then((sent) => {
            parts.push({ PartNumber: number, ETag: sent.ETag });
          })
          .catch((err: unknown) => {
            failure ??= this.unavailable(err);
          })
          .finally(() => inFlight.delete(sending));
        inFlight.add(sending);
        if (inFlight.size >= PARTS_IN_FLIGHT) await Promise.race(inFlight);
        if (failure !== undefined) break;
      }
      await Promise.all(inFlight);
      if (failure !== undefined) throw failure;
      if (hash.digest('hex') !== digest) {
        throw new KilnError('DATA_UNREADABLE', { path, reason: 'the file changed while it was being stored', hint: 'store it again once nothing is writing to it' });
      }
      parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
      try {
        await this.client.send(new this.sdk.CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
      } catch (err) {
        throw this.unavailable(err);
      }
    } catch (err) {
      await Promise.all(inFlight); // no part may land after the abort
      await this.abort(key, uploadId);
      throw err;
    } finally {
      await source.handle.close();
    }
  }

  /** Lets go of an unfinished multipart upload's parts; a failure here only leaves parts S3 can expire. */
  private async abort(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new this.sdk.AbortMultipartUploadCommand({ Bucket: this.where.bucket, Key: key, UploadId: uploadId }));
    } catch {
      // the error that led here is the one to report; a bucket lifecycle rule removes stale parts
    }
  }

  /** The body of a GET, its read errors as STORE_UNAVAILABLE (the connection dropped mid-way). */
  private async *received(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of body) yield chunk;
    } catch (err) {
      throw this.unavailable(err);
    }
  }

  private unavailable(err: unknown): KilnError {
    return new KilnError('STORE_UNAVAILABLE', { location: this.location, reason: reasonOf(err) }, { cause: err });
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** S3's "no such object": NoSuchKey from GET, a bare 404 (NotFound) from HEAD. */
function isMissing(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || (status === 404 && err.name !== 'NoSuchBucket');
}

/** What went wrong in words a user can act on (the SDK's names are terse: "NotFound", "UnknownError"). */
function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (err.name === 'NoSuchBucket' || (status === 404 && err.name === 'NotFound')) return 'the bucket does not exist';
  if (status === 403 || err.name === 'AccessDenied' || err.name === 'InvalidAccessKeyId' || err.name === 'SignatureDoesNotMatch') {
    return `access denied (${err.name}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
  }
  if (err.name === 'CredentialsProviderError') return 'no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') return `cannot reach the object store (${code})`;
  return err.message === '' || err.message === 'UnknownError' ? `${err.name} (HTTP ${status ?? '?'})` : err.message;
}

function badUrl(url: string, why: string): KilnError {
  return new KilnError('INVALID_PARAMS', { what: 'artifact store', summary: `"${url}" is not an artifact store URL: ${why}; write s3://BUCKET/PREFIX` });
}
