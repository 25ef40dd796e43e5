/**
 * The in-process runner's jobs across a restart, with stand-in trainers: a runner opened on the journal
 * of an earlier one shows its ended jobs as they ended and replays their events; a job that was running
 * ends JOB_INTERRUPTED (shut down, or killed: a child process SIGKILLed mid-job); a job that was waiting
 * runs once the runner resumes, unless its data is gone; unreadable files are skipped with a warning;
 * only the latest `keepFinished` ended jobs are kept; a second runner on the same folder leaves it alone.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { TrainingJobs, type JobCurves, type JobEvent, type JobTrainer, type TrainingJob } from '../../../src/api/app/training-jobs.js';
import { KilnError } from '../../../src/core/errors.js';
import { validateSpec } from '../../../src/modules/spec.js';
import type { VersionCurvesResult } from '../../../src/modules/tabular/version-curves.js';
import type { ModuleTrainResult } from '../../../src/modules/train-module.js';

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-job-journal-'));
  made.push(dir);
  return dir;
}

/** A data file that exists: a waiting job whose data is there may run again after a restart. */
function dataFile(dir: string): string {
  const path = join(dir, 't.csv');
  writeFileSync(path, 'x,y\n1,0\n2,1\n');
  return path;
}

const spec = (name: string, data = '/nowhere/t.csv') => validateSpec({ name, data, target: 'y' }, null, '/');

function result(model: string): ModuleTrainResult {
  return { model, version: 1, runId: 'r', task: 'binary', learner: 'stub', fitSeconds: 0, rows: { train: 1, test: 1 }, metrics: { train: {}, test: {} }, details: {}, summary: [] };
}

/** A trainer that reports a stage, a few progress events and a note, then succeeds. */
const quickTrainer: JobTrainer = async (loaded, ctx) => {
  ctx.onEvent?.({ type: 'stage', stage: 'read', message: 'reading' });
  for (let iteration = 1; iteration <= 3; iteration++) ctx.onEvent?.({ type: 'progress', iteration, maxIterations: 3, trainLoss: 1 / iteration });
  ctx.onEvent?.({ type: 'note', message: 'a note' });
  await Promise.resolve();
  return result(loaded.spec.name);
};

/** A trainer that reports a stage, then waits until aborted. */
const stuckTrainer: JobTrainer = async (_loaded, ctx) => {
  ctx.onEvent?.({ type: 'stage', stage: 'fit', message: 'fitting' });
  await new Promise<void>((_resolve, reject) => ctx.signal?.addEventListener('abort', () => reject(new KilnError('CANCELLED', { what: 'training' }))));
  throw new Error('unreachable');
};

interface Logged {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** A logger whose warnings (and worse) are kept for the test to read. */
function capturingLogger(): { logger: pino.Logger; lines: Logged[] } {
  const lines: Logged[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Logged) });
  return { logger, lines };
}

function open(dir: string, train: JobTrainer, options: { keepFinished?: number; logger?: pino.Logger; curves?: JobCurves } = {}): Promise<TrainingJobs> {
  return TrainingJobs.open(
    {
      train,
      ...(options.curves === undefined ? {} : { curves: options.curves }),
      resultJson: (r) => ({ model: r.model, version: r.version }),
      logger: options.logger ?? pino({ level: 'silent' }),
      ...(options.keepFinished === undefined ? {} : { keepFinished: options.keepFinished }),
    },
    dir,
  );
}

/** Resolves when the job has ended, with every event it produced. */
function ended(jobs: TrainingJobs, job: TrainingJob): Promise<JobEvent[]> {
  return new Promise((resolve) => {
    const seen: JobEvent[] = [];
    jobs.subscribe(job, 0, (e) => {
      seen.push(e);
      if (e.event === 'done' || e.event === 'failed' || e.event === 'cancelled') resolve(seen);
    });
  });
}

function replay(jobs: TrainingJobs, job: TrainingJob, after = 0): JobEvent[] {
  const seen: JobEvent[] = [];
  jobs.subscribe(job, after, (e) => seen.push(e));
  return seen;
}

const records = (dir: string) => readdirSync(dir).filter((name) => /^[0-9a-f-]{36}\.json$/.test(name)).sort();

