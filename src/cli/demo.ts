/**
 * `kiln demo`: what `npm start` runs on a fresh clone. Trains the Titanic example, registers it,
 * serves it, and prints requests to try.
 */
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadSpecFile } from '../modules/spec.js';
import { commandContext, withHome } from './context.js';
import { cancelOnInterrupt } from './interrupt.js';
import type { ServeFlags } from './serve.js';

const EXAMPLE_SPEC = fileURLToPath(new URL('../../examples/titanic/kiln.yaml', import.meta.url));

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('train the Titanic example, register it and serve it (what `npm start` runs)')
    .option('--host <address>', 'address to listen on (env KILN_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (env KILN_PORT, default 8080)')
    .option('--spec <file>', 'train this module spec instead of the Titanic example')
    .action(async (opts: ServeFlags & { spec?: string }, cmd: Command) => {
      const ctx = commandContext(cmd, { host: opts.host, port: opts.port });
      const loaded = loadSpecFile(opts.spec ?? EXAMPLE_SPEC);
      const { trainProgress } = await import('./progress.js');
      const progress = trainProgress(!ctx.out.json);
      // Loaded when used, so that `kiln --help` does not load training and serving.
      const [{ trainModule }, { serveUntilStopped }] = await Promise.all([import('../modules/train-module.js'), import('./serve.js')]);
      // Ctrl-C while it trains stops the training as `kiln train` does: the run is marked failed, not left running
      const interrupt = cancelOnInterrupt('training', (line) => process.stderr.write(`\n${line}\n`));
      const trained = await withHome(ctx, (home) =>
        trainModule(loaded, { ...home, onEvent: progress.onEvent, signal: interrupt.signal })
          .catch((err: unknown) => {
            throw interrupt.cancellation(err);
          })
          .finally(() => {
            progress.stop();
            interrupt.dispose();
          }),
      );
      const server = await serveUntilStopped(ctx);
      const name = trained.model;
      const test = trained.metrics.test;
      // with an access token (given, or made for a non-loopback --host) the examples carry it
      const made = server.generatedToken;
      const file = ctx.config.apiTokenFile;
      const auth =
        made !== undefined
          ? ` -H 'authorization: Bearer ${made}'`
          : file !== undefined
            ? ` -H "authorization: Bearer $(head -1 ${file})"`
            : ctx.config.apiToken !== undefined
              ? ' -H "authorization: Bearer $KILN_API_TOKEN"'
              : '';
      const appLink = made !== undefined ? `${server.url}/?token=${made}` : `${server.url}/`;
      ctx.out.result({ url: server.url, model: name, version: trained.version, run_id: trained.runId, metrics: trained.metrics }, () =>
        [
          '',
          `Trained ${name}:${trained.version} — test accuracy ${fmt(test['accuracy'])}, ROC-AUC ${fmt(test['roc_auc'])}` +
            ` (${trained.rows.test} held-out passengers).`,
          `Kiln is serving on ${server.url} (Ctrl+C to stop). Open ${appLink} for the app, or try:`,
          '',
          `  curl -s ${server.url}/v1/models/${name}:predict -H 'content-type: application/json'${auth} \\`,
          `    -d '{"instances":[{"Pclass":3,"Sex":"male","Age":22,"SibSp":1,"Parch":0,"Fare":7.25,"Embarked":"S"},` +
            `{"Pclass":1,"Sex":"female","Age":38}]}'`,
          '',
          `  curl -s${auth} ${server.url}/v2/models/${name}        # inputs and outputs (Open Inference Protocol)`,
          `  curl -s ${server.url}/openapi.json              # every route of the HTTP API (OpenAPI 3.1)`,
          `  npx kiln models                                   # versions in ${ctx.config.home}`,
          '',
        ].join('\n'),
      );
    });
}

const fmt = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(3));
