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
    if (NAME.test(name) && /^[1-9][0-9]{0,8}$/.test(version)) return { name, kind: 'version', version: Number(version) };
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
