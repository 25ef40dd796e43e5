/**
 * Configuration values that do not fit, named the way the user gave them. The configuration layer
 * (config.ts) merges flags, KILN_* environment variables and the config file under one set of keys
 * (`port`, `predictionLogSampleRate`); a user who typed `--port abc` never saw those keys, so an error
 * says `--port`, `KILN_PORT`, or `port in kiln.config.yaml` — whichever the bad value came from — with
 * what the setting takes and the value it got.
 */
import { KilnError, type Problem } from '../core/errors.js';
import type { z } from '../core/params.js';

/** Where a setting's value came from: a flag, an environment variable, or a key of the config file. */
export type SettingSource = { readonly flag: string } | { readonly env: string } | { readonly file: string; readonly key: string };

/** A setting's names outside the config file, and what it takes in the words of an error. */
export interface SettingSpelling {
  readonly env: string;
  readonly flag?: string;
  /** e.g. "a whole number from 0 to 65535": read as "expected …". */
  readonly takes: string;
}

export interface SettingsContext {
  /** The merged values that were checked, by setting key. */
  readonly given: Readonly<Record<string, unknown>>;
  /** Where each value that is not a default came from. */
  readonly sources: Readonly<Record<string, SettingSource>>;
  readonly spellings: Readonly<Record<string, SettingSpelling>>;
  /** The config file that was read, if any: unknown keys can only come from it. */
  readonly file?: string;
}

/** INVALID_PARAMS for the schema's verdict, one problem per bad setting, each named by its source. */
export function settingsError(error: z.ZodError, context: SettingsContext): KilnError {
  const problems = settingProblems(error, context);
  const only = problems.length === 1 ? problems[0] : undefined;
  if (only !== undefined) return new KilnError('INVALID_PARAMS', { what: only.what, summary: only.message }, { problems: [only.problem] });
  const summary = problems.map((p) => `${p.what}: ${p.message}`).join('; ');
  return new KilnError('INVALID_PARAMS', { what: 'settings', summary }, { problems: problems.map((p) => p.problem) });
}

interface SettingProblem {
  /** The setting as the message names it: "--port", "KILN_PORT", "port in kiln.config.yaml". */
  readonly what: string;
  readonly message: string;
  readonly problem: Problem;
}

function settingProblems(error: z.ZodError, context: SettingsContext): SettingProblem[] {
  const out: SettingProblem[] = [];
  const seen = new Set<string>();
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      out.push(unknownKeys(issue.keys, context));
      continue;
    }
    const key = String(issue.path[0] ?? '');
    // one problem per setting: "-1.5" for a port breaks two rules, and the user needs to hear it once
    if (seen.has(key)) continue;
    seen.add(key);
    const source = context.sources[key];
    const message = `expected ${context.spellings[key]?.takes ?? issue.message}, got ${shown(context.given[key])}`;
    out.push({ what: describeSource(source, key), message, problem: { path: pathOf(source, key), message, code: issue.code } });
  }
  return out;
}

/** Keys the schema does not know come from the config file (flags and variables are looked up by name). */
function unknownKeys(keys: readonly string[], context: SettingsContext): SettingProblem {
  const file = context.file ?? 'the configuration';
  const message = `unknown setting${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')} (the settings are ${Object.keys(context.spellings).join(', ')})`;
  return { what: `configuration file ${file}`, message, problem: { path: keys.join(','), message, code: 'unrecognized_keys' } };
}

function describeSource(source: SettingSource | undefined, key: string): string {
  if (source === undefined) return `default ${key}`;
  if ('flag' in source) return source.flag;
  if ('env' in source) return source.env;
  return `${source.key} in ${source.file}`;
}

/** The name a form or a script would point at: the flag, the variable, or the file's key. */
function pathOf(source: SettingSource | undefined, key: string): string {
  if (source === undefined) return key;
  if ('flag' in source) return source.flag;
  return 'env' in source ? source.env : source.key;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? String(value);
}
