/**
 * `kiln models [list | show REF | alias NAME ALIAS VERSION | unalias NAME ALIAS | archive REF | unarchive REF]`: the model
 * registry. After a change, the webhook deliveries it queued are attempted at once, so a change made from
 * the CLI reaches subscribers without waiting for a server (failures are retried by `kiln serve`).
 */
import type { Command } from 'commander';
import type { Logger } from '../core/logger.js';
import { KilnError } from '../core/errors.js';
import { checkAliasName, checkAliasSyntax, isValidModelName, MAX_VERSION_NUMBER, parseModelRef } from '../store/model-ref.js';
import type { Store, VersionStatus } from '../store/store.js';
import { deliverDueWebhooks } from '../store/webhooks/dispatcher.js';
import { commandContext, withHome } from './context.js';
import { wholeNumberOption } from './option-values.js';
import { acceptingUnknownSubcommand, refuseUnknownSubcommand } from './unknown-subcommand.js';
import { versionJson } from '../api/json.js';
import { outputWidth } from './fit-table.js';
import { modelsTable } from './list-tables.js';
import { metricsOption } from './metric-columns.js';
import { modelSummary } from './model-summary.js';
import { versionFacts } from './version-facts.js';

export function registerModels(program: Command): void {
  const models = program.command('models').description('list registered models, show a version, move or remove an alias, archive a version');

  acceptingUnknownSubcommand(models.command('list', { isDefault: true }))
    .description('list registered models: each version with its aliases, task, learner, headline metric and creation time')
    .option('--metrics <names>', 'show these held-out metrics as columns instead of the headline one, e.g. roc_auc,accuracy')
    .action(async (opts: { metrics?: string }, cmd: Command) => {
      refuseUnknownSubcommand(cmd);
      const ctx = commandContext(cmd);
      const wanted = metricsOption(opts.metrics);
      const rows = await withHome(ctx, async (home) => {
        const list = await home.store.listModels();
        return Promise.all(
          list.map(async (m) => {
            const versions = await home.store.listVersions(m.name);
            // the table's task, learner and headline metric live in manifests and runs; --json does not show them
            const facts = ctx.out.json ? [] : await Promise.all(versions.map((v) => versionFacts(v, home)));
            return { ...m, versions, facts };
          }),
        );
      });
      ctx.out.result(
        {
          models: rows.map((m) => ({
            name: m.name,
            latest_version: m.latestVersion,
            aliases: m.aliases,
            versions: m.versions.map(versionJson),
          })),
        },
        () =>
          rows.length === 0
            ? 'no models yet: train one with `kiln train examples/titanic/kiln.yaml`'
            : modelsTable(rows.flatMap((m) => m.facts), { ...(wanted === undefined ? {} : { metrics: wanted }), width: outputWidth() }),
      );
    });

  models
    .command('show')
    .description('show one version: what it predicts from what, held-out metrics, training settings, lineage, files')
    .argument('<ref>', 'NAME, NAME:VERSION or NAME@ALIAS')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd);
      const parsed = parseModelRef(ref);
      const { version, summary } = await withHome(ctx, async (home) => {
        const version = await home.store.resolve(parsed);
        if (ctx.out.json) return { version, summary: '' };
        const facts = await versionFacts(version, home, { withSpec: true });
        // a local home keeps each artifact in a file named by its digest: show the path, that is where it is
        const locate = (digest: string) => home.artifacts.whereIs(digest);
        return { version, summary: modelSummary(facts, { locate, width: outputWidth() }) };
      });
      ctx.out.result(versionJson(version), () => summary);
    });

  models
    .command('alias')
    .description('point an alias (e.g. champion) at a version')
    .argument('<name>', 'model name')
    .argument('<alias>', 'alias, e.g. champion')
    .argument('<version>', 'version number')
    .action(async (name: string, alias: string, versionText: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd);
      const version = wholeNumberOption('<version>', versionText, { min: 1, max: MAX_VERSION_NUMBER });
      // said apart: `kiln models alias titanic:2 champion 2` has a bad name, `… titanic "my alias" 2` a bad alias
      if (!isValidModelName(name)) {
        throw new KilnError('INVALID_PARAMS', { what: '<name>', summary: `"${name}" is not a model name: give the name alone, without :VERSION or @ALIAS (e.g. titanic)` });
      }
      checkAliasName(alias, '<alias>');
      await withHome(ctx, async ({ store }) => {
        await store.setAlias(name, alias, version);
        await deliverWebhooks(store, ctx.logger);
      });
      ctx.out.result({ model: name, alias, version }, () => `${name}@${alias} → version ${version}`);
    });

  // A verb of its own, as archive/unarchive are, rather than `alias --remove`: `alias` takes a VERSION
  // that a removal has no use for, and an optional argument would let `kiln models alias titanic champion`
  // (a forgotten version) remove the alias instead of being refused.
  models
    .command('unalias')
    .description('remove an alias (also one named latest or v2, stored before such names were reserved)')
    .argument('<name>', 'model name')
    .argument('<alias>', 'alias, e.g. staging')
    .action(async (name: string, alias: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd);
      if (!isValidModelName(name)) {
        throw new KilnError('INVALID_PARAMS', { what: '<name>', summary: `"${name}" is not a model name: give the name alone, without :VERSION or @ALIAS (e.g. titanic)` });
      }
      // the syntax only: a reserved name may be stored from before the rule, and removing it is the point
      checkAliasSyntax(alias, '<alias>');
      const version = await withHome(ctx, async ({ store }) => {
        const removed = await store.removeAlias(name, alias);
        await deliverWebhooks(store, ctx.logger);
        return removed;
      });
      ctx.out.result({ model: name, alias, removed: true, version }, () => `${name}@${alias} removed (it named version ${version})`);
    });

  for (const [verb, status] of [['archive', 'archived'], ['unarchive', 'ready']] as const) {
    models
      .command(verb)
      .description(
        status === 'archived'
          ? 'archive a version: it stays reachable by number and alias, but is no longer the latest'
          : 'bring an archived version back',
      )
      .argument('<ref>', 'NAME:VERSION or NAME@ALIAS (NAME alone means the latest version)')
      .action(async (ref: string, _opts: unknown, cmd: Command) => {
        const ctx = commandContext(cmd);
        const parsed = parseModelRef(ref);
        const changed = await withHome(ctx, async ({ store }) => {
          const target = await store.resolve(parsed);
          const updated = await store.setVersionStatus(target.model, target.version, status satisfies VersionStatus);
          await deliverWebhooks(store, ctx.logger);
          return updated;
        });
        ctx.out.result(versionJson(changed), () => `${changed.model}:${changed.version} is ${changed.status}`);
      });
  }
}

/** Attempts the webhook deliveries a change queued; never fails the command (the outbox keeps them). */
export async function deliverWebhooks(store: Store, logger: Logger): Promise<void> {
  await deliverDueWebhooks(store, { logger, policy: { timeoutMs: 5000 } }).catch((err: unknown) => logger.warn({ err }, 'could not deliver webhooks now'));
}
