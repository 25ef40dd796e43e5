/**
 * Why a server could not open its port, in words. Node (and grpc-js, inside its own message) report
 * EADDRINUSE, EACCES or EADDRNOTAVAIL; each has one usual cause and one fix, which the person starting
 * `kiln serve` needs more than "an internal error occurred".
 */
import { KilnError } from '../core/errors.js';

export interface ListenTarget {
  /** "HTTP" or "gRPC": which of the server's ports failed. */
  readonly what: string;
  readonly host: string;
  readonly port: number;
  /** The setting that picks this port, e.g. `--port`. */
  readonly flag: string;
  /** What else can be done instead, e.g. `or --no-grpc to serve without gRPC`. */
  readonly alternative?: string;
}

const CAUSES: Record<string, { reason: string; fix: (t: ListenTarget) => string }> = {
  EADDRINUSE: {
    reason: 'another program (or another Kiln server) is already listening there',
    fix: (t) => `stop the other program, or pick another port with ${t.flag} N (${t.flag} 0 picks a free one)`,
  },
  EACCES: {
    reason: 'this user may not open that port (ports below 1024 need extra rights)',
    fix: (t) => `pick a port from 1024 up with ${t.flag} N`,
  },
  EADDRNOTAVAIL: {
    reason: 'no network interface of this machine has that address',
    fix: () => 'give --host an address of this machine (127.0.0.1 for this machine only, 0.0.0.0 for every interface)',
  },
};

/** The coded error for a failed listen, or undefined when the failure is not one of the known causes. */
export function listenError(err: unknown, target: ListenTarget): KilnError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  const text = err instanceof Error ? err.message : String(err);
  // grpc-js wraps the system error in its own message ("No address added … listen EADDRINUSE: …")
  const known = typeof code === 'string' && code in CAUSES ? code : Object.keys(CAUSES).find((c) => text.includes(c));
  const cause = known === undefined ? undefined : CAUSES[known];
  if (cause === undefined) return undefined;
  const fix = cause.fix(target) + (target.alternative === undefined ? '' : `, ${target.alternative}`);
  return new KilnError('ADDRESS_IN_USE', { what: `the ${target.what} server`, address: `${target.host}:${target.port}`, reason: cause.reason, fix }, { cause: err });
}
