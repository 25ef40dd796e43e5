// Each feature transform against scikit-learn's (or pandas') numbers, committed as fixtures made by
// test/fixtures/sklearn/make_feature_fixtures.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DATETIME_PARTS, DatetimeParts, parseIsoToEpochMs } from '../../src/features/datetime-parts.js';
import { CategoricalImputer, NumericImputer, type NumericImputeStrategy } from '../../src/features/impute.js';
import { OneHotEncoder, type HandleUnknown } from '../../src/features/one-hot.js';
import { OrdinalEncoder } from '../../src/features/ordinal.js';
import { Scaler } from '../../src/features/scale.js';
import { TargetEncoder } from '../../src/features/target-encode.js';
import { TfidfVectorizer } from '../../src/features/tfidf.js';
import type { Block } from '../../src/features/block.js';

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/sklearn/${name}`, import.meta.url), 'utf8')) as T;
const nan = (v: number | null): number => (v === null ? Number.NaN : v);
/** Column-major block from row-major rows (null = missing). */
const columns = (rows: (number | null)[][]): Block => (rows[0] ?? []).map((_, j) => Float64Array.from(rows, (r) => nan(r[j] ?? null)));
/** Row-major rows from a block. */
const rowsOf = (block: Block): number[][] => Array.from({ length: block[0]?.length ?? 0 }, (_, i) => block.map((c) => c[i] as number));

function assertClose(got: number[][], expected: number[][], tol: number, what: string): void {
  assert.equal(got.length, expected.length, `${what}: rows`);
  got.forEach((row, i) => {
    assert.equal(row.length, expected[i]?.length, `${what}: row ${i} width`);
    row.forEach((v, j) => assert.ok(Math.abs(v - (expected[i]?.[j] as number)) <= tol, `${what}[${i}][${j}]: ${v} vs ${expected[i]?.[j]}`));
  });
}

test('imputation: mean / median / most frequent / constant with missing indicators, like SimpleImputer', () => {
  const f = fixture<{ train: (number | null)[][]; score: (number | null)[][]; numeric: Record<string, { statistics: number[]; score_out: number[][] }>; categorical: { train: (string | null)[]; most_frequent: string } }>('features-impute.json');
  for (const [strategy, expected] of Object.entries(f.numeric)) {
    const imputer = NumericImputer.fit(columns(f.train), { strategy: strategy as NumericImputeStrategy, fillValue: -1, addIndicator: true });
    assert.deepEqual(imputer.state.fill, expected.statistics, strategy);
    const raw = columns(f.score);
    assertClose(rowsOf([...imputer.transform(raw), ...imputer.indicators(raw)]), expected.score_out, 1e-12, strategy);
  }
  assert.equal(CategoricalImputer.fit(f.categorical.train, 'most_frequent').fill, f.categorical.most_frequent);
  assert.equal(CategoricalImputer.fit(f.categorical.train, 'constant', 'none').fill, 'none');
});

test('one-hot with rare-category buckets (min_frequency, max_categories) and ordinal encoding, like scikit-learn', () => {
  const f = fixture<{
    train: string[];
    score: string[];
    onehot: { params: { min_frequency?: number; max_categories?: number; handle_unknown: HandleUnknown }; infrequent: string[]; feature_names: string[]; score_out: number[][] }[];
    ordinal: { categories: string[]; score_out: number[] };
  }>('features-encode.json');
  for (const c of f.onehot) {
    const enc = OneHotEncoder.fit('colour', f.train, {
      handleUnknown: c.params.handle_unknown,
      ...(c.params.min_frequency !== undefined && { minFrequency: c.params.min_frequency }),
      ...(c.params.max_categories !== undefined && { maxCategories: c.params.max_categories }),
    });
    const what = JSON.stringify(c.params);
    assert.deepEqual(enc.state.infrequent, c.infrequent, what);
    assert.deepEqual(enc.featureNames(), c.feature_names.map((n) => n.replace('colour_', 'colour=').replace('infrequent_sklearn', 'infrequent')), what);
    assertClose(rowsOf(enc.transform(f.score)), c.score_out, 0, what);
  }
  const ord = OrdinalEncoder.fit('colour', f.train, -1);
  assert.deepEqual(ord.state.categories, f.ordinal.categories);
  assert.deepEqual(Array.from(ord.transform(f.score)[0] as Float64Array), f.ordinal.score_out);
  assert.throws(() => OneHotEncoder.fit('colour', f.train, { handleUnknown: 'error' }).transform(['black']), (e: Error & { code?: string }) => e.code === 'UNKNOWN_CATEGORY' && /black/.test(e.message));
});

test('standard, min-max and robust scaling, like scikit-learn', () => {
  const f = fixture<{ train: number[][]; score: number[][]; standard: number[][]; minmax: number[][]; robust: number[][]; robust_10_90: number[][] }>('features-scale.json');
  const train = columns(f.train);
  const score = columns(f.score);
  assertClose(rowsOf(Scaler.fit(train, { kind: 'standard' }).transform(score)), f.standard, 1e-12, 'standard');
  assertClose(rowsOf(Scaler.fit(train, { kind: 'minmax', featureRange: [-1, 2] }).transform(score)), f.minmax, 1e-12, 'minmax');
  assertClose(rowsOf(Scaler.fit(train, { kind: 'robust' }).transform(score)), f.robust, 1e-12, 'robust');
  assertClose(rowsOf(Scaler.fit(train, { kind: 'robust', quantileRange: [10, 90] }).transform(score)), f.robust_10_90, 1e-12, 'robust 10-90');
});

test('target encoding: full-training-part encodings follow scikit-learn 1.3 (auto and fixed smoothing)', () => {
  type Ref = { encodings: Record<string, number>; mean: number };
  const f = fixture<{ categories: string[]; continuous: number[]; binary: number[]; multiclass: number[]; continuous_auto: Ref; continuous_smooth2: Ref; binary_auto: Ref; multiclass_auto: Ref[] }>('features-target.json');
  const check = (enc: TargetEncoder, refs: Ref[], what: string): void => {
    const unseen = enc.transform([...Object.keys(refs[0]?.encodings ?? {}), 'never-seen', null]);
    refs.forEach((ref, o) => {
      const expected = [...Object.values(ref.encodings), ref.mean, ref.mean];
      assertClose([Array.from(unseen[o] as Float64Array)], [expected], 1e-12, `${what} output ${o}`);
    });
  };
  const cont = { kind: 'continuous' as const, values: Float64Array.from(f.continuous) };
  check(TargetEncoder.fitTransform('c', f.categories, cont, { cv: 2 }).encoder, [f.continuous_auto], 'continuous auto');
  check(TargetEncoder.fitTransform('c', f.categories, cont, { smooth: 2, cv: 2 }).encoder, [f.continuous_smooth2], 'continuous smooth 2');
  check(TargetEncoder.fitTransform('c', f.categories, { kind: 'classes', classIndex: Int32Array.from(f.binary), nClasses: 2 }, { cv: 2 }).encoder, [f.binary_auto], 'binary');
  const multi = TargetEncoder.fitTransform('c', f.categories, { kind: 'classes', classIndex: Int32Array.from(f.multiclass), nClasses: 3 }, { cv: 2 }).encoder;
  assert.equal(multi.width, 3);
  check(multi, f.multiclass_auto, 'multiclass');
});

test('datetime parts agree with pandas, from ISO text and from epoch milliseconds', () => {
  const f = fixture<{ iso: string[]; epoch_ms: number[]; parts: Record<string, number[]> }>('features-datetime.json');
  assert.deepEqual(f.iso.map(parseIsoToEpochMs), f.epoch_ms);
  const dt = DatetimeParts.create('t', DATETIME_PARTS);
  const fromText = dt.transform({ kind: 'categorical', name: 't', values: f.iso });
  const fromEpoch = dt.transform({ kind: 'numeric', name: 't', values: Float64Array.from(f.epoch_ms) });
  DATETIME_PARTS.forEach((part, j) => {
    assert.deepEqual(Array.from(fromText[j] as Float64Array), f.parts[part], part);
    assert.deepEqual(Array.from(fromEpoch[j] as Float64Array), f.parts[part], part);
  });
  assert.equal(parseIsoToEpochMs('2024-03-01T12:00:00+02:00'), Date.UTC(2024, 2, 1, 10));
  assert.ok(Number.isNaN(parseIsoToEpochMs('2024-02-30')));
  assert.throws(() => dt.transform({ kind: 'categorical', name: 't', values: ['yesterday'] }), (e: Error & { code?: string }) => e.code === 'INVALID_DATETIME' && /yesterday/.test(e.message));
});

test('TF-IDF: vocabulary, idf and vectors agree with TfidfVectorizer (word and char n-grams)', () => {
  type Config = { name: string; params: { analyzer?: 'word' | 'char'; ngram_range?: [number, number]; min_df?: number; max_df?: number; max_features?: number; sublinear_tf?: boolean; use_idf?: boolean; smooth_idf?: boolean; norm?: null; lowercase?: boolean }; vocabulary: string[]; idf: number[] | null; score_out: number[][] };
  const f = fixture<{ train: string[]; score: string[]; configs: Config[] }>('features-tfidf.json');
  for (const c of f.configs) {
    const p = c.params;
    const v = TfidfVectorizer.fit('text', f.train, {
      ...(p.analyzer !== undefined && { analyzer: p.analyzer }),
      ...(p.ngram_range !== undefined && { ngramRange: p.ngram_range }),
      ...(p.min_df !== undefined && { minDf: p.min_df }),
      ...(p.max_df !== undefined && { maxDf: p.max_df }),
      ...(p.max_features !== undefined && { maxFeatures: p.max_features }),
      ...(p.sublinear_tf !== undefined && { sublinearTf: p.sublinear_tf }),
      ...(p.use_idf !== undefined && { useIdf: p.use_idf }),
      ...(p.smooth_idf !== undefined && { smoothIdf: p.smooth_idf }),
      ...(p.lowercase !== undefined && { lowercase: p.lowercase }),
      ...(p.norm === null && { norm: 'none' as const }),
    });
    assert.deepEqual(v.state.vocabulary, c.vocabulary, c.name);
    if (c.idf) assertClose([[...v.state.idf]], [c.idf], 1e-12, `${c.name} idf`);
    assertClose(rowsOf(v.transform(f.score)), c.score_out, 1e-12, c.name);
  }
});
