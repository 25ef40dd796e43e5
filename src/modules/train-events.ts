/** What training reports while it works: the CLI draws a progress bar from it, the app live updates. */
import type { Progress } from '../learners/learner.js';

export type TrainStage = 'read' | 'schema' | 'split' | 'preprocess' | 'fit' | 'evaluate' | 'export' | 'register';

export type TrainEvent =
  | { readonly type: 'stage'; readonly stage: TrainStage; readonly message: string }
  | ({ readonly type: 'progress' } & Progress)
  | { readonly type: 'note'; readonly message: string };

export type TrainListener = (event: TrainEvent) => void;
