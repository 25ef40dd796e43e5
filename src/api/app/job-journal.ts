/**
 * The journal of the in-process runner's jobs (training-jobs.ts), so that they outlive a restart of the
 * server: a folder in the Kiln home, `<home>/jobs`, one job in two files —
 *
 *   <id>.json            the job's record: id, work (the validated spec with its resolved data paths, or
 *                        the curve's input), status, times, result or coded error, the id of its latest
 *                        event and, once it has ended, its last event (done, failed or cancelled)
 *   <id>.events.ndjson   its stored events before the last, one JSON line each, appended as they come
 *   owner.json           the server that writes here (pid, host, since), so a second server started on
 *                        the same home does not take over the first one's jobs
 *
 * A record is written whole to a temporary file in the folder, synced, and renamed over the old one: a
 * crash leaves the previous record or the new one, never half of one. Events are appended in batches (a
 * training sends many progress events a second; one write per event would be thousands a second), so a
 * crash may lose the last moments of a job's events or cut its last line short; reading skips such a
 * line. Before a job's final record is written its events file is synced, so an ended job's replay is
 * whole. The last event lives in the record rather than the events file: a record that says a job ended
 * also says how, whatever happened to the appends.
 *
 * Nothing here may stop the server or a job: a file that cannot be read is skipped with a warning (and
 * left as it is, for someone to look at), a write that fails is logged once per job, and the job goes on
 * in memory.
 */
import { appendFile, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { hostname, uptime } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { z } from '../../core/params.js';
import { makeFolder } from '../../store/make-folder.js';
import { writeFileAtomically } from '../../store/write-atomically.js';
import type { JobError, JobEvent, JobStatus, JobWork } from './training-jobs.js';

/** A job as its record file holds it (times as ISO 8601 strings). */
export interface JobRecord {
  /** The record's layout, for a later Kiln that changes it. */
  readonly format: 1;
  readonly id: string;
  readonly work: JobWork;
  readonly status: JobStatus;
  readonly submittedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly result?: Record<string, unknown>;
  readonly error?: JobError;
  /** The id of the job's latest event when the record was written (progress events past the cap are not stored, but count). */
  readonly lastEventId: number;
  /** The event that ended the job (done, failed, cancelled); present exactly when the status is final. */
  readonly end?: JobEvent;
}

/** A job read back from the journal. */
export interface JournaledJob {
  readonly record: JobRecord;
  /** Its stored events before the last, in order. */
  readonly events: readonly JobEvent[];
  /** When its files last changed: about when a job that was running stopped. */
  readonly modifiedAt: Date;
}

/** How long events wait to be appended together. */
const EVENT_BATCH_MS = 250;
const OWNER_FILE = 'owner.json';
const ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const RECORD_FILE = new RegExp(`^(${ID})\\.json$`);
const EVENTS_FILE = new RegExp(`^(${ID})\\.events\\.ndjson$`);
const FINAL: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

/** Journal folders this process writes: a second runner in the same process (tests) must not share one. */
const OPEN_HERE = new Set<string>();

const when = z.iso.datetime();
const eventSchema = z.strictObject({ id: z.number().int().positive(), event: z.string().min(1), data: z.unknown() });
// The work is checked for what reading it back relies on; the rest was validated when the job was submitted.
const workSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('train'),
    loaded: z.looseObject({ spec: z.looseObject({ name: z.string() }), dataPath: z.string(), testDataPath: z.string().optional(), baseDir: z.string(), file: z.string().nullable() }),
  }),
  z.strictObject({
    kind: z.literal('curves'),
    input: z.looseObject({ model: z.string(), version: z.number().int(), spec: z.looseObject({ name: z.string() }), snapshot: z.string(), searched: z.boolean() }),
  }),
]);
const recordSchema = z
  .strictObject({
    format: z.literal(1),
    id: z.string(),
    work: workSchema,
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
    submittedAt: when,
    startedAt: when.optional(),
    finishedAt: when.optional(),
    result: z.record(z.string(), z.unknown()).optional(),
    error: z.strictObject({ code: z.string(), error: z.string(), hint: z.string().optional() }).optional(),
    lastEventId: z.number().int().nonnegative(),
    end: eventSchema.optional(),
  })
  .refine((r) => FINAL.has(r.status) === (r.end !== undefined), { message: 'an ended job names its last event, and only an ended one does' });

/** What is waiting to be written for one job. */
interface Pending {
  record: JobRecord | undefined;
  events: string[];
  remove: boolean;
}

export class JobJournal {
  private readonly pending = new Map<string, Pending>();
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private soon = false;
  /** Jobs whose failed write has been logged (once each: a full disk would otherwise log every batch). */
  private readonly unwritable = new Set<string>();
  private released = false;

