/**
 * The app's logic that needs no browser: the spec's YAML (read back by the real YAML parser), the
 * training view folded from job events (what reading the data changed kept apart, with its fix), the
 * threshold values against the server's own thresholdTable, plain-language metric sentences, the
 * copy-paste snippets, and which saved data the Data page lists where.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { bestThreshold, thresholdTable } from '../../src/evaluate/business/threshold.js';
import { EMPTY_VIEW, endEventOf, reduceJob, type JobAction } from '../../web/src/flow/job-view.js';
import type { ColumnProfile, Job } from '../../web/src/api/types.js';
import { answerInWords } from '../../web/src/flow/answer-words.js';
import { dataNotesInWords } from '../../web/src/flow/data-notes.js';
import { buildHref, readBuildChoice } from '../../web/src/flow/build-state.js';
import { inAppWords } from '../../web/src/flow/error-words.js';
import { targetWarning } from '../../web/src/flow/target-check.js';
import { curlV1, curlV2, javascriptFetch, pythonTriton } from '../../web/src/flow/snippets.js';
import { specToYaml } from '../../web/src/flow/spec-yaml.js';
import { bestThresholdIndex, valuePer1000 } from '../../web/src/flow/threshold-value.js';
import { explainMetric, millisecondsInWords, secondsInWords, settingsInWords } from '../../web/src/flow/words.js';
import { modelName, refInWords, versionOf } from '../../web/src/flow/model-ref.js';
import { extent, formatNumber, ticks, timeTicks } from '../../web/src/components/charts/scale.js';
import { otherTrainedData, shapeInWords, uploadKey, uploadsWithUse } from '../../web/src/components/saved-data.js';
import type { DatasetVersion, Upload, UploadList } from '../../web/src/api/types.js';

describe('specToYaml', () => {
  test('reads back as the same spec, quoting what YAML would misread', () => {
    const spec = {
      name: 'titanic',
      data: '/tmp/uploads/ab12/titanic.parquet',
      target: 'Survived',
      budget: '10s',
      numberText: '10',
      exponent: '1e3',
      yes: 'yes',
      nothing: '',
      spaced: 'a b ',
      colon: 'postgres://u@h/db?table=x',
      hash: 'a #b',
      split: { test: 0.2, stratify: true },
      drop: ['Name', '1', 'null'],
      columns: {},
      params: { C: 1, nested: { depth: 3 } },
      learners: [],
      list: [{ a: 1, b: 'x' }, { a: 2, b: 'y' }],
    };
    const yaml = specToYaml(spec);
    assert.deepEqual(parse(yaml), spec);
    assert.match(yaml, /^budget: 10s$/m, 'plain values stay unquoted');
    assert.match(yaml, /^numberText: "10"$/m);
  });
});

describe('reduceJob', () => {
  const run = (actions: readonly JobAction[]) => actions.reduce(reduceJob, EMPTY_VIEW);
  const event = (name: string, data: unknown): JobAction => ({ type: 'event', name, data });

  test('stages, trials and notes accumulate; done carries the result', () => {
    const view = run([
      { type: 'open' },
      event('stage', { type: 'stage', stage: 'read', message: 'reading titanic.csv' }),
      event('trial', { type: 'trial', trial: { id: 1, learner: 'gradient-boosting', status: 'ok', value: 0.86 }, leader: undefined, metric: 'roc_auc' }),
      event('note', { type: 'note', message: 'warning: overfitting' }),
      event('done', { result: { model: 'titanic', version: 1 } }),
    ]);
    assert.equal(view.status, 'succeeded');
    assert.deepEqual(view.stages, [{ stage: 'read', message: 'reading titanic.csv' }]);
    assert.equal(view.trials.length, 1);
    assert.equal(view.metric, 'roc_auc');
    assert.deepEqual(view.notes, ['warning: overfitting']);
    assert.deepEqual(view.result, { model: 'titanic', version: 1 });
  });

  test("what reading the data changed is kept whole, apart from the training's own notes, and worded with its fix, warnings first", () => {
    const info = { code: 'numbers_read_from_text', severity: 'info', columns: ['visits'], message: '"visits" holds numbers stored as text', fix: 'Nothing to do.' };
    const warning = { code: 'text_in_number_column', severity: 'warning', columns: ['amount'], message: '"ask Bob" read as missing', fix: 'Correct those cells.' };
    const view = run([
      event('note', { type: 'note', message: info.message, ingest: info }),
      event('note', { type: 'note', message: 'k=3: silhouette 0.41' }),
      event('note', { type: 'note', message: warning.message, ingest: warning }),
    ]);
    assert.deepEqual(view.notes, ['k=3: silhouette 0.41']);
    assert.deepEqual(view.dataNotes, [info, warning]);
    assert.deepEqual(dataNotesInWords(view.dataNotes), [
      { label: 'Check this', severity: 'warning', message: '"ask Bob" read as missing', ifWrong: 'If that is wrong: Correct those cells.' },
      { label: 'Good to know', severity: 'info', message: '"visits" holds numbers stored as text', ifWrong: 'If that is wrong: Nothing to do.' },
    ]);
    // the end event's result carries the same notes: they are not listed twice
    assert.deepEqual(run([...[info, warning].map((n) => event('note', { message: n.message, ingest: n })), event('done', { result: { version: 1, notes: [info, warning] } })]).dataNotes, [info, warning]);
    // a page that saw no events (the end read from the job document) takes them from the result; a malformed one is left out
    const fromResult = run([event('done', { result: { version: 1, notes: [warning, { message: 'no fix' }] } })]);
    assert.deepEqual(fromResult.dataNotes, [warning]);
    // a note whose `ingest` is not a note stays a training note
    assert.deepEqual(run([event('note', { message: 'odd', ingest: 'x' })]).notes, ['odd']);
  });

  test('progress draws one curve per model: a new curve when the iteration restarts', () => {
    const progress = (iteration: number, trainLoss: number, validationLoss?: number) =>
      event('progress', { type: 'progress', iteration, maxIterations: 10, trainLoss, ...(validationLoss === undefined ? {} : { validationLoss }) });
    const view = run([progress(1, 0.7, 0.72), progress(2, 0.6, 0.65), progress(1, 0.69)]);
    assert.equal(view.curves.length, 2);
    assert.deepEqual(view.curves[0], {
      points: [
        { iteration: 1, train: 0.7, validation: 0.72 },
        { iteration: 2, train: 0.6, validation: 0.65 },
      ],
    });
    assert.deepEqual(view.curves[1], { points: [{ iteration: 1, train: 0.69 }] });
  });

  test('an ensemble\'s members each get a named curve, even when one starts at a later iteration than the last ended', () => {
    const progress = (iteration: number, trainLoss: number, part: string) => event('progress', { type: 'progress', iteration, maxIterations: 10, trainLoss, part });
    const view = run([progress(1, 0.3, 'random-forest, 1 of 2'), progress(2, 0.2, 'random-forest, 1 of 2'), progress(3, 0.69, 'mlp, 2 of 2')]);
    assert.deepEqual(view.curves, [
      { part: 'random-forest, 1 of 2', points: [{ iteration: 1, train: 0.3 }, { iteration: 2, train: 0.2 }] },
      { part: 'mlp, 2 of 2', points: [{ iteration: 3, train: 0.69 }] },
    ]);
  });

  test('a failure keeps the server error and hint; a dropped stream after the end is not a reconnect', () => {
    const view = run([event('failed', { error: { code: 'DATA_EMPTY', error: 'The table is empty.', hint: 'Upload a table with rows.' } }), { type: 'dropped' }]);
    assert.equal(view.status, 'failed');
    assert.deepEqual(view.error, { error: 'The table is empty.', code: 'DATA_EMPTY', hint: 'Upload a table with rows.' });
    assert.equal(view.reconnecting, false);
    assert.equal(run([{ type: 'open' }, { type: 'dropped' }]).reconnecting, true);
  });

  test('a job the server no longer knows is lost, not "reconnecting" for ever; an ended job stays as it ended', () => {
    const lost = run([{ type: 'open' }, event('stage', { stage: 'search' }), { type: 'dropped' }, { type: 'lost' }]);
    assert.equal(lost.lost, true);
    assert.equal(lost.reconnecting, false);
    const done = run([event('done', { result: { version: 1 } }), { type: 'lost' }]);
    assert.equal(done.lost, false);
    assert.equal(done.status, 'succeeded');
  });

  test('a job document stands for the end event a refused stream did not send', () => {
    const job = (fields: Partial<Job>): Job => ({ id: 'j', model: 'm', status: 'running', ...fields });
    assert.equal(endEventOf(job({})), undefined);
    assert.equal(endEventOf(job({ status: 'queued' })), undefined);
    const done = endEventOf(job({ status: 'succeeded', result: { version: 3 } as Job['result'] & object }));
    assert.equal(done?.name, 'done');
    assert.equal(run([event(done?.name ?? '', done?.data)]).result?.version, 3);
    const failed = endEventOf(job({ status: 'failed', error: { code: 'DATA_EMPTY', error: 'no rows' } }));
    assert.deepEqual(run([event(failed?.name ?? '', failed?.data)]).error, { error: 'no rows', code: 'DATA_EMPTY' });
    assert.equal(endEventOf(job({ status: 'cancelled' }))?.name, 'cancelled');
  });
});

describe('the build page\'s choice in its URL', () => {
  const source = '/tmp/uploads/ab/titanic.csv';
  const back = (url: string) => readBuildChoice(new URL(url, 'http://kiln').searchParams);

  test('a column to predict comes back from the URL', () => {
    const url = buildHref(source, { target: 'Survived', template: '', fields: {} });
    assert.equal(new URL(url, 'http://kiln').searchParams.get('source'), source);
    assert.deepEqual(back(url), { target: 'Survived', template: '', fields: {} });
    assert.deepEqual(back(buildHref(source, { target: '', template: '', fields: {} })), { target: '', template: '', fields: {} });
  });

  test("a template and its fields come back, the columns to leave out included; the page's own names are not fields", () => {
    const choice = { target: '', template: 'cluster', fields: { drop: 'customer_id\ntrue_segment', clusters: '4', source: 'ignored' } };
    assert.deepEqual(back(buildHref(source, choice)), { target: '', template: 'cluster', fields: { drop: 'customer_id\ntrue_segment', clusters: '4' } });
    // text-classify's field is called target
    assert.deepEqual(back(buildHref(source, { target: '', template: 'text-classify', fields: { target: 'label', text: 'sentence' } })), {
      target: '',
      template: 'text-classify',
      fields: { target: 'label', text: 'sentence' },
    });
  });
});

describe('errors in the words of the app', () => {
  const error = (code: string, message: string, hint?: string) => ({ code, message, hint });

  test('a hint written for API callers is replaced; the message stays', () => {
    const empty = inAppWords(error('UPLOAD_EMPTY', 'the upload has no bytes', "send the file's bytes as the request body: PUT /api/uploads?filename=NAME"), { fileName: 'orders.csv' });
    assert.equal(empty.message, 'the upload has no bytes');
    assert.match(empty.hint ?? '', /^orders\.csv is empty\./);
    assert.doesNotMatch(empty.hint ?? '', /PUT|\/api\//);
    assert.doesNotMatch(inAppWords(error('NO_FEATURES', 'no feature columns are left to learn from', 'check `drop:` in the spec')).hint ?? '', /drop:|spec/);
    assert.doesNotMatch(inAppWords(error('JOB_NOT_FOUND', 'there is no training job "x"', 'GET /api/jobs lists the recent jobs')).hint ?? '', /GET|\/api\//);
  });

  test("the server's path of an upload reads as the file's name", () => {
    const encoding = inAppWords(error('DATA_ENCODING', '/home/kiln/uploads/04d2/orders (2).csv is not UTF-8 text', 'name its encoding: `file.csv?encoding=latin-1`'), {
      fileName: 'orders (2).csv',
    });
    assert.equal(encoding.message, 'orders (2).csv is not UTF-8 text');
    assert.doesNotMatch(encoding.hint ?? '', /\?encoding=/);
  });

  test('other errors are left as the server wrote them', () => {
    const other = error('SINGLE_CLASS', 'the target "t" has only one value', 'a classifier needs examples of at least two outcomes');
    assert.deepEqual(inAppWords(other), { message: other.message, hint: other.hint });
  });
});

describe('a prediction in words', () => {
  test('a class with how sure, a number, and the shapes of the other modules', () => {
    assert.deepEqual(answerInWords({ label: 1, probabilities: { '0': 0.04, '1': 0.96 } }), { title: 'Prediction', value: '1', detail: '96\u00a0% sure' });
    assert.deepEqual(answerInWords(12.5), { title: 'Prediction', value: '12.5' });
    assert.deepEqual(answerInWords({ segment: 2, distances: [1, 2, 0.5, 3] }), { title: 'Segment', value: '2', detail: 'the closest of the 4 segments' });
    const unusual = answerInWords({ score: 0.71, is_anomaly: 1, reason: 'distance_km', reason_z: 180 });
    assert.equal(unusual.value, 'Unusual');
    assert.match(unusual.detail ?? '', /distance_km/);
    assert.equal(answerInWords({ score: 0.43, is_anomaly: 0, reason: 'items' }).value, 'Looks normal');
    assert.deepEqual(answerInWords({ items: ['318', '858'], scores: [5.1, 4.9] }), { title: 'Recommended', value: '318, 858', detail: 'best first' });
  });
});

describe('a column to predict that names the rows', () => {
  const column = (fields: Partial<ColumnProfile>): ColumnProfile => ({ name: 'id', type: 'categorical', count: 200, missing: 0, missingShare: 0, distinct: 200, ...fields });

  test('an id is flagged; a category with several rows per value is not', () => {
    assert.match(targetWarning(column({}), 200) ?? '', /^Every row has its own "id"/);
    assert.match(targetWarning(column({ distinct: 150 }), 200) ?? '', /^Almost every row/);
    assert.equal(targetWarning(column({ name: 'city', distinct: 40 }), 200), undefined);
    // few classes in a small table, and numbers (a regression), are fine
    assert.equal(targetWarning(column({ distinct: 8 }), 10), undefined);
    assert.equal(targetWarning(column({ numeric: { min: 0, max: 1, mean: 0.5 } }), 200), undefined);
    assert.equal(targetWarning(undefined, 200), undefined);
  });
});

describe('threshold values', () => {
  test('agree with the server’s thresholdTable computed from raw probabilities', () => {
    const positive = Uint8Array.from([1, 0, 1, 1, 0, 0, 1, 0, 0, 1]);
    const p1 = Float64Array.from([0.9, 0.2, 0.65, 0.4, 0.55, 0.1, 0.8, 0.35, 0.05, 0.5]);
    const payoffs = { truePositive: 10, falsePositive: -5, falseNegative: -10, trueNegative: 0 };
    const table = thresholdTable(positive, p1, payoffs);
    const values = table.map((row) => valuePer1000(row, payoffs));
    table.forEach((row, i) => assert.ok(Math.abs(row.valuePer1000 - (values[i] as number)) < 1e-9, `threshold ${row.threshold}`));
    assert.equal(table[bestThresholdIndex(values)]?.threshold, bestThreshold(table).threshold);
  });
});

describe('words and snippets', () => {
  test('metrics in plain words', () => {
    assert.equal(explainMetric('accuracy', 0.82), 'Right 82 out of 100 times on rows it never saw while learning.');
    assert.match(explainMetric('roc_auc', 0.874) ?? '', /87 out of 100/);
    assert.equal(explainMetric('unknown_metric', 1), undefined);
  });

  test('durations, answer times and learner settings as a reader writes them', () => {
    assert.equal(secondsInWords(0.48463), '0.48 s');
    assert.equal(secondsInWords(2.597), '2.6 s');
    assert.equal(secondsInWords(9.998), '10 s');
    assert.equal(secondsInWords(125), '2 min 5 s');
    assert.equal(millisecondsInWords(5.598), '5.6 ms');
    assert.equal(millisecondsInWords(1250.4), '1,250 ms');
    assert.equal(settingsInWords({}), 'defaults');
    assert.equal(settingsInWords({ earlyStopping: true, learning_rate: 0.1, wordNgrams: [1, 2] }), 'early stopping true, learning rate 0.1, word ngrams 1–2');
  });

  test('model references', () => {
    assert.equal(modelName('titanic@champion'), 'titanic');
    assert.equal(modelName('titanic:3'), 'titanic');
    assert.equal(versionOf('titanic:3'), 3);
    assert.equal(versionOf('titanic@champion'), undefined);
    assert.equal(refInWords('titanic:3'), 'titanic, version 3');
    assert.equal(refInWords('titanic@champion'), 'titanic (live version)');
    assert.equal(refInWords('titanic'), 'titanic (latest version)');
  });

  test('snippets carry the example row with the right types', () => {
    const s = {
      origin: 'http://127.0.0.1:8080',
      modelRef: 'titanic@champion',
      inputs: [
        { name: 'Age', datatype: 'FP32', shape: [-1, 1] },
        { name: 'Sex', datatype: 'BYTES', shape: [-1, 1] },
        { name: 'Fare', datatype: 'FP32', shape: [-1, 1] },
      ],
      example: { Age: 22, Sex: "o'brien", Fare: null },
    };
    const v1 = curlV1(s);
    assert.match(v1, /http:\/\/127\.0\.0\.1:8080\/v1\/models\/titanic@champion:predict/);
    // the shell quoting survives a single quote in the data
    assert.match(v1, /"Sex":"o'\\''brien"/);
    const body = JSON.parse(/-d '(.*)'$/s.exec(curlV2({ ...s, example: { Age: 22, Sex: 'male', Fare: null } }))?.[1] ?? '{}') as { inputs: { name: string; data: unknown[] }[] };
    assert.deepEqual(body.inputs.map((i) => [i.name, i.data]), [['Age', [22]], ['Sex', ['male']], ['Fare', [null]]]);
    assert.match(pythonTriton(s), /InferInput\("Sex", \[1, 1\], "BYTES"\)/);
    assert.match(pythonTriton(s), /np\.array\(\[\[np\.nan\]\], dtype=np\.float32\)/);
    assert.match(javascriptFetch(s), /JSON\.stringify\(\{"instances":\[\{"Age":22/);
  });
});

describe('chart scales', () => {
  test('ticks are round values 1, 2 or 5 times a power of ten apart', () => {
    assert.deepEqual(ticks(0, 1, 4), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(ticks(3, 47, 4), [10, 20, 30, 40]);
    assert.deepEqual(extent([2, Number.NaN, -1, Infinity]), [-1, 2]);
    assert.deepEqual(extent([5, 5]), [4.5, 5.5], 'a flat series still gets an axis');
  });

  test('small numbers read as decimals, not exponents', () => {
    assert.equal(formatNumber(0.0005), '0.0005');
    assert.equal(formatNumber(-0.000183), '-0.00018');
    assert.equal(formatNumber(0.0293), '0.0293');
    assert.equal(formatNumber(2e-8), '2.0e-8');
    assert.equal(formatNumber(1234), '1,234');
  });

  test('time ticks fall on round local hours', () => {
    const hour = 3_600_000;
    const start = new Date(2026, 10, 27, 8, 20).getTime(); // 08:20 local time
    const t = timeTicks(start, start + 3 * hour);
    assert.equal(t.length, 3);
    for (const tick of t) assert.equal(new Date(tick).getMinutes(), 0);
    assert.equal(new Date(t[0] as number).getHours(), 9);
  });
});

describe('saved data on the Data page', () => {
  const sha = 'ab'.repeat(32);
  const upload = (name: string, folder = sha, rows: number | null = 3): Upload => ({
    id: `${folder}/${name}`,
    source: `/home/me/.kiln/uploads/${folder}/${name}`,
    name,
    bytes: 120,
    uploaded_at: '2024-05-01T10:00:00Z',
    rows,
    columns: rows === null ? null : 4,
  });
  const version = (id: string, source: string, created_at: string): DatasetVersion => ({ id, dataset: id, source, rows: 3, created_at });

  test('an upload is recognised by <folder>/<name> in any home, with a sheet or options, 24-digit folders too; other sources are not uploads', () => {
    assert.equal(uploadKey(`/srv/b/uploads/${sha}/sales.xlsx#Sheet2`), `${sha}/sales.xlsx`);
    assert.equal(uploadKey(`/srv/b/uploads/${sha}/sales.csv?dates=dmy`), `${sha}/sales.csv`);
    assert.equal(uploadKey(`C:\\kiln\\uploads\\${'c'.repeat(24)}\\old.csv`), `${'c'.repeat(24)}/old.csv`);
    for (const other of ['postgres://u@h/db?table=orders', 'sqlite:/data/shop.db?table=t', '/data/titanic.csv', `/x/uploads/${'a'.repeat(30)}/t.csv`]) {
      assert.equal(uploadKey(other), undefined, other);
    }
  });

  test('each upload says whether and when a training last read it, matched by its place, not its home', () => {
    const list: UploadList = { uploads: [upload('titanic.csv'), upload('visits.csv', 'cd'.repeat(32))], shared_store: false };
    const used = uploadsWithUse(list, [
      version('t1', `/other/home/uploads/${sha}/titanic.csv`, '2024-05-02T00:00:00Z'),
      version('t2', `/home/me/.kiln/uploads/${sha}/titanic.csv`, '2024-05-03T00:00:00Z'),
      version('t0', `/home/me/.kiln/uploads/${sha}/titanic.csv`, '2024-05-01T00:00:00Z'),
    ]);
    assert.deepEqual(
      used.map((u) => [u.upload.name, u.trained, u.lastTrained]),
      [
        ['titanic.csv', true, '2024-05-03T00:00:00Z'],
        ['visits.csv', false, undefined],
      ],
    );
  });

  test('data trained on before lists what the uploads card does not: no file twice, and deleted uploads nowhere', () => {
    const listed = upload('titanic.csv');
    const gone = `/home/me/.kiln/uploads/${'ef'.repeat(32)}/deleted.csv`;
    const datasets = [
      version('a', listed.source, '2024-05-03T00:00:00Z'),
      version('b', 'postgres://u@h/shop?table=orders', '2024-05-02T00:00:00Z'),
      version('c', gone, '2024-05-04T00:00:00Z'),
      version('d', 'postgres://u@h/shop?table=orders', '2024-05-05T00:00:00Z'),
    ];
    const alone: UploadList = { uploads: [listed], shared_store: false };
    assert.deepEqual(otherTrainedData(datasets, alone).map((d) => d.id), ['d'], 'the connection once, at its newest use');
    // servers sharing their uploads: an unlisted upload may be another server's, and opens here
    assert.deepEqual(otherTrainedData(datasets, { ...alone, shared_store: true }).map((d) => d.id), ['d', 'c']);
    // the list of uploads could not load: everything trained on is offered, as before there was one
    assert.deepEqual(otherTrainedData(datasets, undefined).map((d) => d.id), ['d', 'c', 'a']);
  });

  test('rows × columns in words, and nothing for an upload an older Kiln saved', () => {
    assert.equal(shapeInWords({ ...upload('t.csv'), rows: 891, columns: 12 }), '891 rows × 12 columns');
    assert.equal(shapeInWords({ ...upload('t.csv'), rows: 1, columns: 1 }), '1 row × 1 column');
    assert.equal(shapeInWords(upload('t.csv', sha, null)), undefined);
  });
});
