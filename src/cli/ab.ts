/**
 * `kiln ab [start | status | stop | promote]`: A/B experiments between two versions of one model.
 *
 *   kiln ab start titanic --challenger 3 [--champion 2] [--mode split|shadow|canary] [--share 0.1]
 *                 [--outcome binary|continuous] [--max-error-rate 0.05 --max-p99-ms 200] [--description T]
 *   kiln ab status [MODEL | ID] [--mde 0.03] [--alpha 0.05] [--min-per-arm 30] [--lower-is-better] [--json]
 *                 (the same settings as GET /api/experiments/ID?mde=&alpha=&min_per_arm=&lower_is_better=)
 *   kiln ab stop ID [--reason TEXT]
 *   kiln ab promote ID                 moves titanic@champion to the challenger, atomically
 *
 * The commands work on the store; a running `kiln serve` on the same store picks the change up within
 * a few seconds (its router re-reads the running experiments). Requests for MODEL and MODEL@champion are
 * routed; clients that should fall back to the champion after a stop or rollback use MODEL@champion.
 */
import type { Command } from 'commander';
import { KilnError } from '../core/errors.js';
import type { ArmTraffic } from '../experiment/arm-traffic.js';
import type { ExperimentReport } from '../experiment/experiments.js';
import { parseModelRef } from '../store/model-ref.js';
import type { Experiment, ExperimentMode, Store } from '../store/store.js';
import { commandContext, withHome } from './context.js';
import { wholeNumberOption } from './option-values.js';
import { deliverWebhooks } from './models.js';
import { table } from './output.js';

interface StartOptions {
  readonly challenger: string;
  readonly champion?: string;
  readonly mode?: string;
  readonly share?: string;
  readonly outcome?: string;
  readonly maxErrorRate?: string;
  readonly maxP99Ms?: string;
  readonly description?: string;
}

const MODES: readonly ExperimentMode[] = ['split', 'shadow', 'canary'];

/** A flag's number, or a usage error naming the flag. */
function numberFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new KilnError('INVALID_PARAMS', { what: flag, summary: `"${text}" is not a number` });
  return value;
}

function oneOf<T extends string>(flag: string, text: string | undefined, allowed: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) throw new KilnError('INVALID_PARAMS', { what: flag, summary: `"${text}" is not one of ${allowed.join(', ')}` });
  return text as T;
}

/** The experiments' code (statistics, routing) loads when a subcommand runs, not for `kiln --help`. */
async function experimentCode() {
  const [experiments, json] = await Promise.all([import('../experiment/experiments.js'), import('../experiment/experiment-json.js')]);
  return { ...experiments, ...json };
}

