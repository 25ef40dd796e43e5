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
  /** CLI exit code: 1 user error, 2 usage error, 3 internal error, 130 interrupted (Ctrl-C). */
  readonly exit: 1 | 2 | 3 | 130;
  /** What went wrong, filled from the error's details. */
  readonly message: (d: Record<string, unknown>) => string;
  /** What to do about it. */
  readonly hint?: (d: Record<string, unknown>) => string;
}

const s = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Who could have changed a stored artifact: the home's folder, or the bucket when artifacts live in one. */
const artifactsChangedBy = (d: Record<string, unknown>): string =>
  typeof d['location'] === 'string' && d['location'].startsWith('s3://') ? `the bucket ${d['location']} was changed outside Kiln` : 'the artifact folder under KILN_HOME was changed by hand';

/** What to check depends on what could not be opened: a bucket, a PostgreSQL server or a folder. */
function storeUnavailableHint(location: string): string {
  if (location.startsWith('s3://')) {
    return 'check that the bucket exists, that the object store is reachable (AWS_ENDPOINT_URL, or ?endpoint= in the URL) and the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)';
  }
  if (/^postgres(ql)?:/i.test(location)) return 'check that the PostgreSQL server is running and that the URL\'s host, port, user, password and database are right';
  return 'check that KILN_HOME (or --home) points to a writable folder';
}

