// The API for crossing process and thread boundaries (W3C Baggage, automatic outgoing
// propagation, workers and pools), exported from the package root through one line of index.ts.
export {
  acceptIncomingBaggage,
  type Baggage,
  type BaggageEntry,
  type BaggageOptions,
  configureBaggage,
  forgetBaggageMetrics,
  formatBaggage,
  getBaggage,
  MAX_BAGGAGE_BYTES,
  MAX_BAGGAGE_MEMBERS,
  type ParsedBaggage,
  parseBaggage,
  setBaggage,
} from './baggage.js';
export {
  type ClientLabel,
  type Destination,
  type DestinationPattern,
  type DestinationPolicy,
  installOutgoingPropagation,
  isInternalHost,
  type OutgoingOptions,
} from './outgoing/index.js';
export { type ContextHeaderOptions, contextHeaders } from './propagation.js';
export {
  type CollectWorkerMetricsOptions,
  type ContextTask,
  captureTaskContext,
  collectWorkerMetrics,
  isContextTask,
  runWithTaskContext,
  type ShareWorkerMetricsOptions,
  shareWorkerMetrics,
  type TaskContext,
  taskHandler,
  withTaskContext,
} from './workers/index.js';
