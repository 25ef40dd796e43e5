/**
 * The features of a text-classify module: TF-IDF of word n-grams, optionally beside TF-IDF of character
 * n-grams (scikit-learn's FeatureUnion of two TfidfVectorizers), all fitted on the training rows only.
 * Both vectorizers are src/features/tfidf.ts, so tokenising, idf and the ONNX export are the ones the
 * tabular text columns use; this file only lays the blocks side by side, sparse in memory and as one
 * Concat in the graph.
 */
import { z } from '../../core/params.js';
import type { GraphBuilder } from '../../onnx/graph-builder.js';
import { attr } from '../../onnx/graph-builder.js';
import { TfidfVectorizer, type SerializedTfidf } from '../../features/tfidf.js';
import { concatSparseColumns, SparseRowsBuilder, type SparseRows } from './sparse-rows.js';

const ngramRange = z
  .tuple([z.number().int().min(1).max(6), z.number().int().min(1).max(6)])
  .refine(([lo, hi]) => lo <= hi, 'the smaller n comes first, e.g. [1, 2]');

/** The knobs of scikit-learn's TfidfVectorizer that matter most, each optional (a spec's `params`). */
export const textFeatureFields = {
  wordNgrams: ngramRange.optional().describe('Word n-grams counted, e.g. [1, 2] for single words and pairs of words.'),
  charNgrams: ngramRange
    .nullable()
    .optional()
    .describe('Character n-grams counted beside the words (e.g. [2, 5]); robust to typos and word endings. null for none.'),
  minDf: z.number().int().min(1).optional().describe('Keep only terms found in at least this many training texts.'),
  maxFeatures: z
    .number()
    .int()
    .min(1)
    .max(200_000)
    .optional()
    .describe('Keep at most this many terms per vocabulary (the most frequent): bounds the model and the served graph.'),
  sublinearTf: z.boolean().optional().describe('Count a term repeated n times as 1 + ln(n) rather than n.'),
};

/** How the text becomes features, every knob set. */
export interface TextFeatureOptions {
  readonly wordNgrams: readonly [number, number];
  readonly charNgrams: readonly [number, number] | null;
  readonly minDf: number;
  readonly maxFeatures: number;
  readonly sublinearTf: boolean;
}

export const DEFAULT_TEXT_FEATURES: TextFeatureOptions = { wordNgrams: [1, 2], charNgrams: null, minDf: 1, maxFeatures: 50_000, sublinearTf: true };

export interface SerializedTextFeatures {
  readonly column: string;
  readonly word: SerializedTfidf;
  readonly char: SerializedTfidf | null;
}

/** One feature of the union, as a person reads it. */
export interface TermName {
  readonly term: string;
  readonly kind: 'word' | 'char';
}

export class TextFeatures {
  private constructor(
    readonly column: string,
    private readonly word: TfidfVectorizer,
    private readonly char: TfidfVectorizer | null,
  ) {}

  static fit(column: string, texts: readonly (string | null)[], options: TextFeatureOptions): TextFeatures {
    const common = { minDf: options.minDf, maxFeatures: options.maxFeatures, sublinearTf: options.sublinearTf, norm: 'l2' as const };
    const word = TfidfVectorizer.fit(column, texts, { ...common, analyzer: 'word', ngramRange: options.wordNgrams });
    const char = options.charNgrams === null ? null : TfidfVectorizer.fit(column, texts, { ...common, analyzer: 'char', ngramRange: options.charNgrams });
    return new TextFeatures(column, word, char);
  }

  static fromJSON(json: SerializedTextFeatures): TextFeatures {
    return new TextFeatures(json.column, TfidfVectorizer.fromJSON(json.word), json.char === null ? null : TfidfVectorizer.fromJSON(json.char));
  }

  toJSON(): SerializedTextFeatures {
    return { column: this.column, word: this.word.toJSON(), char: this.char === null ? null : this.char.toJSON() };
  }

  get width(): number {
    return this.word.width + (this.char?.width ?? 0);
  }

  /** Feature j as its term: word n-grams first, then character n-grams. */
  terms(): TermName[] {
    return [
      ...this.word.state.vocabulary.map((term): TermName => ({ term, kind: 'word' })),
      ...(this.char?.state.vocabulary.map((term): TermName => ({ term, kind: 'char' })) ?? []),
    ];
  }

  transform(texts: readonly (string | null)[]): SparseRows {
    const words = sparse(this.word, texts);
    return this.char === null ? words : concatSparseColumns(words, sparse(this.char, texts));
  }

  /** `x` is the string [N, 1] input; returns float [N, width]. */
  toOnnx(g: GraphBuilder, x: string): string {
    const words = this.word.toOnnx(g, x);
    if (this.char === null) return words;
    return g.op('Concat', [words, this.char.toOnnx(g, x)], { axis: attr.int(1) }, { name: `${this.column}_word_and_char` });
  }
}

function sparse(vectorizer: TfidfVectorizer, texts: readonly (string | null)[]): SparseRows {
  const builder = new SparseRowsBuilder(texts.length, vectorizer.width);
  vectorizer.forEachWeight(texts, (i, j, w) => builder.push(i, j, w));
  return builder.build();
}
