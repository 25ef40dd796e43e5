/**
 * Training progress on stderr: a live bar on a terminal, plain stage lines elsewhere (CI logs, pipes).
 * Silent with --json so that nothing but the result reaches stdout, and nothing noisy reaches stderr.
 */
import cliProgress from 'cli-progress';
import type { TrainEvent } from '../modules/train-events.js';

/** A bar that redraws itself needs a terminal that moves the cursor: not a pipe, a file, or TERM=dumb. */
export function liveTerminal(): boolean {
  return process.stderr.isTTY === true && process.env['TERM'] !== 'dumb';
}

/**
 * A live bar hides the cursor and turns line wrapping off until it stops; a process that exits while one
 * is drawn (a second Ctrl-C) would leave the terminal so. `stop` then runs at exit too.
 */
export function stopAtExit(stop: () => void): void {
  process.once('exit', stop);
}

export function trainProgress(enabled: boolean): { onEvent: (e: TrainEvent) => void; stop: () => void } {
  if (!enabled) return { onEvent: () => {}, stop: () => {} };
  const live = liveTerminal();
  let bar: cliProgress.SingleBar | undefined;
  let part: string | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  if (live) stopAtExit(stop);
  const onEvent = (e: TrainEvent) => {
    if (e.type === 'progress') {
      if (!live) return;
      // each member of an ensemble gets its own bar, named
      if (bar !== undefined && e.part !== part) stop();
      if (bar === undefined) {
        part = e.part;
        bar = new cliProgress.SingleBar(
          { format: `  fitting${part === undefined ? '' : ` ${part}`} [{bar}] {value}/{total} iterations · loss {loss}`, stream: process.stderr, hideCursor: true, clearOnComplete: false },
          cliProgress.Presets.shades_classic,
        );
        bar.start(e.maxIterations, 0, { loss: '-' });
      }
      bar.update(e.iteration, { loss: e.trainLoss.toFixed(5) });
      return;
    }
    stop();
    if (e.type === 'trial') {
      const t = e.trial;
      if (!t.final && t.status === 'ok') return; // subsample rungs are too many to print
      const value = t.status === 'ok' ? `${e.metric} ${t.value.toFixed(4)}` : t.status;
      const lead = e.leader !== undefined && e.leader.id === t.id ? '  ★ best so far' : '';
      process.stderr.write(`  trial ${String(t.id).padStart(3)}  ${t.learner.padEnd(22)} ${value}  (${t.folds} folds, ${t.seconds.toFixed(1)} s)${lead}\n`);
      return;
    }
    process.stderr.write(e.type === 'stage' ? `• ${e.message}\n` : `  ${e.message}\n`);
  };
  return { onEvent, stop };
}
