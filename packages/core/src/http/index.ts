export {
  DEFAULT_DURATION_BUCKETS,
  DEFAULT_SIZE_BUCKETS,
  methodLabel,
  OTHER_METHOD,
  UNMATCHED_ROUTE,
} from './constants.js';
export {
  createDebugEndpoint,
  type DebugEndpointOptions,
  type DebugRequest,
  type DebugResponse,
  MAX_DEBUG_BODY_BYTES,
  readJsonBody,
} from './debug-endpoint.js';
export { HttpInstrumentation, type RequestState } from './instrumentation.js';
export { createHttpMetrics, type HttpLabel, type HttpMetrics, type HttpMetricsOptions } from './metrics.js';
export {
  clusterWorkerMetrics,
  createMetricsResponder,
  ensureDefaultMetrics,
  METRICS_OPTION_KEYS,
  type MetricsEndpointOptions,
  type MetricsResponder,
  type MetricsResponse,
  type MetricsServer,
  startMetricsServer,
  writeMetricsResponse,
} from './metrics-endpoint.js';
export {
  defaultLevel,
  type FinishedRequest,
  HTTP_OPTION_KEYS,
  type HttpOptions,
  type RequestIdentity,
  type ResolvedHttpOptions,
  resolveHttpOptions,
} from './options.js';
export { keepTrace } from './sampling.js';
