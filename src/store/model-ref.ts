/**
 * Model references, the one syntax used everywhere: `titanic` (the latest version), `titanic:3`
 * (version 3), `titanic@champion` (whatever version the alias points to).
 */
import { KilnError } from '../core/errors.js';

export type ModelRef =
  | { readonly name: string; readonly kind: 'latest' }
  | { readonly name: string; readonly kind: 'version'; readonly version: number }
  | { readonly name: string; readonly kind: 'alias'; readonly alias: string };

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const ALIAS = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * The largest version number there can be: what `NAME:VERSION` can name (nine digits). The API, CLI and
 * experiments refuse a larger one before it reaches the store, where PostgreSQL's INTEGER columns would
 * fail on it with an internal error instead of "no such version".
 */
export const MAX_VERSION_NUMBER = 999_999_999;
const VERSION = /^[1-9][0-9]{0,8}$/;

/**
 * Why `alias` cannot be given as a new alias, or undefined when it can. Reserved, as in MLflow: `latest`
 * (any case) already means the newest live version, so an alias of that name would contradict
 * `latest_version` (`NAME@latest` → 1 while the latest is 2); `v2` or `2` read as version 2. Parsing a
 * reference still accepts them, so an alias stored before this rule keeps resolving.
 */
export function reservedAliasReason(alias: string): string | undefined {
  if (alias.toLowerCase() === 'latest') return '"latest" is reserved for the newest live version (a bare model name, or latest_version)';
  if (/^[vV]?[0-9]+$/.test(alias)) return `it reads as a version number, which NAME:${alias.replace(/^[vV]/, '')} already names`;
  return undefined;
}

/**
 * The one check of a new alias name, used by the stores, the registry API and `kiln models alias`:
 * ALIAS_RESERVED for a reserved name (saying why and what to use), INVALID_PARAMS for bad syntax
 * (`what` names the field as the caller knows it).
 */
export function checkAliasName(alias: string, what = 'alias'): void {
  const reason = reservedAliasReason(alias);
  if (reason !== undefined) throw new KilnError('ALIAS_RESERVED', { alias, reason });
  checkAliasSyntax(alias, what);
}

/**
 * The syntax alone, for an alias that may already be stored (removing one): reserved names pass, since
 * an alias named `latest` stored before the rule must stay removable.
 */
export function checkAliasSyntax(alias: string, what = 'alias'): void {
  if (!ALIAS.test(alias)) {
    throw new KilnError('INVALID_PARAMS', {
      what,
      summary: `"${alias}" is not an alias: it starts with a letter and has up to 64 letters, digits, "_" and "-" (e.g. champion)`,
    });
  }
}

export function isValidModelName(name: string): boolean {
  return NAME.test(name);
}

export function parseModelRef(ref: string): ModelRef {
  const at = ref.indexOf('@');
  const colon = ref.lastIndexOf(':');
  if (at >= 0) {
    const name = ref.slice(0, at);
    const alias = ref.slice(at + 1);
    if (NAME.test(name) && ALIAS.test(alias)) return { name, kind: 'alias', alias };
  } else if (colon >= 0) {
    const name = ref.slice(0, colon);
    const version = ref.slice(colon + 1);
    if (NAME.test(name) && VERSION.test(version)) return { name, kind: 'version', version: Number(version) };
  } else if (NAME.test(ref)) {
    return { name: ref, kind: 'latest' };
  }
  throw new KilnError('INVALID_MODEL_REF', { ref });
}

export function formatModelRef(ref: ModelRef): string {
  switch (ref.kind) {
    case 'latest':
      return ref.name;
    case 'version':
      return `${ref.name}:${ref.version}`;
    case 'alias':
      return `${ref.name}@${ref.alias}`;
  }
}
