/**
 * The access token `kiln serve` is started with (src/serve/access-token.ts): KILN_API_TOKEN, or the first
 * line of `--api-token-file` (a mounted secret); never a flag's value, which `ps` shows to everyone on the
 * machine. A server that listens beyond loopback without one makes one and prints the link that opens the
 * app with it, as Jupyter does: anyone who can reach the port would otherwise be able to upload data,
 * train, move aliases and unload models.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { KilnError } from '../core/errors.js';
import type { AccessOptions } from '../serve/access-token.js';
import { API_TOKEN, type KilnConfig } from './config.js';

export interface ServeAccess {
  readonly access: AccessOptions | undefined;
  /** True when no token was given and this one was made for a server reachable from other machines. */
  readonly generated: boolean;
}

export async function accessFor(config: KilnConfig): Promise<ServeAccess> {
  const openInference = config.openInference ?? false;
  if (config.apiToken !== undefined && config.apiTokenFile !== undefined) {
    throw new KilnError('INVALID_PARAMS', { what: 'access token', summary: 'both KILN_API_TOKEN and --api-token-file are set; give the token one way' });
  }
  const token = config.apiTokenFile === undefined ? config.apiToken : await tokenFromFile(config.apiTokenFile);
  if (token !== undefined) return { access: { token, openInference }, generated: false };
  if (isLoopback(config.host)) return { access: undefined, generated: false };
  return { access: { token: randomBytes(24).toString('base64url'), openInference }, generated: true };
}

async function tokenFromFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new KilnError('INVALID_PARAMS', { what: '--api-token-file', summary: `${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
  }
  const token = (text.split(/\r?\n/)[0] ?? '').trim();
  if (!API_TOKEN.test(token)) {
    throw new KilnError('INVALID_PARAMS', { what: '--api-token-file', summary: `the first line of ${file} must be the token: at least 16 printable characters, no spaces` });
  }
  return token;
}

/** Addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
