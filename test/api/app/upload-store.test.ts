/**
 * The uploads folder: content-addressed, never overwritten, bounded in size; and the rule that the app
 * API reads only files inside it (links out of it included).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AppSources } from '../../../src/api/app/app-sources.js';
import { UploadStore } from '../../../src/api/app/upload-store.js';
import { KilnError } from '../../../src/core/errors.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function uploadsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-uploads-'));
  dirs.push(dir);
  return join(dir, 'uploads');
}

const body = (text: string) => Readable.from([Buffer.from(text)]);

describe('upload store', () => {
  test('the same bytes under the same name are stored once; other bytes never overwrite them', async () => {
    const store = new UploadStore(uploadsDir());
    const first = await store.save('sales.csv', body('a,b\n1,2\n'));
    const again = await store.save('sales.csv', body('a,b\n1,2\n'));
    const other = await store.save('sales.csv', body('a,b\n3,4\n'));
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.equal(again.path, first.path);
    assert.notEqual(other.path, first.path);
    assert.equal(readFileSync(first.path, 'utf8'), 'a,b\n1,2\n');
    assert.equal(first.sha256, first.path.split('/').at(-2), 'the folder is the sha256: the path says which bytes it names');
    assert.equal(first.bytes, 8);
    assert.ok(!readdirSync(store.dir).some((n) => n.startsWith('.incoming')), 'no partial files left');
  });

  test('an upload over the limit is refused while streaming, and nothing is kept', async () => {
    const store = new UploadStore(uploadsDir(), 10);
    await assert.rejects(store.save('big.csv', Readable.from([Buffer.from('a,b\n1,2\n'), Buffer.from('3,4\n5,6\n')])), (err) => err instanceof KilnError && err.code === 'UPLOAD_TOO_LARGE');
    assert.deepEqual(readdirSync(store.dir), []);
  });

  test('a record keeps the time, rows and columns beside the file, hidden from the list; one that disagrees with the file is passed over', async () => {
    const store = new UploadStore(uploadsDir());
    const sales = await store.save('sales.csv', body('a,b\n1,2\n'));
    const later = await store.save('later.csv', body('c\n3\n'));
    await store.record(sales, { rows: 1, columns: 2 }, new Date('2024-02-01T00:00:00Z'));
    await store.record(later, { rows: 1, columns: 1 }, new Date('2024-03-01T00:00:00Z'));
    assert.deepEqual(readdirSync(join(store.dir, sales.sha256)).sort(), ['.sales.csv.json', 'sales.csv'], 'no temporary record left');
    const listed = await store.list();
    assert.deepEqual(
      listed.map((u) => [u.name, u.uploadedAt.toISOString(), u.rows, u.columns]),
      [
        ['later.csv', '2024-03-01T00:00:00.000Z', 1, 1],
        ['sales.csv', '2024-02-01T00:00:00.000Z', 1, 2],
      ],
    );
    // a record of other bytes (edited by hand) does not lend them its rows
    writeFileSync(join(store.dir, sales.sha256, '.sales.csv.json'), JSON.stringify({ name: 'sales.csv', bytes: 999, uploaded_at: '2024-02-01T00:00:00Z', rows: 5, columns: 5 }));
    const passedOver = (await store.list()).find((u) => u.name === 'sales.csv');
    assert.equal(passedOver?.rows, null);
    assert.equal(passedOver?.bytes, 8);
    assert.notEqual(passedOver?.uploadedAt.toISOString(), '2024-02-01T00:00:00.000Z', 'the file\'s own time stands in');
  });

  test('an upload is named for removal by its id or by its source in any home; anything else is refused, and removal keeps other names in the folder', async () => {
    const store = new UploadStore(uploadsDir());
    const a = await store.save('a.csv', body('x\n1\n'));
    const b = await store.save('b.csv', body('x\n1\n'));
    const id = `${a.sha256}/a.csv`;
    assert.deepEqual(store.placeOf(id), { folder: a.sha256, name: 'a.csv' });
    assert.deepEqual(store.placeOf(a.path), { folder: a.sha256, name: 'a.csv' });
    assert.deepEqual(store.placeOf(`/srv/other-home/uploads/${id}`), { folder: a.sha256, name: 'a.csv' });
    for (const bad of ['a.csv', `${a.sha256}`, `x/${id}`, `../${id}`, '/etc/passwd', `postgres://db/x?table=t`, `${a.sha256}/.a.csv.json`]) {
      assert.throws(() => store.placeOf(bad), (err) => err instanceof KilnError && err.code === 'INVALID_PARAMS', bad);
    }
    await store.record(a, { rows: 1, columns: 1 });
    assert.equal(await store.remove(store.placeOf(id)), true);
    assert.equal(await store.remove(store.placeOf(id)), false, 'removed once');
    assert.deepEqual(readdirSync(join(store.dir, a.sha256)), ['b.csv'], 'its record went with it; the other name stays');
    assert.deepEqual((await store.list()).map((u) => u.path), [b.path]);
  });
});

describe('app sources', () => {
  test('uploaded files and database connections are read; other files and sql: are not', () => {
    const dir = uploadsDir();
    mkdirSync(join(dir, 'abc'), { recursive: true });
    writeFileSync(join(dir, 'abc', 't.csv'), 'a\n1\n');
    const outside = join(dir, '..', 'secret.csv');
    writeFileSync(outside, 'a\n1\n');
    symlinkSync(outside, join(dir, 'abc', 'link.csv'));
    const sources = new AppSources(dir);
    assert.equal(sources.resolve(join(dir, 'abc', 't.csv')), join(dir, 'abc', 't.csv'));
    assert.equal(sources.resolve('abc/t.csv'), join(dir, 'abc', 't.csv'));
    assert.equal(sources.resolve('sqlite:/data/shop.db?table=orders'), 'sqlite:/data/shop.db?table=orders');
    assert.equal(sources.resolve('postgres://kiln@db/shop?table=orders'), 'postgres://kiln@db/shop?table=orders');
    const refused = (source: string) => assert.throws(() => sources.resolve(source), (err) => err instanceof KilnError && err.code === 'SOURCE_NOT_ALLOWED', source);
    refused(outside);
    refused('../secret.csv');
    refused(join(dir, 'abc', 'link.csv'));
    refused("sql:SELECT * FROM 'x.csv'");
    refused('  ');
  });

  test('another server\'s upload (…/uploads/<sha256>/<name> in another home) is read from this folder; paths only shaped like one are not', () => {
    const dir = uploadsDir();
    const sources = new AppSources(dir);
    const digest = 'ab'.repeat(32);
    assert.equal(sources.resolve(`/srv/replica-a/uploads/${digest}/sales.csv`), join(dir, digest, 'sales.csv'));
    assert.equal(sources.resolve(`/srv/replica-a/uploads/${digest}/book.xlsx#Sheet 2`), `${join(dir, digest, 'book.xlsx')}#Sheet 2`, 'the sheet is kept');
    assert.equal(sources.resolve(`/srv/replica-a/uploads/${digest.slice(0, 24)}/old.csv`), join(dir, digest.slice(0, 24), 'old.csv'), 'an older home\'s shortened folder too');
    const refused = (source: string) => assert.throws(() => sources.resolve(source), (err) => err instanceof KilnError && err.code === 'SOURCE_NOT_ALLOWED', source);
    refused(`/srv/replica-a/uploads/${digest}/../../../etc/passwd.csv`);
    refused(`/srv/replica-a/uploads/not-a-digest/sales.csv`);
    refused(`/srv/replica-a/files/${digest}/sales.csv`);
    refused(`/srv/replica-a/uploads/${digest}/.hidden.csv`);
    refused(`uploads/${digest}/sales.csv/../../../../secret.csv`);
  });
});
