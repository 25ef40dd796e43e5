import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Frame } from '../../src/core/frame.js';
import { sqlString, withDuckDB } from '../../src/data/duckdb.js';
import { readStoredSnapshot } from '../../src/data/read-snapshot.js';
import type { LoadedTable } from '../../src/data/sources/csv.js';
import { datasetNameOf, snapshotDataset } from '../../src/store/datasets.js';
import { LocalArtifactStore } from '../../src/store/local-artifact-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { assertKilnError, runInput, versionInput } from './store-conformance.js';

const tempDirs: string[] = [];
function freshHome(): { store: SqliteStore; artifacts: LocalArtifactStore } {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-datasets-'));
  tempDirs.push(dir);
  return { store: SqliteStore.open(join(dir, 'kiln.db')), artifacts: new LocalArtifactStore(join(dir, 'artifacts')) };
}
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function table(ages: number[], sexes: (string | null)[], source = 'data/titanic.csv'): LoadedTable {
  return {
    frame: new Frame([
      { kind: 'numeric', name: 'Age', values: Float64Array.from(ages) },
      { kind: 'categorical', name: 'Sex', values: sexes },
    ]),
    sourceTypes: { Age: 'BIGINT', Sex: 'VARCHAR' },
    source,
    digest: 'e'.repeat(64),
  };
}

describe('snapshotDataset', () => {
  test('writes a Parquet snapshot that reads back as the same rows, with schema and source', async () => {
    const { store, artifacts } = freshHome();
    try {
      const version = await snapshotDataset(table([22, Number.NaN, 38], ['male', null, 'fémale']), { store, artifacts });
      assert.equal(version.dataset, 'titanic');
      assert.equal(version.rows, 3);
      assert.equal(version.source, 'data/titanic.csv');
      assert.equal(version.sourceDigest, 'e'.repeat(64));
      assert.equal(version.format, 'parquet');
      assert.deepEqual(version.schema, [
        { name: 'Age', kind: 'numeric', sourceType: 'BIGINT' },
        { name: 'Sex', kind: 'categorical', sourceType: 'VARCHAR' },
      ]);
      const bytes = await artifacts.get(version.digest);
      assert.equal(bytes.subarray(0, 4).toString(), 'PAR1', 'a Parquet file');
      const rows = await withDuckDB(async (conn) =>
        (await conn.runAndReadAll(`SELECT Age, Sex FROM read_parquet(${sqlString(artifacts.pathOf(version.digest))})`)).getRowsJS(),
      );
      assert.deepEqual(rows, [[22, 'male'], [null, null], [38, 'fémale']]);
    } finally {
      await store.close();
    }
  });

  test('re-importing unchanged data yields the same version; changed data a new one', async () => {
    const { store, artifacts } = freshHome();
    try {
      const rowsOf = (n: number) => Array.from({ length: n }, (_, i) => i * 0.5);
      const sexes = (n: number) => Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : `s${i % 7}`));
      const first = await snapshotDataset(table(rowsOf(5000), sexes(5000)), { store, artifacts });
      const again = await snapshotDataset(table(rowsOf(5000), sexes(5000)), { store, artifacts });
      assert.equal(again.id, first.id);
      assert.equal(again.digest, first.digest);
      const changed = await snapshotDataset(table([...rowsOf(4999), 1], sexes(5000)), { store, artifacts });
      assert.notEqual(changed.id, first.id);
      assert.deepEqual((await store.listDatasetVersions('titanic')).length, 2);
      // Lineage: a run refers to the snapshot it trained on.
      const run = await store.createRun(runInput({ datasetVersionId: first.id }));
      const version = await store.createModelVersion(versionInput('titanic', { runId: run.id }));
      const traced = await store.getDatasetVersion((await store.getRun(version.runId ?? '')).datasetVersionId ?? '');
      assert.equal(traced.digest, first.digest);
    } finally {
      await store.close();
    }
  });

  test('names come from the source and can be given; bad names are refused', async () => {
    assert.equal(datasetNameOf('data/titanic.csv'), 'titanic');
    assert.equal(datasetNameOf('sqlite:shop.db?table=orders'), 'orders');
    assert.equal(datasetNameOf('/tmp/my data (1).xlsx'), 'my_data_1_');
    const { store, artifacts } = freshHome();
    try {
      const named = await snapshotDataset(table([1], ['a']), { store, artifacts, dataset: 'passengers' });
      assert.equal(named.dataset, 'passengers');
      await assertKilnError(snapshotDataset(table([1], ['a']), { store, artifacts, dataset: 'bad name' }), 'INVALID_PARAMS', { what: 'dataset name' });
    } finally {
      await store.close();
    }
  });

  test('readStoredSnapshot reads a version back through a file, with the errors of get', async () => {
    const { store, artifacts } = freshHome();
    try {
      const version = await snapshotDataset(table([22, Number.NaN, 38], ['male', 'fémale', null]), { store, artifacts });
      const { frame } = await readStoredSnapshot(artifacts, version.digest);
      assert.equal(frame.nRows, 3);
      assert.deepEqual(frame.columns.map((c) => [c.name, c.kind]), [['Age', 'numeric'], ['Sex', 'categorical']]);
      assert.deepEqual(Array.from(frame.columns[0]!.values as Float64Array), [22, Number.NaN, 38]);
      assert.deepEqual(Array.from(frame.columns[1]!.values as readonly (string | null)[]), ['male', 'fémale', null]);
      const missing = 'a'.repeat(64);
      await assertKilnError(readStoredSnapshot(artifacts, missing), 'ARTIFACT_NOT_FOUND', { digest: missing });
      // a damaged snapshot is refused before DuckDB reads it
      writeFileSync(artifacts.pathOf(version.digest), 'not parquet');
      await assertKilnError(readStoredSnapshot(artifacts, version.digest), 'ARTIFACT_CORRUPT', { digest: version.digest });
    } finally {
      await store.close();
    }
  });
});
