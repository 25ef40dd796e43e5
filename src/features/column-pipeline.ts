/**
 * One column's fitted chain of transforms, chosen from its kind and optional override
 * (column-transform.ts):
 *
 *   numeric / boolean   [N,1] number  → NumericImputer → Scaler? (+ missing indicators)
 *   datetime            [N,1] time    → DatetimeParts → NumericImputer → Scaler? (+ indicators)
 *   categorical         [N,1] string  → CategoricalImputer → OneHot | Ordinal | Target encoder
 *   text                [N,1] string  → TfidfVectorizer
 *
 * Every chain yields a numeric block (one Float64Array per feature) in TypeScript and a float
 * [N, width] tensor in ONNX, from one graph input named like the column.
 */
import { KilnError } from '../core/errors.js';
import type { Column } from '../core/frame.js';
import { isMissingCategory } from '../core/frame.js';
import { toCategoricalColumn, toNumericColumn } from '../data/coerce.js';
import { attr, type ElemType, type GraphBuilder } from '../onnx/graph-builder.js';
import type { Matrix } from '../core/matrix.js';
import { writeBlock, type Block } from './block.js';
import type { ColumnKind, ColumnTransformChoice } from './column-transform.js';
import { DatetimeParts, type SerializedDatetimeParts } from './datetime-parts.js';
import { CategoricalImputer, NumericImputer, type SerializedCategoricalImputer, type SerializedNumericImputer } from './impute.js';
import { OneHotEncoder, type SerializedOneHot } from './one-hot.js';
import { OrdinalEncoder, type SerializedOrdinal } from './ordinal.js';
import { Scaler, type SerializedScaler } from './scale.js';
import { TargetEncoder, type EncodingTarget, type SerializedTargetEncoder } from './target-encode.js';
import { TfidfVectorizer, type SerializedTfidf } from './tfidf.js';

/** The most terms a text column contributes unless its override says otherwise. */
export const DEFAULT_TEXT_MAX_FEATURES = 1000;

export type SerializedColumnPipeline =
  | {
      readonly kind: 'numeric' | 'boolean' | 'datetime';
      readonly name: string;
      readonly parts?: SerializedDatetimeParts;
      readonly imputer: SerializedNumericImputer;
      readonly scaler: SerializedScaler | null;
    }
  | {
      readonly kind: 'categorical';
      readonly name: string;
      readonly imputer: SerializedCategoricalImputer;
      readonly encoder: SerializedOneHot | SerializedOrdinal | SerializedTargetEncoder;
    }
  | { readonly kind: 'text'; readonly name: string; readonly tfidf: SerializedTfidf };

/** How a column enters the ONNX graph. */
export interface InputColumn {
  readonly name: string;
  /** How its values travel: as numbers or as text (what a row-based client must send). */
  readonly kind: 'numeric' | 'categorical';
  /** Its semantic kind. */
  readonly type: ColumnKind;
  /** Its tensor type (Open Inference Protocol names): FP32 numbers, BYTES text, INT64 epoch ms. */
  readonly datatype: 'FP32' | 'BYTES' | 'INT64';
  /** Datetime columns: how plain numbers in the frame are read (the tensor is always milliseconds). */
  readonly unit?: 'ms' | 's';
}

export interface FitContext {
  readonly target?: EncodingTarget;
  readonly seed?: number;
  /** Rows that share a target-encoding cross-fitting fold (TargetEncoderOptions.groups). */
  readonly groups?: Int32Array;
}

type Encoder = OneHotEncoder | OrdinalEncoder | TargetEncoder;

const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);

/** A boolean column as 1/0 (NaN missing): numbers pass through, text true/false/yes/no/1/0 is read. */
export function toBooleanNumbers(column: Column): Float64Array {
  if (column.kind === 'numeric') return column.values;
  return Float64Array.from(column.values, (v, i) => {
    if (isMissingCategory(v)) return Number.NaN;
    const t = (v as string).trim().toLowerCase();
    if (TRUE.has(t)) return 1;
    if (FALSE.has(t)) return 0;
    throw new KilnError('INPUT_DATA', { input: column.name, reason: `row ${i + 1} holds "${v}", which is not true/false` });
  });
}

export class ColumnPipeline {
  private constructor(
    readonly name: string,
    readonly kind: ColumnKind,
    private readonly numeric: { parts: DatetimeParts | null; imputer: NumericImputer; scaler: Scaler | null } | null,
    private readonly categorical: { imputer: CategoricalImputer; encoder: Encoder } | null,
    private readonly tfidf: TfidfVectorizer | null,
  ) {}

