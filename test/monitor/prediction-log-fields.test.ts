/**
 * The prediction logger (src/serve/prediction-log.ts) carries the monitoring fields — experiment, arm,
 * shadow, error — through to the store unchanged, so error rates and A/B analyses see what was served.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { PredictionLogger } from '../../src/serve/prediction-log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { PredictionRecord } from '../../src/store/store.js';

test('records with experiment, arm, shadow and error reach the store as they were logged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-log-fields-'));
  const store = SqliteStore.open(join(dir, 'kiln.db'));
  try {
    const logger = new PredictionLogger({ store, logger: pino({ level: 'silent' }), flushIntervalMs: 5 });
    const base = { model: 'churn', version: 1, latencyMs: 2, inputs: { age: 40 } };
    const records: PredictionRecord[] = [
      { ...base, requestId: 'a', timestamp: 1, outputs: { label: 'stay' }, experiment: 'exp-1', arm: 'champion' },
      { ...base, requestId: 'a', timestamp: 1, version: 2, outputs: { label: 'churn' }, experiment: 'exp-1', arm: 'challenger', shadow: true },
      { ...base, requestId: 'b', timestamp: 2, outputs: null, error: 'INFERENCE_FAILED' },
    ];
    logger.record(records);
    await logger.close();
    const stored = await store.listPredictions();
    assert.deepEqual(stored, [records[2], records[1], records[0]]);
    assert.equal(await store.countPredictions({ experiment: 'exp-1', shadow: true }), 1);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
