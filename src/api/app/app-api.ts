/**
 * The HTTP API the no-code app needs, as one Fastify plugin (mounted by the server next to the
 * registry API). Its parts, one file each:
 *
 *   data-routes.ts    uploads, previews, `kiln inspect` with one-click fixes, applying a fix
 *   spec-routes.ts    templates, a suggested module spec with its plain explanation, the spec's JSON Schema
 *   job-routes.ts     training jobs (one at a time, each in a worker thread — or, with a queue URL, run by
 *                     `kiln worker` processes through Redis), followed live over Server-Sent Events
 *   model-routes.ts   a version's report (with a threshold table), explanations of rows, its learning
 *                     curve (a job of the same queue), deploying
 *
 * Uploads live in `<home>/uploads`, content-addressed; with an artifact store shared by several servers
 * (a bucket, or a folder outside the home) they are put there too, so that any replica behind a load
 * balancer can read any upload (shared-uploads.ts). Errors have the server's shape
 * (`{error, code, hint?, problems?}`, src/serve/rest/http-errors.ts).
 */
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { trainJson } from '../../cli/train.js';
import type { DataPlane } from '../../serve/data-plane.js';
import { replyWithError } from '../../serve/rest/http-errors.js';
import type { ArtifactStore, Store } from '../../store/store.js';
import { AppSources } from './app-sources.js';
import { dataRoutes } from './data-routes.js';
import { jobRoutes } from './job-routes.js';
import { modelRoutes } from './model-routes.js';
import { specRoutes } from './spec-routes.js';
import type { JobQueue } from './job-queue.js';
import { RedisJobQueue } from './redis-job-queue.js';
import { liesUnder } from './shared-home.js';
import { SharedUploads, type SharedStore } from './shared-uploads.js';
import { TrainingJobs, type JobTrainer, type TrainingJobsOptions } from './training-jobs.js';
import { UploadStore } from './upload-store.js';
import type { WorkerError } from './training-worker.js';
import { workerCurves, workerTrainer } from './worker-trainer.js';

export interface AppApiOptions {
  readonly store: Store;
  readonly artifacts: ArtifactStore;
  /** The Kiln home (absolute): uploads go to `<home>/uploads`. */
  readonly home: string;
  /**
   * The URL of `store`, which each training job's worker thread opens for itself (default
   * `<home>/kiln.db`, the home's own SQLite store).
   */
  readonly storeUrl?: string;
  /** The URL of `artifacts` when not `<home>/artifacts` (another folder or `s3://BUCKET/PREFIX`), for the same reason. */
  readonly artifactsUrl?: string;
  /** Deploying loads the version into the server's data plane. */
  readonly dataPlane: DataPlane;
  /** Trains one spec; default trainModule in a worker thread per job (worker-trainer.ts). */
  readonly train?: JobTrainer;
  /**
   * A Redis job queue (`redis://HOST:PORT`): jobs are queued there for `kiln worker` processes instead of
   * run in this server (redis-job-queue.ts); default: the in-process runner.
   */
  readonly queue?: string;
  /** The queue's key prefix (default `kiln`): servers and workers sharing one Redis for separate queues. */
  readonly queuePrefix?: string;
  /** Largest upload in bytes (default 200 MB). */
  readonly maxUploadBytes?: number;
}

export async function appApi(app: FastifyInstance, options: AppApiOptions): Promise<void> {
  const { store, artifacts } = options;
  // At the server's root the errors reach its handler anyway; this keeps the shape when mounted alone.
  app.setErrorHandler((err, request, reply) => replyWithError(err, request, reply));

  const uploads = new UploadStore(join(options.home, 'uploads'), options.maxUploadBytes);
  const shared = new SharedUploads(sharedStore(options));
  const sources = new AppSources(uploads.dir, shared);
  const logger = app.log.child({ component: 'training-jobs' }) as unknown as Logger;
  const workers = {
    home: options.home,
    storeUrl: options.storeUrl ?? join(options.home, 'kiln.db'),
    ...(options.artifactsUrl === undefined ? {} : { artifactsUrl: options.artifactsUrl }),
    logError: (err: WorkerError) => logger.error({ err }, 'job worker failed'),
  };
  const jobs: JobQueue =
    options.queue === undefined
      ? await inProcessJobs(app, { train: options.train ?? workerTrainer(workers), curves: workerCurves(workers), resultJson: trainJson, logger }, join(options.home, 'jobs'))
      : await RedisJobQueue.open({
          url: options.queue,
          home: options.home,
          logger,
          ...(options.queuePrefix === undefined ? {} : { prefix: options.queuePrefix }),
          // artifacts in a bucket: workers may share no folder with this server, so uploads travel with the job
          ...(options.artifactsUrl !== undefined && /^s3:/i.test(options.artifactsUrl) ? { shipDataThrough: artifacts } : {}),
        });

  // the registry names what was trained on an upload; the jobs say whether a training still reads it
  await app.register(dataRoutes, { sources, uploads, shared, store, jobs });
  await app.register(specRoutes, { sources });
  await app.register(jobRoutes, { jobs, sources });
  await app.register(modelRoutes, { store, artifacts, dataPlane: options.dataPlane, jobs });
}

/**
 * The in-process runner, its jobs journaled in `<home>/jobs` so that they outlive a restart
 * (job-journal.ts). Jobs that waited when the server last stopped start once it listens: a start that
 * fails (a port already taken) closes the server again, which must not have begun them.
 */
async function inProcessJobs(app: FastifyInstance, options: TrainingJobsOptions, journalDir: string): Promise<TrainingJobs> {
  const jobs = await TrainingJobs.open(options, journalDir);
  app.addHook('onListen', () => jobs.resume());
  return jobs;
}

/**
 * The artifact store this server shares with others, when it does: a bucket, or a folder outside the
 * home (one all replicas mount). The default `<home>/artifacts`, or a folder inside the home, is this
 * server's own.
 */
function sharedStore({ artifacts, artifactsUrl, home }: AppApiOptions): SharedStore | undefined {
  if (artifactsUrl === undefined) return undefined;
  if (/^s3:/i.test(artifactsUrl)) return { artifacts, location: artifactsUrl.split('?')[0] ?? artifactsUrl };
  const folder = resolve(artifactsUrl.replace(/^file:(\/\/)?/i, ''));
  return folder === resolve(home) || liesUnder(folder, resolve(home)) ? undefined : { artifacts, location: folder };
}
