/**
 * An S3-compatible object store on loopback for tests: s3rver (a Node implementation of S3's REST API),
 * serving a temporary folder. Tests of the S3 artifact store and of Kiln with `--artifacts s3://…` run
 * against it as they would against MinIO or AWS, through the AWS SDK.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** s3rver's fixed key pair: requests signed with another are refused, as a real service would. */
export const S3_TEST_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } as const;

export interface TestS3 {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  /** `s3://BUCKET/PREFIX?endpoint=…` for a bucket the server has. */
  urlOf(bucket: string, prefix?: string): string;
  /** Stops answering (connections are refused), keeping what is stored: an outage. */
  pause(): Promise<void>;
  /** Answers again on the same port, with what was stored before the outage. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a server with the given (empty) buckets. */
export async function startTestS3(buckets: readonly string[]): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'kiln-s3-'));
  const configureBuckets = buckets.map((name) => ({ name, configs: [] }));
  let server: S3rver | undefined = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    urlOf: (bucket, prefix = '') => `s3://${bucket}${prefix === '' ? '' : `/${prefix}`}?endpoint=${encodeURIComponent(endpoint)}`,
    pause: async () => {
      await server?.close();
      server = undefined;
    },
    resume: async () => {
      server = new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets });
      await server.run();
    },
    close: async () => {
      await server?.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
