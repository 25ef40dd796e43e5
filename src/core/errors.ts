/**
 * Coded errors: the one registry of everything Kiln can tell a user went wrong.
 *
 * Library code throws `KilnError`s by code; only the boundaries (HTTP API, CLI) turn them into a status
 * code or an exit code, using the table below. That keeps the message, the hint and the HTTP status of
 * a failure in one place (Fastify's error registry, KServe's typed errors).
 */

export interface ErrorSpec {
  /** HTTP status the API answers with. */
  readonly status: number;
  /** CLI exit code: 1 user error, 2 usage error, 3 internal error. */
  readonly exit: 1 | 2 | 3;
  /** What went wrong, filled from the error's details. */
  readonly message: (d: Record<string, unknown>) => string;
  /** What to do about it. */
  readonly hint?: (d: Record<string, unknown>) => string;
}

const s = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

export const ERROR_CODES = {
  // --- usage -------------------------------------------------------------------------------------
  INVALID_PARAMS: {
    status: 400,
    exit: 2,
    message: (d) => `invalid ${s(d['what'] ?? 'parameters')}: ${s(d['summary'])}`,
    hint: () => 'check the names and types listed in the problems; `--help` shows what each command takes',
  },
  INVALID_SPEC: {
    status: 400,
    exit: 1,
    message: (d) => `the module spec ${s(d['file'] ?? '')} is not valid: ${s(d['summary'])}`,
    hint: () => 'see examples/titanic/kiln.yaml for a working spec',
  },
  INVALID_MODEL_REF: {
    status: 400,
    exit: 2,
    message: (d) => `"${s(d['ref'])}" is not a model reference`,
    hint: () => 'write a model as NAME, NAME:VERSION (e.g. titanic:3) or NAME@ALIAS (e.g. titanic@champion)',
  },
  // --- data --------------------------------------------------------------------------------------
  DATA_NOT_FOUND: {
    status: 404,
    exit: 1,
    message: (d) => `no data file at ${s(d['path'])}`,
    hint: () => 'check the path; relative paths in a spec are resolved from the spec file\'s folder',
  },
  DATA_UNREADABLE: {
    status: 400,
    exit: 1,
    message: (d) => `could not read ${s(d['path'])}: ${s(d['reason'])}`,
    hint: () => 'Kiln reads CSV files with a header row; check that the file is a well-formed CSV',
  },
  DATA_EMPTY: {
    status: 400,
    exit: 1,
    message: (d) => `${s(d['path'] ?? 'the data')} has no rows`,
    hint: () => 'a model needs examples to learn from: provide a file with a header and at least a few rows',
  },
  TARGET_NOT_FOUND: {
    status: 400,
    exit: 1,
    message: (d) => `there is no column "${s(d['target'])}" in the data`,
    hint: (d) => {
      const close = d['closest'] as string[] | undefined;
      return close && close.length > 0
        ? `did you mean ${close.map((c) => `"${c}"`).join(' or ')}?`
        : `the columns are: ${(d['columns'] as string[] | undefined)?.join(', ') ?? '(none)'}`;
    },
  },
  COLUMN_NOT_FOUND: {
    status: 400,
    exit: 1,
    message: (d) => `there is no column "${s(d['column'])}" in the data`,
    hint: (d) => `the columns are: ${(d['columns'] as string[] | undefined)?.join(', ') ?? '(none)'}`,
  },
  TARGET_HAS_MISSING: {
    status: 400,
    exit: 1,
    message: (d) => `the target column "${s(d['target'])}" is empty in ${s(d['count'])} row(s)`,
    hint: () => 'drop the rows whose outcome is unknown before training, or pick another target column',
  },
  SINGLE_CLASS: {
    status: 400,
    exit: 1,
    message: (d) => `the target "${s(d['target'])}" has only one value (${s(d['value'])}): there is nothing to tell apart`,
    hint: () => 'a classifier needs examples of at least two outcomes',
  },
  TOO_FEW_ROWS: {
    status: 400,
    exit: 1,
    message: (d) => `${s(d['what'])} has ${s(d['rows'])} row(s), fewer than the ${s(d['needed'])} needed`,
    hint: () => 'collect more rows, or lower the test fraction',
  },
  NO_FEATURES: {
    status: 400,
    exit: 1,
    message: () => 'no feature columns are left to learn from',
    hint: () => 'check `drop:` in the spec; at least one column besides the target is needed',
  },
  // What learners check on the numeric training data they receive (src/learners/check-training-data.ts).
  FEATURE_NOT_FINITE: {
    status: 400,
    exit: 1,
    message: (d) => `feature column ${s(d['column'])} holds ${s(d['value'])} in row ${s(d['row'])}; learners need finite numbers`,
    hint: () => 'impute missing values and replace infinities before training',
  },
  TARGET_LENGTH_MISMATCH: {
    status: 400,
    exit: 1,
    message: (d) => `the features have ${s(d['rows'])} row(s) but the target has ${s(d['targets'])} value(s)`,
    hint: () => 'features and target must come from the same rows, in the same order',
  },
  TARGET_NOT_FINITE: {
    status: 400,
    exit: 1,
    message: (d) => `the target holds ${s(d['value'])} in row ${s(d['row'])}; a regression target must be a finite number`,
    hint: () => 'drop the rows whose outcome is unknown before training',
  },
  CLASS_OUT_OF_RANGE: {
    status: 400,
    exit: 1,
    message: (d) => `row ${s(d['row'])} has class index ${s(d['value'])}, outside 0..${s(d['maxClass'])}`,
    hint: () => 'encode the target as class indices 0..nClasses-1 before training',
  },
  CLASS_WITHOUT_ROWS: {
    status: 400,
    exit: 1,
    message: (d) => `class ${s(d['class'])} of ${s(d['nClasses'])} has no rows in the training data`,
    hint: () => 'split with stratification, or merge classes too rare to learn from',
  },
  INVALID_PREDICTOR: {
    status: 500,
    exit: 3,
    message: (d) => `the saved ${s(d['learner'])} model cannot be loaded: ${s(d['reason'])}`,
    hint: () => 'the model was saved by another Kiln version or changed by hand; retrain it',
  },
  UNSUPPORTED_TASK: {
    status: 400,
    exit: 1,
    message: (d) => `task "${s(d['task'])}" is not available`,
    hint: (d) => `available tasks: ${s(d['available'])}`,
  },
  UNKNOWN_LEARNER: {
    status: 400,
    exit: 1,
    message: (d) => `there is no learner "${s(d['learner'])}" for task ${s(d['task'])}`,
    hint: (d) => `available learners: ${s(d['available'])}`,
  },
  TRAINING_FAILED: {
    status: 500,
    exit: 3,
    message: (d) => `training did not converge to a usable model: ${s(d['reason'])}`,
    hint: () => 'try standardising features or a stronger regularisation (a smaller C)',
  },
  CANCELLED: {
    status: 499,
    exit: 1,
    message: (d) => `${s(d['what'] ?? 'the operation')} was cancelled`,
  },
  // --- store & registry --------------------------------------------------------------------------
  MODEL_NOT_FOUND: {
    status: 404,
    exit: 1,
    message: (d) => `there is no model "${s(d['name'])}"`,
    hint: (d) => {
      const known = d['known'] as string[] | undefined;
      return known && known.length > 0 ? `known models: ${known.join(', ')}` : 'train one first: `kiln train SPEC.yaml`';
    },
  },
  VERSION_NOT_FOUND: {
    status: 404,
    exit: 1,
    message: (d) => `model "${s(d['name'])}" has no version ${s(d['version'])}`,
    hint: (d) => `its versions are: ${s(d['versions'])}`,
  },
  ALIAS_NOT_FOUND: {
    status: 404,
    exit: 1,
    message: (d) => `model "${s(d['name'])}" has no alias "${s(d['alias'])}"`,
    hint: () => 'set one with `kiln models alias NAME ALIAS VERSION`',
  },
  RUN_NOT_FOUND: {
    status: 404,
    exit: 1,
    message: (d) => `there is no run "${s(d['id'])}"`,
  },
  ARTIFACT_NOT_FOUND: {
    status: 500,
    exit: 3,
    message: (d) => `the artifact ${s(d['digest'])} is missing from the artifact store`,
    hint: () => 'the artifact folder under KILN_HOME was changed by hand; retrain the model',
  },
  ARTIFACT_CORRUPT: {
    status: 500,
    exit: 3,
    message: (d) => `the artifact ${s(d['digest'])} does not match its checksum`,
    hint: () => 'the artifact folder under KILN_HOME was changed by hand; retrain the model',
  },
  STORE_UNAVAILABLE: {
    status: 503,
    exit: 3,
    message: (d) => `the store at ${s(d['location'])} cannot be opened: ${s(d['reason'])}`,
    hint: () => 'check that KILN_HOME (or --home) points to a writable folder',
  },
  // --- serving -----------------------------------------------------------------------------------
  MALFORMED_REQUEST: {
    status: 400,
    exit: 1,
    message: (d) => `the request body is not valid: ${s(d['reason'])}`,
  },
  INPUT_MISSING: {
    status: 400,
    exit: 1,
    message: (d) => `input "${s(d['input'])}" is missing from the request`,
    hint: (d) => `model "${s(d['model'])}" expects the inputs: ${s(d['expected'])}`,
  },
  INPUT_UNKNOWN: {
    status: 400,
    exit: 1,
    message: (d) => `model "${s(d['model'])}" has no input "${s(d['input'])}"`,
    hint: (d) => `its inputs are: ${s(d['expected'])}`,
  },
  INPUT_SHAPE: {
    status: 400,
    exit: 1,
    message: (d) => `input "${s(d['input'])}" has shape ${s(d['got'])}, expected ${s(d['expected'])}`,
  },
  INPUT_DATATYPE: {
    status: 400,
    exit: 1,
    message: (d) => `input "${s(d['input'])}" has datatype ${s(d['got'])}, expected ${s(d['expected'])}`,
  },
  INPUT_DATA: {
    status: 400,
    exit: 1,
    message: (d) => `input "${s(d['input'])}" has bad data: ${s(d['reason'])}`,
  },
  OUTPUT_UNKNOWN: {
    status: 400,
    exit: 1,
    message: (d) => `model "${s(d['model'])}" has no output "${s(d['output'])}"`,
    hint: (d) => `its outputs are: ${s(d['expected'])}`,
  },
  MODEL_NOT_READY: {
    status: 503,
    exit: 1,
    message: (d) => `model "${s(d['model'])}" is not ready: ${s(d['reason'])}`,
  },
  INFERENCE_FAILED: {
    status: 500,
    exit: 3,
    message: (d) => `inference failed for model "${s(d['model'])}": ${s(d['reason'])}`,
  },
  REQUEST_TOO_LARGE: {
    status: 413,
    exit: 1,
    message: (d) => `the request body is larger than the server accepts (${s(d['limit'])} bytes)`,
    hint: () => 'send the batch in smaller requests, or start the server with a larger body limit',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    exit: 1,
    message: (d) => `the content type ${s(d['contentType'])} is not supported`,
    hint: () => 'send the body as JSON with `content-type: application/json`',
  },
  SERVER_CLOSING: {
    status: 503,
    exit: 1,
    message: () => 'the server is shutting down',
    hint: () => 'retry the request on another replica, or after the server has restarted',
  },
  ROUTE_NOT_FOUND: {
    status: 404,
    exit: 2,
    message: (d) => `no route ${s(d['method'])} ${s(d['url'])}`,
    hint: () => 'see GET /v2 for server metadata; the inference routes are under /v2/models and /v1/models',
  },
  // --- anything else -----------------------------------------------------------------------------
  INTERNAL: {
    status: 500,
    exit: 3,
    message: (d) => `an internal error occurred: ${s(d['reason'])}`,
    hint: () => 'this is a bug in Kiln; the log has the details',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One validation problem, as data a form or a CLI can show next to the field. */
export interface Problem {
  readonly path: string;
  readonly message: string;
  readonly code: string;
}

export class KilnError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly problems: readonly Problem[];

  constructor(code: ErrorCode, details: Record<string, unknown> = {}, options: { cause?: unknown; problems?: readonly Problem[] } = {}) {
    super(ERROR_CODES[code].message(details), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KilnError';
    this.code = code;
    this.details = details;
    this.problems = options.problems ?? [];
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get exitCode(): 1 | 2 | 3 {
    return ERROR_CODES[this.code].exit;
  }

  get hint(): string | undefined {
    const spec: ErrorSpec = ERROR_CODES[this.code];
    return spec.hint?.(this.details);
  }

  /** The shape both boundaries show: `{code, message, hint?, problems?}`. */
  toJSON(): { code: ErrorCode; message: string; hint?: string; problems?: readonly Problem[] } {
    const hint = this.hint;
    return {
      code: this.code,
      message: this.message,
      ...(hint === undefined ? {} : { hint }),
      ...(this.problems.length > 0 ? { problems: this.problems } : {}),
    };
  }
}

/** Anything thrown, as a KilnError: unknown errors become INTERNAL (their stack goes to the log only). */
export function asKilnError(err: unknown): KilnError {
  if (err instanceof KilnError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new KilnError('INTERNAL', { reason }, { cause: err });
}

export const isKilnError = (err: unknown, code?: ErrorCode): err is KilnError =>
  err instanceof KilnError && (code === undefined || err.code === code);