export function registerAb(program: Command): void {
  const ab = program.command('ab').description('A/B experiments between two versions of a model: split, shadow or canary; analysis; promote');

  ab.command('start')
    .description('start an experiment: requests for MODEL or MODEL@champion are routed between champion and challenger')
    .argument('<model>', 'model name')
    .requiredOption('--challenger <version>', 'the version to test')
    .option('--champion <version>', 'the version to compare with (default: the champion alias, else the version before the challenger)')
    .option('--mode <mode>', 'split (sticky by user), shadow (challenger answers are only logged) or canary (split with automatic rollback)', 'split')
    .option('--share <fraction>', "the challenger's share of users in split and canary (default 0.1)")
    .option('--outcome <kind>', 'binary (0/1 conversions) or continuous (a number per prediction)', 'binary')
    .option('--max-error-rate <rate>', 'canary: roll back when the challenger fails more often than this (e.g. 0.05)')
    .option('--max-p99-ms <ms>', "canary: roll back when the challenger's p99 latency exceeds this")
    .option('--description <text>', 'what the experiment tests')
    .action(async (model: string, opts: StartOptions, cmd: Command) => {
      const ctx = commandContext(cmd);
      const challenger = numberFlag('--challenger', opts.challenger) as number;
      const champion = numberFlag('--champion', opts.champion);
      const share = numberFlag('--share', opts.share);
      const maxErrorRate = numberFlag('--max-error-rate', opts.maxErrorRate);
      const maxP99Ms = numberFlag('--max-p99-ms', opts.maxP99Ms);
      const mode = oneOf('--mode', opts.mode, MODES);
      const outcome = oneOf('--outcome', opts.outcome, ['binary', 'continuous'] as const);
      const { startExperiment, experimentJson } = await experimentCode();
      const experiment = await withHome(ctx, async ({ store }) => {
        await refuseVersionRef(store, model, challenger);
        const started = await startExperiment(store, {
          model,
          challenger,
          ...(champion === undefined ? {} : { champion }),
          ...(mode === undefined ? {} : { mode }),
          ...(share === undefined ? {} : { challengerShare: share }),
          ...(outcome === undefined ? {} : { outcome }),
          ...(maxErrorRate === undefined ? {} : { maxErrorRate }),
          ...(maxP99Ms === undefined ? {} : { maxP99Ms }),
          ...(opts.description === undefined ? {} : { description: opts.description }),
        });
        await deliverWebhooks(store, ctx.logger);
        return started;
      });
      ctx.out.result(experimentJson(experiment), () => `started experiment ${experiment.id}: ${describe(experiment)}`);
    });

  ab.command('status')
    .description('list experiments, or show one (by id, or the running one of a model) with traffic and analysis')
    .argument('[model-or-id]', 'a model name or an experiment id; none lists every experiment')
    .option('--mde <effect>', 'minimum detectable effect for the analysis and the sample-size estimate (0.03 = 3 points)')
    .option('--alpha <level>', 'significance level of the tests, between 0 and 1 (default 0.05)')
    .option('--min-per-arm <n>', 'outcomes each arm needs before the first look, at least 2 (default 30)')
    .option('--lower-is-better', 'a smaller outcome is the better one')
    .action(async (target: string | undefined, opts: { mde?: string; alpha?: string; minPerArm?: string; lowerIsBetter?: boolean }, cmd: Command) => {
      const ctx = commandContext(cmd);
      // checked here as the HTTP API checks ?mde= and ?alpha=: a usage error naming the flag, not a
      // failure of the analysis ("cannot analyse the experiment") with a hint about arms and counts
      const mde = numberFlag('--mde', opts.mde);
      if (mde !== undefined && !(mde > 0)) throw new KilnError('INVALID_PARAMS', { what: '--mde', summary: `expected a positive effect (0.03 = 3 points), got "${opts.mde}"` });
      const alpha = numberFlag('--alpha', opts.alpha);
      if (alpha !== undefined && !(alpha > 0 && alpha < 1)) throw new KilnError('INVALID_PARAMS', { what: '--alpha', summary: `expected a level between 0 and 1 (e.g. 0.05), got "${opts.alpha}"` });
      const minPerArm = opts.minPerArm === undefined ? undefined : wholeNumberOption('--min-per-arm', opts.minPerArm, { min: 2 });
      const { experimentJson, findExperiment, reportExperiment, reportJson } = await experimentCode();
      if (target === undefined) {
        const experiments = await withHome(ctx, ({ store }) => store.listExperiments());
        ctx.out.result({ experiments: experiments.map(experimentJson) }, () =>
          experiments.length === 0
            ? 'no experiments yet: start one with `kiln ab start MODEL --challenger VERSION`'
            : table(
                ['id', 'model', 'champion', 'challenger', 'mode', 'share', 'status', 'started'],
                experiments.map((e) => [e.id, e.model, String(e.champion), String(e.challenger), e.mode, String(e.challengerShare), e.status, e.startedAt]),
              ),
        );
        return;
      }
      const report = await withHome(ctx, async ({ store }) =>
        reportExperiment(store, await findExperiment(store, target), {
          ...(mde === undefined ? {} : { mde }),
          ...(alpha === undefined ? {} : { alpha }),
          ...(minPerArm === undefined ? {} : { minPerArm }),
          ...(opts.lowerIsBetter === true ? { lowerIsBetter: true } : {}),
        }),
      );
      ctx.out.result(reportJson(report), () => humanReport(report));
    });

  for (const [verb, status, what] of [
    ['stop', 'stopped', 'end an experiment: requests go to the model as before'],
    ['promote', 'promoted', 'end an experiment and move the champion alias to the challenger (atomically)'],
  ] as const) {
    ab.command(verb)
      .description(what)
      .argument('<id>', 'experiment id (`kiln ab status` lists them)')
      .option('--reason <text>', 'why, for the audit log')
      .action(async (id: string, opts: { reason?: string }, cmd: Command) => {
        const ctx = commandContext(cmd);
        const { endExperiment, experimentJson } = await experimentCode();
        const ended = await withHome(ctx, async ({ store }) => {
          const result = await endExperiment(store, id, status, opts.reason);
          await deliverWebhooks(store, ctx.logger);
          return result;
        });
        ctx.out.result(experimentJson(ended), () =>
          status === 'promoted' ? `${ended.model}@champion → version ${ended.challenger}; experiment ${ended.id} promoted` : `experiment ${ended.id} stopped: ${ended.model} is served as usual`,
        );
      });
  }
}

