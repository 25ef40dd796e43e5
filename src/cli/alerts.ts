/**
 * `kiln alerts add MODEL --metric M --op '<' --threshold X [--window N] [--webhook URL] [--description T]`
 * `kiln alerts list [MODEL]`   `kiln alerts remove ID`   `kiln alerts events [MODEL] [--limit N]`
 * `kiln alerts check [MODEL]`: measure every rule now; each breach records an event, logs a warning and
 * posts the rule's webhook. `kiln serve` checks on a schedule too: every KILN_ALERT_INTERVAL (a duration,
 * default 60s; `off` turns it off), firing a lasting breach when it starts and then hourly.
 */
import type { Command } from 'commander';
import { KilnError } from '../core/errors.js';
import { alertCheckJson, alertEventJson, alertRuleJson, CLI_ALERT_FIELDS, inCallersNames } from '../monitor/alert-json.js';
import { MAX_LIST_LIMIT } from '../api/list-limit.js';
import { MAX_ALERT_WINDOW } from '../store/monitoring-inputs.js';
import { ALERT_METRICS, DEFAULT_ALERT_WINDOW, type AlertRule } from '../store/store.js';
import { commandContext, withHome } from './context.js';
import { wholeNumberOption } from './option-values.js';
import { table } from './output.js';

interface AddOptions {
  readonly metric: string;
  readonly op: string;
  readonly threshold: string;
  readonly window?: string;
  readonly webhook?: string;
  readonly description?: string;
}

/** `<`, `>` need quoting in a shell; the words work without. */
const OPS: Readonly<Record<string, '>' | '<'>> = { '>': '>', '<': '<', gt: '>', lt: '<', above: '>', below: '<' };

export function registerAlerts(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('alert rules per model: add, list, remove, check now, past events (`kiln serve` checks every KILN_ALERT_INTERVAL, default 60s)');

  alerts
    .command('add')
    .description('add a rule: alert when METRIC goes above/below THRESHOLD over the last N predictions')
    .argument('<model>', 'the model name')
    .requiredOption('--metric <metric>', `one of ${ALERT_METRICS.join(', ')}`)
    .requiredOption('--op <op>', '"<" or ">" (or lt/below, gt/above)')
    .requiredOption('--threshold <number>', 'the value that must not be crossed')
    .option('--window <n>', `predictions per check (default ${DEFAULT_ALERT_WINDOW}, at most ${MAX_ALERT_WINDOW.toLocaleString('en-US')})`)
    .option('--webhook <url>', 'POST each breach to this URL as JSON')
    .option('--description <text>', 'what the rule is for')
    .action(async (model: string, opts: AddOptions, cmd: Command) => {
      const ctx = commandContext(cmd);
      const op = OPS[opts.op];
      if (op === undefined) throw new KilnError('INVALID_PARAMS', { what: '--op', summary: `"${opts.op}" is not one of <, >, lt, gt, below, above` });
      const threshold = numberOption(opts.threshold, '--threshold');
      const window = opts.window === undefined ? undefined : wholeNumberOption('--window', opts.window, { min: 1, max: MAX_ALERT_WINDOW });
      const rule = await withHome(ctx, ({ store }) =>
        store
          .createAlertRule({
            model,
            metric: opts.metric,
            op,
            threshold,
            ...(window === undefined ? {} : { window }),
            ...(opts.webhook === undefined ? {} : { webhookUrl: opts.webhook }),
            ...(opts.description === undefined ? {} : { description: opts.description }),
          })
          .catch((err: unknown) => Promise.reject(inCallersNames(err, CLI_ALERT_FIELDS))),
      );
      ctx.out.result(alertRuleJson(rule), () => `added alert ${rule.id}: ${describeRule(rule)}`);
    });

  alerts
    .command('list', { isDefault: true })
    .description('list the alert rules (of one model or all)')
    .argument('[model]', 'only this model')
    .action(async (model: string | undefined, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd);
      const rules = await withHome(ctx, ({ store }) => store.listAlertRules(model));
      ctx.out.result({ rules: rules.map(alertRuleJson) }, () =>
        rules.length === 0
          ? 'no alert rules: add one with `kiln alerts add MODEL --metric accuracy --op below --threshold 0.7`'
          : table(['id', 'model', 'rule', 'webhook', 'description'], rules.map((r) => [r.id, r.model, describeRule(r, false), r.webhookUrl ?? '', r.description])),
      );
    });

  alerts
    .command('remove')
    .description('remove an alert rule (its past events are kept)')
    .argument('<id>', 'the rule id (see `kiln alerts list`)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd);
      await withHome(ctx, ({ store }) => store.deleteAlertRule(id));
      ctx.out.result({ removed: id }, () => `removed alert ${id}`);
    });

  alerts
    .command('events')
    .description('alerts fired, newest first')
    .argument('[model]', 'only this model')
    .option('--limit <n>', 'how many (default 100)')
    .action(async (model: string | undefined, opts: { readonly limit?: string }, cmd: Command) => {
      const ctx = commandContext(cmd);
      // bounded as GET /api/alerts/events bounds ?limit= (a huge number was an internal error of the store)
      const limit = opts.limit === undefined ? undefined : wholeNumberOption('--limit', opts.limit, { min: 1, max: MAX_LIST_LIMIT });
      const events = await withHome(ctx, ({ store }) =>
        store.listAlertEvents({ ...(model === undefined ? {} : { model }), ...(limit === undefined ? {} : { limit }) }),
      );
      ctx.out.result({ events: events.map(alertEventJson) }, () =>
        events.length === 0 ? 'no alerts fired' : table(['at', 'model', 'message'], events.map((e) => [e.at, e.model, e.message])),
      );
    });

  alerts
    .command('check')
    .description('check every rule now: breaches are recorded, logged and posted to their webhooks')
    .argument('[model]', 'only this model\'s rules')
    .action(async (model: string | undefined, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd);
      const { checkAlerts } = await import('../monitor/alert-check.js');
      const results = await withHome(ctx, (home) => checkAlerts(home, { logger: ctx.logger, ...(model === undefined ? {} : { model }) }));
      ctx.out.result(
        {
          results: results.map(alertCheckJson),
        },
        () =>
          results.length === 0
            ? 'no alert rules to check'
            : table(
                ['model', 'rule', 'value', 'status', 'webhook'],
                results.map((r) => [
                  r.version === null ? r.rule.model : `${r.rule.model}:${r.version}`,
                  describeRule(r.rule, false),
                  r.value === null ? '—' : String(Number(r.value.toPrecision(4))),
                  r.breached ? 'BREACHED' : r.value === null ? (r.note ?? 'nothing to judge') : 'ok',
                  r.webhook ?? '',
                ]),
              ),
      );
    });
}

function describeRule(rule: AlertRule, withModel = true): string {
  return `${withModel ? `${rule.model}: ` : ''}${rule.metric} ${rule.op} ${rule.threshold} over the last ${rule.window} predictions`;
}

function numberOption(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new KilnError('INVALID_PARAMS', { what: flag, summary: `"${text}" is not a number` });
  return value;
}
