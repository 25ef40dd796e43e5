/**
 * The job runner with stand-in trainers: one job at a time in submission order, every failure a coded
 * job error, cancelling waiting and running jobs, replaying events to late listeners.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { TrainingJobs, type JobEvent, type JobTrainer, type TrainingJob } from '../../../src/api/app/training-jobs.js';
import { KilnError } from '../../../src/core/errors.js';
import { validateSpec } from '../../../src/modules/spec.js';
import type { ModuleTrainResult } from '../../../src/modules/train-module.js';

const spec = (name: string) => validateSpec({ name, data: '/uploads/t.csv', target: 'y' }, null, '/');

function result(model: string): ModuleTrainResult {
  return { model, version: 1, runId: 'r', task: 'binary', learner: 'stub', fitSeconds: 0, rows: { train: 1, test: 1 }, metrics: { train: {}, test: {} }, details: {}, summary: [] };
}

function runner(train: JobTrainer): TrainingJobs {
  return new TrainingJobs({ train, resultJson: (r) => ({ model: r.model }), logger: pino({ level: 'silent' }) });
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

/** A trainer that waits until released, reporting its stages, and honours the signal. */
function gatedTrainer(order: string[]): { train: JobTrainer; release(name: string): void } {
  const gates = new Map<string, () => void>();
  const train: JobTrainer = async (loaded, ctx) => {
    order.push(`start ${loaded.spec.name}`);
    ctx.onEvent?.({ type: 'stage', stage: 'read', message: 'reading' });
    await new Promise<void>((resolve, reject) => {
      gates.set(loaded.spec.name, resolve);
      ctx.signal?.addEventListener('abort', () => reject(new KilnError('CANCELLED', { what: 'training' })));
    });
    order.push(`end ${loaded.spec.name}`);
    return result(loaded.spec.name);
  };
  return { train, release: (name) => gates.get(name)?.() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('training jobs', () => {
  test('jobs run one at a time, in submission order; a waiting job says so', async () => {
    const order: string[] = [];
    const { train, release } = gatedTrainer(order);
    const jobs = runner(train);
    const a = jobs.submit(spec('a'));
    const b = jobs.submit(spec('b'));
    assert.equal(a.status, 'running');
    assert.equal(b.status, 'queued');
    assert.equal(jobs.queuePosition(b), 0);
    assert.match(String((b.events[0]?.data as { message: string }).message), /one job trains at a time/);
    await tick();
    assert.deepEqual(order, ['start a']);
    const aDone = ended(jobs, a);
    release('a');
    assert.equal((await aDone).at(-1)?.event, 'done');
    await tick();
    assert.equal(b.status, 'running');
    release('b');
    await ended(jobs, b);
    assert.deepEqual(order, ['start a', 'end a', 'start b', 'end b']);
    assert.deepEqual(a.result, { model: 'a' });
    assert.deepEqual(jobs.list().map((j) => j.model), ['b', 'a'], 'newest first');
  });

  test('a KilnError keeps its code; anything else becomes INTERNAL without its stack', async () => {
    const jobs = runner(async (loaded) => {
      if (loaded.spec.name === 'coded') throw new KilnError('SINGLE_CLASS', { target: 'y', value: 1 });
      throw new TypeError('x is undefined');
    });
    const coded = jobs.submit(spec('coded'));
    const codedEvents = await ended(jobs, coded);
    assert.equal(coded.status, 'failed');
    assert.equal(coded.error?.code, 'SINGLE_CLASS');
    assert.match(coded.error?.hint ?? '', /two outcomes/);
    assert.deepEqual(codedEvents.at(-1), { id: codedEvents.length, event: 'failed', data: { error: coded.error } });
    await tick();
    const bug = jobs.submit(spec('bug'));
    await ended(jobs, bug);
    assert.equal(bug.error?.code, 'INTERNAL');
    assert.ok(!(bug.error?.error ?? '').includes('    at '));
  });

  test('cancelling: a waiting job ends at once, a running one when training unwinds; finished jobs refuse', async () => {
    const order: string[] = [];
    const { train } = gatedTrainer(order);
    const jobs = runner(train);
    const running = jobs.submit(spec('running'));
    const waiting = jobs.submit(spec('waiting'));
    jobs.cancel(waiting.id);
    assert.equal(waiting.status, 'cancelled');
    assert.equal(jobs.queuePosition(waiting), undefined);
    await tick();
    const events = ended(jobs, running);
    jobs.cancel(running.id);
    assert.equal((await events).at(-1)?.event, 'cancelled');
    assert.equal(running.status, 'cancelled');
    assert.equal(running.error, undefined);
    assert.throws(() => jobs.cancel(running.id), (err) => err instanceof KilnError && err.code === 'JOB_FINISHED');
    assert.throws(() => jobs.get('nope'), (err) => err instanceof KilnError && err.code === 'JOB_NOT_FOUND');
    await tick();
    assert.deepEqual(order, ['start running'], 'the cancelled waiting job never started');
  });

  test('late listeners get the events they missed, after the id they saw; a throwing listener is dropped', async () => {
    const { train, release } = gatedTrainer([]);
    const jobs = runner(train);
    const job = jobs.submit(spec('a'));
    await tick();
    const seen: number[] = [];
    jobs.subscribe(job, 0, () => {
      throw new Error('the connection is gone');
    });
    jobs.subscribe(job, 0, (e) => seen.push(e.id));
    const done = ended(jobs, job);
    release('a');
    const all = await done;
    assert.deepEqual(seen, all.map((e) => e.id));
    const replayed: number[] = [];
    jobs.subscribe(job, all.length - 1, (e) => replayed.push(e.id));
    assert.deepEqual(replayed, [all.length]);
  });

  test('closing aborts the running job (failed JOB_INTERRUPTED: nobody chose to cancel it) and, with no journal to keep them, cancels waiting ones', async () => {
    const { train } = gatedTrainer([]);
    const jobs = runner(train);
    const running = jobs.submit(spec('a'));
    const waiting = jobs.submit(spec('b'));
    await tick();
    await jobs.close();
    assert.equal(running.status, 'failed');
    assert.equal(running.error?.code, 'JOB_INTERRUPTED');
    assert.match(running.error?.error ?? '', /the server was shut down while it ran/);
    assert.equal(running.events.at(-1)?.event, 'failed');
    assert.equal(waiting.status, 'cancelled');
    assert.throws(() => jobs.submit(spec('c')), (err) => err instanceof KilnError && err.code === 'SERVER_CLOSING');
  });
});
