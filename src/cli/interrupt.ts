/**
 * Ctrl-C during long work (a training, an AutoML search, `kiln curves`): the first press asks the work to stop through
 * its AbortSignal, so it unwinds the way a cancelled app job does — its run is marked failed, nothing is
 * registered, worker threads are stopped and the store is closed; a second press quits at once.
 * Without this, an interrupted `kiln train` left its run "running" in the store forever.
 */
import { isKilnError, KilnError } from '../core/errors.js';
import { hasPrintedOutcome, reportError } from './output.js';

export interface Interruptible {
  readonly signal: AbortSignal;
  /** Removes the handlers (the work is over). */
  dispose(): void;
  /**
   * The error to report for `err`: once interrupted, a cancellation the work reports in its own words
   * (a learner says "training was cancelled" whoever fitted it) becomes this one's ("drawing the curves
   * was cancelled"); any other error is itself.
   */
  cancellation(err: unknown): unknown;
}

export function cancelOnInterrupt(what: string, say: (line: string) => void, signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): Interruptible {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) {
      say('stopping now');
      process.exit(130);
    }
    say(`stopping ${what}… (press Ctrl-C again to quit at once)`);
    controller.abort(new KilnError('CANCELLED', { what }));
  };
  for (const s of signals) process.on(s, onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of signals) process.off(s, onSignal);
    },
    cancellation: (err) => (controller.signal.aborted && isKilnError(err, 'CANCELLED') ? (controller.signal.reason as unknown) : err),
  };
}

/**
 * Ctrl-C (or SIGTERM) during a verb with nothing to unwind — predict, report, export, inspect, … — ends it
 * with the CANCELLED error like any other failure (with --json, the one JSON document on stdout; exit 130),
 * where Node would die of the signal and say nothing. A verb that stops its own work (train, curves, serve,
 * worker) has its own handler while it runs; this one then leaves the signal to it.
 */
export function reportInterrupts(what: string, json: boolean, signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): void {
  for (const s of signals) {
    process.on(s, () => {
      if (process.listenerCount(s) > 1) return;
      process.exitCode = hasPrintedOutcome() ? 130 : reportError(new KilnError('CANCELLED', { what }), json);
      process.exit();
    });
  }
}