  private constructor(
    readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Opens the journal in `dir` (made when missing). Undefined when it cannot be used — no file can be made
   * there, or another server running on this machine writes it — with a warning: the runner then keeps
   * its jobs in memory only, as it did before there was a journal.
   */
  static async open(dir: string, logger: Logger): Promise<JobJournal | undefined> {
    const folder = resolve(dir);
    let owner: string | undefined;
    try {
      await makeFolder(folder);
      owner = await claim(folder);
    } catch (err) {
      logger.warn({ journal: folder, reason: reasonOf(err) }, 'the training jobs journal cannot be written: jobs are kept in memory only, and forgotten when the server stops');
      return undefined;
    }
    if (owner !== undefined) {
      logger.warn({ journal: folder, owner }, 'another Kiln server on this machine keeps its training jobs in this home: this one keeps its jobs in memory only (give each server its own --home)');
      return undefined;
    }
    return new JobJournal(folder, logger);
  }

  /**
   * Every job the journal holds, oldest submitted first. A record that cannot be read is skipped with a
   * warning; event lines that cannot be read (the last one cut short by a crash) are dropped, and the
   * events file is rewritten without them so that appending can go on after it. Temporary files left by
   * a crash are removed (the record they were replacing is whole), and so are events without a record.
   */
  async load(): Promise<JournaledJob[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      this.logger.warn({ journal: this.dir, reason: reasonOf(err) }, 'the training jobs journal cannot be read: no job of an earlier run is shown');
      return [];
    }
    const records = new Set(names.flatMap((name) => RECORD_FILE.exec(name)?.[1] ?? []));
    for (const name of names) {
      const orphan = EVENTS_FILE.exec(name)?.[1];
      if (name.endsWith('.tmp') || (orphan !== undefined && !records.has(orphan))) await rm(join(this.dir, name), { force: true }).catch(() => {});
    }
    const jobs: JournaledJob[] = [];
    for (const id of records) {
      const job = await this.read(id);
      if (job !== undefined) jobs.push(job);
    }
    return jobs.sort((a, b) => a.record.submittedAt.localeCompare(b.record.submittedAt));
  }

  private async read(id: string): Promise<JournaledJob | undefined> {
    const file = this.recordPath(id);
    let record: JobRecord;
    let modifiedAt: Date;
    try {
      const parsed = recordSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; '));
      if (parsed.data.id !== id) throw new Error(`it holds job ${parsed.data.id}`);
      record = parsed.data as unknown as JobRecord; // the schema checks what is read back; the work's other fields were validated at submission
      modifiedAt = (await stat(file)).mtime;
    } catch (err) {
      this.logger.warn({ journal: this.dir, file, reason: reasonOf(err) }, 'skipped a training job record that cannot be read: the job is not shown (the file is left as it is)');
      return undefined;
    }
    const { events, dropped, changedAt } = await this.readEvents(id, record.end?.id ?? Number.POSITIVE_INFINITY);
    if (dropped > 0) {
      this.logger.warn({ journal: this.dir, job: id, dropped }, 'dropped unreadable lines of a training job\'s events (a crash cuts the last one short): its replay lacks them');
      await this.replaceEvents(id, events).catch((err: unknown) => this.logUnwritable(id, err));
    }
    return { record, events, modifiedAt: changedAt !== undefined && changedAt > modifiedAt ? changedAt : modifiedAt };
  }

