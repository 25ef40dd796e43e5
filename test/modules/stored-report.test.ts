/**
 * report.json as readers get it (src/modules/stored-report.ts): a text module's report written before
 * `configuration` is read with its `model` renamed, so that the readers' own `model` (the module's
 * name) no longer hides it; new reports and every other module's are read as they are.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStoredReport } from '../../src/modules/stored-report.js';

const description = 'word 1-2-grams (min_df 2, sublinear tf) → logistic regression C=10';

test('an old text report\'s `model` is read as its configuration', () => {
  const report = parseStoredReport('text-classify', JSON.stringify({ task: 'text-classify', model: description, sentences: [] }));
  assert.deepEqual(report, { task: 'text-classify', configuration: description, sentences: [] });
});

test('new text reports and other modules\' reports are read as they are', () => {
  const text = { task: 'text-classify', configuration: description, sentences: [] };
  assert.deepEqual(parseStoredReport('text-classify', JSON.stringify(text)), text);
  const cluster = { model: 'k-means', segments: [] };
  assert.deepEqual(parseStoredReport('cluster', JSON.stringify(cluster)), cluster);
});
