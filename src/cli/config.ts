/**
 * Configuration, resolved once per command: flags > environment (KILN_*) > config file > defaults.
 * The config file is `--config FILE`, or `kiln.config.yaml` in the working folder when present.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { KilnError } from '../core/errors.js';
import { LOG_LEVELS } from '../core/logger.js';
import { z } from '../core/params.js';
import { storeScheme } from '../store/store-scheme.js';
import { settingsError, type SettingSource, type SettingSpelling } from './setting-errors.js';

/** What an access token may be, however it is given (KILN_API_TOKEN, the config file, --api-token-file). */
export const API_TOKEN = /^[\x21-\x7e]{16,512}$/;

export const configSchema = z.strictObject({
  home: z.string().min(1).describe('Folder of the embedded store: runs, models and artifacts.'),
  host: z.string().min(1).describe('Address the server listens on; loopback unless you ask otherwise.'),
  port: z.coerce.number().int().min(0).max(65535).describe('Port the server listens on.'),
  logLevel: z.enum(LOG_LEVELS).describe('How much the JSON log on stderr says.'),
  store: z
    .string()
    .min(1)
    .optional()
    .describe('Where runs and models are recorded: a SQLite file (a path or sqlite:PATH) or postgres://USER@HOST/DB; default <home>/kiln.db.'),
  artifacts: z
    .string()
    .min(1)
    .optional()
    .describe('Where trained models\' files are kept: a folder, or an S3-compatible bucket s3://BUCKET/PREFIX (endpoint and keys from AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); default <home>/artifacts.'),
  queue: z
    .string()
    .min(1)
    .optional()
    .describe('A Redis job queue, redis://HOST:PORT: `kiln serve` queues training jobs there and `kiln worker` runs them; default: jobs run inside the server.'),
  queuePrefix: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
    .optional()
    .describe('Key prefix of the Redis job queue (default kiln): separate Kiln installations can share one Redis; the server and its workers must agree.'),
  // --- who may use `kiln serve` beyond its health probes (src/serve/access-token.ts) ---
  apiToken: z
    .string()
    .regex(API_TOKEN, 'at least 16 printable characters, no spaces')
    .optional()
    .describe('The access token every request needs but health and the app\'s page (Authorization: Bearer TOKEN); from the environment (or the config file), never a flag, which others on the machine could read.'),
  apiTokenFile: z.string().min(1).optional().describe('A file whose first line is the access token (a mounted secret).'),
  openInference: z
    .preprocess((v) => (typeof v === 'string' ? parseSwitch(v) : v), z.boolean())
    .optional()
    .describe('Predictions and model metadata need no token; the rest of the API still does.'),
  // --- the prediction log of `kiln serve` (src/serve/prediction-log.ts, prediction-retention.ts) ---
  predictionLog: z
    .preprocess((v) => (typeof v === 'string' ? parseSwitch(v) : v), z.boolean())
    .describe('Whether `kiln serve` logs served predictions for monitoring (true/false).'),
  predictionLogSampleRate: z.coerce.number().min(0).max(1).describe('The share of requests whose predictions are logged, 0..1 (by request id; failures are always logged).'),
  predictionLogRetentionDays: z.coerce.number().positive().optional().describe('Logged predictions older than this many days are deleted; default: kept.'),
  predictionLogMaxRows: z.coerce.number().int().min(0).optional().describe('At most this many logged predictions are kept (the newest); default: no limit.'),
});

/** `true`/`false` as environment variables spell them; anything else is left for the schema to refuse. */
function parseSwitch(text: string): unknown {
  const t = text.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(t)) return true;
  if (['false', '0', 'no', 'off'].includes(t)) return false;
  return text;
}

export type KilnConfig = z.output<typeof configSchema>;

export const DEFAULT_CONFIG: KilnConfig = { home: './.kiln', host: '127.0.0.1', port: 8080, logLevel: 'info', predictionLog: true, predictionLogSampleRate: 1 };

/**
 * How each setting is given outside the config file — its environment variable and, when a verb takes it
 * as a flag, that flag — and what it takes, in the words an error about it uses. An error names a bad
 * value the way the user gave it (`--port`, `KILN_PORT`, `port` in the file), not by the key above.
 */
