export {
  clusterWorkerMetrics,
  startMetricsServer,
  UNMATCHED_ROUTE,
} from '@threadline/core';
export { debugHandler, metricsHandler } from './handlers.js';
export { type LiveHandlerOptions, liveHandler } from './live.js';
export { threadline } from './middleware.js';
export { routeTemplateOf } from './route.js';
export type {
  DebugHandlerOptions,
  MetricsHandlerOptions,
  Middleware,
  NextFunction,
  ThreadlineExpressOptions,
} from './types.js';
