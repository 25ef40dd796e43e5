import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { readCsv } from '../../src/data/sources/csv.js';
import { validateSpec } from '../../src/modules/spec.js';
import { trainTabularModule } from '../../src/modules/tabular/train-tabular.js';
import { openHome } from '../../src/store/open-store.js';
import { tempHome } from '../helpers/kiln-cli.js';

test('a module trains from a SQLite table named relative to its spec, with the same result as from the CSV', async () => {
  const dir = tempHome();
  const csv = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'titanic.csv');
  const { frame } = await readCsv(csv);
  const db = new Database(join(dir, 'ship.db'));
  db.exec('CREATE TABLE passengers (Survived INTEGER, Pclass INTEGER, Sex TEXT, Age REAL, SibSp INTEGER, Parch INTEGER, Fare REAL, Embarked TEXT)');
  const insert = db.prepare('INSERT INTO passengers VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const cols = ['Survived', 'Pclass', 'Sex', 'Age', 'SibSp', 'Parch', 'Fare', 'Embarked'].map((n) => frame.get(n)!);
  db.transaction(() => {
    for (let i = 0; i < frame.nRows; i++) {
      insert.run(...cols.map((c) => {
        const v = c.values[i];
        return typeof v === 'number' ? (Number.isNaN(v) ? null : v) : (v ?? null);
      }));
    }
  })();
  db.close();

  const home = await openHome(join(dir, 'home'));
  try {
    const fromDb = await trainTabularModule(validateSpec({ name: 'db', data: 'sqlite:ship.db?table=passengers', target: 'Survived' }, null, dir), home);
    const fromCsv = await trainTabularModule(
      validateSpec({ name: 'csv', data: csv, target: 'Survived', drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'] }, null, dir),
      home,
    );
    assert.deepEqual(fromDb.rows, fromCsv.rows);
    assert.ok(Math.abs(fromDb.metrics.test['accuracy']! - fromCsv.metrics.test['accuracy']!) < 1e-12);
  } finally {
    await home.store.close();
  }
});
