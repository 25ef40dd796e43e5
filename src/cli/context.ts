/** What every verb needs: the resolved configuration, the output channel, a logger, and the home store. */
import type { Command } from 'commander';
import { createLogger, type Logger } from '../core/logger.js';
import type { ArtifactStore, Store } from '../store/store.js';
import { resolveConfig, type KilnConfig } from './config.js';
import { createOutput, type Output } from './output.js';

export interface GlobalOptions {
  readonly home?: string;
  readonly json?: boolean;
  readonly config?: string;
  readonly logLevel?: string;
  readonly store?: string;
  readonly artifacts?: string;
}

export interface CommandContext {
  readonly config: KilnConfig;
  readonly out: Output;
  readonly logger: Logger;
  /** Opens the store (`config.store`) and the artifacts (`config.artifacts`, default `<home>/artifacts`); closed by the caller. */
  openHome(): Promise<{ store: Store; artifacts: ArtifactStore }>;
}

export function commandContext(cmd: Command, extra: Partial<Record<keyof KilnConfig, unknown>> = {}): CommandContext {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  const config = resolveConfig({ home: g.home, logLevel: g.logLevel, store: g.store, artifacts: g.artifacts, ...extra }, g.config === undefined ? {} : { configFile: g.config });
  const out = createOutput(g.json === true);
  // With --json, only warnings and worse reach stderr unless a level was asked for explicitly.
  const logger = createLogger(g.json === true && g.logLevel === undefined && process.env['KILN_LOG_LEVEL'] === undefined ? 'warn' : config.logLevel);
  // the store's code (database drivers) loads when a command opens it, not when the CLI starts
  const openHome = async () => (await import('../store/open-store.js')).openHome(config.home, config.store, {}, config.artifacts);
  return { config, out, logger, openHome };
}

/** Runs `fn` with the home store open, closing it afterwards whatever happens. */
export async function withHome<T>(ctx: CommandContext, fn: (home: { store: Store; artifacts: ArtifactStore }) => Promise<T>): Promise<T> {
  const home = await ctx.openHome();
  try {
    return await fn(home);
  } finally {
    await home.store.close();
  }
}
