import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import { readCsv } from '../../src/data/sources/csv.js';
import { loadModule } from '../../src/modules/load-module.js';
import { scoreFrame } from '../../src/modules/score-table.js';
import { validateSpec } from '../../src/modules/spec.js';
import { trainTabularModule } from '../../src/modules/tabular/train-tabular.js';
import { openHome } from '../../src/store/open-store.js';
import { tempHome } from '../helpers/kiln-cli.js';

test('dates, booleans and free text become features, and the ONNX graph agrees on them', async () => {
  const dir = tempHome();
  const rng = new Rng(3);
  const words = ['great', 'awful', 'fine', 'slow', 'quick', 'broken', 'lovely', 'late'];
  const rows = ['signup,member,review,plan,churned'];
  for (let i = 0; i < 400; i++) {
    const month = 1 + rng.int(12);
    const member = rng.next() < 0.5;
    const good = rng.next() < 0.5;
    const review = Array.from({ length: 4 }, () => words[(good ? 0 : 1) + 2 * rng.int(4)]).join(' ');
    const churned = (!member && !good) || (month > 9 && rng.next() < 0.5) ? 1 : 0;
    const day = String(1 + rng.int(28)).padStart(2, '0');
    rows.push(`2024-${String(month).padStart(2, '0')}-${day},${member},${review},${rng.next() < 0.5 ? 'basic' : 'pro'},${churned}`);
  }
  writeFileSync(join(dir, 'churn.csv'), rows.join('\n') + '\n');
  const spec = validateSpec(
    { name: 'churn', data: 'churn.csv', target: 'churned', columns: { review: 'text' }, transforms: { plan: { encode: { method: 'ordinal' } } } },
    null,
    dir,
  );
  const home = await openHome(join(dir, 'home'));
  try {
    const result = await trainTabularModule(spec, home);
    assert.ok(result.onnxMaxAbsDiff <= 1e-5, `ONNX differs by ${result.onnxMaxAbsDiff}`);
    assert.ok(result.features.some((f) => f.startsWith('signup')), `date parts in ${result.features.join(', ')}`);
    assert.ok(result.features.some((f) => f.startsWith('review') && f.includes('great')), 'words of the review');
    assert.ok(result.features.includes('member'), 'the boolean');
    assert.ok(result.metrics.test['accuracy']! > 0.75, `accuracy ${result.metrics.test['accuracy']}`);
    const version = await home.store.getVersion('churn', result.version);
    const module = await loadModule(version, home.artifacts);
    const types = Object.fromEntries(module.manifest.signature.inputs.map((i) => [i.name, `${i.type}:${i.datatype}`]));
    assert.deepEqual(types, { signup: 'datetime:INT64', member: 'boolean:FP32', review: 'text:BYTES', plan: 'categorical:BYTES' });
    const scored = await scoreFrame(module, (await readCsv(join(dir, 'churn.csv'))).frame);
    assert.equal(scored.columns['label']?.length, 400);
  } finally {
    await home.store.close();
  }
});
