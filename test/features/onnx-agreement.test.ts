// Every transform's ONNX export computes what its own `transform` computes (within 1e-5, float32),
// run through onnxruntime on rows with missing values and categories never seen in training.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame, type Column } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { inputTensors } from '../../src/features/input-tensors.js';
import { TabularPreprocessor, type ColumnPlan, type FitOptions } from '../../src/features/tabular-preprocessor.js';
import { GraphBuilder } from '../../src/onnx/graph-builder.js';
import { openSession } from '../../src/onnx/session.js';

const SENTENCES = [
  'The quick brown fox jumps over the lazy dog.',
  'A lazy afternoon: the dog sleeps, the cat watches.',
  'Stock markets rallied today as tech shares rose sharply.',
  'Tech shares fell after the earnings report disappointed investors.',
  'The cat and the dog are friends; the fox is not.',
  'Investors expect the central bank to cut rates again.',
  'Rates were cut, and markets rallied on the news.',
  'Café owners in Zürich say the crème brûlée sells out by noon.',
  "Don't panic — it's only 42 degrees in the shade!",
  'ÉCOLE, Straße and İstanbul: uppercase letters beyond ASCII.',
];
const COLOURS = ['red', 'red', 'red', 'blue', 'blue', 'green', 'violet', 'amber'];
const CITIES = ['Oslo', 'Lima', 'Pune', 'Kyiv', 'Baku'];

function makeFrame(n: number, seed: number, unseen: boolean): Frame {
  const rng = new Rng(seed);
  const maybe = <T>(v: T, missing: T): T => (rng.next() < 0.15 ? missing : v);
  const num = (scale: number): Float64Array => Float64Array.from({ length: n }, () => maybe(Math.round(rng.normal() * scale * 100) / 100, Number.NaN));
  const pick = (xs: readonly string[]): (string | null)[] => Array.from({ length: n }, () => maybe(unseen && rng.next() < 0.2 ? `unseen-${rng.int(3)}` : (xs[rng.int(xs.length)] as string), null));
  const times = (): (string | null)[] =>
    Array.from({ length: n }, () => maybe(new Date(Date.UTC(1950, 0, 1) + Math.floor(rng.next() * 120 * 365.25 * 86_400_000)).toISOString(), null));
  const text = (): (string | null)[] => Array.from({ length: n }, () => maybe(unseen && rng.next() < 0.3 ? 'Completely novel words: zebra quasar!' : (SENTENCES[rng.int(SENTENCES.length)] as string), null));
  const cat = (name: string, values: (string | null)[]): Column => ({ kind: 'categorical', name, values });
  const colours = pick(COLOURS);
  const cities = pick(CITIES);
  const signup = times();
  const reviews = text();
  return new Frame([
    { kind: 'numeric', name: 'age', values: num(20) },
    { kind: 'numeric', name: 'fare', values: num(50) },
    { kind: 'numeric', name: 'income', values: num(1000) },
    { kind: 'numeric', name: 'rooms', values: Float64Array.from({ length: n }, () => maybe(rng.int(5), Number.NaN)) },
    cat('member', Array.from({ length: n }, () => maybe(rng.next() < 0.5 ? 'true' : 'false', null))),
    cat('colour', colours),
    cat('colour_rare', colours),
    cat('colour_const', colours),
    cat('city', cities),
    cat('city_target', cities),
    cat('signup', signup),
    { kind: 'numeric', name: 'signup_ms', values: Float64Array.from(signup, (s) => (s === null ? Number.NaN : Date.parse(s))) },
    cat('review', reviews),
    cat('review_words', reviews),
    cat('review_chars', reviews),
  ]);
}

const PLAN: ColumnPlan[] = [
  { name: 'age', kind: 'numeric' },
  { name: 'fare', kind: 'numeric', transform: { impute: { strategy: 'mean', add_indicator: true }, scale: { method: 'robust' } } },
  { name: 'income', kind: 'numeric', transform: { impute: { strategy: 'constant', fill_value: 0 }, scale: { method: 'minmax', feature_range: [-1, 1] } } },
  { name: 'rooms', kind: 'numeric', transform: { impute: { strategy: 'most_frequent' }, scale: { method: 'none' } } },
  { name: 'member', kind: 'boolean' },
  { name: 'colour', kind: 'categorical' },
  { name: 'colour_rare', kind: 'categorical', transform: { encode: { method: 'onehot', min_frequency: 0.15, handle_unknown: 'infrequent_if_exist' } } },
  { name: 'colour_const', kind: 'categorical', transform: { impute: { strategy: 'constant', fill_value: 'none' }, encode: { method: 'onehot', max_categories: 3 } } },
  { name: 'city', kind: 'categorical', transform: { encode: { method: 'ordinal', unknown_value: -1 } } },
  { name: 'city_target', kind: 'categorical', transform: { encode: { method: 'target' } } },
  { name: 'signup', kind: 'datetime' },
  { name: 'signup_ms', kind: 'datetime', transform: { datetime: { parts: ['year', 'month', 'day', 'weekday', 'hour', 'minute', 'second', 'dayofyear', 'quarter'] }, impute: { strategy: 'median', add_indicator: true } } },
  { name: 'review', kind: 'text' },
  { name: 'review_words', kind: 'text', transform: { text: { ngram_range: [1, 2], sublinear_tf: true, max_df: 0.9 } } },
  { name: 'review_chars', kind: 'text', transform: { text: { analyzer: 'char', ngram_range: [2, 4], min_df: 2, max_features: 300 } } },
];