  /** The events of a job before the one numbered `before`, in increasing order; lines that are not one are counted as dropped. */
  private async readEvents(id: string, before: number): Promise<{ events: JobEvent[]; dropped: number; changedAt: Date | undefined }> {
    const file = this.eventsPath(id);
    let text: string;
    let changedAt: Date;
    try {
      text = await readFile(file, 'utf8');
      changedAt = (await stat(file)).mtime;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn({ journal: this.dir, file, reason: reasonOf(err) }, 'the events of a training job cannot be read: its replay shows only how it ended');
      }
      return { events: [], dropped: 0, changedAt: undefined };
    }
    const events: JobEvent[] = [];
    let dropped = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const event = parseEvent(line);
      const previous = events.at(-1)?.id ?? 0;
      if (event === undefined || event.id <= previous || event.id >= before) dropped++;
      else events.push(event);
    }
    return { events, dropped, changedAt };
  }

  /** Writes the job's record (its state now), durably; later writes of the same job replace waiting ones. */
  write(record: JobRecord): void {
    this.entry(record.id).record = record;
    this.schedule(true);
  }

  /** Appends one stored event (never the last one: that is in the final record). */
  append(id: string, event: JobEvent): void {
    this.entry(id).events.push(`${JSON.stringify(event)}\n`);
    this.schedule(false);
  }

  /** Deletes a forgotten job's files. */
  remove(id: string): void {
    this.pending.set(id, { record: undefined, events: [], remove: true });
    this.schedule(true);
  }

  /** Resolves when everything asked for so far is on disk (or has failed and been logged). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.soon = false;
    const batch = [...this.pending];
    this.pending.clear();
    // one batch at a time, in order: a job's removal never overtakes its last write
    this.writing = this.writing.then(() => this.writeBatch(batch));
    return this.writing;
  }

  /** Writes what is pending and lets another server take the folder. */
  async close(): Promise<void> {
    await this.flush();
    if (this.released) return;
    this.released = true;
    OPEN_HERE.delete(this.dir);
    await rm(join(this.dir, OWNER_FILE), { force: true }).catch(() => {});
  }

  private entry(id: string): Pending {
    let entry = this.pending.get(id);
    if (entry === undefined) {
      entry = { record: undefined, events: [], remove: false };
      this.pending.set(id, entry);
    }
    return entry;
  }

  /** A change of status is written on the next turn; events wait a little to be appended together. */
  private schedule(now: boolean): void {
    if (now) {
      if (this.soon) return;
      this.soon = true;
      setImmediate(() => void this.flush());
    } else if (this.timer === undefined && !this.soon) {
      this.timer = setTimeout(() => void this.flush(), EVENT_BATCH_MS);
      this.timer.unref(); // pending events never keep a process alive; close() writes them
    }
  }

  private async writeBatch(batch: readonly [string, Pending][]): Promise<void> {
    for (const [id, pending] of batch) {
      try {
        await this.writeJob(id, pending);
      } catch (err) {
        this.logUnwritable(id, err);
      }
    }
  }

  private async writeJob(id: string, { record, events, remove }: Pending): Promise<void> {
    if (remove) {
      // events first: a record without events is still a job; events without a record are removed on load
      await rm(this.eventsPath(id), { force: true });
      await rm(this.recordPath(id), { force: true });
      return;
    }
    const final = record !== undefined && FINAL.has(record.status);
    // a new job's record comes before its first events, so events never appear without a record
    if (record !== undefined && !final) await writeFileAtomically(this.recordPath(id), JSON.stringify(record));
    if (events.length > 0) await appendFile(this.eventsPath(id), events.join(''));
    if (final) {
      // the events before the last are on disk before the record that says the job ended
      await syncFile(this.eventsPath(id));
      await writeFileAtomically(this.recordPath(id), JSON.stringify(record));
    }
  }

  private async replaceEvents(id: string, events: readonly JobEvent[]): Promise<void> {
    await writeFileAtomically(this.eventsPath(id), events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }

  private logUnwritable(id: string, err: unknown): void {
    if (this.unwritable.has(id)) return;
    this.unwritable.add(id);
    this.logger.warn({ journal: this.dir, job: id, reason: reasonOf(err) }, 'a training job could not be written to the journal: after a restart it may be missing or out of date');
  }

  private recordPath(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  private eventsPath(id: string): string {
    return join(this.dir, `${id}.events.ndjson`);
  }
}

function parseEvent(line: string): JobEvent | undefined {
  try {
    const parsed = eventSchema.safeParse(JSON.parse(line));
    return parsed.success ? (parsed.data as JobEvent) : undefined;
  } catch {
    return undefined;
  }
}

interface Owner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

/**
 * Takes the folder for this server; returns who has it instead, when another server that is still
 * running does; throws when no file can be made there. The owner file is made exclusively, so two servers starting at once cannot both take
 * it. An owner is gone when its process is not running on this machine, or it wrote before the machine
 * last started (a pid reused since), or it is this very process from an earlier life (a container's
 * server is pid 1 each time). An owner on another machine (a home on a network share) is taken to be
 * gone too: a restarted container has a new host name, and each server is meant to have its own home.
 */
async function claim(dir: string): Promise<string | undefined> {
  if (OPEN_HERE.has(dir)) return `this process (pid ${process.pid})`;
  const path = join(dir, OWNER_FILE);
  const me: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, 'wx');
      try {
        await file.writeFile(JSON.stringify(me));
      } finally {
        await file.close();
      }
      OPEN_HERE.add(dir);
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // a folder where no file can be made holds no journal
    }
    const owner = await readOwner(path);
    if (owner !== undefined && ownerRuns(owner)) return `pid ${owner.pid} since ${owner.since}`;
    await rm(path, { force: true }).catch(() => {});
  }
  return 'another server that started at the same moment';
}

async function readOwner(path: string): Promise<Owner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as Partial<Owner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' && typeof owner.since === 'string' ? (owner as Owner) : undefined;
  } catch {
    return undefined; // unreadable or half written: nobody we can tell is running
  }
}

function ownerRuns(owner: Owner): boolean {
  if (owner.host !== hostname() || owner.pid === process.pid) return false;
  const bootedAt = Date.now() - uptime() * 1000;
  if (Date.parse(owner.since) < bootedAt) return false;
  try {
    process.kill(owner.pid, 0); // signal 0 only asks whether the process exists
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // it exists, under another user
  }
}

/** Syncs a file that may not exist (a job that stored no events). */
async function syncFile(path: string): Promise<void> {
  let file;
  try {
    file = await open(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
