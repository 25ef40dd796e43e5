/**
 * The one path every trainer reads its tables through (src/modules/read-training-tables.ts): the
 * training table's notes come as `note` events carrying the note whole, right after the `read` stage;
 * the test table's notes say they are about the test data; and what reading changed is said before a
 * later failure (here, a test table that is not there) can hide it. trainingFrame appends the test
 * table's rows for every trainer that splits one frame, refusing a test table that lacks a column.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isKilnError } from '../../src/core/errors.js';
import type { IngestNote } from '../../src/data/sources/ingest-note.js';
import { readTrainingTables, trainingFrame } from '../../src/modules/read-training-tables.js';
import { validateSpec } from '../../src/modules/spec.js';
import type { TrainEvent } from '../../src/modules/train-events.js';
import { expectCode } from '../helpers/assertions.js';
import { tempHome } from '../helpers/kiln-cli.js';

/** A Latin-1 file (not UTF-8) whose amount column is written as money with "N/A" markers. */
const MESSY = Buffer.from('city,amount\nZ\xfcrich,"$1,200.50"\nK\xf6ln,N/A\nM\xe1laga,"$75.00"\nParis,"$3,000.00"\n', 'latin1');

describe('readTrainingTables', () => {
  const dir = tempHome('kiln-read-tables-');
  before(() => {
    writeFileSync(join(dir, 'train.csv'), MESSY);
    writeFileSync(join(dir, 'test.csv'), MESSY);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const listen = () => {
    const events: TrainEvent[] = [];
    return { events, emit: (e: TrainEvent) => void events.push(e) };
  };
  const ingestOf = (events: readonly TrainEvent[]): IngestNote[] =>
    events.flatMap((e) => (e.type === 'note' && e.ingest !== undefined ? [e.ingest] : []));

  test('emits the read stage, then each table\'s notes; the test table\'s say so and keep their fix', async () => {
    const { events, emit } = listen();
    const loaded = validateSpec({ name: 'shop', data: 'train.csv', testData: 'test.csv', task: 'cluster' }, null, dir);
    const { table, testTable } = await readTrainingTables(loaded, emit);

    assert.deepEqual(events[0], { type: 'stage', stage: 'read', message: 'reading train.csv' });
    const notes = ingestOf(events);
    assert.deepEqual(notes.map((n) => n.code), ['encoding_guessed', 'numbers_read_from_text', 'encoding_guessed', 'numbers_read_from_text']);
    assert.ok(notes.slice(0, 2).every((n) => !n.message.startsWith('in the test data')));
    assert.ok(notes.slice(2).every((n) => n.message.startsWith('in the test data: ')));
    // the test table's notes are the test table's own: same columns and fix, only the message says where
    assert.deepEqual(notes[3]?.columns, ['amount']);
    assert.equal(notes[3]?.fix, testTable?.notes?.[1]?.fix);
    // the event's message is the note's, so a listener that shows only messages (the app) says the same
    for (const e of events) if (e.type === 'note') assert.equal(e.message, e.ingest?.message);

    // the tables are as read: the amounts numbers, "N/A" missing, the accents decoded
    const amount = table.frame.get('amount');
    assert.equal(amount?.kind, 'numeric');
    assert.deepEqual(amount?.kind === 'numeric' ? Array.from(amount.values) : [], [1200.5, Number.NaN, 75, 3000]);
    assert.equal(testTable?.frame.nRows, 4);
  });

  test('a clean table without test data says nothing beyond the read stage', async () => {
    writeFileSync(join(dir, 'clean.csv'), 'city,amount\nParis,1\nLyon,2\n');
    const { events, emit } = listen();
    const { testTable } = await readTrainingTables(validateSpec({ name: 'clean', data: 'clean.csv', task: 'cluster' }, null, dir), emit);
    assert.equal(testTable, undefined);
    assert.deepEqual(events.map((e) => e.type), ['stage']);
  });

  test('trainingFrame: the training rows, then the test rows; a column only the test table has is left out', async () => {
    writeFileSync(join(dir, 'more.csv'), 'amount,extra,city\n5,x,Bern\n');
    const { emit } = listen();
    const tables = await readTrainingTables(validateSpec({ name: 'shop', data: 'train.csv', testData: 'more.csv', task: 'cluster' }, null, dir), emit);
    const frame = trainingFrame(tables, { testDataPath: join(dir, 'more.csv') });
    assert.deepEqual(frame.names, ['city', 'amount']);
    assert.equal(frame.nRows, 5);
    const amount = frame.get('amount');
    assert.deepEqual(amount?.kind === 'numeric' ? Array.from(amount.values) : [], [1200.5, Number.NaN, 75, 3000, 5]);
    assert.equal(frame.get('city')?.values[4], 'Bern');
    // without a test table, the training table's frame as read
    assert.equal(trainingFrame({ table: tables.table, testTable: undefined }, {}), tables.table.frame);
  });

  test('trainingFrame refuses a test table without every training column, naming them, the file and its columns', async () => {
    writeFileSync(join(dir, 'narrow.csv'), 'amount\n5\n');
    const { emit } = listen();
    const loaded = validateSpec({ name: 'shop', data: 'train.csv', testData: 'narrow.csv', task: 'detect-anomalies' }, null, dir);
    const tables = await readTrainingTables(loaded, emit);
    assert.throws(
      () => trainingFrame(tables, loaded),
      (err: unknown) => {
        assert.ok(isKilnError(err, 'COLUMN_NOT_FOUND'), String(err));
        assert.match(err.message, /^there is no column "city" in the data \(missing from the test data .*narrow\.csv, which needs every column of the training table\)$/);
        assert.equal(err.hint, 'the columns are: amount');
        return true;
      },
    );
  });

  test('the training table\'s notes are said before a missing test table fails', async () => {
    const { events, emit } = listen();
    const loaded = validateSpec({ name: 'shop', data: 'train.csv', testData: 'gone.csv', task: 'detect-anomalies' }, null, dir);
    await assert.rejects(readTrainingTables(loaded, emit), expectCode('DATA_NOT_FOUND'));
    assert.deepEqual(ingestOf(events).map((n) => n.code), ['encoding_guessed', 'numbers_read_from_text']);
  });
});
