export { type CollectWorkerMetricsOptions, collectWorkerMetrics } from './collect.js';
export { type ShareWorkerMetricsOptions, shareWorkerMetrics } from './share.js';
export {
  type ContextTask,
  captureTaskContext,
  isContextTask,
  runWithTaskContext,
  type TaskContext,
  taskHandler,
  withTaskContext,
} from './task.js';
