/**
 * `kiln curves` progress on stderr, as training's (progress.ts): a live bar per curve on a terminal, a
 * plain line per point elsewhere (CI logs, pipes), so that a long curve shows it is alive wherever it
 * runs. Silent with --json so that nothing noisy reaches stderr.
 */
import cliProgress from 'cli-progress';
import type { CurvesOptions } from '../modules/tabular/tabular-curves.js';
import { liveTerminal, stopAtExit } from './progress.js';

export interface CurvesProgress {
  readonly onPoint: NonNullable<CurvesOptions['onPoint']>;
  stop(): void;
}

export function curvesProgress(enabled: boolean): CurvesProgress {
  if (!enabled) return { onPoint: () => {}, stop: () => {} };
  if (!liveTerminal()) {
    return { onPoint: (curve, _point, done, total) => void process.stderr.write(`  ${curve} curve: ${done}/${total} points\n`), stop: () => {} };
  }
  const bar = new cliProgress.SingleBar({ format: '  {curve} curve [{bar}] {value}/{total} points', stream: process.stderr }, cliProgress.Presets.shades_classic);
  let started = '';
  stopAtExit(() => bar.stop());
  return {
    onPoint: (curve, _point, done, total) => {
      if (started !== curve) {
        if (started !== '') bar.stop();
        bar.start(total, 0, { curve });
        started = curve;
      }
      bar.update(done, { curve });
    },
    stop: () => bar.stop(),
  };
}
