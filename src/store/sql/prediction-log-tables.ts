/**
 * The prediction log's reads and writes over its tables (layout: src/store/prediction-batch.ts):
 * `prediction_batches`, one row per batch of one model version; `prediction_requests`, which maps the
 * request ids that cannot be found by their time to the batches holding them; and `feedback_batches`,
 * which records, when an outcome arrives, the batches holding the records it labels.
 *
 * Queries select batches by the batch columns (model, version, experiment, time span) and then filter the
 * decoded records by what only a record knows (its own timestamp, shadow). "Newest first, at most N"
 * walks the batches by their latest timestamp, newest first, and stops once no further batch can hold a
 * record newer than the N-th newest found so far.
 */
import { idTime } from '../../core/time-ordered-id.js';
import { batchRequestIds, decodeBatch, encodeBatch, FINDABLE_WITHIN_MS, MAX_BATCH_SPAN_MS, type PredictionBatch, type StoredBatch } from '../prediction-batch.js';
import type { LabelledPrediction, PredictionQuery, PredictionRecord } from '../store.js';
import type { SqlSession, SqlValue } from './driver.js';

interface BatchRow extends StoredBatch {
  readonly id: number | string;
  readonly first_ts: number | string;
  readonly last_ts: number | string;
  readonly records: number | string;
  readonly indexed_ids: number | string;
}

/** Batches read per query while walking newest first. */
const BATCH_PAGE = 32;
/** Request ids per statement (well below both databases' parameter limits). */
const ID_CHUNK = 500;
const BATCH_COLUMNS = 'id, model, version, experiment, first_ts, last_ts, records, indexed_ids, request_ids, payload';

