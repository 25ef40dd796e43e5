/**
 * Database connections work like uploads (preview, inspect, fix), duplicate rows are dropped keeping
 * the first of each and the original order, and templates get a spec and an explanation of their own.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startAppServer, type AppServer } from './app-server.js';

describe('connections, duplicate rows and templates', () => {
  let server: AppServer;
  let connection: string;
  before(async () => {
    server = await startAppServer();
    const file = join(server.home, 'shop.db');
    const db = new Database(file);
    db.exec('CREATE TABLE orders (order_id INTEGER, customer TEXT, amount REAL, returned INTEGER)');
    const insert = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?)');
    // rows 3 and 5 repeat rows 1 and 2 except for their id
    const rows: [number, string, number, number][] = [
      [1, 'ann', 10.5, 0], [2, 'bob', 99, 1], [3, 'ann', 10.5, 0], [4, 'cyd', 5, 0], [5, 'bob', 99, 1], [6, 'dee', 42, 1],
    ];
    for (const row of rows) insert.run(...row);
    db.close();
    connection = `sqlite:${file}?table=orders`;
  });
  after(async () => server.close());

  test('a sqlite connection previews and inspects', async () => {
    const preview = await server.call('POST', '/api/sources/preview', { source: connection });
    assert.equal(preview.status, 200, JSON.stringify(preview.json));
    assert.equal(preview.json['source'], connection);
    assert.equal(preview.json['rows'], 6);
    assert.deepEqual((preview.json['preview'] as Record<string, unknown>[])[1], { order_id: 2, customer: 'bob', amount: 99, returned: 1 });
    const inspected = await server.call('POST', '/api/inspect', { source: connection });
    assert.equal(inspected.status, 200);
    assert.equal(inspected.json['rows'], 6);
  });

  test('dropping the id column and then duplicates keeps the first of each, in the original order', async () => {
    const fixed = await server.call('POST', '/api/sources/fix', { source: connection, drop_columns: ['order_id'], drop_duplicates: true });
    assert.equal(fixed.status, 201, JSON.stringify(fixed.json));
    assert.equal(fixed.json['name'], 'orders.parquet');
    assert.equal(fixed.json['rows'], 4);
    assert.deepEqual((fixed.json['preview'] as { customer: string }[]).map((r) => r.customer), ['ann', 'bob', 'cyd', 'dee']);
    // inspect of the fixed table finds no duplicates any more; the original had none while ids differed
    const again = await server.call('POST', '/api/inspect', { source: fixed.json['source'] });
    assert.equal(again.json['duplicateRows'], 0);
    // the same fix again is the same content: the same upload
    const twice = await server.call('POST', '/api/sources/fix', { source: connection, drop_columns: ['order_id'], drop_duplicates: true });
    assert.equal(twice.json['source'], fixed.json['source']);
  });

  test('exact duplicate rows get a one-click drop_duplicates fix', async () => {
    const noIds = await server.call('POST', '/api/sources/fix', { source: connection, drop_columns: ['order_id'] });
    const inspected = await server.call('POST', '/api/inspect', { source: noIds.json['source'] });
    const duplicates = (inspected.json['findings'] as { code: string; fix: unknown; suggestion?: string }[]).find((f) => f.code === 'duplicate_rows');
    assert.deepEqual(duplicates?.fix, { kind: 'drop_duplicates' });
    assert.match(duplicates?.suggestion ?? '', /Remove the duplicate rows/);
  });

  test('templates get their own spec and explanation', async () => {
    const cluster = await server.call('POST', '/api/specs/suggest', { source: connection, task: 'cluster' });
    assert.equal(cluster.status, 200, JSON.stringify(cluster.json));
    assert.equal(cluster.json['task'], 'cluster');
    assert.equal((cluster.json['spec'] as Record<string, unknown>)['name'], 'orders');
    assert.equal((cluster.json['spec'] as Record<string, unknown>)['clusters'], 'auto');
    assert.equal((cluster.json['spec'] as Record<string, unknown>)['topK'], undefined);
    assert.match(cluster.json['explanation'] as string, /group similar rows/);
    const recommend = await server.call('POST', '/api/specs/suggest', { source: connection, task: 'recommend' });
    assert.equal(recommend.status, 400, 'orders has a customer but no item column');
    assert.equal(recommend.json['code'], 'INVALID_SPEC');
    assert.ok((recommend.json['problems'] as { path: string }[]).some((p) => p.path === 'item'));
  });
});