  /**
   * Fits on the training column (`choice` already checked by parseColumnTransform). `crossFitted`
   * holds the training rows' own features where they must differ from `transform` of those rows
   * (target encoding), else null.
   */
  static fit(column: Column, kind: ColumnKind, choice: ColumnTransformChoice, context: FitContext = {}): { pipeline: ColumnPipeline; crossFitted: Block | null } {
    const name = column.name;
    if (kind === 'text') {
      const t = choice.text ?? {};
      const tfidf = TfidfVectorizer.fit(name, toCategoricalColumn(column).values, {
        maxFeatures: t.max_features ?? DEFAULT_TEXT_MAX_FEATURES,
        ...(t.analyzer !== undefined && { analyzer: t.analyzer }),
        ...(t.ngram_range !== undefined && { ngramRange: t.ngram_range }),
        ...(t.lowercase !== undefined && { lowercase: t.lowercase }),
        ...(t.min_df !== undefined && { minDf: t.min_df }),
        ...(t.max_df !== undefined && { maxDf: t.max_df }),
        ...(t.sublinear_tf !== undefined && { sublinearTf: t.sublinear_tf }),
        ...(t.use_idf !== undefined && { useIdf: t.use_idf }),
        ...(t.smooth_idf !== undefined && { smoothIdf: t.smooth_idf }),
        ...(t.norm !== undefined && { norm: t.norm }),
      });
      return { pipeline: new ColumnPipeline(name, kind, null, null, tfidf), crossFitted: null };
    }
    if (kind === 'categorical') {
      const impute = choice.impute ?? { strategy: 'most_frequent' as const };
      const raw = toCategoricalColumn(column).values;
      const strategy = impute.strategy === 'constant' ? 'constant' : 'most_frequent'; // others refused by parseColumnTransform
      const imputer = CategoricalImputer.fit(raw, strategy, impute.fill_value === undefined ? 'missing' : String(impute.fill_value));
      const values = imputer.transform(raw);
      const e = choice.encode ?? { method: 'onehot' as const };
      let encoder: Encoder;
      let crossFitted: Block | null = null;
      if (e.method === 'target') {
        if (context.target === undefined) throw new KilnError('TARGET_REQUIRED', { column: name });
        const fitted = TargetEncoder.fitTransform(name, values, context.target, {
          ...(e.smooth !== undefined && { smooth: e.smooth }),
          ...(e.cv !== undefined && { cv: e.cv }),
          ...(context.seed !== undefined && { seed: context.seed }),
          ...(context.groups !== undefined && { groups: context.groups }),
        });
        encoder = fitted.encoder;
        crossFitted = fitted.block;
      } else if (e.method === 'ordinal') {
        encoder = OrdinalEncoder.fit(name, values, e.unknown_value ?? -1);
      } else {
        encoder = OneHotEncoder.fit(name, values, {
          ...(e.min_frequency !== undefined && { minFrequency: e.min_frequency }),
          ...(e.max_categories !== undefined && { maxCategories: e.max_categories }),
          ...(e.handle_unknown !== undefined && { handleUnknown: e.handle_unknown }),
        });
      }
      return { pipeline: new ColumnPipeline(name, kind, null, { imputer, encoder }, null), crossFitted };
    }

    // numeric, boolean, datetime: a numeric block, imputed, then scaled.
    const parts = kind === 'datetime' ? DatetimeParts.create(name, choice.datetime?.parts, choice.datetime?.unit) : null;
    const raw = rawNumericBlock(column, kind, parts);
    const impute = choice.impute ?? { strategy: 'median' as const };
    const imputer = NumericImputer.fit(raw, {
      strategy: impute.strategy,
      ...(typeof impute.fill_value === 'number' && { fillValue: impute.fill_value }),
      ...(impute.add_indicator !== undefined && { addIndicator: impute.add_indicator }),
    });
    const imputed = imputer.transform(raw);
    const s = choice.scale ?? { method: 'standard' as const };
    const scaler =
      s.method === 'none'
        ? null
        : Scaler.fit(imputed, {
            kind: s.method,
            ...(s.feature_range !== undefined && { featureRange: s.feature_range }),
            ...(s.quantile_range !== undefined && { quantileRange: s.quantile_range }),
          });
    return { pipeline: new ColumnPipeline(name, kind, { parts, imputer, scaler }, null, null), crossFitted: null };
  }

  static fromJSON(json: SerializedColumnPipeline): ColumnPipeline {
    switch (json.kind) {
      case 'text':
        return new ColumnPipeline(json.name, json.kind, null, null, TfidfVectorizer.fromJSON(json.tfidf));
      case 'categorical': {
        const e = json.encoder;
        const encoder = e.type === 'one-hot' ? OneHotEncoder.fromJSON(e) : e.type === 'ordinal' ? OrdinalEncoder.fromJSON(e) : TargetEncoder.fromJSON(e);
        return new ColumnPipeline(json.name, json.kind, null, { imputer: CategoricalImputer.fromJSON(json.imputer), encoder }, null);
      }
      default:
        return new ColumnPipeline(
          json.name,
          json.kind,
          {
            parts: json.parts === undefined ? null : DatetimeParts.fromJSON(json.parts),
            imputer: NumericImputer.fromJSON(json.imputer),
            scaler: json.scaler === null ? null : Scaler.fromJSON(json.scaler),
          },
          null,
          null,
        );
    }
  }

