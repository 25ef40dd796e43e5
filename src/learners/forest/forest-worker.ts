/** Worker-thread entry of the forests: trains one tree per task (see ./forest-tree.ts). */
import { serveTasks } from '../../core/worker-pool.js';
import { resultBuffers, trainForestTree, type ForestTreeResult, type ForestTreeTask } from './forest-tree.js';

serveTasks<ForestTreeTask, ForestTreeResult>((task) => {
  const result = trainForestTree(task);
  return { result, transfer: resultBuffers(result) };
});
