/** Worker-thread entry of the search's parallel trials: fits one learner on one fold, answers its outputs on the fold's validation rows. */
import { serveTasks } from '../../core/worker-pool.js';
import { fitAndPredict, type FoldOutputs, type TrialTask } from './trial-task.js';

serveTasks<TrialTask, FoldOutputs>(async (task) => {
  const result = await fitAndPredict(task);
  return { result, transfer: [result.outputs.buffer as ArrayBuffer] };
});
