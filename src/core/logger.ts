/**
 * Structured JSON logs (pino) on stderr, so that stdout stays free for results (`--json`).
 * The level comes from configuration; tests run with KILN_LOG_LEVEL=silent.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { service: 'kiln' } }, pino.destination({ fd: 2, sync: false }));
}

/** A logger that drops everything (library use without a configured logger). */
export const silentLogger: Logger = pino({ level: 'silent' });
