import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateSpec } from '../../src/modules/spec.js';
import { trainTabularModule } from '../../src/modules/tabular/train-tabular.js';
import { openHome } from '../../src/store/open-store.js';
import { tempHome } from '../helpers/kiln-cli.js';

const DATA = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'titanic.csv');

test('a separate test table is used as the held-out part, untouched by training', async () => {
  const dir = tempHome();
  const lines = readFileSync(DATA, 'utf8').trim().split('\n');
  const header = lines[0]!;
  writeFileSync(join(dir, 'train.csv'), [header, ...lines.slice(1, 701)].join('\n') + '\n');
  writeFileSync(join(dir, 'test.csv'), [header, ...lines.slice(701)].join('\n') + '\n');
  const home = await openHome(join(dir, 'home'));
  const spec = validateSpec({ name: 't', data: 'train.csv', testData: 'test.csv', target: 'Survived', drop: ['PassengerId', 'Name', 'Ticket', 'Cabin'] }, null, dir);
  const result = await trainTabularModule(spec, home);
  assert.deepEqual(result.rows, { train: 700, test: 191 });
  assert.ok(result.metrics.test['accuracy']! > 0.7);
  await home.store.close();

  writeFileSync(join(dir, 'bad.csv'), 'Survived,Pclass\n1,3\n');
  const bad = validateSpec({ name: 't', data: 'train.csv', testData: 'bad.csv', target: 'Survived' }, null, dir);
  const again = await openHome(join(dir, 'home'));
  await assert.rejects(trainTabularModule(bad, again), (e: Error & { code?: string }) => e.code === 'COLUMN_NOT_FOUND' && /Sex/.test(e.message));
  await again.store.close();
});
