export { BatchSchemaError, TrainingParamError, trainingCodes } from './errors.js';
export { type PipelineMetrics, pipelineMetrics, type TrainingMetrics, trainingMetrics } from './metrics.js';
export { measureBatch, pipelineStep } from './pipeline.js';
export { formatMetrics } from './progress.js';
export {
  type Curves,
  MAX_EPOCH_POINTS,
  MAX_STEP_POINTS,
  type RunView,
  type TrainingReportView,
} from './report/data.js';
export { renderTrainingReport, type TrainingReportOptions } from './report/html.js';
export { type ReadRuns, readTrainingRuns, type TrainingRunInput } from './report/runs.js';
export { MAX_EPOCH_DURATIONS, MAX_TRACKED_NAMES, type Metrics, metricFieldName, TrainingRun } from './run.js';
export { type TfjsCallbackOptions, type TfjsTrainingCallback, tfjsCallback } from './tfjs.js';
export {
  currentRun,
  runTraining,
  startRun,
  type TrainingOptionsInput,
  trackTraining,
  wrapTraining,
} from './track.js';
export type {
  BatchInfo,
  BatchIssue,
  DurationSummary,
  MetricGoal,
  MetricSummary,
  ParamValue,
  PipelineStepOptions,
  ProgressMode,
  PushgatewayOptions,
  RunStatus,
  RunSummary,
  TrainingOptions,
} from './types.js';
