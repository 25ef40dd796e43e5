/** What training reports while it works: the CLI draws a progress bar from it, the app live updates. */
import type { IngestNote } from '../data/sources/ingest-note.js';
import type { Trial } from '../evaluate/search/automl.js';
import type { Progress } from '../learners/learner.js';

export type TrainStage = 'read' | 'schema' | 'split' | 'preprocess' | 'search' | 'fit' | 'evaluate' | 'export' | 'register';

export type TrainEvent =
  | { readonly type: 'stage'; readonly stage: TrainStage; readonly message: string }
  | ({ readonly type: 'progress' } & Progress)
  /** `ingest`: the note is a decision reading the data made (a guessed encoding, numbers read from text), whole. */
  | { readonly type: 'note'; readonly message: string; readonly ingest?: IngestNote }
  /** One AutoML trial finished; `leader` is the best complete trial so far. */
  | { readonly type: 'trial'; readonly trial: Trial; readonly leader: Trial | undefined; readonly metric: string };

export type TrainListener = (event: TrainEvent) => void;
