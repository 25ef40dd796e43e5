/** Model references as the registry writes them: `name`, `name:VERSION`, `name@ALIAS`. */
export function modelName(ref: string): string {
  const cut = ref.search(/[:@]/);
  return cut < 0 ? ref : ref.slice(0, cut);
}

export function versionOf(ref: string): number | undefined {
  const m = /:(\d+)$/.exec(ref);
  return m === null ? undefined : Number(m[1]);
}

/** A reference as a person reads it: `titanic:3` → "titanic, version 3"; `titanic@champion` → "titanic (live version)". */
export function refInWords(ref: string): string {
  const version = versionOf(ref);
  if (version !== undefined) return `${modelName(ref)}, version ${version}`;
  const alias = /@(.+)$/.exec(ref)?.[1];
  if (alias === undefined) return `${ref} (latest version)`;
  return alias === 'champion' ? `${modelName(ref)} (live version)` : `${modelName(ref)} (${alias})`;
}
