/**
 * `kiln feedback [REF] --file outcomes.csv|.json|.ndjson [--id-column request_id --outcome-column outcome]`
 * `kiln feedback [REF] --request-id ID --outcome VALUE`
 *
 * Attaches ground truth to logged predictions by the request id they were served with (the response's
 * `id` / `x-request-id`). With a model reference, the model's performance on its labelled predictions is
 * shown afterwards (the same numbers as `kiln monitor`).
 */
import type { Command } from 'commander';
import { KilnError } from '../core/errors.js';
import type { PerformanceReport } from '../monitor/performance.js';
import { DEFAULT_WINDOW } from '../monitor/prediction-window.js';
import { parseModelRef } from '../store/model-ref.js';
import type { FeedbackInput } from '../store/store.js';
import { commandContext, withHome } from './context.js';

interface FeedbackOptions {
  readonly file?: string;
  readonly idColumn?: string;
  readonly outcomeColumn?: string;
  readonly timestampColumn?: string;
  readonly requestId?: string;
  readonly outcome?: string;
}

/** How many request ids without a prediction the human output names. */
const SHOWN_UNKNOWN = 5;

export function registerFeedback(program: Command): void {
  program
    .command('feedback')
    .description('attach outcomes (ground truth) to logged predictions by request id, from a file or one at a time')
    .argument('[ref]', 'NAME, NAME:VERSION or NAME@ALIAS: show its performance afterwards')
    .option('--file <file>', 'outcomes as CSV (columns named below), JSON ({items: [...]} or a list) or NDJSON')
    .option('--id-column <name>', 'CSV column holding the request ids', 'request_id')
    .option('--outcome-column <name>', 'CSV column holding the outcomes', 'outcome')
    .option('--timestamp-column <name>', 'CSV column holding when each outcome became known (used when present)', 'timestamp')
    .option('--request-id <id>', 'one request id (with --outcome)')
    .option('--outcome <value>', 'its outcome: a class label, 0/1, true/false or a number')
    .action(async (ref: string | undefined, opts: FeedbackOptions, cmd: Command) => {
      const ctx = commandContext(cmd);
      const parsedRef = ref === undefined ? undefined : parseModelRef(ref);
      // loaded on use: reading a file of outcomes needs DuckDB, which every other command would pay for at start-up
      const input = await import('../monitor/feedback-input.js');
      const items = await itemsFrom(opts, input);
      const outcome = await withHome(ctx, async (home) => {
        const version = parsedRef === undefined ? undefined : await home.store.resolve(parsedRef); // an unknown model fails before writing
        let accepted = 0;
        const unknown: string[] = [];
        const chunk = input.MAX_FEEDBACK_ITEMS;
        for (let start = 0; start < items.length; start += chunk) {
          const result = await home.store.recordFeedback(items.slice(start, start + chunk));
          accepted += result.accepted;
          unknown.push(...result.unknownRequestIds);
          if (items.length > chunk) ctx.out.info(`${Math.min(items.length, start + chunk)} of ${items.length} outcomes sent`);
        }
        const { checkPerformance } = await import('../monitor/check-model.js');
        const performance = version === undefined ? undefined : await checkPerformance(home.store, version, DEFAULT_WINDOW);
        return { accepted, unknown, version, performance };
      });
      ctx.out.result(
        {
          accepted: outcome.accepted,
          unknown_request_ids: outcome.unknown,
          ...(outcome.version === undefined ? {} : { model: outcome.version.model, version: outcome.version.version }),
          ...(outcome.performance === undefined ? {} : { performance: outcome.performance }),
        },
        () => human(outcome.accepted, outcome.unknown, outcome.performance),
      );
    });
}

async function itemsFrom(opts: FeedbackOptions, input: typeof import('../monitor/feedback-input.js')): Promise<FeedbackInput[]> {
  const single = opts.requestId !== undefined || opts.outcome !== undefined;
  if (opts.file !== undefined && single) {
    throw new KilnError('INVALID_PARAMS', { what: 'feedback options', summary: 'give either --file or --request-id with --outcome, not both' });
  }
  if (opts.file !== undefined) {
    return input.readFeedbackFile(opts.file, {
      ...(opts.idColumn === undefined ? {} : { idColumn: opts.idColumn }),
      ...(opts.outcomeColumn === undefined ? {} : { outcomeColumn: opts.outcomeColumn }),
      ...(opts.timestampColumn === undefined ? {} : { timestampColumn: opts.timestampColumn }),
    });
  }
  if (opts.requestId === undefined || opts.outcome === undefined || opts.requestId === '') {
    throw new KilnError('INVALID_PARAMS', {
      what: 'feedback options',
      summary: 'nothing to send: give --file outcomes.csv, or --request-id ID together with --outcome VALUE',
    });
  }
  return [{ requestId: opts.requestId, outcome: input.outcomeFromText(opts.outcome) }];
}

function human(accepted: number, unknown: readonly string[], performance: PerformanceReport | undefined): string {
  const lines = [`accepted ${accepted} outcome${accepted === 1 ? '' : 's'}`];
  if (unknown.length > 0) {
    const shown = unknown.slice(0, SHOWN_UNKNOWN).join(', ');
    lines.push(
      `${unknown.length} request id${unknown.length === 1 ? ' has' : 's have'} no logged prediction (${shown}${unknown.length > SHOWN_UNKNOWN ? ', …' : ''}): ` +
        'check the ids, or wait for the prediction log to be written (it trails requests by a moment); sampled-out requests are not logged',
    );
  }
  if (performance !== undefined) lines.push(performance.verdict);
  return lines.join('\n');
}
