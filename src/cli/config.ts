/**
 * Configuration, resolved once per command: flags > environment (KILN_*) > config file > defaults.
 * The config file is `--config FILE`, or `kiln.config.yaml` in the working folder when present.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { KilnError } from '../core/errors.js';
import { LOG_LEVELS } from '../core/logger.js';
import { parseParams, z } from '../core/params.js';
import { storeScheme } from '../store/store-scheme.js';

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

const ENV_KEYS: Record<keyof KilnConfig, string> = {
  home: 'KILN_HOME',
  host: 'KILN_HOST',
  port: 'KILN_PORT',
  logLevel: 'KILN_LOG_LEVEL',
  store: 'KILN_STORE_URL',
  queue: 'KILN_QUEUE_URL',
  queuePrefix: 'KILN_QUEUE_PREFIX',
  predictionLog: 'KILN_PREDICTION_LOG',
  predictionLogSampleRate: 'KILN_PREDICTION_LOG_SAMPLE_RATE',
  predictionLogRetentionDays: 'KILN_PREDICTION_LOG_RETENTION_DAYS',
  predictionLogMaxRows: 'KILN_PREDICTION_LOG_MAX_ROWS',
};

export const DEFAULT_CONFIG_FILE = 'kiln.config.yaml';

export function resolveConfig(
  flags: Partial<Record<keyof KilnConfig, unknown>>,
  options: { env?: NodeJS.ProcessEnv; configFile?: string; cwd?: string } = {},
): KilnConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const fileConfig = readConfigFile(options.configFile, cwd);
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG, ...fileConfig };
  for (const [key, name] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  for (const [key, value] of Object.entries(flags)) if (value !== undefined) merged[key] = value;
  const config = parseParams(configSchema, merged, 'configuration');
  const home = resolve(cwd, config.home);
  return { ...config, home, store: resolveStoreUrl(config.store, home, cwd) };
}

/** The store URL with its default (`<home>/kiln.db`) and a relative SQLite path made absolute. */
function resolveStoreUrl(store: string | undefined, home: string, cwd: string): string {
  if (store === undefined) return join(home, 'kiln.db');
  if (storeScheme(store) !== 'sqlite:' || /^sqlite:/i.test(store)) return store;
  return resolve(cwd, store);
}

function readConfigFile(explicit: string | undefined, cwd: string): Record<string, unknown> {
  const file = explicit ?? (existsSync(resolve(cwd, DEFAULT_CONFIG_FILE)) ? DEFAULT_CONFIG_FILE : undefined);
  if (file === undefined) return {};
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(resolve(cwd, file), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new KilnError('DATA_NOT_FOUND', { path: file });
    throw new KilnError('INVALID_PARAMS', { what: `configuration file ${file}`, summary: 'it is not valid YAML' });
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new KilnError('INVALID_PARAMS', { what: `configuration file ${file}`, summary: 'it must be a mapping of settings' });
  }
  return raw as Record<string, unknown>;
}