describe('training jobs across a restart', () => {
  test('an ended job comes back as it ended: its document, and its events replayed to `done`', async () => {
    const dir = tempDir();
    const curves: JobCurves = async (input, ctx) => {
      ctx.onPoint?.({ type: 'point', curve: 'size', point: { x: 10, train: 0.9, validation: 0.8, trainStd: 0, validationStd: 0, validationFolds: [0.8] }, done: 1, total: 1 });
      return { version: input.version, points: [] } as unknown as VersionCurvesResult;
    };
    const first = await open(dir, quickTrainer, { curves });
    const job = first.submit(spec('first'));
    const events = await ended(first, job);
    const curve = first.submitCurves({ model: 'first', version: 1, spec: spec('first').spec, snapshot: 'abc', searched: false });
    await ended(first, curve);
    await first.close();

    const second = await open(dir, quickTrainer, { curves });
    const back = second.get(job.id);
    assert.equal(back.status, 'succeeded');
    assert.deepEqual(back.result, { model: 'first', version: 1 });
    assert.equal(back.submittedAt.toISOString(), job.submittedAt.toISOString());
    assert.equal(back.startedAt?.toISOString(), job.startedAt?.toISOString());
    assert.equal(back.finishedAt?.toISOString(), job.finishedAt?.toISOString());
    assert.deepEqual(back.spec, job.spec);
    assert.deepEqual(replay(second, back), events, 'every event replayed, with the same ids, ending with done');
    assert.deepEqual(replay(second, back, events.length - 1).map((e) => e.event), ['done'], 'replay resumes after the last id seen');
    assert.deepEqual(second.list().map((j) => j.id), [curve.id, job.id], 'newest first, as before the restart');
    assert.equal(second.submitCurves({ model: 'first', version: 1, spec: spec('first').spec, snapshot: 'abc', searched: false }).id, curve.id, "a version's curve is not drawn again");
    await second.close();

    // a second restart shows the same: reading the journal changes nothing in it
    const third = await open(dir, quickTrainer, { curves });
    assert.deepEqual(replay(third, third.get(job.id)), events);
    await third.close();
  });

  test('a job running when the server shuts down ends failed JOB_INTERRUPTED, and comes back so; a waiting one runs after the restart', async () => {
    const dir = tempDir();
    const data = dataFile(dir);
    const first = await open(dir, stuckTrainer);
    const running = first.submit(spec('running', data));
    const waiting = first.submit(spec('waiting', data));
    await first.close();
    assert.equal(running.status, 'failed');
    assert.equal(running.error?.code, 'JOB_INTERRUPTED');
    assert.match(running.error?.error ?? '', /did not finish: the server was shut down while it ran, so nothing was registered/);
    assert.match(running.error?.hint ?? '', /start the training again/);
    assert.equal(waiting.status, 'queued', 'a waiting job is left waiting, not cancelled');

    const second = await open(dir, quickTrainer);
    const failed = second.get(running.id);
    assert.equal(failed.status, 'failed');
    assert.deepEqual(failed.error, running.error);
    const replayed = replay(second, failed);
    assert.deepEqual(replayed.map((e) => e.event), ['stage', 'failed']);
    assert.deepEqual(replayed.at(-1)?.data, { error: running.error }, 'its last event says so');

    const again = second.get(waiting.id);
    assert.equal(again.status, 'queued');
    assert.equal(second.queuePosition(again), 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(again.status, 'queued', 'it waits until the server listens (resume)');
    const done = ended(second, again);
    second.resume();
    const events = await done;
    assert.equal(again.status, 'succeeded');
    assert.ok(events.some((e) => e.event === 'note' && /the server restarted before this job started/.test((e.data as { message: string }).message)));
    assert.deepEqual(events.map((e) => e.id), events.map((_, i) => i + 1), 'event ids go on from those before the restart');
    await second.close();
  });

  test('a job running when the server is killed (SIGKILL) ends failed JOB_INTERRUPTED on the next start; the waiting one runs', async () => {
    const dir = tempDir();
    const data = dataFile(dir);
    const child = await killedMidJob(dir, data);
    const { logger } = capturingLogger();
    const jobs = await open(dir, quickTrainer, { logger });
    const interrupted = jobs.get(child.running);
    assert.equal(interrupted.status, 'failed');
    assert.equal(interrupted.error?.code, 'JOB_INTERRUPTED');
    assert.match(interrupted.error?.error ?? '', /stopped without shutting down/);
    assert.ok(interrupted.startedAt !== undefined && interrupted.finishedAt !== undefined, 'it started, and ended about when its files last changed');
    const replayed = replay(jobs, interrupted);
    assert.deepEqual(replayed.slice(0, -1), child.events, 'the events written before the kill replay as they were');
    assert.deepEqual(replayed.at(-1), { id: child.events.length + 1, event: 'failed', data: { error: interrupted.error } });

    const waiting = jobs.get(child.waiting);
    const done = ended(jobs, waiting);
    jobs.resume();
    await done;
    assert.equal(waiting.status, 'succeeded');
    await jobs.close();

    // what the restart decided is written: the next start shows the same
    const next = await open(dir, quickTrainer);
    assert.equal(next.get(child.running).error?.code, 'JOB_INTERRUPTED');
    assert.equal(next.get(child.waiting).status, 'succeeded');
    await next.close();
  });

  test('a waiting job whose upload is gone fails at start-up with UPLOAD_NOT_FOUND instead of running', async () => {
    const dir = tempDir();
    const folder = join(dir, 'home', 'uploads', 'a'.repeat(64));
    mkdirSync(folder, { recursive: true });
    const upload = join(folder, 'orders.csv');
    writeFileSync(upload, 'x,y\n1,0\n');
    const journal = join(dir, 'home', 'jobs');
    const first = await open(journal, stuckTrainer);
    first.submit(spec('running', upload));
    const waiting = first.submit(spec('waiting', upload));
    await first.close();
    rmSync(upload);

    let trained = 0;
    const second = await open(journal, async (loaded) => {
      trained++;
      return result(loaded.spec.name);
    });
    const gone = second.get(waiting.id);
    assert.equal(gone.status, 'failed');
    assert.equal(gone.error?.code, 'UPLOAD_NOT_FOUND');
    assert.match(gone.error?.error ?? '', /orders\.csv.*removed while the job waited/);
    second.resume();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(trained, 0, 'nothing ran');
    await second.close();
  });

  test('unreadable files are skipped with a warning; the readable jobs come back, a cut-short event line is dropped', async () => {
    const dir = tempDir();
    const first = await open(dir, quickTrainer);
    const good = first.submit(spec('good'));
    const events = await ended(first, good);
    await first.close();

    const truncated = '0a1b2c3d-0000-4000-8000-000000000001';
    const misshapen = '0a1b2c3d-0000-4000-8000-000000000002';
    const folderNamed = '0a1b2c3d-0000-4000-8000-000000000003';
    const orphan = '0a1b2c3d-0000-4000-8000-000000000004';
    writeFileSync(join(dir, `${truncated}.json`), '{"format":1,"id":"0a1b');
    writeFileSync(join(dir, `${misshapen}.json`), JSON.stringify({ format: 1, id: misshapen, status: 'exploded', work: { kind: 'train' } }));
    mkdirSync(join(dir, `${folderNamed}.json`));
    writeFileSync(join(dir, `${orphan}.events.ndjson`), '{"id":1,"event":"note","data":{}}\n');
    writeFileSync(join(dir, '.0123456789abcdef.tmp'), '{"format":1');
    appendFileSync(join(dir, `${good.id}.events.ndjson`), '{"id":3,"event":"prog'); // a crash in the middle of an append

    const { logger, lines } = capturingLogger();
    const second = await open(dir, quickTrainer, { logger });
    assert.deepEqual(second.list().map((j) => j.id), [good.id], 'only the readable job');
    assert.deepEqual(replay(second, second.get(good.id)), events, 'its events, without the cut-short line');
    const skipped = lines.filter((l) => /skipped a training job record/.test(l.msg)).map((l) => String(l['file']));
    assert.deepEqual(skipped.sort(), [truncated, misshapen, folderNamed].map((id) => join(dir, `${id}.json`)).sort());
    assert.ok(lines.some((l) => /dropped unreadable lines/.test(l.msg) && l['job'] === good.id && l['dropped'] === 1));
    assert.ok(existsSync(join(dir, `${truncated}.json`)) && existsSync(join(dir, `${misshapen}.json`)), 'unreadable records are left for someone to look at');
    assert.ok(!existsSync(join(dir, `${orphan}.events.ndjson`)), 'events without a record are removed');
    assert.ok(!readdirSync(dir).some((name) => name.endsWith('.tmp')), 'a write cut short by a crash is removed');
    const job = second.submit(spec('after'));
    await ended(second, job);
    await second.close();

    // the events file was repaired: the next start drops nothing more
    const { logger: quiet, lines: later } = capturingLogger();
    const third = await open(dir, quickTrainer, { logger: quiet });
    assert.deepEqual(third.list().map((j) => j.id), [job.id, good.id]);
    assert.ok(!later.some((l) => /dropped unreadable lines/.test(l.msg)));
    await third.close();
  });

  test('a journal folder that cannot be made leaves the runner working in memory, with a warning', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'jobs'), 'a file where the folder belongs');
    const { logger, lines } = capturingLogger();
    const jobs = await open(join(dir, 'jobs'), quickTrainer, { logger });
    assert.ok(lines.some((l) => /journal cannot be written: jobs are kept in memory only/.test(l.msg)));
    const job = jobs.submit(spec('memory'));
    await ended(jobs, job);
    assert.equal(job.status, 'succeeded');
    await jobs.close();
    assert.equal(readFileSync(join(dir, 'jobs'), 'utf8'), 'a file where the folder belongs', 'what was there is untouched');
  });

  test('only the latest keepFinished ended jobs are kept: older files are deleted, then and at start-up', async () => {
    const dir = tempDir();
    const first = await open(dir, quickTrainer, { keepFinished: 2 });
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const job = first.submit(spec(name));
      await ended(first, job);
      ids.push(job.id);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await first.close();
    assert.deepEqual(records(dir), [`${ids[1]}.json`, `${ids[2]}.json`].sort());
    assert.ok(!existsSync(join(dir, `${ids[0]}.events.ndjson`)));

    const second = await open(dir, quickTrainer, { keepFinished: 1 });
    assert.deepEqual(second.list().map((j) => j.id), [ids[2]]);
    await second.close();
    assert.deepEqual(records(dir), [`${ids[2]}.json`]);
  });

  test("a second runner on a journal another server writes keeps its jobs in memory and leaves the other's alone", async () => {
    const dir = tempDir();
    const first = await open(dir, stuckTrainer);
    const running = first.submit(spec('running'));
    const { logger, lines } = capturingLogger();
    const second = await open(dir, quickTrainer, { logger });
    assert.deepEqual(second.list(), [], "the first server's jobs are not taken over");
    assert.ok(lines.some((l) => /another Kiln server on this machine/.test(l.msg)));
    const own = second.submit(spec('own'));
    await ended(second, own);
    await second.close();
    assert.ok(!existsSync(join(dir, `${own.id}.json`)), 'the second runner writes nothing there');
    assert.equal(running.status, 'running');
    await first.close();

    // a server still running in another process (here: the test runner that started this one)
    writeFileSync(join(dir, 'owner.json'), JSON.stringify({ pid: process.ppid, host: hostname(), since: new Date().toISOString() }));
    const { logger: warned, lines: more } = capturingLogger();
    const third = await open(dir, quickTrainer, { logger: warned });
    assert.deepEqual(third.list(), []);
    assert.ok(more.some((l) => /another Kiln server/.test(l.msg) && String(l['owner']).includes(`pid ${process.ppid}`)));
    await third.close();
  });
});