  toJSON(): SerializedColumnPipeline {
    if (this.tfidf) return { kind: 'text', name: this.name, tfidf: this.tfidf.toJSON() };
    if (this.categorical) return { kind: 'categorical', name: this.name, imputer: this.categorical.imputer.toJSON(), encoder: this.categorical.encoder.toJSON() };
    const n = this.numericChain();
    return {
      kind: this.kind as 'numeric' | 'boolean' | 'datetime',
      name: this.name,
      ...(n.parts !== null && { parts: n.parts.toJSON() }),
      imputer: n.imputer.toJSON(),
      scaler: n.scaler?.toJSON() ?? null,
    };
  }

  private numericChain(): { parts: DatetimeParts | null; imputer: NumericImputer; scaler: Scaler | null } {
    if (this.numeric === null) throw new KilnError('INTERNAL', { reason: `column "${this.name}" has no numeric chain` });
    return this.numeric;
  }

  get width(): number {
    if (this.tfidf) return this.tfidf.width;
    if (this.categorical) return this.categorical.encoder.width;
    const n = this.numericChain();
    return (n.parts?.width ?? 1) + n.imputer.state.indicatorOf.length;
  }

  featureNames(): string[] {
    if (this.tfidf) return this.tfidf.featureNames();
    if (this.categorical) return this.categorical.encoder.featureNames();
    const n = this.numericChain();
    const names = n.parts?.featureNames() ?? [this.name];
    return [...names, ...n.imputer.indicatorNames(names)];
  }

  input(): InputColumn {
    const base = { name: this.name, type: this.kind };
    if (this.kind === 'datetime') return { ...base, kind: 'numeric', datatype: 'INT64', unit: this.numericChain().parts?.state.unit ?? 'ms' };
    if (this.kind === 'categorical' || this.kind === 'text') return { ...base, kind: 'categorical', datatype: 'BYTES' };
    return { ...base, kind: 'numeric', datatype: 'FP32' };
  }

  /** The features of new rows (never cross-fitted: target encoding uses the full training fit). */
  transform(column: Column): Block {
    if (this.tfidf) return this.tfidf.transform(toCategoricalColumn(column).values);
    if (this.categorical) {
      const { imputer, encoder } = this.categorical;
      return encoder.transform(imputer.transform(toCategoricalColumn(column).values));
    }
    const { parts, imputer, scaler } = this.numericChain();
    const raw = rawNumericBlock(column, this.kind, parts);
    const imputed = imputer.transform(raw);
    return [...(scaler ? scaler.transform(imputed) : imputed), ...imputer.indicators(raw)];
  }

  /** Writes the features of new rows into columns offset… of `out` (zeros there), sparse where it can. */
  transformInto(column: Column, out: Matrix, offset: number): void {
    if (this.tfidf) return this.tfidf.transformInto(toCategoricalColumn(column).values, out, offset);
    if (this.categorical && this.categorical.encoder instanceof OneHotEncoder) {
      return this.categorical.encoder.transformInto(this.categorical.imputer.transform(toCategoricalColumn(column).values), out, offset);
    }
    writeBlock(this.transform(column), out, offset);
  }

  /** Declares the column's graph input and adds its nodes; returns the float [N, width] tensor. */
  inputToOnnx(g: GraphBuilder): string {
    const datatype = this.input().datatype;
    const type: ElemType = datatype === 'FP32' ? 'float' : datatype === 'INT64' ? 'int64' : 'string';
    return g.input(this.name, type, ['N', 1]);
  }

  toOnnx(g: GraphBuilder, x: string): string {
    if (this.tfidf) return this.tfidf.toOnnx(g, x);
    if (this.categorical) return this.categorical.encoder.toOnnx(g, x, this.categorical.imputer.fill);
    const { parts, imputer, scaler } = this.numericChain();
    const raw = parts ? parts.toOnnx(g, x) : x;
    const imputed = imputer.toOnnx(g, raw, this.name);
    const scaled = scaler ? scaler.toOnnx(g, imputed, this.name) : imputed;
    const indicators = imputer.indicatorsToOnnx(g, raw, this.name);
    return indicators === null ? scaled : g.op('Concat', [scaled, indicators], { axis: attr.int(1) }, { name: `${this.name}_with_missing` });
  }
}

function rawNumericBlock(column: Column, kind: ColumnKind, parts: DatetimeParts | null): Block {
  if (parts) return parts.transform(column);
  if (kind === 'boolean') return [toBooleanNumbers(column)];
  return [toNumericColumn(column).values];
}
