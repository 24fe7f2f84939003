export {
  type CollectWorkerMetricsOptions,
  collectWorkerMetrics,
  type ShareWorkerMetricsOptions,
  shareWorkerMetrics,
} from './metrics.js';
export {
  type ContextTask,
  captureTaskContext,
  isContextTask,
  runWithTaskContext,
  type TaskContext,
  taskHandler,
  withTaskContext,
} from './task.js';