/**
 * Runs a runner in a child process with a job running (a stage and a progress event written) and one
 * waiting, then kills it with SIGKILL: no shutdown, as in a crash or an out-of-memory kill.
 */
async function killedMidJob(dir: string, data: string): Promise<{ running: string; waiting: string; events: JobEvent[] }> {
  const modules = {
    jobs: fileURLToPath(new URL('../../../src/api/app/training-jobs.ts', import.meta.url)),
    spec: fileURLToPath(new URL('../../../src/modules/spec.ts', import.meta.url)),
  };
  const code = `
    const { TrainingJobs } = await import(${JSON.stringify(modules.jobs)});
    const { validateSpec } = await import(${JSON.stringify(modules.spec)});
    const { pino } = await import('pino');
    const train = async (loaded, ctx) => {
      ctx.onEvent({ type: 'stage', stage: 'fit', message: 'fitting' });
      ctx.onEvent({ type: 'progress', iteration: 1, maxIterations: 9, trainLoss: 0.5 });
      await new Promise(() => {});
    };
    const jobs = await TrainingJobs.open({ train, resultJson: (r) => r, logger: pino({ level: 'silent' }) }, ${JSON.stringify(dir)});
    const running = jobs.submit(validateSpec({ name: 'running', data: ${JSON.stringify(data)}, target: 'y' }, null, '/'));
    const waiting = jobs.submit(validateSpec({ name: 'waiting', data: ${JSON.stringify(data)}, target: 'y' }, null, '/'));
    await jobs.journal.flush();
    process.stdout.write(JSON.stringify({ running: running.id, waiting: waiting.id, events: running.events }) + '\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.on('exit', (code) => reject(new Error(`the child exited (${code}) before its job ran: ${err}`)));
  });
  child.kill('SIGKILL');
  await exited;
  assert.ok(existsSync(join(dir, 'owner.json')), 'the killed server left its owner file behind');
  assert.match(readFileSync(join(dir, `${(JSON.parse(line) as { running: string }).running}.json`), 'utf8'), /"status":"running"/);
  return JSON.parse(line) as { running: string; waiting: string; events: JobEvent[] };
}
