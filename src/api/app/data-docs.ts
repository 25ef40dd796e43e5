/**
 * The data routes' answers (data-routes.ts) as schemas for the OpenAPI document: an upload with its
 * preview, the list of uploads, a deleted upload, a preview, and the inspect report with its one-click fixes. Strict, so that
 * test/serve/openapi-answers.test.ts, which parses real answers with them, fails when
 * table-preview.ts, inspect.ts or one-click-fixes.ts gain or lose a field the document does not.
 */
import { z } from 'zod';
import { SEMANTIC_TYPES, type SemanticType } from '../../data/infer-schema.js';

// DuckDB can hold NaN in a numeric column; its statistics are then NaN, which JSON writes as null.
const statistic = z.number().nullable().describe('null when it cannot be computed (NaN values in the column)');

export const previewDocs = z.strictObject({
  source: z.string().describe('What later calls pass as `source`: the upload\'s path or the connection'),
  rows: z.number().int(),
  columns: z.array(
    z.strictObject({
      name: z.string(),
      type: z.enum(['number', 'boolean', 'date', 'text']).describe('What a person would call it'),
      source_type: z.string().describe('DuckDB\'s storage type (BIGINT, DOUBLE, VARCHAR, …)'),
    }),
  ),
  preview: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))).describe('The first 20 rows; dates as ISO text, non-finite numbers as null'),
});

export const uploadDocs = previewDocs.extend({
  name: z.string().describe('The file name, as stored'),
  bytes: z.number().int(),
});

export const uploadListDocs = z.strictObject({
  uploads: z
    .array(
      z.strictObject({
        id: z.string().describe('`<sha256>/<name>`: what DELETE /api/uploads/{id} takes, URL-encoded (the source is taken too, but a long one can pass the length a path parameter may have)'),
        source: z.string().describe('What PUT /api/uploads answered as `source`: what the other routes take'),
        name: z.string().describe('The file name, as stored'),
        bytes: z.number().int(),
        uploaded_at: z.string().describe('When it was last uploaded (ISO 8601); for uploads saved by an older Kiln, when the file was written'),
        rows: z.number().int().nullable().describe('null when not recorded (uploads saved by an older Kiln, or fetched from another server)'),
        columns: z.number().int().nullable().describe('null when not recorded, as rows'),
      }),
    )
    .describe('Newest first'),
  shared_store: z.boolean().describe('True when this server shares uploads with other servers through an artifact store: uploads they received are not listed here, yet open by their source'),
});

export const deletedUploadDocs = z.strictObject({
  source: z.string().describe('Where the deleted upload was, on this server'),
  name: z.string(),
  dataset_versions: z
    .array(z.string())
    .nullable()
    .describe('The dataset versions trained on it: each keeps its own snapshot of the rows, so their models are untouched (null when this server has no registry to ask)'),
});

const valueCount = z.strictObject({ value: z.string(), count: z.number().int() });

const columnProfile = z.strictObject({
  name: z.string(),
  sourceType: z.string(),
  type: z.enum(SEMANTIC_TYPES as readonly [SemanticType, ...SemanticType[]]),
  typeReason: z.string(),
  count: z.number().int().describe('Present (non-missing) values'),
  missing: z.number().int(),
  missingShare: z.number(),
  distinct: z.number(),
  distinctExact: z.boolean().describe('False when `distinct` is an estimate (±2 %)'),
  topValues: z.array(valueCount),
  numeric: z
    .strictObject({
      min: statistic,
      max: statistic,
      mean: statistic,
      std: z.number().nullable(),
      quantiles: z.strictObject({ p01: statistic, p05: statistic, p25: statistic, p50: statistic, p75: statistic, p95: statistic, p99: statistic }),
      outliers: z.number().int().describe('Values beyond 3 interquartile ranges from the quartiles'),
      outlierFences: z.strictObject({ low: z.number(), high: z.number() }).nullable(),
    })
    .optional(),
  histogram: z.strictObject({ edges: z.array(z.number()), counts: z.array(z.number().int()) }).optional(),
  text: z
    .strictObject({
      minLength: z.number().int(),
      maxLength: z.number().int(),
      meanWords: z.number(),
      numberLike: z.number().int(),
      formattedNumberLike: z.number().int(),
      nonNumberExamples: z.array(z.string()),
    })
    .optional(),
  datetime: z.strictObject({ min: z.string(), max: z.string() }).optional(),
  targetAssociation: z
    .strictObject({
      measure: z.enum(['accuracy', 'correlation']),
      value: statistic.describe('null when undefined (e.g. the correlation of a constant column)'),
      baseline: z.number().optional(),
    })
    .optional()
    .describe('How well this column alone predicts the target'),
});

const oneClickFix = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('drop_columns'), columns: z.array(z.string()) }),
  z.strictObject({ kind: z.literal('drop_duplicates') }),
]);

const findingBase = {
  code: z.string().describe('Stable machine name, e.g. missing_values'),
  severity: z.enum(['info', 'warning', 'error']),
  columns: z.array(z.string()),
  message: z.string(),
};

const finding = z.union([
  z.strictObject({ ...findingBase, fix: oneClickFix.describe('Send back to POST /api/sources/fix'), suggestion: z.string().describe('The advice in words') }),
  z.strictObject({ ...findingBase, fix: z.string().describe('The advice in words (no one-click fix)') }),
]);

export const inspectDocs = z.strictObject({
  source: z.string(),
  digest: z.string().describe('sha256 of the file\'s bytes (of the query and its result for databases)'),
  rows: z.number().int(),
  skippedRows: z.number().int(),
  duplicateRows: z.number().int(),
  columns: z.array(columnProfile),
  target: z
    .strictObject({
      name: z.string(),
      task: z.enum(['classification', 'regression']),
      classes: z.array(valueCount).describe('Rows per class, most frequent first (classification)'),
      missing: z.number().int(),
    })
    .optional(),
  findings: z.array(finding).describe('What is wrong with the table, errors first'),
});
