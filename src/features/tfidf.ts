/**
 * TF-IDF of a text column (scikit-learn's TfidfVectorizer): the vocabulary, document frequencies and
 * idf weights are fitted on the training part only.
 *
 *   vocabulary   every term (see text-analyzer.ts) with min_df ≤ df ≤ max_df (a count when ≥ 1 for
 *                min_df / > 1 for max_df, else a fraction of the documents), then the max_features
 *                most frequent over the corpus (ties: alphabetical); features in alphabetical order
 *   tf           raw counts, or 1 + ln(tf) with sublinear_tf
 *   idf          ln((1 + n) / (1 + df)) + 1 (smooth_idf), or ln(n / df) + 1; none with use_idf false
 *   norm         each row divided by its l2 norm (norm "l2"), or left as is ("none")
 *
 * ONNX: Reshape → StringNormalizer (LOWER) → com.microsoft.Tokenizer → TfIdfVectorizer (counts) →
 * [sublinear: Log] → Mul idf → [ReduceL2 → Div]. A missing text ("") has no terms: a row of zeros.
 */
import { KilnError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { attr, tensor, type GraphBuilder } from '../onnx/graph-builder.js';
import type { Block } from './block.js';
import { PAD, termTokens, terms, WORD_TOKEN_REGEX, type Analyzer, type AnalyzerOptions } from './text-analyzer.js';

export interface TfidfOptions {
  readonly analyzer?: Analyzer;
  readonly ngramRange?: readonly [number, number];
  readonly lowercase?: boolean;
  readonly minDf?: number;
  readonly maxDf?: number;
  readonly maxFeatures?: number;
  readonly sublinearTf?: boolean;
  readonly useIdf?: boolean;
  readonly smoothIdf?: boolean;
  readonly norm?: 'l2' | 'none';
}

export interface SerializedTfidf {
  readonly type: 'tfidf';
  readonly column: string;
  readonly analyzer: Analyzer;
  readonly ngramRange: readonly [number, number];
  readonly lowercase: boolean;
  readonly sublinearTf: boolean;
  readonly norm: 'l2' | 'none';
  /** The terms, alphabetical: feature j counts vocabulary[j]. */
  readonly vocabulary: readonly string[];
  /** idf weight per term (all 1 without idf). */
  readonly idf: readonly number[];
}

export class TfidfVectorizer {
  private readonly index: Map<string, number>;

  private constructor(readonly state: SerializedTfidf) {
    this.index = new Map(state.vocabulary.map((t, j) => [t, j]));
  }

  private get analyzerOptions(): AnalyzerOptions {
    return { analyzer: this.state.analyzer, ngramRange: this.state.ngramRange, lowercase: this.state.lowercase };
  }

  static fit(column: string, texts: readonly (string | null)[], options: TfidfOptions = {}): TfidfVectorizer {
    const analyzer: AnalyzerOptions = {
      analyzer: options.analyzer ?? 'word',
      ngramRange: options.ngramRange ?? [1, 1],
      lowercase: options.lowercase ?? true,
    };
    const n = texts.length;
    const df = new Map<string, number>();
    const total = new Map<string, number>();
    for (const text of texts) {
      const seen = new Set<string>();
      for (const term of terms(text ?? '', analyzer)) {
        total.set(term, (total.get(term) ?? 0) + 1);
        seen.add(term);
      }
      for (const term of seen) df.set(term, (df.get(term) ?? 0) + 1);
    }
    const minDf = options.minDf ?? 1;
    const maxDf = options.maxDf ?? 1;
    const minDocs = minDf >= 1 ? minDf : Math.ceil(minDf * n);
    const maxDocs = maxDf > 1 ? maxDf : Math.floor(maxDf * n);
    let vocabulary = [...df.keys()].filter((t) => (df.get(t) as number) >= minDocs && (df.get(t) as number) <= maxDocs).sort();
    if (options.maxFeatures !== undefined && vocabulary.length > options.maxFeatures) {
      const keep = new Set([...vocabulary].sort((a, b) => (total.get(b) as number) - (total.get(a) as number)).slice(0, options.maxFeatures));
      vocabulary = vocabulary.filter((t) => keep.has(t));
    }
    if (vocabulary.length === 0) {
      throw new KilnError('EMPTY_VOCABULARY', { column, reason: df.size === 0 ? 'no row holds a word of two or more letters' : `none of the ${df.size} terms passes min_df/max_df` });
    }
    const useIdf = options.useIdf ?? true;
    const smooth = options.smoothIdf ?? true;
    const idf = vocabulary.map((t) => {
      if (!useIdf) return 1;
      const d = df.get(t) as number;
      return smooth ? Math.log((1 + n) / (1 + d)) + 1 : Math.log(n / d) + 1;
    });
    return new TfidfVectorizer({
      type: 'tfidf',
      column,
      ...analyzer,
      sublinearTf: options.sublinearTf ?? false,
      norm: options.norm ?? 'l2',
      vocabulary,
      idf,
    });
  }

  static fromJSON(json: SerializedTfidf): TfidfVectorizer {
    return new TfidfVectorizer(json);
  }

  toJSON(): SerializedTfidf {
    return this.state;
  }

  get width(): number {
    return this.state.vocabulary.length;
  }

  featureNames(): string[] {
    return this.state.vocabulary.map((t) => `${this.state.column}:${t}`);
  }

  /**
   * Calls `visit(j, weight)` for each vocabulary term of each text (rows are sparse: only their own
   * terms are touched). `scratch` holds one count per term and is left all zeros.
   */
  private weights(texts: readonly (string | null)[], visit: (i: number, j: number, w: number) => void): void {
    const scratch = new Float64Array(this.width);
    const touched: number[] = [];
    const idf = Float64Array.from(this.state.idf);
    const { sublinearTf } = this.state;
    const l2 = this.state.norm === 'l2';
    const options = this.analyzerOptions;
    for (let i = 0; i < texts.length; i++) {
      touched.length = 0;
      for (const term of terms(texts[i] ?? '', options)) {
        const j = this.index.get(term);
        if (j === undefined) continue;
        if (scratch[j] === 0) touched.push(j);
        scratch[j] = (scratch[j] as number) + 1;
      }
      let norm = 0;
      for (const j of touched) {
        const tf = scratch[j] as number;
        const w = (sublinearTf ? 1 + Math.log(tf) : tf) * (idf[j] as number);
        scratch[j] = w;
        norm += w * w;
      }
      const divisor = l2 && norm > 0 ? Math.sqrt(norm) : 1;
      for (const j of touched) {
        visit(i, j, (scratch[j] as number) / divisor);
        scratch[j] = 0;
      }
    }
  }

  /**
   * Calls `visit(i, j, weight)` for every non-zero feature j of every text i, row by row (features of
   * one row in the order its terms first appear): the sparse form of `transform`, for callers whose
   * vocabularies are too wide for a dense matrix (the text-classify module).
   */
  forEachWeight(texts: readonly (string | null)[], visit: (i: number, j: number, w: number) => void): void {
    this.weights(texts, visit);
  }

  transform(texts: readonly (string | null)[]): Block {
    const block = Array.from({ length: this.width }, () => new Float64Array(texts.length));
    this.weights(texts, (i, j, w) => ((block[j] as Float64Array)[i] = w));
    return block;
  }

  /** Writes the features straight into columns offset… of `out` (which holds zeros there). */
  transformInto(texts: readonly (string | null)[], out: Matrix, offset: number): void {
    const { data, cols } = out;
    this.weights(texts, (i, j, w) => (data[i * cols + offset + j] = w));
  }

  /** `x` is the string [N, 1] input; returns float [N, vocabulary]. */
  toOnnx(g: GraphBuilder, x: string): string {
    const h = this.state.column;
    let text = g.op('Reshape', [x, g.constant(`${h}_flat_shape`, tensor.int64([-1]))], {}, { name: `${h}_flat` });
    if (this.state.lowercase) {
      // The default locale en_US.UTF-8 is often not installed; C.UTF-8 is, and lowercases Unicode.
      text = g.op('StringNormalizer', [text], { case_change_action: attr.string('LOWER'), locale: attr.string('C.UTF-8') }, { name: `${h}_lower` });
    }
    const word = this.state.analyzer === 'word';
    const [tokens] = g.node(
      'Tokenizer',
      [text],
      { tokenexp: attr.string(word ? WORD_TOKEN_REGEX : '(?s).'), mark: attr.int(0), pad_value: attr.string(PAD), mincharnum: attr.int(word ? 2 : 1) },
      { domain: 'com.microsoft', name: `${h}_tokens` },
    );

    // The pool lists the terms grouped by length in tokens: ngram_counts[n-1] is where n-grams start.
    const maxN = this.state.ngramRange[1];
    const byLength: { tokens: string[]; j: number }[][] = Array.from({ length: maxN }, () => []);
    this.state.vocabulary.forEach((term, j) => {
      const toks = termTokens(term, this.state.analyzer);
      byLength[toks.length - 1]?.push({ tokens: toks, j });
    });
    const pool: string[] = [];
    const counts: number[] = [];
    const indexes: number[] = [];
    for (const group of byLength) {
      counts.push(pool.length);
      for (const { tokens: toks, j } of group) {
        pool.push(...toks);
        indexes.push(j);
      }
    }
    let w = g.op(
      'TfIdfVectorizer',
      [tokens as string],
      {
        mode: attr.string('TF'),
        min_gram_length: attr.int(this.state.ngramRange[0]),
        max_gram_length: attr.int(maxN),
        max_skip_count: attr.int(0),
        ngram_counts: attr.ints(counts),
        ngram_indexes: attr.ints(indexes),
        pool_strings: attr.strings(pool),
      },
      { name: `${h}_tf` },
    );
    if (this.state.sublinearTf) {
      const zero = g.constant(`${h}_zero`, tensor.float([0], []));
      const logTf = g.op('Add', [g.op('Log', [w], {}, { name: `${h}_log_tf` }), g.constant(`${h}_one`, tensor.float([1], []))], {}, { name: `${h}_sublinear` });
      w = g.op('Where', [g.op('Greater', [w, zero], {}, { name: `${h}_has_term` }), logTf, zero], {}, { name: `${h}_tf_sub` });
    }
    w = g.op('Mul', [w, g.constant(`${h}_idf`, tensor.float(this.state.idf))], {}, { name: `${h}_tfidf` });
    if (this.state.norm === 'l2') {
      const norm = g.op('ReduceL2', [w], { axes: attr.ints([1]), keepdims: attr.int(1) }, { name: `${h}_norm` });
      const one = g.constant(`${h}_norm_one`, tensor.float([1], []));
      const isZero = g.op('Equal', [norm, g.constant(`${h}_norm_zero`, tensor.float([0], []))], {}, { name: `${h}_norm_is_zero` });
      const safe = g.op('Where', [isZero, one, norm], {}, { name: `${h}_norm_safe` });
      w = g.op('Div', [w, safe], {}, { name: `${h}_tfidf_l2` });
    }
    return w;
  }
}
