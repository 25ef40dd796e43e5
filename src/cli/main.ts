/**
 * The `kiln` command line. One file per verb registers itself here; this file owns the global
 * options and the one place where errors become messages and exit codes:
 * 0 success, 1 user error (explained), 2 usage error, 3 internal error.
 */
import { Command, CommanderError } from 'commander';
import { KilnError } from '../core/errors.js';
import { KILN_VERSION } from '../core/version.js';
import { ignoreBrokenPipes } from './broken-pipe.js';
import { reportInterrupts } from './interrupt.js';
import { reportError } from './output.js';
import { registerAb } from './ab.js';
import { registerAlerts } from './alerts.js';
import { registerCurves } from './curves.js';
import { registerDemo } from './demo.js';
import { registerExplain } from './explain.js';
import { registerExport } from './export.js';
import { registerFeedback } from './feedback.js';
import { registerInspect } from './inspect.js';
import { registerModels } from './models.js';
import { registerMonitor } from './monitor.js';
import { registerPredict } from './predict.js';
import { registerReport } from './report.js';
import { registerRuns } from './runs.js';
import { registerServe } from './serve.js';
import { registerTrain } from './train.js';
import { registerWorker } from './worker.js';

/** `json`: the command line has --json, so `--version` prints a JSON document like every other answer. */
export function buildProgram({ json = false }: { json?: boolean } = {}): Command {
  const program = new Command('kiln')
    .description('Kiln: from a table to a monitored, versioned prediction service')
    // commander prints the version before it has read a --json that comes after --version, hence the flag
    .version(json ? JSON.stringify({ version: KILN_VERSION }, null, 2) : KILN_VERSION, '-v, --version')
    .option('--home <dir>', 'folder of the embedded store (env KILN_HOME, default ./.kiln)')
    .option('--artifacts <url>', "where models' files are kept: a folder or s3://BUCKET/PREFIX (env KILN_ARTIFACTS_URL, default <home>/artifacts)")
    .option('--json', 'print one machine-readable JSON document on stdout; messages go to stderr')
    .option('--config <file>', 'configuration file (default ./kiln.config.yaml when present)')
    .option('--log-level <level>', 'fatal | error | warn | info | debug | trace | silent (env KILN_LOG_LEVEL)')
    .showHelpAfterError('(run `kiln --help` for the verbs and their options)')
    // Subcommands inherit these settings when created, so they must come before the verbs.
    .exitOverride();
  // Ctrl-C during any verb ends it with a coded error and exit 130 (verbs that unwind their work add their own handler)
  program.hook('preAction', (_program, verb) => reportInterrupts(commandPath(verb), verb.optsWithGlobals<{ json?: boolean }>().json === true));
  registerDemo(program);
  registerTrain(program);
  registerPredict(program);
  registerModels(program);
  registerReport(program);
  registerExplain(program);
  registerRuns(program);
  registerServe(program);
  registerWorker(program);
  registerExport(program);
  registerInspect(program);
  registerMonitor(program);
  registerFeedback(program);
  registerAlerts(program);
  registerCurves(program);
  registerAb(program);
  return program;
}

/** "kiln models show" for the `show` sub-command of `models`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export async function main(argv: readonly string[]): Promise<void> {
  ignoreBrokenPipes();
  const program = buildProgram({ json: argv.includes('--json') });
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; usage errors were already printed on stderr.
      if (err.exitCode === 0) {
        process.exitCode = 0;
        return;
      }
      // With --json a script reads stdout: it gets the usage error as the one JSON document there, too.
      // (a verb that needs a sub-command and got none shows its help: commander's message is then "(outputHelp)")
      const summary = err.code === 'commander.help' ? 'no command given; the help printed on stderr lists the commands' : err.message.replace(/^error: /, '');
      if (argv.includes('--json')) reportError(new KilnError('INVALID_PARAMS', { what: 'command line', summary }), true);
      process.exitCode = 2;
      return;
    }
    process.exitCode = reportError(err, argv.includes('--json'));
  }
}