/**
 * `ab start` takes a model's name and the versions as flags. Given `titanic:99` (or `titanic@beta`), say
 * first what other verbs say of that reference (version 99 does not exist, and which do), rather than
 * "there is no model titanic:99"; a reference that does exist still needs the versions as flags.
 */
async function refuseVersionRef(store: Store, model: string, challenger: number): Promise<void> {
  if (!/[:@]/.test(model)) return;
  const ref = parseModelRef(model);
  const version = await store.resolve(ref); // VERSION_NOT_FOUND / ALIAS_NOT_FOUND / MODEL_NOT_FOUND
  throw new KilnError('INVALID_PARAMS', {
    what: 'ab start',
    summary: `give the model's name, "${ref.name}", not the reference "${model}" (version ${version.version}), and the versions as flags: kiln ab start ${ref.name} --challenger ${challenger} [--champion N]`,
  });
}

function describe(e: Experiment): string {
  const split = e.mode === 'shadow' ? 'shadow (challenger mirrored, answers logged only)' : `${e.mode}, ${(e.challengerShare * 100).toFixed(0)}% of users to the challenger`;
  const bounds = [e.maxErrorRate === undefined ? '' : `error rate ≤ ${e.maxErrorRate}`, e.maxP99Ms === undefined ? '' : `p99 ≤ ${e.maxP99Ms} ms`].filter(Boolean).join(', ');
  return `${e.model}: champion v${e.champion} vs challenger v${e.challenger}, ${split}${bounds === '' ? '' : `; rolls back past ${bounds}`}`;
}

const ms = (v: number | null): string => (v === null ? '' : v.toFixed(1));
const rate = (v: number | null): string => (v === null ? '' : `${(v * 100).toFixed(1)}%`);

function humanReport(report: ExperimentReport): string {
  const e = report.experiment;
  const outcomes = report.analysis?.arms;
  const row = (arm: 'champion' | 'challenger', version: number, t: ArmTraffic): string[] => {
    const o = outcomes?.[arm];
    const value = o === undefined || o.mean === null ? '' : e.outcome === 'binary' ? rate(o.mean) : o.mean.toPrecision(4);
    return [arm, String(version), String(t.requests), String(t.errors), rate(t.error_rate), ms(t.p50_ms), ms(t.p99_ms), o === undefined ? '' : String(o.n), value];
  };
  return [
    `experiment ${e.id} (${e.status}${e.endReason === null ? '' : `: ${e.endReason}`}) — ${describe(e)}; started ${e.startedAt}`,
    table(
      ['arm', 'version', 'requests', 'errors', 'error rate', 'p50 ms', 'p99 ms', 'outcomes', e.outcome === 'binary' ? 'rate' : 'mean'],
      [row('champion', e.champion, report.traffic.champion), row('challenger', e.challenger, report.traffic.challenger)],
    ),
    `verdict: ${report.analysis?.verdict ?? report.shadow?.verdict ?? ''}`,
  ].join('\n');
}