export const ERROR_CODES = {
  // --- usage -------------------------------------------------------------------------------------
  INVALID_PARAMS: {
    status: 400,
    exit: 2,
    message: (d) => `invalid ${s(d['what'] ?? 'parameters')}: ${s(d['summary'])}`,
    hint: () => 'correct the value the message names; on the command line --help lists what each command takes, over HTTP GET /openapi.json describes every request',
  },
  INVALID_SPEC: {
    status: 400,
    exit: 1,
    // a spec built from flags or sent to the API has no file to name
    message: (d) => `the module spec ${d['file'] ? `${s(d['file'])} ` : ''}is not valid: ${s(d['summary'])}`,
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
    message: (d) => `no ${s(d['what'] ?? 'data file')} at ${s(d['path'])}`,
    hint: () => 'check the path: a relative path is read from the current folder (in a spec, from the spec file\'s folder)',
  },
  DATA_UNREADABLE: {
    status: 400,
    exit: 1,
    message: (d) => `could not read ${s(d['path'])}: ${s(d['reason'])}`,
    // a folder given where a file belongs is not a malformed CSV: say what to give instead
    hint: (d) =>
      d['folder'] === true
        ? 'give the path of a file (e.g. data/train.csv), not of the folder that holds it'
        : typeof d['hint'] === 'string' // a reader that knows better (JSON, Excel) says how to fix its own format
          ? d['hint']
          : 'Kiln reads CSV files with a header row; check that the file is a well-formed CSV',
  },
  DATA_EMPTY: {
    status: 400,
    exit: 1,
    message: (d) => `${s(d['path'] ?? 'the data')} has no rows`,
    // read for training, scoring, explaining or profiling alike: the hint must fit each
    hint: () => 'give a file with a header row and at least one row of values (to train a model, at least a few rows)',
  },
  OUTPUT_UNWRITABLE: {
    status: 400,
    exit: 1,
    message: (d) => `cannot write ${s(d['path'])}: ${s(d['reason'])}`,
    // `kiln export --out` names a folder to write into, the other verbs a file
    hint: (d) =>
      d['wanted'] === 'folder'
        ? 'give a folder you may write to (it is created if missing), not a file, e.g. --out exported'
        : 'give a file path (not a folder) in a folder that exists and that you may write to',
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
    message: (d) => `there is no column "${s(d['column'])}" in the data${d['what'] === undefined ? '' : ` (${s(d['what'])})`}`,
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
    status: 422,
    exit: 1,
    message: (d) => `training did not produce a usable model: ${s(d['reason'])}`,
    hint: () => 'lower the learning rate, standardise the features, or regularise more (e.g. a smaller C, a larger alpha)',
  },
  CANCELLED: {
    status: 499,
    // as a shell reports a command stopped by Ctrl-C (128 + SIGINT)
    exit: 130,
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
    // the store names the model's aliases (`aliases`) when it knows them; the serving folder does not
    hint: (d) => {
      const aliases = d['aliases'] as string[] | undefined;
      if (aliases === undefined) return 'set one with `kiln models alias NAME ALIAS VERSION`';
      return aliases.length > 0 ? `its aliases are: ${aliases.join(', ')}` : 'it has no aliases; set one with `kiln models alias NAME ALIAS VERSION`';
    },
  },
  // removing an alias something running still goes through (src/store/sql/sql-store.ts removeAlias)
  ALIAS_IN_USE: {
    status: 409,
    exit: 1,
    message: (d) => `the alias ${s(d['name'])}@${s(d['alias'])} is not removed: ${s(d['reason'])}`,
    hint: (d) => s(d['fix']),
  },
  // reserved alias names (src/store/model-ref.ts checkAliasName): they would read as something else
  ALIAS_RESERVED: {
    status: 400,
    exit: 1,
    message: (d) => `"${s(d['alias'])}" cannot be an alias: ${s(d['reason'])}`,
    hint: () => 'name the alias for its role instead, e.g. champion, challenger, staging or production',
  },
  RUN_NOT_FOUND: {
    status: 404,
    exit: 1,
    message: (d) => `there is no run "${s(d['id'])}"`,
    hint: () => '`kiln runs list` (or GET /api/runs) lists the runs with their ids',
  },
  ARTIFACT_NOT_FOUND: {
    status: 500,
    exit: 3,
    message: (d) => `the artifact ${s(d['digest'])} is missing from the artifact store${d['location'] === undefined ? '' : ` at ${s(d['location'])}`}`,
    hint: (d) => `${artifactsChangedBy(d)}; retrain the model`,
  },
  ARTIFACT_CORRUPT: {
    status: 500,
    exit: 3,
    message: (d) => `the artifact ${s(d['digest'])} does not match its checksum${d['location'] === undefined ? '' : ` (in ${s(d['location'])})`}`,
    hint: (d) => `${artifactsChangedBy(d)}; retrain the model`,
  },
  STORE_UNAVAILABLE: {
    status: 503,
    exit: 3,
    message: (d) => `the store at ${s(d['location'])} cannot be opened: ${s(d['reason'])}`,
    hint: (d) => storeUnavailableHint(String(d['location'] ?? '')),
  },
  // a home (or artifact folder) that names a file is the person's slip, not a store that is down
  HOME_NOT_A_FOLDER: {
    status: 400,
    exit: 1,
    message: (d) => `${s(d['what'])} ${s(d['path'])} is not a folder: ${s(d['reason'])}`,
    hint: (d) => `point ${s(d['setting'])} at a folder (Kiln creates it when it is missing), not at a file`,
  },
  STORE_CORRUPT: {
    status: 500,
    exit: 3,
    message: (d) => `${s(d['what'])} in the store cannot be read: ${s(d['reason'])}`,
    hint: () => 'the store was changed outside Kiln; restore it from a backup or delete the damaged rows',
  },
  // --- store & registry: datasets, webhooks (tracking and registry area) ---------------------------
  DATASET_VERSION_NOT_FOUND: {
    status: 404,
    exit: 1,
    message: (d) => `there is no dataset version "${s(d['id'])}"`,
    hint: () => 'list the dataset versions with GET /api/datasets, or snapshot the data again by training on it',
  },
  WEBHOOK_NOT_FOUND: {
    status: 404,
    exit: 1,
    message: (d) => `there is no webhook "${s(d['id'])}"`,
    hint: () => 'list the webhooks with GET /api/webhooks',
  },
  WEBHOOK_DELIVERY_NOT_FOUND: {
    status: 404,
    exit: 1,
    message: (d) => `there is no webhook delivery ${s(d['id'])}`,
  },
  UNSUPPORTED_STORE: {
    status: 400,
    exit: 2,
    message: (d) => `"${s(d['url'])}" is not a store Kiln can open`,
    hint: (d) => `use a file path or sqlite:PATH for SQLite, or postgres://USER@HOST/DB for PostgreSQL (schemes: ${s(d['schemes'])})`,
  },
  // --- serving -----------------------------------------------------------------------------------
  MALFORMED_REQUEST: {
    status: 400,
    exit: 1,
    // `part` is 'URL' when the path or query cannot be decoded; otherwise the body is at fault
    message: (d) => `the request ${d['part'] === 'URL' ? 'URL' : 'body'} is not valid: ${s(d['reason'])}`,
    hint: (d) =>
      d['part'] === 'URL'
        ? 'percent-encode each path segment and query value as UTF-8 (encodeURIComponent), and keep a name or id under 300 characters'
        : 'send a JSON object in the shape GET /openapi.json describes for this route',
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
    hint: () => 'a column of N rows is the shape [N, 1] with N values in data; GET /v2/models/NAME lists each input with its shape',
  },
  INPUT_DATATYPE: {
    status: 400,
    exit: 1,
    message: (d) => `input "${s(d['input'])}" has datatype ${s(d['got'])}, expected ${s(d['expected'])}`,
    hint: () => 'send each input with the datatype GET /v2/models/NAME lists for it (text as BYTES)',
  },
  INPUT_DATA: {
    status: 400,
    exit: 1,
    message: (d) => `input "${s(d['input'])}" has bad data: ${s(d['reason'])}`,
    hint: () => 'data holds the values in row-major order (flat or nested), as many as the shape says, each of the input\'s datatype',
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
  ADDRESS_IN_USE: {
    status: 500,
    exit: 1,
    message: (d) => `${s(d['what'])} cannot listen on ${s(d['address'])}: ${s(d['reason'])}`,
    hint: (d) => s(d['fix']),
  },
  UNAUTHORIZED: {
    status: 401,
    exit: 1,
    message: () => 'this Kiln server needs its access token',
    hint: () =>
      'send the header `Authorization: Bearer TOKEN` (the token kiln serve was given with --api-token-file or KILN_API_TOKEN, or printed when it made one); in a browser, open the link kiln serve printed, which ends in ?token=…',
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
  // --- learners: histogram binning & gradient boosting (src/learners/hist, src/learners/gbdt) ---------
  CATEGORY_NOT_CODE: {
    status: 400,
    exit: 1,
    message: (d) => `categorical feature column ${s(d['column'])} holds ${s(d['value'])} in row ${s(d['row'])}; categories must be codes 0, 1, 2, …`,
    hint: () => 'encode the categories as non-negative integers (missing as NaN), or do not mark the column categorical',
  },
  MISSING_NOT_ALLOWED: {
    status: 400,
    exit: 1,
    message: (d) => `feature column ${s(d['column'])} is missing (NaN) in row ${s(d['row'])}, and missing values are set to "error"`,
    hint: () => 'impute the missing values, or let gradient boosting learn where they go with missing: "learn"',
  },
  // --- serving: model repository, scheduler, binary tensors, export (src/serve, src/cli/export.ts) ----
  QUEUE_FULL: {
    status: 503,
    exit: 1,
    message: (d) => `model "${s(d['model'])}" has ${s(d['queued'])} requests waiting, its queue limit`,
    hint: () => 'retry after a short pause, add instances (instance_group count), or raise max_queue_size',
  },
  REQUEST_TIMEOUT: {
    status: 503,
    exit: 1,
    message: (d) => `the request to model "${s(d['model'])}" waited longer than its timeout of ${s(d['timeoutMs'])} ms`,
    hint: () => 'retry later, or allow a longer timeout (the "timeout" request parameter, in microseconds)',
  },
  MODEL_CONFIG_INVALID: {
    status: 400,
    exit: 1,
    message: (d) => `the configuration of model "${s(d['model'])}" is not valid: ${s(d['reason'])}`,
    hint: () => 'config.pbtxt is protobuf text format; Kiln reads name, platform, backend, max_batch_size, input, output, dynamic_batching, instance_group and version_policy',
  },
  MODEL_UNAVAILABLE: {
    status: 404,
    exit: 1,
    message: (d) => `model "${s(d['model'])}" is not loaded${d['reason'] === undefined ? '' : `: ${s(d['reason'])}`}`,
    hint: () => 'load it with POST /v2/repository/models/NAME/load; GET /v2/repository/index lists every model and its state',
  },
  REPOSITORY_UNREADABLE: {
    status: 400,
    exit: 1,
    message: (d) => `the model repository ${s(d['path'])} cannot be read: ${s(d['reason'])}`,
    hint: () => 'a Triton model repository is a folder of <model>/config.pbtxt (optional) and <model>/<version>/model.onnx',
  },
  BINARY_DATA_INVALID: {
    status: 400,
    exit: 1,
    message: (d) => `the binary tensor data is not valid: ${s(d['reason'])}`,
    hint: () => 'the first Inference-Header-Content-Length bytes are the JSON header; each binary input then follows in order with exactly its binary_data_size bytes',
  },
  TENSOR_TOO_LARGE: {
    status: 413,
    exit: 1,
    message: (d) => `input "${s(d['input'])}" has ${s(d['elements'])} elements, more than the server accepts (${s(d['limit'])})`,
    hint: () => 'send the batch in smaller requests, or start the server with a larger tensor limit',
  },
  EXPORT_FAILED: {
    status: 400,
    exit: 1,
    message: (d) => `cannot export ${s(d['ref'])}: ${s(d['reason'])}`,
  },
  // --- data sources & inspect (data layer: src/data/sources, src/data/profile, kiln inspect) ------
  SOURCE_UNKNOWN: {
    status: 400,
    exit: 1,
    message: (d) => `Kiln cannot tell what kind of source "${s(d['source'])}" is`,
    hint: (d) => `name a file ending in ${s(d['extensions'])}, or a source starting with ${s(d['schemes'])}`,
  },
  SOURCE_INVALID: {
    status: 400,
    exit: 1,
    message: (d) => `the source "${s(d['source'])}" cannot be used as written: ${s(d['reason'])}`,
    hint: (d) => s(d['example'] ?? 'see `kiln inspect --help` for examples of source strings'),
  },
  SOURCE_UNREACHABLE: {
    status: 502,
    exit: 1,
    message: (d) => `could not reach ${s(d['source'])}: ${s(d['reason'])}`,
    hint: () => 'check the path or address, that the server is running, and the user name and database in the URL',
  },
  DATA_ENCODING: {
    status: 400,
    exit: 1,
    message: (d) => `${s(d['path'])} is not UTF-8 text (${s(d['reason'])})`,
    hint: () => 'save the file as UTF-8, or name its encoding: `file.csv?encoding=latin-1` (also utf-16)',
  },
  DATA_TOO_LARGE: {
    status: 413,
    exit: 1,
    message: (d) => `${s(d['path'])} is too large to ${s(d['what'] ?? 'load into memory')}: ${s(d['reason'])}`,
    hint: () => '`kiln inspect` profiles any size; to train, sample the rows first (e.g. `sql:SELECT * FROM \'big.csv\' USING SAMPLE 1000000 ROWS`)',
  },
  // --- anything else -----------------------------------------------------------------------------
  INTERNAL: {
    status: 500,
    exit: 3,
    message: (d) => `an internal error occurred: ${s(d['reason'])}`,
    hint: () => 'this is a bug in Kiln; the log has the details',
  },
  // --- features & splits (src/features, src/data/split.ts, src/data/splits) --------------------------
  TOO_FEW_GROUPS: {
    status: 400,
    exit: 1,
    message: (d) => `the split needs at least ${s(d['needed'])} distinct groups, but the group column has ${s(d['groups'])}`,
    hint: () => 'choose a group column with more distinct values, or fewer folds',
  },
  SEARCH_TOO_LARGE: {
    status: 413,
    exit: 1,
    message: (d) =>
      `the search's ${s(d['folds'])} cross-validation folds would hold about ${s(d['gigabytes'])} GB of prepared data, more than half of this machine's ${s(d['available'])} GB`,
    hint: () => 'lower `folds` or `repeats` in the spec, or sample the rows before training',
  },
  TIME_MISSING: {
    status: 400,
    exit: 1,
    message: (d) => `row ${s(d['row'])} has no time, so it cannot be placed in a time-ordered split`,
    hint: () => 'fill or drop the rows without a time, or use a random split',
  },
  INVALID_SPLIT: {
    status: 400,
    exit: 1,
    message: (d) => `cannot make ${s(d['what'])}: ${s(d['reason'])}`,
    hint: () => 'use fewer folds or a smaller test part, or collect more rows',
  },
  INVALID_DATETIME: {
    status: 400,
    exit: 1,
    message: (d) => `column "${s(d['column'])}" row ${s(d['row'])} holds "${s(d['value'])}", which is not a date or time`,
    hint: () => 'write dates as ISO 8601 (2024-03-01 or 2024-03-01T12:30:00Z) or as epoch milliseconds',
  },
  EMPTY_VOCABULARY: {
    status: 400,
    exit: 1,
    message: (d) => `the text column "${s(d['column'])}" yields no terms to learn from: ${s(d['reason'])}`,
    hint: () => 'lower min_df, raise max_df, or check that the column holds words',
  },
  TARGET_REQUIRED: {
    status: 400,
    exit: 2,
    message: (d) => `column "${s(d['column'])}" uses target encoding, which needs the target when fitting`,
    hint: () => 'pass { target } to fit, or choose one-hot or ordinal encoding for the column',
  },
  UNKNOWN_CATEGORY: {
    status: 400,
    exit: 1,
    message: (d) => `column "${s(d['column'])}" holds "${s(d['value'])}", a category not seen in training, and unknown categories are set to "error"`,
    hint: () => 'set handle_unknown to "ignore" or "infrequent_if_exist" for the column',
  },
  // --- classic learners: k-means, kNN, naive Bayes (src/learners/{kmeans,knn,bayes}) -------------
  FEWER_ROWS_THAN_PARAM: {
    status: 400,
    exit: 1,
    message: (d) => `the training data has ${s(d['rows'])} row(s), fewer than ${s(d['param'])} = ${s(d['value'])}`,
    hint: (d) => `lower ${s(d['param'])} to at most the number of rows, or train on more rows`,
  },
  FEATURE_NEGATIVE: {
    status: 400,
    exit: 1,
    message: (d) => `feature column ${s(d['column'])} holds ${s(d['value'])} in row ${s(d['row'])}, but ${s(d['learner'])} needs non-negative features (counts or frequencies)`,
    hint: () => 'use counts (e.g. a bag of words) for multinomial naive Bayes, or use gaussian-nb for real-valued features',
  },
  // --- monitoring: drift and the prediction log (src/monitor) -------------------------------------
  REFERENCE_INVALID: {
    status: 422,
    exit: 1,
    message: (d) => `the reference profile ${s(d['where'])} is not usable: ${s(d['reason'])}`,
    hint: () => 'rebuild it with buildReferenceProfile (src/monitor/reference-profile.ts) from the training rows',
  },
  REFERENCE_MISSING: {
    status: 404,
    exit: 1,
    message: (d) => `model ${s(d['model'])} has no reference profile (artifact reference.json), so its drift cannot be checked`,
    hint: () => 'retrain the model with this Kiln version: training stores the reference profile with the version',
  },
  MONITOR_NO_PREDICTIONS: {
    status: 404,
    exit: 1,
    message: (d) => `no logged predictions for ${s(d['model'])} in the window (${s(d['window'])})`,
    hint: () => 'serve the model with `kiln serve` (prediction logging on) and send requests, or widen --window / --since',
  },
  MONITOR_COLUMN_MISSING: {
    status: 422,
    exit: 1,
    message: (d) => `the current data has no column "${s(d['column'])}", which the reference profile has`,
    hint: () => 'log the same input columns the model was trained on',
  },
  MONITOR_NO_VALUES: {
    status: 422,
    exit: 1,
    message: (d) => `column "${s(d['column'])}" has no non-missing values in the ${s(d['side'])} data, so its drift cannot be tested`,
    hint: () => 'widen the window of current data, or leave the column out of monitoring',
  },
  DRIFT_TEST_UNKNOWN: {
    status: 400,
    exit: 2,
    message: (d) => `no drift test called "${s(d['test'])}"`,
    hint: (d) => `choose one of ${s(d['known'])}`,
  },
  DRIFT_TEST_UNSUITED: {
    status: 400,
    exit: 2,
    message: (d) => `drift test "${s(d['test'])}" does not apply to column "${s(d['column'])}" (${s(d['kind'])})`,
    hint: () => 'ks and wasserstein need numbers with many values; chisquare and z need categories; jensenshannon and psi take both',
  },
  INVALID_WINDOW: {
    status: 400,
    exit: 2,
    message: (d) => `invalid monitoring window: ${s(d['reason'])}`,
    // named as the caller wrote them: --window/--since on the command line, ?window=/?since= over HTTP
    hint: (d) => {
      const [w, since] = [s(d['window'] ?? '--window'), s(d['since'] ?? '--since')];
      const gap = (name: string): string => (name.endsWith('=') ? '' : ' ');
      return `use ${w}${gap(w)}N (the last N predictions) or ${since}${gap(since)}DURATION such as 30m, 24h or 7d`;
    },
  },
  // --- A/B statistics (src/experiment/stats) -----------------------------------------------------
  INVALID_EXPERIMENT_DATA: {
    status: 400,
    exit: 1,
    message: (d) => `cannot analyse the experiment: ${s(d['reason'])}`,
    hint: () => 'each arm needs at least two outcomes; rates must lie in (0, 1) and counts be whole numbers',
  },
  // --- monitoring: feedback, alerts and experiments in the store (src/store, src/monitor) ------------
  FEEDBACK_INVALID: {
    status: 400,
    exit: 1,
    message: (d) => `invalid feedback: ${s(d['summary'])}`,
    hint: () => 'send items as {request_id, outcome, timestamp?}: request_id is the id a prediction was served with, outcome a number, text or true/false',
  },
  ALERT_RULE_NOT_FOUND: {
    status: 404,
    exit: 1,
    message: (d) => `no alert rule with id ${s(d['id'])}`,
    hint: () => 'list the rules with `kiln alerts list` or GET /api/alerts',
  },
  EXPERIMENT_NOT_FOUND: {
    status: 404,
    exit: 1,
    message: (d) => `no experiment with id ${s(d['id'])}`,
    hint: () => 'list experiments with `kiln ab status` or GET /api/experiments',
  },
  EXPERIMENT_ALREADY_RUNNING: {
    status: 409,
    exit: 1,
    message: (d) => `model ${s(d['model'])} already has a running experiment (${s(d['id'])})`,
    hint: (d) => `stop or promote experiment ${s(d['id'])} first: one model runs one experiment at a time`,
  },
  EXPERIMENT_NOT_RUNNING: {
    status: 409,
    exit: 1,
    message: (d) => `experiment ${s(d['id'])} is not running (it was ${s(d['status'])})`,
    hint: () => 'only a running experiment can be stopped, promoted or rolled back; start a new one to test again',
  },
  // --- A/B experiments: starting one, routing, analysis (src/experiment) ----------------------------
  EXPERIMENT_INVALID: {
    status: 400,
    exit: 1,
    message: (d) => `cannot start the experiment on ${s(d['model'])}: ${s(d['reason'])}`,
    hint: () => 'e.g. `kiln ab start titanic --challenger 3 --share 0.1`, or `--mode canary --max-error-rate 0.05 --max-p99-ms 200`; see `kiln ab start --help`',
  },
  // --- the app's HTTP API: uploads, sources, training jobs (src/api/app) ---------------------------
  UPLOAD_EMPTY: {
    status: 400,
    exit: 1,
    message: () => 'the upload has no bytes',
    hint: () => 'send the file\'s bytes as the request body: PUT /api/uploads?filename=NAME',
  },
  UPLOAD_TOO_LARGE: {
    status: 413,
    exit: 1,
    message: (d) => `the upload is larger than the ${s(d['limitMb'])} MB the server accepts`,
    hint: () => 'upload a sample of the rows, or connect to the database the table lives in',
  },
  UPLOAD_NAME_INVALID: {
    status: 400,
    exit: 1,
    message: (d) => `"${s(d['filename'])}" cannot name an upload: ${s(d['reason'])}`,
    hint: (d) => `name the file with its extension, e.g. ?filename=titanic.csv (Kiln reads ${s(d['extensions'])})`,
  },
  UPLOAD_NOT_FOUND: {
    status: 404,
    exit: 1,
    message: (d) => `the upload "${s(d['name'])}" (${s(d['path'])}) is not on this server, and ${s(d['reason'])}`,
    // `fix` when uploading again is not the way out (deleting an upload that is not there)
    hint: (d) => (typeof d['fix'] === 'string' ? d['fix'] : `upload the file again (PUT /api/uploads?filename=${s(d['name'])}) and use the source it answers`),
  },
  UPLOAD_IN_USE: {
    status: 409,
    exit: 1,
    message: (d) => `the upload "${s(d['name'])}" is not deleted: a training reads it (job ${s(d['jobs'])})`,
    hint: (d) => `wait until the job ends, or cancel it (POST /api/jobs/${s(d['first'])}/cancel), then delete the upload`,
  },
  UPLOAD_UNAVAILABLE: {
    status: 503,
    exit: 3,
    message: (d) => `the upload "${s(d['name'])}" cannot be ${s(d['action'])}: the shared artifact store at ${s(d['location'])} does not answer (${s(d['reason'])})`,
    hint: (d) => {
      const location = String(d['location'] ?? '');
      const check = location.startsWith('s3://') ? storeUnavailableHint(location) : `check that the folder ${location} is mounted and writable on this machine`;
      return `${check}; then try again (everything else this server does keeps working meanwhile)`;
    },
  },
  SOURCE_NOT_ALLOWED: {
    status: 400,
    exit: 1,
    message: (d) => `the app API does not read "${s(d['source'])}": ${s(d['reason'])}`,
    hint: () => 'upload the file first (PUT /api/uploads?filename=NAME) and pass the `source` it answers, or give a sqlite:FILE?table=T or postgres://…?table=T connection',
  },
  NOTHING_TO_FIX: {
    status: 400,
    exit: 1,
    message: () => 'the fix names nothing to change',
    hint: () => 'send drop_columns: [names] and/or drop_duplicates: true',
  },
  TARGET_REQUIRED_FOR_SUGGESTION: {
    status: 400,
    exit: 1,
    message: (d) => `Kiln cannot suggest a module for ${s(d['source'])} without knowing what to predict`,
    hint: (d) => `name the column to predict as target (one of: ${s(d['columns'])}), or pick a template task: ${s(d['templates'])}`,
  },
  NOT_EXPLAINABLE: {
    status: 422,
    exit: 1,
    message: (d) => `${s(d['model'])} cannot explain its predictions: ${s(d['reason'])}`,
    hint: () => 'explanations (the reasons behind a prediction) exist for modules that predict a column of a table',
  },
  CURVES_UNAVAILABLE: {
    status: 422,
    exit: 1,
    message: (d) => `the learning curve of ${s(d['model'])} cannot be drawn: ${s(d['reason'])}`,
    hint: (d) => s(d['fix'] ?? 'learning curves are drawn for modules that learn to predict a labelled column, from a table or from a text'),
  },
  JOB_NOT_FOUND: {
    status: 404,
    exit: 1,
    message: (d) => `there is no training job "${s(d['id'])}"`,
    hint: () => 'GET /api/jobs lists the recent jobs (the latest 100 ended ones this server kept, or those kept in its Redis queue)',
  },
  JOB_FINISHED: {
    status: 409,
    exit: 1,
    message: (d) => `training job ${s(d['id'])} has already ended (${s(d['status'])}), so it cannot be cancelled`,
    hint: () => 'nothing to cancel: GET /api/jobs/ID shows how it ended, and what it registered',
  },
  JOB_QUEUE_FULL: {
    status: 503,
    exit: 1,
    message: (d) => `${s(d['queued'])} training jobs are already waiting, the most this server queues`,
    hint: () => 'wait for a job to finish (GET /api/jobs) or cancel one, then submit again',
  },
  JOB_INTERRUPTED: {
    status: 503,
    exit: 3,
    // the in-process runner's job whose server stopped (training-jobs.ts); a job never resumes halfway
    message: (d) => `training job ${s(d['id'])} did not finish: the server ${s(d['reason'])} while it ran, so nothing was registered`,
    hint: () => 'start the training again (POST /api/jobs with the same spec); jobs that were still waiting when the server stopped run once it is back',
  },
  // --- the Redis job queue (`kiln serve --queue`, `kiln worker`; src/api/app/redis-*.ts) ----------
  QUEUE_UNAVAILABLE: {
    status: 503,
    exit: 1,
    message: (d) => `the job queue at ${s(d['url'])} cannot be used: ${s(d['reason'])}`,
    hint: () =>
      'give --queue (or KILN_QUEUE_URL) as redis://HOST:PORT of a running Redis 6.2 or newer; a server keeps serving predictions meanwhile, and training jobs can be submitted once Redis answers',
  },
  JOB_WORKER_LOST: {
    status: 503,
    exit: 3,
    message: (d) => `the kiln worker running job ${s(d['id'])} stopped before the job ended (${s(d['reason'])})`,
    hint: () => 'a job whose worker stops is put back in the queue once; see the worker\'s log (out of memory?) and submit the job again',
  },
  // --- recommend module: recommenders and their training (src/learners/recommend, src/modules/recommend)
  RECOMMEND_NEEDS_RATINGS: {
    status: 400,
    exit: 1,
    message: (d) => `learner "${s(d['learner'])}" predicts ratings, but the data has no rating column`,
    hint: () => 'name the ratings column with `rating:` in the spec, or choose a learner for interactions: implicit-als or item-knn',
  },
  RECOMMEND_TOO_FEW_USERS: {
    status: 400,
    exit: 1,
    message: (d) => `no user has ${s(d['needed'])} or more interactions, so none can be held out to test the recommendations (${s(d['users'])} users, ${s(d['rows'])} rows)`,
    hint: () => 'a per-user holdout keeps each user\'s latest interactions for the test: collect more interactions per user, or give a separate `testData` table',
  },
  // --- segments and anomalies modules (src/modules/cluster, src/modules/anomaly) -------------------
  ANOMALY_LABEL_INVALID: {
    status: 400,
    exit: 1,
    message: (d) => `the label column "${s(d['column'])}" should mark known anomalies, but it holds ${s(d['values'])}`,
    hint: () => 'write 1 (or true, yes, anomaly) for a known anomaly and 0 (or false, no, normal) for a normal row, with no missing values; or leave `label:` out of the spec',
  },
  // --- text-classify module (src/modules/text) ---------------------------------------------------
  EMBEDDING_MODEL_INVALID: {
    status: 400,
    exit: 1,
    message: (d) => `the sentence-embedding model folder ${s(d['folder'])} cannot be used: ${s(d['reason'])}`,
    hint: () => 'point params.embeddings at a local transformers.js feature-extraction model folder holding config.json, tokenizer.json and onnx/model.onnx',
  },
  // --- serving: model instances in worker threads (src/serve/scheduler) -----------------------------
  MODEL_INSTANCE_DIED: {
    status: 503,
    exit: 3,
    message: (d) => `the instance of model "${s(d['model'])}" that was running this request stopped (${s(d['reason'])}); a new one is started`,
    hint: () => 'retry the request; if it keeps happening the model may run out of memory on some inputs: see the server log',
  },
  // --- linear learners: pairwise interactions (src/learners/linear/pairwise-interactions.ts) -------
  TOO_MANY_INTERACTION_INPUTS: {
    status: 400,
    exit: 1,
    message: (d) =>
      `${s(d['learner'])} with interactions: ${s(d['columns'])} input columns would add ${s(d['products'])} pairwise products; interactions are limited to ${s(d['max'])} input columns`,
    hint: (d) => `turn interactions off, or keep at most ${s(d['max'])} feature columns (drop columns, or one-hot fewer categories)`,
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

  get exitCode(): 1 | 2 | 3 | 130 {
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
