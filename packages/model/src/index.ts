export { type Canary, createCanary } from './canary.js';
export { ModelTimeoutError, modelCodes } from './codes.js';
export { bindModel, withModel } from './context.js';
export { stableHash32, stableUnit } from './hash.js';
export { MAX_LABEL_VALUE_LENGTH } from './labels.js';
export { DELAY_BUCKETS, DURATION_BUCKETS, SCORE_BUCKETS, SIZE_BUCKETS } from './metrics.js';
export {
  createModelMonitor,
  type ExpressLikeMiddleware,
  type KoaLikeMiddleware,
  ModelMonitor,
  type ModelSelector,
} from './monitor.js';
export { newPredictionId } from './outcomes.js';
export { MAX_TRACKED_ITEMS } from './prediction-recorder.js';
export type {
  CanaryOptions,
  DeclaredModel,
  ModelDeclaration,
  ModelLineage,
  ModelMonitorOptions,
  ModelTask,
  OutcomeResult,
  OutcomeStoreOptions,
  Prediction,
  PredictOptions,
  Predictor,
  ShadowOptions,
  SyncPredictor,
} from './types.js';