async function maxOnnxDifference(p: TabularPreprocessor, frame: Frame): Promise<number> {
  const g = new GraphBuilder('prep');
  g.output(p.toOnnx(g), 'features', 'float', ['N', p.nFeatures]);
  const session = await openSession(g.toBytes({ producerVersion: 'test' }));
  const out = await session.run(inputTensors(frame, p.inputColumns()));
  const got = out['features'];
  assert.deepEqual(got?.dims, [frame.nRows, p.nFeatures]);
  const expected = p.transform(frame);
  const data = got?.data as Float32Array;
  let worst = 0;
  let where = -1;
  for (let i = 0; i < expected.data.length; i++) {
    const d = Math.abs((data[i] as number) - (expected.data[i] as number));
    if (!(d <= worst)) {
      worst = d;
      where = i;
    }
  }
  if (worst > 1e-5) {
    const names = p.featureNames();
    assert.fail(`feature ${names[where % p.nFeatures]} row ${Math.floor(where / p.nFeatures)}: onnx ${data[where]} vs ${expected.data[where]}`);
  }
  return worst;
}

test('every transform: the ONNX graph agrees with transform on missing values and unseen categories', async () => {
  const train = makeFrame(300, 1, false);
  const target: FitOptions['target'] = { kind: 'classes', classIndex: Int32Array.from({ length: 300 }, (_, i) => (i * 7) % 2), nClasses: 2 };
  const p = TabularPreprocessor.fit(train, PLAN, { target, seed: 5 });
  const score = makeFrame(200, 2, true);
  const names = p.featureNames();
  for (const expected of ['fare_missing', 'colour_rare=infrequent', 'colour_const=infrequent', 'city_target_target', 'signup.weekday', 'signup_ms.dayofyear_missing', 'review_words:the dog', 'review_chars:fox']) {
    assert.ok(names.includes(expected), `feature ${expected} among ${names.length}`);
  }
  assert.ok((await maxOnnxDifference(p, score)) <= 1e-5);
  // The same after a JSON round trip (what a saved module loads).
  const reloaded = TabularPreprocessor.fromJSON(JSON.parse(JSON.stringify(p.toJSON())));
  assert.deepEqual(reloaded.transform(score), p.transform(score));
  assert.ok((await maxOnnxDifference(reloaded, score)) <= 1e-5);
});

test('multiclass and regression target encoding in ONNX', async () => {
  const train = makeFrame(120, 3, false);
  const plan: ColumnPlan[] = [{ name: 'city', kind: 'categorical', transform: { encode: { method: 'target', smooth: 3 } } }];
  const multi = TabularPreprocessor.fit(train, plan, { target: { kind: 'classes', classIndex: Int32Array.from({ length: 120 }, (_, i) => i % 3), nClasses: 3 } });
  assert.equal(multi.nFeatures, 3);
  assert.ok((await maxOnnxDifference(multi, makeFrame(50, 4, true))) <= 1e-5);
  const reg = TabularPreprocessor.fit(train, plan, { target: { kind: 'continuous', values: Float64Array.from({ length: 120 }, (_, i) => Math.sin(i)) } });
  assert.ok((await maxOnnxDifference(reg, makeFrame(50, 4, true))) <= 1e-5);
});

test('datetime parts in ONNX match Date over three centuries, before and after 1970', async () => {
  const rng = new Rng(17);
  const ms = Float64Array.from({ length: 2000 }, () => Math.floor((rng.next() * 300 - 150) * 365.25 * 86_400_000));
  ms[0] = 0;
  ms[1] = -1;
  ms[2] = Date.UTC(2000, 1, 29, 23, 59, 59, 999);
  ms[3] = Date.UTC(2100, 2, 1);
  // Far from 1970 too: years −100 000 … +100 000 (Date's range is ±273 790 years).
  for (let i = 4; i < 200; i++) ms[i] = Math.floor((rng.next() * 2 - 1) * 100_000 * 365.25 * 86_400_000);
  const frame = new Frame([{ kind: 'numeric', name: 't', values: ms }]);
  const p = TabularPreprocessor.fit(frame, [{ name: 't', kind: 'datetime', transform: { datetime: { parts: ['year', 'month', 'day', 'weekday', 'hour', 'minute', 'second', 'dayofyear', 'quarter'] }, scale: { method: 'none' } } }]);
  assert.equal(await maxOnnxDifference(p, frame), 0);
});