const SETTINGS: { readonly [K in keyof KilnConfig]-?: SettingSpelling } = {
  home: { env: 'KILN_HOME', flag: '--home', takes: 'a folder' },
  host: { env: 'KILN_HOST', flag: '--host', takes: 'an address to listen on, such as 127.0.0.1 or 0.0.0.0' },
  port: { env: 'KILN_PORT', flag: '--port', takes: 'a whole number from 0 to 65535' },
  logLevel: { env: 'KILN_LOG_LEVEL', flag: '--log-level', takes: `one of ${LOG_LEVELS.join(', ')}` },
  store: { env: 'KILN_STORE_URL', flag: '--store', takes: 'a SQLite file (a path or sqlite:PATH) or postgres://USER@HOST/DB' },
  artifacts: { env: 'KILN_ARTIFACTS_URL', flag: '--artifacts', takes: 'a folder or s3://BUCKET/PREFIX' },
  queue: { env: 'KILN_QUEUE_URL', flag: '--queue', takes: 'a Redis URL, redis://HOST:PORT' },
  queuePrefix: { env: 'KILN_QUEUE_PREFIX', takes: 'a key prefix of letters, digits and _ . : - only' },
  apiToken: { env: 'KILN_API_TOKEN', takes: 'at least 16 printable characters, no spaces' },
  apiTokenFile: { env: 'KILN_API_TOKEN_FILE', flag: '--api-token-file', takes: 'a file holding the token' },
  openInference: { env: 'KILN_OPEN_INFERENCE', flag: '--open-inference', takes: 'true or false' },
  predictionLog: { env: 'KILN_PREDICTION_LOG', flag: '--no-prediction-log', takes: 'true or false' },
  predictionLogSampleRate: { env: 'KILN_PREDICTION_LOG_SAMPLE_RATE', flag: '--log-sample-rate', takes: 'a number from 0 to 1' },
  predictionLogRetentionDays: { env: 'KILN_PREDICTION_LOG_RETENTION_DAYS', flag: '--log-retention-days', takes: 'a number of days above 0' },
  predictionLogMaxRows: { env: 'KILN_PREDICTION_LOG_MAX_ROWS', flag: '--log-max-rows', takes: 'a whole number of at least 0' },
};

/** The flag of each setting a verb takes as one, for checking that the table above matches the verbs. */
export const SETTING_FLAGS: readonly string[] = Object.values<SettingSpelling>(SETTINGS).flatMap((s) => (s.flag === undefined ? [] : [s.flag]));

export const DEFAULT_CONFIG_FILE = 'kiln.config.yaml';

export function resolveConfig(
  flags: Partial<Record<keyof KilnConfig, unknown>>,
  options: { env?: NodeJS.ProcessEnv; configFile?: string; cwd?: string } = {},
): KilnConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = readConfigFile(options.configFile, cwd);
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG };
  // where each value came from, so that an error can name it the way the user gave it
  const sources: Record<string, SettingSource> = {};
  for (const [key, value] of Object.entries(file?.settings ?? {})) {
    merged[key] = value;
    sources[key] = { file: file?.name ?? DEFAULT_CONFIG_FILE, key };
  }
  for (const [key, { env: name }] of Object.entries<SettingSpelling>(SETTINGS)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    merged[key] = value;
    sources[key] = { env: name };
  }
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    merged[key] = value;
    sources[key] = { flag: SETTINGS[key as keyof KilnConfig].flag ?? key };
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw settingsError(parsed.error, { given: merged, sources, spellings: SETTINGS, ...(file === undefined ? {} : { file: file.name }) });
  const config = parsed.data;
  const home = resolve(cwd, config.home);
  const artifacts = config.artifacts === undefined ? {} : { artifacts: /^s3:/i.test(config.artifacts) ? config.artifacts : resolve(cwd, config.artifacts) };
  return { ...config, home, store: resolveStoreUrl(config.store, home, cwd), ...artifacts };
}

/** The store URL with its default (`<home>/kiln.db`) and a relative SQLite path made absolute. */
function resolveStoreUrl(store: string | undefined, home: string, cwd: string): string {
  if (store === undefined) return join(home, 'kiln.db');
  if (storeScheme(store) !== 'sqlite:' || /^sqlite:/i.test(store)) return store;
  return resolve(cwd, store);
}

/** The config file's settings and its name as given (or the default file's), or undefined when there is none. */
function readConfigFile(explicit: string | undefined, cwd: string): { name: string; settings: Record<string, unknown> } | undefined {
  const file = explicit ?? (existsSync(resolve(cwd, DEFAULT_CONFIG_FILE)) ? DEFAULT_CONFIG_FILE : undefined);
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KilnError('DATA_NOT_FOUND', { what: 'configuration file', path: file });
    // a folder, or no permission: said as such, not as "not valid YAML"
    const summary = code === 'EISDIR' ? 'it is a folder, not a file' : `it cannot be read (${code ?? (err as Error).message})`;
    throw new KilnError('INVALID_PARAMS', { what: `configuration file ${file}`, summary });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    throw new KilnError('INVALID_PARAMS', { what: `configuration file ${file}`, summary: 'it is not valid YAML' });
  }
  if (raw === null || raw === undefined) return { name: file, settings: {} };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new KilnError('INVALID_PARAMS', { what: `configuration file ${file}`, summary: 'it must be a mapping of settings' });
  }
  return { name: file, settings: raw as Record<string, unknown> };
}
