import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Frame } from '../../src/core/frame.js';
import { applyTypeOverrides, decideType, inferSchema, looksLikeIdName, type ColumnFacts } from '../../src/data/infer-schema.js';
import { readTable } from '../../src/data/sources/read-table.js';

const TITANIC = join(import.meta.dirname, '..', '..', 'examples', 'titanic', 'titanic.csv');

const facts = (f: Partial<ColumnFacts>): ColumnFacts => ({
  name: 'c', sourceType: 'VARCHAR', rows: 100, missing: 0, distinct: 5, allIntegers: false, consecutive: false, meanWords: 1, ...f,
});

describe('schema inference', () => {
  test('Titanic keeps its types', async () => {
    const t = await readTable(TITANIC);
    const types = Object.fromEntries(inferSchema(t.frame, t.sourceTypes).map((c) => [c.name, c.type]));
    assert.equal(types['PassengerId'], 'identifier');
    assert.ok(types['Name'] === 'text' || types['Name'] === 'identifier');
    assert.equal(types['Pclass'], 'integer');
    assert.equal(types['Sex'], 'categorical');
    assert.equal(types['Age'], 'numeric');
    assert.equal(types['Fare'], 'numeric');
    assert.equal(types['Embarked'], 'categorical');
  });

  test('each semantic type from its facts', () => {
    assert.equal(decideType(facts({ distinct: 1 })).type, 'constant');
    assert.equal(decideType(facts({ distinct: 0, missing: 100 })).type, 'constant');
    assert.equal(decideType(facts({ sourceType: 'BOOLEAN', distinct: 2 })).type, 'boolean');
    assert.equal(decideType(facts({ sourceType: 'DOUBLE', distinct: 50 })).type, 'numeric');
    assert.equal(decideType(facts({ sourceType: 'BIGINT', distinct: 50, allIntegers: true })).type, 'integer');
    assert.equal(decideType(facts({ sourceType: 'BIGINT', distinct: 100, allIntegers: true, consecutive: true })).type, 'identifier');
    assert.equal(decideType(facts({ name: 'user_id', sourceType: 'BIGINT', distinct: 100, allIntegers: true })).type, 'identifier');
    assert.equal(decideType(facts({ sourceType: 'BIGINT', distinct: 100, allIntegers: true })).type, 'integer', 'unique but scattered numbers are not an id');
    assert.equal(decideType(facts({ sourceType: 'TIMESTAMP', distinct: 90 })).type, 'datetime');
    assert.equal(decideType(facts({ sourceType: 'DATE', distinct: 9 })).type, 'datetime');
    assert.equal(decideType(facts({ distinct: 99, meanWords: 7 })).type, 'text');
    assert.equal(decideType(facts({ distinct: 99, meanWords: 1 })).type, 'identifier');
    assert.equal(decideType(facts({ distinct: 12 })).type, 'categorical');
    assert.equal(decideType(facts({ rows: 10, distinct: 10 })).type, 'categorical', 'too few rows to call it an identifier');
  });

  test('a frame column and the spec override', () => {
    const frame = new Frame([
      { kind: 'numeric', name: 'code', values: Float64Array.from([1, 2, 3, 1, 2]) },
      { kind: 'categorical', name: 'flag', values: ['y', 'y', 'y', null, 'y'] },
    ]);
    const schema = inferSchema(frame, { code: 'BIGINT', flag: 'VARCHAR' });
    assert.deepEqual(schema.map((c) => [c.type, c.missing, c.distinct]), [['integer', 0, 3], ['constant', 1, 1]]);
    const overridden = applyTypeOverrides(schema, { code: 'categorical' });
    assert.equal(overridden[0]?.type, 'categorical');
    assert.equal(overridden[0]?.reason, 'set in the spec');
    assert.equal(overridden[1]?.type, 'constant');
  });

  test('id-like names in business words; a unique whole number under such a name is an identifier', () => {
    for (const name of ['Order Number', 'invoice_no', 'Kundennummer', 'customer_nr', 'uuid', 'account key', 'Customer ID', 'OrderNumber']) assert.ok(looksLikeIdName(name), name);
    for (const name of ['amount', 'notes', 'monkey', 'income', 'age', 'video']) assert.equal(looksLikeIdName(name), false, name);
    const facts = { sourceType: 'BIGINT', rows: 30, missing: 0, distinct: 30, allIntegers: true, consecutive: false, meanWords: 0 };
    assert.equal(decideType({ ...facts, name: 'Order Number' }).type, 'identifier');
    assert.equal(decideType({ ...facts, name: 'income' }).type, 'integer');
  });
});