/** Writes batches, and the request ids that cannot be found by their time. Call inside a transaction. */
export async function insertBatches(tx: SqlSession, batches: readonly PredictionBatch[]): Promise<void> {
  for (const batch of batches) {
    const row = await tx.get<{ id: number | string }>(
      `INSERT INTO prediction_batches (model, version, experiment, first_ts, last_ts, records, min_request_id, max_request_id, indexed_ids, request_ids, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        batch.model,
        batch.version,
        batch.experiment,
        batch.firstTimestamp,
        batch.lastTimestamp,
        batch.records,
        batch.minFindableId,
        batch.maxFindableId,
        batch.indexedRequestIds.length,
        batch.requestIds,
        batch.payload,
      ],
    );
    const batchId = Number(row?.id);
    for (let i = 0; i < batch.indexedRequestIds.length; i += ID_CHUNK) {
      await tx.insertMany('prediction_requests', ['request_id', 'batch_id'], batch.indexedRequestIds.slice(i, i + ID_CHUNK).map((id) => [id, batchId]));
    }
  }
}

/** The batch-level part of a query: the WHERE clause over `prediction_batches` (alias `b`). */
function batchFilter(query: PredictionQuery): { conditions: string[]; params: SqlValue[] } {
  const conditions: string[] = [];
  const params: SqlValue[] = [];
  const add = (condition: string, value: SqlValue): void => {
    conditions.push(condition);
    params.push(value);
  };
  if (query.model !== undefined) add('b.model = ?', query.model);
  if (query.version !== undefined) add('b.version = ?', query.version);
  if (query.experiment !== undefined) add('b.experiment = ?', query.experiment);
  // a batch overlaps [since, until) when its span does
  if (query.since !== undefined) add('b.last_ts >= ?', query.since);
  if (query.until !== undefined) add('b.first_ts < ?', query.until);
  return { conditions, params };
}

/** The record-level part of a query, for the records of batches that passed the batch-level part. */
function recordFilter(query: PredictionQuery): (record: PredictionRecord) => boolean {
  const { since, until, shadow } = query;
  return (r) => (since === undefined || r.timestamp >= since) && (until === undefined || r.timestamp < until) && (shadow === undefined || (r.shadow === true) === shadow);
}

/** Batches matching the query, newest (by latest timestamp) first, a page at a time. */
async function* batchesNewestFirst(session: SqlSession, query: PredictionQuery): AsyncGenerator<BatchRow> {
  const { conditions, params } = batchFilter(query);
  let after: { lastTs: number; id: number } | undefined;
  for (;;) {
    const page = [...conditions];
    const pageParams = [...params];
    if (after !== undefined) {
      page.push('(b.last_ts < ? OR (b.last_ts = ? AND b.id < ?))');
      pageParams.push(after.lastTs, after.lastTs, after.id);
    }
    const rows = await session.all<BatchRow>(
      `SELECT ${BATCH_COLUMNS} FROM prediction_batches b${page.length === 0 ? '' : ` WHERE ${page.join(' AND ')}`}
        ORDER BY b.last_ts DESC, b.id DESC LIMIT ?`,
      [...pageParams, BATCH_PAGE],
    );
    for (const row of rows) yield row;
    const last = rows.at(-1);
    if (last === undefined || rows.length < BATCH_PAGE) return;
    after = { lastTs: Number(last.last_ts), id: Number(last.id) };
  }
}

/** A record found while walking, with where it was logged (to order ties as the log did). */
interface Found<T> {
  readonly item: T;
  readonly timestamp: number;
  readonly batchId: number;
  readonly index: number;
}

/**
 * Collects the newest `limit` items from batches walked newest first: `pick` returns the items a batch
 * contributes (with their index in the batch). Ordered by timestamp, then logging order, newest first.
 */
async function newest<T>(batches: AsyncIterable<BatchRow>, limit: number, pick: (batch: BatchRow) => Iterable<{ item: T; timestamp: number; index: number }>): Promise<T[]> {
  const found: Found<T>[] = [];
  let cutoff = -Infinity; // once `limit` items are found: the timestamp of the limit-th newest
  for await (const batch of batches) {
    if (found.length >= limit && Number(batch.last_ts) < cutoff) break;
    const batchId = Number(batch.id);
    for (const hit of pick(batch)) found.push({ ...hit, batchId });
    if (found.length >= limit) {
      found.sort(newestFirst);
      found.length = limit;
      cutoff = (found[limit - 1] as Found<T>).timestamp;
    }
  }
  return found.sort(newestFirst).slice(0, limit).map((f) => f.item);
}

function newestFirst(a: Found<unknown>, b: Found<unknown>): number {
  return b.timestamp - a.timestamp || b.batchId - a.batchId || b.index - a.index;
}

/** Newest first, at most `limit`. */
export function listPredictionRecords(session: SqlSession, query: PredictionQuery, limit: number): Promise<PredictionRecord[]> {
  const keep = recordFilter(query);
  return newest(batchesNewestFirst(session, query), limit, function* (batch) {
    const records = decodeBatch(batch);
    for (let index = 0; index < records.length; index++) {
      const record = records[index] as PredictionRecord;
      if (keep(record)) yield { item: record, timestamp: record.timestamp, index };
    }
  });
}

/** How many records match. Batches wholly inside the time range are counted without decoding them. */
export async function countPredictionRecords(session: SqlSession, query: PredictionQuery): Promise<number> {
  const { conditions, params } = batchFilter(query);
  const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
  const { since, until } = query;
  if (query.shadow === undefined) {
    // whole batches: their time span lies inside [since, until)
    const inside = [...(since === undefined ? [] : ['b.first_ts >= ?']), ...(until === undefined ? [] : ['b.last_ts < ?'])];
    const insideParams = [...(since === undefined ? [] : [since]), ...(until === undefined ? [] : [until])];
    const whole = await session.get<{ n: number | string | null }>(
      `SELECT SUM(b.records) AS n FROM prediction_batches b WHERE ${[...conditions, ...inside].join(' AND ') || '1 = 1'}`,
      [...params, ...insideParams],
    );
    let count = Number(whole?.n ?? 0);
    if (inside.length > 0) {
      // batches that straddle an end of the range: count their records one by one
      const straddling = await session.all<BatchRow>(
        `SELECT ${BATCH_COLUMNS} FROM prediction_batches b${where}${where === '' ? ' WHERE' : ' AND'} NOT (${inside.join(' AND ')})`,
        [...params, ...insideParams],
      );
      const keep = recordFilter(query);
      for (const batch of straddling) count += decodeBatch(batch).filter(keep).length;
    }
    return count;
  }
  const keep = recordFilter(query);
  let count = 0;
  for await (const batch of batchesNewestFirst(session, query)) count += decodeBatch(batch).filter(keep).length;
  return count;
}

/**
 * Deletes the records logged before `before` (of one model or all) and returns how many: whole batches
 * go, a batch that straddles the cut-off is rewritten with its newer records. Their request ids leave the
 * lookup tables, and feedback left without any logged record goes too. Call inside a transaction.
 */
export async function deleteRecordsBefore(tx: SqlSession, before: number, model: string | undefined): Promise<number> {
  const modelCondition = model === undefined ? '' : ' AND b.model = ?';
  const modelParams = model === undefined ? [] : [model];
  let deleted = 0;

  // Whole batches. Only a batch with ids in prediction_requests needs its ids read (most have none).
  const old = await tx.all<{ id: number | string; records: number | string; request_ids: string | null }>(
    `SELECT b.id, b.records, CASE WHEN b.indexed_ids > 0 THEN b.request_ids END AS request_ids
       FROM prediction_batches b WHERE b.last_ts < ?${modelCondition}`,
    [before, ...modelParams],
  );
  for (const batch of old) {
    if (batch.request_ids !== null) await forgetRequests(tx, 'prediction_requests', Number(batch.id), batchRequestIds({ request_ids: batch.request_ids }));
    deleted += Number(batch.records);
  }
  for (let i = 0; i < old.length; i += ID_CHUNK) {
    const ids = old.slice(i, i + ID_CHUNK).map((b) => Number(b.id));
    const list = ids.map(() => '?').join(', ');
    await tx.run(`DELETE FROM feedback_batches WHERE batch_id IN (${list})`, ids);
    await tx.run(`DELETE FROM prediction_batches WHERE id IN (${list})`, ids);
  }

  // Batches that straddle the cut-off keep their newer records.
  const straddling = await tx.all<BatchRow>(
    `SELECT ${BATCH_COLUMNS} FROM prediction_batches b WHERE b.first_ts < ? AND b.last_ts >= ?${modelCondition}`,
    [before, before, ...modelParams],
  );
  for (const batch of straddling) {
    const batchId = Number(batch.id);
    const records = decodeBatch(batch);
    const kept = records.filter((r) => r.timestamp >= before);
    const keptIds = new Set(kept.map((r) => r.requestId));
    const gone = [...new Set(records.filter((r) => r.timestamp < before && !keptIds.has(r.requestId)).map((r) => r.requestId))];
    if (Number(batch.indexed_ids) > 0) await forgetRequests(tx, 'prediction_requests', batchId, gone);
    await forgetRequests(tx, 'feedback_batches', batchId, gone);
    // one batch again, whatever the span of what is kept (a migrated batch can span days): last_ts >= before keeps at least one record
    const rewritten = encodeBatch(kept);
    await tx.run(
      'UPDATE prediction_batches SET first_ts = ?, records = ?, min_request_id = ?, max_request_id = ?, indexed_ids = ?, request_ids = ?, payload = ? WHERE id = ?',
      [
        rewritten.firstTimestamp,
        rewritten.records,
        rewritten.minFindableId,
        rewritten.maxFindableId,
        // ids indexed before keep their rows, so the count must not fall to 0 while rows remain
        Math.max(Number(batch.indexed_ids), rewritten.indexedRequestIds.length),
        rewritten.requestIds,
        rewritten.payload,
        batchId,
      ],
    );
    deleted += records.length - kept.length;
  }

  if (deleted > 0) {
    await tx.run('DELETE FROM feedback WHERE NOT EXISTS (SELECT 1 FROM feedback_batches fb WHERE fb.request_id = feedback.request_id)');
  }
  return deleted;
}

async function forgetRequests(tx: SqlSession, table: 'prediction_requests' | 'feedback_batches', batchId: number, requestIds: readonly string[]): Promise<void> {
  const distinct = [...new Set(requestIds)];
  for (let i = 0; i < distinct.length; i += ID_CHUNK) {
    const chunk = distinct.slice(i, i + ID_CHUNK);
    await tx.run(`DELETE FROM ${table} WHERE batch_id = ? AND request_id IN (${chunk.map(() => '?').join(', ')})`, [batchId, ...chunk]);
  }
}

/**
 * The batches holding records of each of these request ids (ids with none are left out): from the lookup
 * table, and, for time-ordered ids, from the batches logged within moments of the id's time whose
 * request-id range covers it.
 */
export async function findRequestBatches(session: SqlSession, requestIds: readonly string[]): Promise<Map<string, number[]>> {
  const found = new Map<string, number[]>();
  const add = (requestId: string, batchId: number): void => {
    const batches = found.get(requestId);
    if (batches === undefined) found.set(requestId, [batchId]);
    else if (!batches.includes(batchId)) batches.push(batchId);
  };
  for (let i = 0; i < requestIds.length; i += ID_CHUNK) {
    const chunk = requestIds.slice(i, i + ID_CHUNK);
    const rows = await session.all<{ request_id: string; batch_id: number | string }>(
      `SELECT request_id, batch_id FROM prediction_requests WHERE request_id IN (${chunk.map(() => '?').join(', ')})`,
      chunk,
    );
    for (const row of rows) add(row.request_id, Number(row.batch_id));
  }
  // A record is logged within FINDABLE_WITHIN_MS of its id's time, and its batch ends within two spans of it.
  const idsOf = new Map<number, Set<string>>(); // parsed once per call: ids that share batches share the parse
  for (const requestId of new Set(requestIds)) {
    const madeAt = idTime(requestId);
    if (madeAt === undefined) continue;
    const candidates = await session.all<{ id: number | string }>(
      `SELECT b.id FROM prediction_batches b
        WHERE b.last_ts >= ? AND b.last_ts <= ? AND b.min_request_id <= ? AND b.max_request_id >= ?`,
      [madeAt, madeAt + FINDABLE_WITHIN_MS + 2 * MAX_BATCH_SPAN_MS, requestId, requestId],
    );
    for (const candidate of candidates) {
      const batchId = Number(candidate.id);
      let ids = idsOf.get(batchId);
      if (ids === undefined) {
        const row = await session.get<{ request_ids: string }>('SELECT request_ids FROM prediction_batches WHERE id = ?', [batchId]);
        ids = new Set(row === undefined ? [] : batchRequestIds(row));
        idsOf.set(batchId, ids);
      }
      if (ids.has(requestId)) add(requestId, batchId);
    }
  }
  return found;
}

interface Outcome {
  readonly outcome: unknown;
  readonly feedbackAt: number;
}

/**
 * Labelled records, newest first, at most `limit`: the feedback joined to feedback_batches names the
 * batches to read and, per batch, the request ids whose records carry an outcome.
 */
export async function listLabelledRecords(session: SqlSession, query: PredictionQuery, limit: number, decodeOutcome: (text: string) => unknown): Promise<LabelledPrediction[]> {
  const { conditions, params } = batchFilter(query);
  const labels = await session.all<{ request_id: string; outcome: string; feedback_at: number | string; batch_id: number | string }>(
    `SELECT f.request_id, f.outcome, f.feedback_at, fb.batch_id
       FROM feedback f
       JOIN feedback_batches fb ON fb.request_id = f.request_id
       JOIN prediction_batches b ON b.id = fb.batch_id${conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`}`,
    params,
  );
  const byBatch = new Map<number, Map<string, Outcome>>();
  for (const label of labels) {
    const batchId = Number(label.batch_id);
    let outcomes = byBatch.get(batchId);
    if (outcomes === undefined) byBatch.set(batchId, (outcomes = new Map()));
    outcomes.set(label.request_id, { outcome: decodeOutcome(label.outcome), feedbackAt: Number(label.feedback_at) });
  }
  const keep = recordFilter(query);
  return newest(batchesById(session, [...byBatch.keys()]), limit, function* (batch) {
    const outcomes = byBatch.get(Number(batch.id));
    const records = decodeBatch(batch);
    for (let index = 0; index < records.length; index++) {
      const record = records[index] as PredictionRecord;
      const label = outcomes?.get(record.requestId);
      if (label === undefined || !keep(record)) continue;
      yield { item: { ...record, outcome: label.outcome as LabelledPrediction['outcome'], feedbackAt: label.feedbackAt }, timestamp: record.timestamp, index };
    }
  });
}

/** The batches with these ids, newest (by latest timestamp) first, a page at a time. */
async function* batchesById(session: SqlSession, ids: readonly number[]): AsyncGenerator<BatchRow> {
  if (ids.length === 0) return;
  const spans: { id: number; lastTs: number }[] = [];
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const chunk = ids.slice(i, i + ID_CHUNK);
    const rows = await session.all<{ id: number | string; last_ts: number | string }>(
      `SELECT id, last_ts FROM prediction_batches WHERE id IN (${chunk.map(() => '?').join(', ')})`,
      chunk,
    );
    for (const row of rows) spans.push({ id: Number(row.id), lastTs: Number(row.last_ts) });
  }
  spans.sort((a, b) => b.lastTs - a.lastTs || b.id - a.id);
  for (let i = 0; i < spans.length; i += BATCH_PAGE) {
    const page = spans.slice(i, i + BATCH_PAGE).map((s) => s.id);
    const rows = await session.all<BatchRow>(`SELECT ${BATCH_COLUMNS} FROM prediction_batches WHERE id IN (${page.map(() => '?').join(', ')})`, page);
    const order = new Map(page.map((id, at) => [id, at]));
    rows.sort((a, b) => (order.get(Number(a.id)) ?? 0) - (order.get(Number(b.id)) ?? 0));
    for (const row of rows) yield row;
  }
}
